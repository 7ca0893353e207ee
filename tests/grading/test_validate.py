"""`mmcourse check`: an exercise notebook run as nbgrader validate runs it, with an exit status.

One module fixture runs ex01 (the cheapest exercise, a few seconds) twice in a fresh kernel: a
learner's copy answered right, and one answered wrong in every way a test can see.
"""

import re
from pathlib import Path

import nbformat
import pytest

from mmcourse import cli
from mmcourse.grading import validate
from tests.grading.exercise_helpers import (
    autograded,
    nbgrader_cells,
    release_path,
    set_answer,
    source_path,
)

NAME = "ex01_multimodal_data"
STUB = "NotImplementedError: Replace this line with your answer."


def answered():
    """The student version with the source's answers: a learner who got everything right."""
    notebook = nbformat.read(release_path(NAME), 4)
    answers = nbgrader_cells(nbformat.read(source_path(NAME), 4))
    for grade_id, cell in nbgrader_cells(notebook).items():
        if cell.metadata.nbgrader["solution"]:
            cell.source = answers[grade_id].source
    return notebook


def answered_wrong():
    """q1's test cell emptied (so it passes), q2 left as the stub, q3 a syntax error, q4 a
    wrong number, q5 right but warning, q6 (the written answer) not written."""
    notebook = answered()
    released = nbgrader_cells(nbformat.read(release_path(NAME), 4))
    cells = nbgrader_cells(notebook)
    cells["q1_agreement_share"].source = "pass"
    cells["q2_code"].source = released["q2_code"].source
    set_answer(notebook, "q3_code", "def merge_labels(text_label, image_label):\n    return +")
    answer = "def majority_baseline_accuracy(train_frame, eval_frame):\n    return 0.9"
    set_answer(notebook, "q4_code", answer)
    cells["q5_code"].source += (
        "\n\n\n_right = empirical_ceiling\n\n\ndef empirical_ceiling(frame, view_columns):\n"
        '    import warnings\n\n    warnings.warn("a learner\'s warning")\n'
        "    return _right(frame, view_columns)"
    )
    cells["q6_mvsa_cleaning"].source = released["q6_mvsa_cleaning"].source
    return notebook


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check")
    nbformat.write(answered(), folder / "right.ipynb")
    nbformat.write(answered_wrong(), folder / "wrong.ipynb")
    return {
        name: validate.validate_notebook(folder / f"{name}.ipynb") for name in ("right", "wrong")
    }


def test_a_right_answer_passes_its_visible_tests(checked):
    right = checked["right"]
    assert right.ok and right.failure is None and not right.hidden_tests
    assert right.edited == {} and right.errors == [] and right.failed == []
    tests = autograded(nbformat.read(release_path(NAME), 4))
    assert [q.grade_id for q in right.questions] == [*tests, "q6_mvsa_cleaning"]
    assert [q.points for q in right.questions if not q.written] == list(map(float, tests.values()))
    assert validate.format_validation(right).endswith(
        ": visible tests passed (5 test cells, 10 points); "
        "q6_mvsa_cleaning, written, graded by a person"
    )


def test_a_wrong_answer_says_which_question_fails_and_the_checks_message(checked):
    wrong = checked["wrong"]
    assert not wrong.ok and wrong.failure is None
    problems = {q.grade_id: q.problem for q in wrong.failed}
    assert problems == {
        "q2_disagreeing_posts": STUB,
        "q3_merge_labels": "NameError: name 'merge_labels' is not defined",
        "q4_majority_baseline": (
            "AssertionError: majority_baseline_accuracy(train.frame, test.frame): expected "
            "0.420701 (± 0.0001), found 0.9. Hint: the most common label of train_frame, then "
            "the share of eval_frame's posts that carry it"
        ),
        "q5_empirical_ceiling": problems["q5_empirical_ceiling"],
        "q6_mvsa_cleaning": "the written answer is still the placeholder",
    }
    assert problems["q5_empirical_ceiling"].startswith("it wrote to stderr, which scores zero: ")
    assert "UserWarning: a learner's warning" in problems["q5_empirical_ceiling"]
    assert list(wrong.edited) == ["q1_agreement_share"]  # it passes, but grading restores it
    assert len(wrong.errors) == 1
    assert wrong.errors[0].startswith("the cell starting 'def merge_labels(text_label, image")
    assert "SyntaxError" in wrong.errors[0]
    lines = validate.format_validation(wrong).splitlines()
    assert lines[0].endswith(
        ": FAILED (4 of 5 test cells fail, 1 written answer(s) missing, 1 locked cell(s) edited)"
    )
    assert lines[1] == f"  FAILED q2_disagreeing_posts (2 points): {STUB}"
    assert lines[3].startswith("  FAILED q4_majority_baseline (2 points): AssertionError: ")
    assert lines[4].startswith("  FAILED q5_empirical_ceiling (3 points): it wrote to stderr")
    assert lines[5].startswith("  NOT ANSWERED q6_mvsa_cleaning (3 points): ")
    assert lines[6].startswith("  EDITED q1_agreement_share: this cell was edited; grading")
    assert lines[7].startswith("  ERROR in the cell starting 'def merge_labels")
    assert len(lines) == 8  # no "passed:" line: q1 passed only because it was emptied


def test_a_failing_check_shows_the_learners_cell_and_no_grading_frame(checked):
    cells = nbgrader_cells(checked["wrong"].notebook)
    (error,) = [o for o in cells["q4_majority_baseline"].outputs if o.output_type == "error"]
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert error.ename == "AssertionError"
    assert "check_close(" in shown and shown.endswith(f"AssertionError: {error.evalue}")
    assert "mmcourse/grading" not in shown and "checks.py" not in shown, shown


def test_mmcourse_check_exits_1_when_a_notebook_fails_and_0_when_all_pass(
    checked, monkeypatch, capsys
):
    ran = []

    def already_run(path, **_):
        ran.append(Path(path).stem)
        return checked[Path(path).stem]

    monkeypatch.setattr(validate, "validate_notebook", already_run)
    right, wrong = (checked[name].path for name in ("right", "wrong"))
    assert cli.main(["check", str(right)]) == 0
    first, verdict = capsys.readouterr().out.splitlines()[:2]
    assert first == "checking exercises/work/right.ipynb in a fresh kernel..." or (
        first.startswith("checking ") and first.endswith("right.ipynb in a fresh kernel...")
    )
    assert "visible tests passed" in verdict
    assert cli.main(["check", str(right), str(wrong), "--timeout", "30"]) == 1
    out = capsys.readouterr().out.splitlines()
    started = [line for line in out if line.startswith("checking ")]
    assert len(started) == 2 and started[1].endswith("wrong.ipynb in a fresh kernel...")
    out = [line for line in out if line not in started]  # each notebook's line before its run
    assert "visible tests passed" in out[0] and ": FAILED (" in out[1]
    assert "  FAILED q4_majority_baseline (2 points): AssertionError: " in "\n".join(out)
    assert ran == ["right", "right", "wrong"]


def test_mmcourse_check_refuses_what_is_not_an_exercise_notebook_before_running_any(
    checked, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(validate, "validate_notebook", pytest.fail)  # nothing may run
    right = str(checked["right"].path)
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    lesson = validate.paths.notebooks_dir() / "01_multimodal_data.ipynb"
    for path, message in [
        (tmp_path / "missing.ipynb", "expected a notebook file. Received: path="),
        (tmp_path / "broken.ipynb", "expected a notebook: "),
        (lesson, "expected an exercise notebook, with nbgrader test cells: notebooks/01_"),
    ]:
        assert cli.main(["check", right, str(path)]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.startswith("mmcourse check: " + message)


def test_a_notebook_that_cannot_run_fails_with_the_reason(tmp_path):
    notebook = answered()
    notebook.metadata.kernelspec.name = "no-such-kernel"
    nbformat.write(notebook, tmp_path / "alice.ipynb")
    result = validate.validate_notebook(tmp_path / "alice.ipynb")
    assert not result.ok and result.questions == [] and result.notebook is None
    assert result.failure.startswith("NoSuchKernel: No such kernel named no-such-kernel")
    text = validate.format_validation(result)
    assert text.endswith("alice.ipynb: FAILED, it could not be run: " + result.failure)


def test_a_test_cell_that_changed_type_is_not_run_as_nbgrader_would_not(tmp_path):
    notebook = answered()
    test_cell = nbgrader_cells(notebook)["q5_empirical_ceiling"]
    test_cell.cell_type = "markdown"
    del test_cell["outputs"], test_cell["execution_count"]
    nbformat.write(notebook, tmp_path / "bob.ipynb")
    result = validate.validate_notebook(tmp_path / "bob.ipynb")
    assert not result.ok and result.notebook is None
    assert result.edited == {"q5_empirical_ceiling": "a code cell became a markdown cell"}
    assert result.failure.startswith("the type of q5_empirical_ceiling changed")
    lines = validate.format_validation(result).splitlines()
    assert lines[1:] == ["  EDITED q5_empirical_ceiling: a code cell became a markdown cell"]
