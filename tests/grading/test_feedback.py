"""What a learner's feedback shows: the visible checks' messages, nothing of the hidden tests."""

import nbformat
import pytest

from mmcourse.grading.feedback import ClearHiddenTestOutputs
from tests.grading.exercise_helpers import HIDDEN, secret_lines, source_path


@pytest.mark.slow
def test_feedback_shows_no_hidden_test(graded):
    name = "ex01_multimodal_data"
    hidden = secret_lines(nbformat.read(source_path(name), 4), HIDDEN)
    for path in (graded["feedback"] / name).glob("*.html"):
        html = path.read_text()
        assert "HIDDEN TESTS" not in html, path
        shown = [line for line in hidden if line in html]
        assert not shown, (path, shown[:3])
    gaming = (graded["feedback"] / name / "gaming.html").read_text()
    assert "A hidden test failed" in gaming


def test_feedback_filter_keeps_visible_messages_and_hides_hidden_ones():
    source = "check(1)\nprint('visible tests passed')\n### BEGIN HIDDEN TESTS\nsecret()\n"
    cell = nbformat.v4.new_code_cell(source)
    visible_error = nbformat.v4.new_output(
        "error",
        ename="AssertionError",
        evalue="x: expected 1, found 2.",
        traceback=["...", "----> 1 check(1)", "      4 secret()", "AssertionError: x: ..."],
    )
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="a warning"),
        visible_error,
    ]
    ClearHiddenTestOutputs().preprocess_cell(cell, {}, 0)
    assert [o.get("text") or o.traceback for o in cell.outputs] == [
        "a warning",
        ["AssertionError: x: expected 1, found 2."],
    ]
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="visible tests passed\n"),
        nbformat.v4.new_output("stream", name="stderr", text="secret() warned"),
        nbformat.v4.new_output(
            "error", ename="AssertionError", evalue="secret: expected 3", traceback=["secret()"]
        ),
    ]
    ClearHiddenTestOutputs().preprocess_cell(cell, {}, 0)
    text = str(cell.outputs)
    assert "secret" not in text and "A hidden test failed" in text and "visible tests" in text
