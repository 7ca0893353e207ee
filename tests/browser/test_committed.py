"""The committed lessons, opened as a learner finds them after `git clone`: not trusted, no cell
run. Each widget output shows its static rendering (`mmcourse outputs` stores it), not a bare
`VBox(children=...` text, and no "model not found"."""

import json
import shutil

import pytest

from mmcourse import paths
from mmcourse.widget_static import NOTE, WIDGET_VIEW
from tests.browser.lab import cell, open_notebook, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = ["01_multimodal_data", "03_text_sentiment", "08_attention_fusion"]


@pytest.mark.parametrize("name", LESSONS)
def test_a_committed_lesson_shows_each_widgets_saved_state(page, lab_server, name):
    folder = lab_server.root / "committed"  # a fresh copy: the other tests save theirs
    folder.mkdir(exist_ok=True)
    shutil.copy(paths.notebooks_dir() / f"{name}.ipynb", folder)
    notebook = json.loads((folder / f"{name}.ipynb").read_text())
    widget_cells = [
        index
        for index, code in enumerate(notebook["cells"])
        if any(WIDGET_VIEW in output.get("data", {}) for output in code.get("outputs", []))
    ]
    assert widget_cells, f"{name} shows no widget"
    open_notebook(page, lab_server, f"committed/{name}.ipynb")
    for index in widget_cells:
        shown = cell(page, index)
        shown.scroll_into_view_if_needed()
        wait_until(page, lambda c=shown: c.inner_text().strip().endswith(NOTE), timeout=30)
        text = shown.inner_text()
        assert "VBox(children=" not in text and "model not found" not in text
        page.shot(f"cell-{index}", shown)
