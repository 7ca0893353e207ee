"""An exercise copied out of the course, as exercises/README.md says, worked in JupyterLab."""

import pytest

from tests.browser.conftest import EXERCISE, LEARNER
from tests.browser.lab import (
    CURRENT,
    cell,
    cell_index,
    error_outputs,
    notebook_json,
    open_notebook,
    run_cells,
    type_into_cell,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WRONG = """def merge_labels(text_label, image_label):
    return image_label if text_label == "neutral" else text_label
"""
RIGHT = """def merge_labels(text_label, image_label):
    if text_label == image_label:
        return text_label
    if "neutral" in (text_label, image_label):
        return image_label if text_label == "neutral" else text_label
    return None
"""
MESSAGE = "merge_labels('positive', 'negative'): expected None, found 'positive'"


def test_an_exercise_copy_checks_answers_and_links_to_its_lesson(page, lab_server):
    open_notebook(page, lab_server, f"exercises/work/{LEARNER}/{EXERCISE}.ipynb")
    page.shot("opened")
    notebook = notebook_json(page)
    setup = cell_index(notebook, "from mmcourse.grading import")
    answer = cell_index(notebook, "def merge_labels(")
    check = cell_index(notebook, 'what=f"merge_labels(')
    run_cells(page, [setup])

    type_into_cell(page, answer, WRONG)
    notebook = run_cells(page, [answer, check], failing=[check])
    (error,) = [o for o in notebook["cells"][check]["outputs"] if o["output_type"] == "error"]
    assert error["ename"] == "AssertionError" and MESSAGE in error["evalue"]
    shown = cell(page, check).locator(".jp-OutputArea-output")
    assert MESSAGE in shown.inner_text()
    assert "grading.py" not in shown.inner_text(), "the check's own frames are shown"
    page.shot("wrong-answer", cell(page, check))

    type_into_cell(page, answer, RIGHT)
    notebook = run_cells(page, [answer, check])
    assert not error_outputs(notebook)
    assert cell(page, check).locator(".jp-OutputArea-output").inner_text().strip() == (
        "visible tests passed"
    )
    page.shot("right-answer", cell(page, check))

    link = cell(page, 0).locator("a", has_text="01_multimodal_data.ipynb")
    link.click()
    lesson = "notebooks/01_multimodal_data.ipynb"
    page.wait_for_function(
        f"() => {CURRENT} && {CURRENT}.context && {CURRENT}.context.path === '{lesson}'",
        timeout=60_000,
    )
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for()
    page.shot("lesson-opened")
