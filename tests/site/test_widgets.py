"""Widgets on the site: a static picture of the saved first state, under a note."""

from mmcourse.site.widgets import NOTE_CLASS, WIDGET_STATE, WIDGET_VIEW, replace_widgets

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


def test_a_widget_becomes_a_note_with_its_controls_then_its_html_and_plots():
    notebook, num_widgets = replace_widgets(_notebook(STATES))

    assert num_widgets == 1
    note, html, plot = notebook["cells"][1]["outputs"]
    assert NOTE_CLASS in note["data"]["text/html"]
    assert "Interactive in JupyterLab" in note["data"]["text/html"]
    assert "Controls: label = pos, post = 4." in note["data"]["text/html"]
    assert "label = pos, post = 4" in note["data"]["text/plain"]
    assert html["data"]["text/html"] == "<p>look at the one in <b>orange</b></p>"
    assert plot["data"]["image/png"] == PNG


def test_no_widget_is_left_and_other_outputs_are_kept():
    original = _notebook(STATES)
    notebook, _ = replace_widgets(original)

    assert "widgets" not in notebook["metadata"]
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    assert not any(WIDGET_VIEW in o.get("data", {}) for o in outputs)
    assert notebook["cells"][2] == original["cells"][2]
    assert "widgets" in original["metadata"], "the notebook passed in must not change"


def test_parts_missing_from_the_saved_state_are_said_in_the_note():
    states = {key: value for key, value in STATES.items() if key != "out"}
    notebook, _ = replace_widgets(_notebook(states))

    note = notebook["cells"][1]["outputs"][0]
    assert "1 of its parts were not saved with the notebook" in note["data"]["text/html"]


def test_a_notebook_saved_without_widget_state_still_gets_the_note():
    bare = _notebook({})
    del bare["metadata"]["widgets"]
    notebook, num_widgets = replace_widgets(bare)

    assert num_widgets == 1
    (note,) = notebook["cells"][1]["outputs"]
    assert "Interactive in JupyterLab" in note["data"]["text/plain"]
    assert "were not saved" in note["data"]["text/plain"]
