"""A static rendering of each widget's first state, for a notebook no kernel has run.

JupyterLab draws a widget output (`application/vnd.jupyter.widget-view+json`) only in a trusted
notebook, and a notebook fresh from git is not trusted: it falls back to the output's next safe
representation, which was the bare `VBox(children=(HBox(...` text. nbclient stores the widgets'
state in the notebook's metadata; `add_static_renderings` adds to each widget output a
`text/html` rendering of that state: each control's description and value, the text and the
figures its `Output` widgets held, and a note that the widget comes alive when its cell runs.
A trusted notebook still draws the widget itself (its saved state, then live once run). The
website (`mmcourse.site.widgets`) shows the same picture, `render_widget`'s, in place of the
widget.
"""

from __future__ import annotations

import html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NOTE = "A picture of this widget as it was saved: run its cell to use it."
REFERENCE = "IPY_MODEL_"

BOXES = {"BoxModel", "HBoxModel", "VBoxModel", "GridBoxModel"}
CHOICES = {"DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel"}
VALUES = {
    "TextModel",
    "TextareaModel",
    "IntTextModel",
    "FloatTextModel",
    "BoundedIntTextModel",
    "BoundedFloatTextModel",
    "IntSliderModel",
    "FloatSliderModel",
    "CheckboxModel",
    "ToggleButtonModel",
}
MARKUP = {"HTMLModel", "HTMLMathModel"}


def widget_states(notebook) -> dict:
    """{model_id: {"model_name": ..., "state": ...}} stored in `notebook`'s metadata."""
    stored = notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {})
    return stored.get("state", {})


def _output_html(output) -> str:
    """One output an `Output` widget holds: a PNG figure, HTML, or text."""
    data = output.get("data", {})
    if "image/png" in data:
        return f'<img src="data:image/png;base64,{"".join(data["image/png"]).strip()}">'
    if "text/html" in data:
        return "".join(data["text/html"])
    if output.get("output_type") == "stream":
        text = "".join(output.get("text", ""))
    else:
        text = "".join(data.get("text/plain", ""))
    return f"<pre>{html.escape(text)}</pre>"


def _described(state, value) -> str:
    description = state.get("description") or ""
    shown = f"<code>{html.escape(str(value))}</code>"
    return f"{html.escape(description)} {shown}" if description else shown


def render_widget(model_id: str, states: dict) -> str:
    """HTML for the widget `model_id` and its children, from the saved `states` (JupyterLab
    saves them without the values that are defaults, nbclient with)."""
    if model_id not in states:
        raise ValueError(
            f"Expected the state of widget model {model_id} in the notebook's widget state "
            f"(nbclient stores it). Received: {len(states)} models, not that one"
        )
    name, state = states[model_id]["model_name"], states[model_id]["state"]
    if name in BOXES:
        children = [
            render_widget(child[len(REFERENCE) :], states) for child in state.get("children", [])
        ]
        if name == "HBoxModel":
            cells = "".join(f'<td style="vertical-align: top">{c}</td>' for c in children)
            return f"<table><tr>{cells}</tr></table>"
        return "".join(f"<div>{child}</div>" for child in children)
    if name in CHOICES:
        index = state.get("index")
        return _described(state, "" if index is None else state.get("_options_labels", [])[index])
    if name in VALUES:
        return _described(state, state.get("value", ""))
    if name == "LabelModel":
        return html.escape(state.get("value", ""))
    if name in MARKUP:
        return state.get("value", "")
    if name == "ButtonModel":
        return f"<code>[{html.escape(state.get('description', ''))}]</code>"
    if name == "OutputModel":
        return "".join(_output_html(output) for output in state.get("outputs", []))
    raise ValueError(
        f"Expected a widget this module can draw (boxes, choices, text and number boxes, sliders, "
        f"labels, HTML, buttons, Output). Received: model_name={name!r} (model {model_id})"
    )


def add_static_renderings(notebook, *, drop_missing: bool = False) -> int:
    """Give every widget output of `notebook` a `text/html` rendering of its saved state (and
    the note); return how many outputs got one.

    An output whose widget state is not saved raises `ValueError` naming the cell, or, with
    `drop_missing=True`, loses its widget view: JupyterLab then shows its static rendering (or
    its text) instead of "Error displaying widget: model not found".
    """
    states = widget_states(notebook)
    num_rendered = 0
    for cell_index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            if drop_missing and data[WIDGET_VIEW]["model_id"] not in states:
                del data[WIDGET_VIEW]
                continue
            try:
                body = render_widget(data[WIDGET_VIEW]["model_id"], states)
            except ValueError as error:
                raise ValueError(f"Cell {cell_index} (0-based): {error}") from error
            data["text/html"] = f"{body}<p><i>{html.escape(NOTE, quote=False)}</i></p>"
            num_rendered += 1
    return num_rendered


def pre_save_hook(model, **kwargs):
    """jupyter_server's pre-save hook for `make lab` (`mmcourse/jupyter_config`).

    JupyterLab saves the state of the live widgets only (`saveState`, on in the course's lab
    settings): a notebook saved again in a later session, before its widget cells ran again,
    loses the state its widget outputs need. Here each widget output keeps a static rendering
    while its state is saved, and loses its widget view when it is not, so that a reopened
    notebook never shows "model not found".
    """
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        add_static_renderings(model["content"], drop_missing=True)
