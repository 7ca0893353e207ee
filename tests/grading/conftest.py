"""The grading tests' one expensive fixture: every sample submission graded once."""

import csv
import io

import pytest

from mmcourse import cli
from tests.grading.exercise_helpers import COURSE, TIMEOUT, tree, write_submissions


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Run `mmcourse grade --jobs 2` once on all submissions; return its stdout, CSV rows,
    feedback, the submissions' folder, and the course's files before and after."""
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
                "--jobs",
                "2",
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
        "folder": folder,
        "before": before,
        "after": tree(COURSE),
    }
