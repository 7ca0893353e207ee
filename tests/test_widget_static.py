"""Static renderings of saved widget state, for notebooks no kernel has run, and the lab
config that saves widget state and keeps the renderings on save."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from mmcourse import paths
from mmcourse.widget_static import (
    NOTE,
    WIDGET_STATE,
    WIDGET_VIEW,
    add_static_renderings,
    pre_save_hook,
    render_widget,
)

CONFIG = paths.course_root() / "mmcourse" / "jupyter_config"

PNG = "iVBORw0KGgo="


def model(name, **state):
    return {"model_name": name, "state": state}


STATES = {
    "box": model("VBoxModel", children=["IPY_MODEL_row", "IPY_MODEL_status", "IPY_MODEL_out"]),
    "row": model("HBoxModel", children=["IPY_MODEL_label", "IPY_MODEL_page"]),
    "label": model(
        "DropdownModel",
        description="label",
        _options_labels=["any", "negative"],
        index=1,
    ),
    "page": model("IntTextModel", description="page", value=1),
    "status": model("LabelModel", value="6000 posts <match>"),
    "out": model(
        "OutputModel",
        outputs=[
            {"output_type": "display_data", "data": {"image/png": PNG, "text/plain": "<Fig>"}},
            {"output_type": "stream", "name": "stdout", "text": "a < b\n"},
        ],
    ),
    "scores": model("HTMLModel", value="<b>positive 0.9</b>"),
}


def test_a_box_renders_its_children_with_their_values():
    body = render_widget("box", STATES)
    assert body.index("label <code>negative</code>") < body.index("page <code>1</code>")
    assert "<table><tr>" in body  # an HBox lays its children side by side
    assert "6000 posts &lt;match&gt;" in body  # a Label is text
    assert f'<img src="data:image/png;base64,{PNG}">' in body
    assert "<pre>a &lt; b\n</pre>" in body
    assert render_widget("scores", STATES) == "<b>positive 0.9</b>"  # HTML is markup


def test_an_unknown_or_missing_model_is_an_error():
    states = {**STATES, "odd": model("ColorPickerModel", value="#fff")}
    with pytest.raises(ValueError, match="Received: model_name='ColorPickerModel'"):
        render_widget("odd", states)
    with pytest.raises(ValueError, match="widget model gone"):
        render_widget("gone", STATES)


def notebook_with_widget(model_id):
    output = new_output(
        "execute_result",
        data={WIDGET_VIEW: {"model_id": model_id}, "text/plain": "VBox(children=..."},
        execution_count=1,
    )
    notebook = new_notebook(
        cells=[new_code_cell("1", outputs=[new_output("stream", text="1\n")]), new_code_cell("")]
    )
    notebook.cells[1].outputs = [output]
    notebook.metadata["widgets"] = {WIDGET_STATE: {"state": STATES, "version_major": 2}}
    return notebook


def test_each_widget_output_gets_an_html_rendering_and_the_note():
    notebook = notebook_with_widget("box")
    assert add_static_renderings(notebook) == 1
    data = notebook.cells[1].outputs[0].data
    assert data["text/html"].startswith(render_widget("box", STATES))
    assert data["text/html"].endswith(f"<p><i>{NOTE}</i></p>")
    assert WIDGET_VIEW in data and data["text/plain"] == "VBox(children=..."
    assert "text/html" not in notebook.cells[0].outputs[0]


def test_a_widget_output_without_saved_state_names_its_cell():
    with pytest.raises(ValueError, match=r"Cell 1 \(0-based\).*gone"):
        add_static_renderings(notebook_with_widget("gone"))


def test_without_its_state_a_widget_output_keeps_only_its_static_rendering():
    notebook = notebook_with_widget("box")
    add_static_renderings(notebook)
    rendered = notebook.cells[1].outputs[0].data["text/html"]
    notebook.metadata["widgets"][WIDGET_STATE]["state"] = {}  # saved where nothing ran again
    assert add_static_renderings(notebook, drop_missing=True) == 0
    assert dict(notebook.cells[1].outputs[0].data) == {
        "text/plain": "VBox(children=...",
        "text/html": rendered,
    }


def test_the_pre_save_hook_works_on_the_json_jupyter_server_saves():
    content = json.loads(nbformat.writes(notebook_with_widget("box")))
    pre_save_hook(model={"type": "notebook", "content": content}, path="x.ipynb")
    assert NOTE in content["cells"][1]["outputs"][0]["data"]["text/html"]
    content["metadata"]["widgets"][WIDGET_STATE]["state"] = {}
    pre_save_hook(model={"type": "notebook", "content": content}, path="x.ipynb")
    assert WIDGET_VIEW not in content["cells"][1]["outputs"][0]["data"]
    pre_save_hook(model={"type": "file", "content": "text"}, path="x.txt")  # left alone


def test_make_labs_config_saves_widget_state_and_runs_the_hook(tmp_path, monkeypatch):
    from jupyterlab_server.settings_utils import _get_overrides
    from traitlets.utils.importstring import import_item

    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(CONFIG))
    overrides, error = _get_overrides(str(tmp_path))
    assert not error
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": True}
    server = json.loads((CONFIG / "jupyter_server_config.json").read_text())
    assert import_item(server["ContentsManager"]["pre_save_hook"]) is pre_save_hook
