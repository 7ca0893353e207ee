"""Grades as tables and CSV, on hand-made results (no nbgrader run)."""

import csv
from pathlib import Path

from mmcourse.grading.report import Report, Result, Submission, format_table, write_csv


def _report():
    def result(student, scores, error=None):
        submission = Submission(Path(f"{student}.ipynb"), student, "ex07_cnn_fusion", "ex07")
        return Result(
            submission,
            scores=scores,
            max_scores={"q1_gate": 2.0, "q2_model": 3.0, "q3_written": 1.0},
            written=frozenset({"q3_written"}),
            error=error,
        )

    return Report(
        [
            result("ada", {"q1_gate": 2.0, "q2_model": 1.5, "q3_written": None}),
            result("bob", {}, error="the notebook is not valid JSON\nline 2"),
        ],
        seconds=10.0,
    )


def test_the_table_lists_questions_points_and_totals():
    table = format_table(_report())
    assert "ex07_cnn_fusion: 2 submission(s)" in table
    assert "q1   q1_gate                      2 points, autograded" in table
    assert "q3   q3_written                   1 point, written, graded by a person" in table
    ada = next(line for line in table.splitlines() if line.strip().startswith("ada"))
    assert ada.split()[1:] == ["2", "1.50", "3.50/5", "to", "grade"]
    assert "bob     NOT GRADED: the notebook is not valid JSON" in table
    assert table.endswith(
        "autograding took 10.0 s with 1 process, 5.0 s per submission (12.0 per minute)"
    )
    report = _report()
    report.jobs = 2
    assert "10.0 s with 2 processes," in format_table(report)


def test_the_csv_has_one_row_per_submission(tmp_path):
    with write_csv(_report(), tmp_path / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student"] for row in rows] == ["ada", "bob"]
    assert rows[0]["q2_model"] == "1.50" and rows[0]["q3_written"] == ""
    assert rows[0]["auto_score"] == "3.50" and rows[0]["auto_max_score"] == "5"
    assert rows[1]["auto_score"] == "" and rows[1]["error"].startswith("the notebook")
