"""Widgets on the website: each one as a static picture of its first state, with a note.

A committed lesson stores its widgets twice: the cell's output names a model
(`application/vnd.jupyter.widget-view+json`) and the notebook's metadata holds every model's
saved state. A live rendering would need a widget manager in the page; the website shows
instead what the saved state holds, in the widget's order: a line naming the controls and
their values, the HTML the widget displayed, and the outputs (the plots) of its output areas,
under a note that the widget is interactive in JupyterLab. Then the notebook carries no widget
at all, so no page loads widget JavaScript.
"""

from __future__ import annotations

import copy
import html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NOTE_CLASS = "mmcourse-widget-note"
MODEL_PREFIX = "IPY_MODEL_"
# Models whose state is what a reader sees: text and output areas; containers are walked.
SHOWN_AS_HTML = ("HTMLModel", "HTMLMathModel", "LabelModel")


def _saved_states(notebook) -> dict:
    widgets = notebook.get("metadata", {}).get("widgets", {})
    return widgets.get(WIDGET_STATE, {}).get("state", {})


def _control_line(state: dict) -> str | None:
    """'phenomenon = grounded' for a control with a description and a value, else None."""
    description = state.get("description") or ""
    labels = state.get("_options_labels")
    if labels is not None and state.get("index") is not None:
        value = labels[state["index"]]
    elif "value" in state:
        value = state["value"]
    else:
        return None
    return f"{description} = {value}" if description else str(value)


def _walk(model_id: str, states: dict, found: dict) -> None:
    """Collect, depth first, the controls, HTML and outputs of `model_id` and its children."""
    model = states.get(model_id)
    if model is None:
        found["missing"].append(model_id)
        return
    name, state = model.get("model_name", ""), model.get("state", {})
    if name == "OutputModel":
        found["outputs"] += copy.deepcopy(state.get("outputs", []))
    elif name in SHOWN_AS_HTML:
        value = state.get("value", "")
        if value:
            text = value if name != "LabelModel" else html.escape(value)
            found["outputs"].append(
                {"output_type": "display_data", "metadata": {}, "data": {"text/html": text}}
            )
    elif "children" in state:
        for child in state["children"]:
            _walk(child.removeprefix(MODEL_PREFIX), states, found)
    else:
        line = _control_line(state)
        if line is not None:
            found["controls"].append(line)


def _note(controls: list[str], missing: list[str]) -> dict:
    lines = [
        "<p><b>Interactive in JupyterLab.</b> This is the widget's first state, as saved with "
        "the notebook; open the lesson in JupyterLab (<code>make lab</code>) and run it to "
        "use the controls.</p>"
    ]
    plain = ["Interactive in JupyterLab: the widget's first state, as saved."]
    if controls:
        shown = ", ".join(html.escape(line) for line in controls)
        lines.append(f"<p>Controls: {shown}.</p>")
        plain.append("Controls: " + ", ".join(controls) + ".")
    if missing:
        lines.append(f"<p>{len(missing)} of its parts were not saved with the notebook.</p>")
        plain.append(f"{len(missing)} of its parts were not saved with the notebook.")
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": f'<div class="{NOTE_CLASS}">' + "".join(lines) + "</div>",
            "text/plain": " ".join(plain),
        },
    }


def static_outputs(output: dict, states: dict) -> list[dict]:
    """The outputs that stand for one widget output: the note, then what its state shows."""
    model_id = output["data"][WIDGET_VIEW]["model_id"]
    found = {"controls": [], "outputs": [], "missing": []}
    _walk(model_id, states, found)
    return [_note(found["controls"], found["missing"]), *found["outputs"]]


def replace_widgets(notebook: dict) -> tuple[dict, int]:
    """A copy of `notebook` (nbformat JSON as a dict) with every widget output replaced by its
    static picture and the widget state dropped; returns it and the number of widgets."""
    notebook = copy.deepcopy(notebook)
    states = _saved_states(notebook)
    num_widgets = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                outputs += static_outputs(output, states)
                num_widgets += 1
            else:
                outputs.append(output)
        cell["outputs"] = outputs
    notebook.get("metadata", {}).pop("widgets", None)
    return notebook, num_widgets
