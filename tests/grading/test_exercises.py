"""The graded exercises: solutions score full marks, student versions zero, and nothing leaks.

One module-scoped fixture grades every submission below in one `mmcourse grade` run (one
nbgrader autograde per exercise), with a short cell timeout so the endless loop costs seconds.
"""

import ast
import csv
import importlib
import io
import re
import subprocess
import sys

import nbformat
import pytest

from mmcourse import cli, paths
from mmcourse.grading.autograde import find_submissions
from mmcourse.grading.exercises import default_course_dir, list_exercises, release_exercises
from mmcourse.grading.feedback import ClearHiddenTestOutputs

ROOT = paths.course_root()
COURSE = default_course_dir()
EXERCISES = list_exercises()
TIMEOUT = 20  # seconds per cell while grading here; the slowest cell takes about 2 s
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")


def source_path(name):
    return COURSE / "source" / name / f"{name}.ipynb"


def release_path(name):
    return COURSE / "release" / name / f"{name}.ipynb"


def nbgrader_cells(notebook):
    return {
        c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata
    }


def autograded(notebook):
    """{grade_id: points} of the autograder test cells."""
    return {
        gid: c.metadata.nbgrader["points"]
        for gid, c in nbgrader_cells(notebook).items()
        if c.metadata.nbgrader["grade"] and not c.metadata.nbgrader["solution"]
    }


def set_answer(notebook, grade_id, source):
    nbgrader_cells(notebook)[grade_id].source = source


def write_submissions(folder):
    """Each exercise's source (right) and release (untouched); ex01's faulty, gaming, broken."""
    for name in EXERCISES:
        nbformat.write(nbformat.read(source_path(name), 4), folder / f"{name}_solution.ipynb")
        nbformat.write(nbformat.read(release_path(name), 4), folder / f"{name}_blank.ipynb")
    name = "ex01_multimodal_data"
    faulty = nbformat.read(source_path(name), 4)
    set_answer(
        faulty,
        "q2_code",
        'def disagreeing_posts(frame, phenomenon, split="test"):\n    raise KeyError("split")',
    )
    set_answer(
        faulty,
        "q4_code",
        "def majority_baseline_accuracy(train_frame, eval_frame):\n    while True:\n        pass",
    )
    nbformat.write(faulty, folder / f"{name}_faulty.ipynb")
    # A learner who games the tests: a test cell replaced by `pass`, one deleted, points
    # raised, and an answer that passes the visible tests only.
    gaming = nbformat.read(source_path(name), 4)
    cells = nbgrader_cells(gaming)
    cells["q1_agreement_share"].metadata.nbgrader["points"] = 100
    source = cells["q2_code"].source
    cells["q2_code"].source = source[: source.index("    known =")] + (
        "    mask = (frame.split == split) & (frame.phenomenon == phenomenon)\n"
        "    return frame[mask & (frame.text_label != frame.image_label)]"
    )
    set_answer(
        gaming,
        "q4_code",
        "def majority_baseline_accuracy(train_frame, eval_frame):\n    return 0.9",
    )
    cells["q4_majority_baseline"].source = "pass"
    set_answer(gaming, "q5_code", "def empirical_ceiling(frame, view_columns):\n    return 1.0")
    gaming.cells.remove(cells["q5_empirical_ceiling"])
    nbformat.write(gaming, folder / f"{name}_gaming.ipynb")
    (folder / f"{name}_broken.ipynb").write_text('{"cells": [')  # a truncated upload


def tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Run `mmcourse grade` once on all submissions; return its stdout, CSV rows, feedback."""
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades")
    write_submissions(folder)
    before = tree(COURSE)
    stdout = io.StringIO()
    code = cli.grade(
        cli.build_parser().parse_args(
            [
                "grade",
                str(folder),
                "--csv",
                str(out / "grades.csv"),
                "--feedback",
                str(out / "fb"),
                "--timeout",
                str(TIMEOUT),
            ]
        ),
        out=stdout,
    )
    with (out / "grades.csv").open() as handle:
        rows = {(r["exercise"], r["student"]): r for r in csv.DictReader(handle)}
    return {
        "code": code,
        "stdout": stdout.getvalue(),
        "rows": rows,
        "feedback": out / "fb",
        "before": before,
        "after": tree(COURSE),
    }


def scores(graded, name, student):
    row = graded["rows"][(name, student)]
    assert row["error"] == "", row["error"]
    notebook = nbformat.read(source_path(name), 4)
    return {gid: float(row[gid]) for gid in autograded(notebook)}


@pytest.mark.slow
def test_grading_prints_a_table_and_reports_what_it_could_not_grade(graded):
    print(graded["stdout"])  # shown with -s: the table and the time per submission
    assert "student" in graded["stdout"] and "s per submission" in graded["stdout"]
    # The unreadable notebook is reported, with nbgrader's reason; the others are graded.
    assert graded["code"] == 1
    broken = graded["rows"][("ex01_multimodal_data", "broken")]
    assert "NotJSONError" in broken["error"] and broken["auto_score"] == ""
    assert re.search(r"broken +NOT GRADED: nbformat.reader.NotJSONError", graded["stdout"])


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES)
def test_source_notebook_gets_full_marks(graded, name):
    expected = {
        gid: float(p) for gid, p in autograded(nbformat.read(source_path(name), 4)).items()
    }
    assert scores(graded, name, "solution") == expected
    row = graded["rows"][(name, "solution")]
    assert row["auto_score"] == row["auto_max_score"]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES)
def test_release_notebook_gets_zero(graded, name):
    assert set(scores(graded, name, "blank").values()) == {0.0}
    html = (graded["feedback"] / name / "blank.html").read_text()
    num_questions = len(autograded(nbformat.read(source_path(name), 4)))
    assert html.count("NotImplementedError: Replace this line with your answer.") >= num_questions


@pytest.mark.parametrize("name", EXERCISES)
def test_release_stubs_raise_not_implemented_error(name):
    notebook = nbformat.read(release_path(name), 4)
    answers = [
        c
        for c in nbgrader_cells(notebook).values()
        if c.cell_type == "code" and c.metadata.nbgrader["solution"]
    ]
    assert answers
    for cell in answers:
        namespace = {}
        exec(compile(cell.source, cell.id, "exec"), namespace)  # defines the stub function
        (function,) = [v for k, v in namespace.items() if callable(v) and k != "__builtins__"]
        num_args = function.__code__.co_argcount
        with pytest.raises(NotImplementedError):
            function(*[None] * num_args)


@pytest.mark.slow
def test_a_raising_and_a_hanging_answer_lose_only_their_questions(graded):
    found = scores(graded, "ex01_multimodal_data", "faulty")
    assert found == {
        "q1_agreement_share": 1,
        "q2_disagreeing_posts": 0,
        "q3_merge_labels": 2,
        "q4_majority_baseline": 0,
        "q5_empirical_ceiling": 3,
    }
    html = (graded["feedback"] / "ex01_multimodal_data" / "faulty.html").read_text()
    assert "CellTimeoutError" in html and "KeyError" in html


@pytest.mark.slow
def test_edited_or_deleted_tests_are_restored_and_hidden_tests_run(graded):
    found = scores(graded, "ex01_multimodal_data", "gaming")
    assert found == {
        "q1_agreement_share": 1,
        "q2_disagreeing_posts": 0,
        "q3_merge_labels": 2,
        "q4_majority_baseline": 0,
        "q5_empirical_ceiling": 0,
    }
    assert graded["rows"][("ex01_multimodal_data", "gaming")]["auto_max_score"] == "10"


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


@pytest.mark.slow
def test_grading_leaves_no_file_in_the_repository(graded):
    assert graded["after"] == graded["before"]
    for leftover in ("gradebook.db", ".nbgrader.log"):
        assert not (ROOT / leftover).exists() and not (COURSE / leftover).exists()


@pytest.mark.slow
def test_release_is_in_sync_with_source(tmp_path):
    written = release_exercises(out_dir=tmp_path)
    assert sorted(p.parent.name for p in written) == EXERCISES
    for path in written:
        fresh, committed = nbformat.read(path, 4), nbformat.read(release_path(path.stem), 4)
        assert [(c.cell_type, c.source) for c in fresh.cells] == [
            (c.cell_type, c.source) for c in committed.cells
        ], f"{release_path(path.stem)} is stale: run `mmcourse release`"
        for a, b in zip(fresh.cells, committed.cells):
            assert a.metadata.get("nbgrader") == b.metadata.get("nbgrader"), a.id


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


def secret_lines(notebook, markers):
    """Lines between `markers` that appear nowhere else in the notebook (long enough to tell)."""
    secret, public = set(), set()
    for cell in notebook.cells:
        inside = False
        for line in cell.source.splitlines():
            if markers[0] in line:
                inside = True
            elif markers[1] in line:
                inside = False
            elif len(line.strip()) >= 12:
                (secret if inside else public).add(line.strip())
    return sorted(secret - public)


@pytest.mark.parametrize("name", EXERCISES)
def test_no_solution_or_hidden_test_leaks_into_release(name):
    source = nbformat.read(source_path(name), 4)
    release = nbformat.read(release_path(name), 4)
    text = "\n".join(c.source for c in release.cells)
    for marker in (*HIDDEN, *SOLUTION, "BEGIN MARK SCHEME", "Rubric", "Model answer"):
        assert marker not in text, marker
    for markers in (SOLUTION, HIDDEN):
        leaked = [line for line in secret_lines(source, markers) if line in text]
        assert not leaked, leaked[:3]
    written = [
        c
        for c in nbgrader_cells(source).values()
        if c.cell_type == "markdown" and c.metadata.nbgrader["solution"]
    ]
    for cell in written:  # a written answer (model answer and rubric) is replaced whole
        for line in cell.source.splitlines():
            assert len(line) < 12 or line not in text, line
    assert all(not c.get("outputs") for c in release.cells)


@pytest.mark.parametrize("name", EXERCISES)
def test_every_question_has_visible_and_hidden_tests(name):
    for grade_id, cell in nbgrader_cells(nbformat.read(source_path(name), 4)).items():
        if grade_id in autograded(nbformat.read(source_path(name), 4)):
            visible = cell.source.split(HIDDEN[0])[0]
            assert HIDDEN[0] in cell.source, f"{grade_id} has no hidden test"
            assert "check_" in visible and "visible tests passed" in visible, grade_id
            assert "assert " not in cell.source, f"{grade_id}: use the mmcourse.grading checks"


def mmcourse_imports(notebook):
    """(module, name) of every `from mmcourse... import name` and `import mmcourse...`."""
    found = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mmcourse"):
                found |= {(node.module, alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {(a.name, None) for a in node.names if a.name.startswith("mmcourse")}
    return found


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_uses_what_its_lesson_teaches(name):
    number = re.fullmatch(r"ex(\d\d)_.*", name).group(1)
    (lesson_path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    lesson = nbformat.read(lesson_path, 4)
    lesson_code = "\n".join(c.source for c in lesson.cells if c.cell_type == "code")
    exercise = nbformat.read(source_path(name), 4)
    imports = mmcourse_imports(exercise)
    assert imports
    for module, attribute in imports:
        imported = importlib.import_module(module)
        if attribute is not None and not hasattr(imported, attribute):  # maybe a submodule
            importlib.import_module(f"{module}.{attribute}")
        if module == "mmcourse.grading":  # the exercise's own test helpers, not lesson content
            continue
        assert re.search(rf"\b{attribute or module}\b", lesson_code), (
            f"{name} imports {attribute or module} from {module}; {lesson_path.name} never uses it"
        )
    exercise_code = "\n".join(c.source for c in exercise.cells if c.cell_type == "code")
    for attribute in set(re.findall(r"\bdataset\.(\w+)", exercise_code)):
        assert f".{attribute}" in lesson_code, f"dataset.{attribute} is not in {lesson_path.name}"


@pytest.mark.slow
def test_nbval_does_not_collect_the_exercises():
    # The Makefile runs `pytest --nbval-lax` without paths: only testpaths are collected.
    testpaths = re.search(r"testpaths\s*=\s*\[(.*?)\]", (ROOT / "pyproject.toml").read_text())
    assert "exercises" not in testpaths.group(1)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "exercises",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "no tests collected" in result.stdout, result.stdout + result.stderr


def test_student_ids_come_from_file_or_folder_names(tmp_path):
    release = nbformat.read(release_path("ex01_multimodal_data"), 4)
    paths = [
        "alice.ipynb",
        "ex01_multimodal_data_bob.ipynb",
        "carol/ex01_multimodal_data.ipynb",
        "submitted/dave/ex01_multimodal_data/ex01_multimodal_data.ipynb",
        "Eve Smith.ipynb",
    ]
    for relative in paths:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(release, tmp_path / relative)
    # With several exercises, a bare `alice.ipynb` names none of them: --exercise says which.
    with pytest.raises(ValueError, match="cannot tell which exercise"):
        find_submissions([tmp_path])
    found = find_submissions([tmp_path], exercise="ex01_multimodal_data")
    assert sorted(s.student for s in found) == ["Eve-Smith", "alice", "bob", "carol", "dave"]
    assert {(s.exercise, s.notebook) for s in found} == {("ex01_multimodal_data",) * 2}
    named = [p for p in paths if "ex01" in p]
    found = find_submissions([tmp_path / p for p in named])
    assert sorted(s.student for s in found) == ["bob", "carol", "dave"]


def test_bad_submissions_are_rejected_with_clear_errors(tmp_path):
    release = nbformat.read(release_path("ex01_multimodal_data"), 4)
    nbformat.write(release, tmp_path / "alice.ipynb")
    (tmp_path / "again").mkdir()
    nbformat.write(release, tmp_path / "again" / "alice.ipynb")
    with pytest.raises(ValueError, match="two submissions of student 'alice'"):
        find_submissions([tmp_path], exercise="ex01_multimodal_data")
    with pytest.raises(ValueError, match="exercise must be one of"):
        find_submissions([tmp_path / "alice.ipynb"], exercise="ex99_nothing")
    with pytest.raises(ValueError, match="expected a notebook or a folder"):
        find_submissions([tmp_path / "missing.ipynb"])
