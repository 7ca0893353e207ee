"""Widgets on the website: each one as a static picture of its first state, under a note.

A committed lesson stores its widgets twice: the cell's output names a model
(`application/vnd.jupyter.widget-view+json`) and the notebook's metadata holds every model's
saved state. A live rendering would need a widget manager in the page; the website shows
instead the picture `mmcourse.widget_static` draws from the saved state (the one JupyterLab
shows in a notebook no kernel has run: each control with its value, the HTML the widget
displayed, the plots of its output areas), under a note that the widget is interactive in
JupyterLab. Then the notebook carries no widget at all, so no page loads widget JavaScript.
"""

from __future__ import annotations

import copy

from mmcourse.widget_static import WIDGET_STATE, WIDGET_VIEW, render_widget, widget_states

__all__ = [
    "NOTE_CLASS",
    "PICTURE_CLASS",
    "WIDGET_STATE",
    "WIDGET_VIEW",
    "replace_widgets",
    "static_outputs",
]

NOTE_CLASS = "mmcourse-widget-note"
PICTURE_CLASS = "mmcourse-widget-picture"  # the site's CSS spaces its controls (site.build)
NOTE = (
    "<b>Interactive in JupyterLab.</b> This is the widget's first state, as saved with the "
    "notebook; open the lesson in JupyterLab (<code>make lab</code>) and run it to use the "
    "controls."
)
NOT_SAVED = "Its state was not saved with the notebook, so there is no picture of it here."


def _display(html_text: str, plain: str | None = None) -> dict:
    data = {"text/html": html_text} | ({"text/plain": plain} if plain is not None else {})
    return {"output_type": "display_data", "metadata": {}, "data": data}


def _note(*paragraphs: str) -> dict:
    """The note above a widget: interactive in JupyterLab, then `paragraphs`."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in (NOTE, *paragraphs))
    plain = " ".join(
        ("Interactive in JupyterLab: the widget's first state, as saved.", *paragraphs)
    )
    return _display(f'<div class="{NOTE_CLASS}">{body}</div>', plain)


def static_outputs(output: dict, states: dict) -> list[dict]:
    """The outputs that stand for one widget output: the note, then the picture of its state
    (or, where that state was not saved whole, a note that says so and no picture)."""
    try:
        picture = render_widget(output["data"][WIDGET_VIEW]["model_id"], states)
    except ValueError:
        return [_note(NOT_SAVED)]
    return [_note(), _display(f'<div class="{PICTURE_CLASS}">{picture}</div>')]


def replace_widgets(notebook: dict) -> tuple[dict, int]:
    """A copy of `notebook` (nbformat JSON as a dict) with every widget output replaced by its
    static picture and the widget state dropped; returns it and the number of widgets."""
    notebook = copy.deepcopy(notebook)
    notebook.setdefault("metadata", {})
    states = widget_states(notebook)
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
    notebook["metadata"].pop("widgets", None)
    return notebook, num_widgets
