"""The grading tests' one expensive fixture: every sample submission graded once."""

import csv
import io

import pytest

from mmcourse import cli
from mmcourse.grading import commands
from tests.grading.exercise_helpers import (
    COURSE,
    HANG_TIMEOUT,
    TIMEOUT,
    tree,
    write_submissions,
)


def grade(folder, out, *, timeout, jobs=2):
    """`mmcourse grade` on `folder`, feedback into `out/fb`, grades into `out/<folder>.csv`:
    (exit code, stdout, {(exercise, student): CSV row})."""
    stdout = io.StringIO()
    grades = out / f"{folder.name}.csv"
    arguments = ["grade", str(folder), "--csv", str(grades)]
    arguments += ["--feedback", str(out / "fb"), "--timeout", str(timeout), "--jobs", str(jobs)]
    code = commands.grade(cli.build_parser().parse_args(arguments), out=stdout)
    with grades.open() as handle:
        rows = {(r["exercise"], r["student"]): r for r in csv.DictReader(handle)}
    return code, stdout.getvalue(), rows


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Run `mmcourse grade --jobs 2` once on all submissions (and once more, with a short
    timeout, on the hanging one); return the main run's stdout and exit code, every CSV row,
    the feedback folder, the submissions' folders, and the course's files before and after."""
    folder = tmp_path_factory.mktemp("submissions")
    hanging = tmp_path_factory.mktemp("hanging")
    out = tmp_path_factory.mktemp("grades")
    write_submissions(folder, hanging)
    before = tree(COURSE)
    code, stdout, rows = grade(folder, out, timeout=TIMEOUT)
    hang_code, hang_stdout, hang_rows = grade(hanging, out, timeout=HANG_TIMEOUT, jobs=1)
    assert hang_code == 0 and len(hang_rows) == 1, hang_stdout
    return {
        "code": code,
        "stdout": stdout,
        "rows": rows | hang_rows,
        "main_rows": rows,
        "feedback": out / "fb",
        "folders": (folder, hanging),
        "before": before,
        "after": tree(COURSE),
    }
