"""Widgets on the site: a static picture of the saved first state, under a note."""

from mmcourse.site.widgets import (
    NOTE_CLASS,
    PICTURE_CLASS,
    WIDGET_STATE,
    WIDGET_VIEW,
    replace_widgets,
)
from mmcourse.widget_static import render_widget

PNG = "iVBORw0KGgo="


def _model(name, **state):
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


def _notebook(states):
    view = {"model_id": "box", "version_major": 2, "version_minor": 0}
    widget_output = {
        "output_type": "execute_result",
        "execution_count": 3,
        "metadata": {},
        "data": {WIDGET_VIEW: view, "text/plain": ["VBox(children=(HBox(..."]},
    }
    printed = {"output_type": "stream", "name": "stdout", "text": ["hello\n"]}
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# A lesson"},
            {"cell_type": "code", "metadata": {}, "source": "browser", "outputs": [widget_output]},
            {"cell_type": "code", "metadata": {}, "source": "print()", "outputs": [printed]},
        ],
        "metadata": {"widgets": {WIDGET_STATE: {"state": states}}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


STATES = {
    "box": _model("VBoxModel", children=["IPY_MODEL_row", "IPY_MODEL_html", "IPY_MODEL_out"]),
    "row": _model("HBoxModel", children=["IPY_MODEL_pick", "IPY_MODEL_post"]),
    "pick": _model(
        "DropdownModel", description="label", index=2, _options_labels=["any", "neg", "pos"]
    ),
    "post": _model("IntSliderModel", description="post", value=4, max=9),
    "html": _model("HTMLModel", value="<p>look at the one in <b>orange</b></p>"),
    "out": _model(
        "OutputModel",
        outputs=[{"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG}}],
    ),
}


def test_a_widget_becomes_a_note_then_the_picture_jupyterlab_shows_of_its_saved_state():
    notebook, num_widgets = replace_widgets(_notebook(STATES))

    assert num_widgets == 1
    note, picture = notebook["cells"][1]["outputs"]
    assert NOTE_CLASS in note["data"]["text/html"]
    assert "Interactive in JupyterLab" in note["data"]["text/html"]
    assert "Interactive in JupyterLab" in note["data"]["text/plain"]
    shown = picture["data"]["text/html"]
    # the one picture, from widget_static, in a frame the site's CSS spaces
    assert shown == f'<div class="{PICTURE_CLASS}">{render_widget("box", STATES)}</div>'
    assert "label <code>pos</code>" in shown and "post <code>4</code>" in shown
    assert "<p>look at the one in <b>orange</b></p>" in shown
    assert f'<img src="data:image/png;base64,{PNG}">' in shown


def test_no_widget_is_left_and_other_outputs_are_kept():
    original = _notebook(STATES)
    notebook, _ = replace_widgets(original)

    assert "widgets" not in notebook["metadata"]
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    assert not any(WIDGET_VIEW in o.get("data", {}) for o in outputs)
    assert notebook["cells"][2] == original["cells"][2]
    assert "widgets" in original["metadata"], "the notebook passed in must not change"


def test_a_widget_whose_state_was_not_saved_whole_gets_the_note_saying_so_and_no_picture():
    partial = {key: value for key, value in STATES.items() if key != "out"}
    bare = _notebook({})
    del bare["metadata"]["widgets"]
    for notebook in (_notebook(partial), bare):
        staged, num_widgets = replace_widgets(notebook)

        assert num_widgets == 1
        (note,) = staged["cells"][1]["outputs"]
        for kind in ("text/html", "text/plain"):
            assert "Interactive in JupyterLab" in note["data"][kind]
            assert "was not saved with the notebook" in note["data"][kind]
