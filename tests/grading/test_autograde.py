"""Grading a class with nbgrader (`mmcourse grade`): solutions score full marks, student
versions zero, a raising or hanging answer costs only its question, tampered tests are restored.

One session-scoped fixture (`tests/grading/conftest.py`) grades every sample submission in one
`mmcourse grade` run, with a short cell timeout so the endless loop costs seconds.
"""

import csv
import io
import re
import shutil

import nbformat
import pytest

from mmcourse import cli
from mmcourse.grading import commands
from mmcourse.grading.autograde import find_submissions
from tests.grading.buggy import buggy_submissions, bugs_of, tampered_submission
from tests.grading.exercise_helpers import (
    COURSE,
    EXERCISES,
    HANG_TIMEOUT,
    ROOT,
    autograded,
    release_path,
    scores,
    source_path,
)


@pytest.mark.slow
def test_grading_prints_a_table_and_reports_what_it_could_not_grade(graded):
    print(graded["stdout"])  # shown with -s: the table and the time per submission
    assert "student" in graded["stdout"] and "s per submission" in graded["stdout"]
    # The unreadable notebook is reported, with nbgrader's reason; the others are graded.
    assert graded["code"] == 1
    broken = graded["rows"][("ex01_multimodal_data", "broken")]
    assert "NotJSONError" in broken["error"] and broken["auto_score"] == ""
    assert re.search(r"broken +NOT GRADED: nbformat.reader.NotJSONError", graded["stdout"])
    assert "with 2 processes" in graded["stdout"] and "per minute)" in graded["stdout"]


@pytest.mark.slow
def test_grading_reports_each_submission_as_it_finishes(graded):
    total = len(graded["main_rows"])
    line = rf"^\[ *(\d+)/{total}\] (ex\d\d_\w+) (\S+): (.*) \("
    lines = re.findall(line, graded["stdout"], re.M)
    assert [int(n) for n, *_ in lines] == list(range(1, total + 1))
    assert sorted((name, student) for _, name, student, _ in lines) == sorted(graded["main_rows"])
    assert any(points.startswith("NOT GRADED") for *_, points in lines)


@pytest.mark.slow
def test_one_job_grades_a_mixed_class_exactly_as_two_jobs_do(graded, tmp_path):
    # ex01's right, blank, faulty (raises, hangs), gaming, near-miss and broken submissions,
    # and ex02's right one
    copied = [
        shutil.copy(path, tmp_path / path.name)
        for folder in graded["folders"]
        for path in folder.glob("*.ipynb")
        if path.name.startswith("ex01") or path.name == "ex02_text_preprocessing_solution.ipynb"
    ]
    arguments = ["grade", str(tmp_path), "--csv", str(tmp_path / "one.csv"), "--jobs", "1"]
    out = io.StringIO()
    arguments += ["--timeout", str(HANG_TIMEOUT)]  # ex01's and ex02's cells take seconds
    code = commands.grade(cli.build_parser().parse_args(arguments), out=out)
    assert code == 1 and "with 1 process," in out.getvalue()
    with (tmp_path / "one.csv").open() as handle:
        one_job = {(r["exercise"], r["student"]): r for r in csv.DictReader(handle)}
    assert len(one_job) == len(copied) >= 7
    for key, row in one_job.items():
        two_jobs = graded["rows"][key]
        # (a column of another exercise's questions is empty, or absent from a run without it)
        assert {k: v for k, v in row.items() if k != "file"} == {
            k: two_jobs.get(k, "") for k in row if k != "file"
        }, key


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


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES)
def test_a_near_miss_answer_loses_its_question(graded, name):
    source = nbformat.read(source_path(name), 4)
    points = autograded(source)
    assert sorted(bugs_of(name)) == sorted(points), "one buggy variant per autograded question"
    for student, _, group in buggy_submissions(name):
        found = scores(graded, name, student)
        passed = [test for test in group if found[test] >= points[test]]
        assert not passed, f"{name}: the near-miss answers of {passed} still get full marks"


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in EXERCISES if n != "ex01_multimodal_data"])
def test_a_raising_answer_and_a_tampered_test_cost_only_their_questions(graded, name):
    _, broken, intact = tampered_submission(name)
    found = scores(graded, name, "tampered")
    points = autograded(nbformat.read(source_path(name), 4))
    assert {test: found[test] for test in broken} == dict.fromkeys(broken, 0.0)
    assert {test: found[test] for test in intact} == {test: points[test] for test in intact}
    assert graded["rows"][(name, "tampered")]["auto_max_score"] == f"{sum(points.values()):g}"


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
def test_grading_leaves_no_file_in_the_repository(graded):
    assert graded["after"] == graded["before"]
    for leftover in ("gradebook.db", ".nbgrader.log"):
        assert not (ROOT / leftover).exists() and not (COURSE / leftover).exists()


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


def test_grading_says_what_it_starts_then_each_submission(tmp_path, monkeypatch, capsys):
    from mmcourse.grading import autograde
    from mmcourse.grading.report import Result

    class InstantGrader:  # nbgrader itself is exercised by the slow tests above
        def __init__(self, **options):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

        def grade(self, submission):
            return Result(submission, scores={"q1": 1.0}, max_scores={"q1": 2.0})

    monkeypatch.setattr(autograde, "Grader", InstantGrader)
    release = nbformat.read(release_path("ex01_multimodal_data"), 4)
    for student in ("alice", "bob"):
        nbformat.write(release, tmp_path / f"{student}.ipynb")

    autograde.grade_submissions(
        [tmp_path], exercise="ex01_multimodal_data", jobs=1, progress=print
    )

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "grading 2 submissions of 1 exercise(s), 1 at a time (each is graded in a fresh kernel)"
    )
    assert [re.sub(r"\(.*\)", "", line) for line in lines[1:]] == [
        "[1/2] ex01_multimodal_data alice: 1/2 ",
        "[2/2] ex01_multimodal_data bob: 1/2 ",
    ]
