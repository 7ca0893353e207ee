"""Grading in several processes: every submission reported once, a dead process isolated."""

import os
import time
from pathlib import Path

import pytest

from mmcourse.grading import processes
from mmcourse.grading.report import Result, Submission


def _submission(student):
    return Submission(Path(f"/nowhere/{student}.ipynb"), student, "ex01_multimodal_data", "nb")


def pretend_to_grade(submission):
    """Runs in a worker: 'crash' kills its process, the others score their name's length."""
    if submission.student == "crash":
        os._exit(3)  # a grading process that dies (nbgrader itself crashing)
    time.sleep(0.05)
    result = Result(submission, scores={"q1": float(len(submission.student))})
    result.max_scores["q1"] = 10.0
    return result, 0.05


@pytest.mark.slow
def test_every_submission_is_reported_once_and_a_dying_process_costs_only_its_own():
    students = ["ann", "bo", "crash", "dolores", "ed", "fay"]
    reported = []
    processes.grade_in_processes(
        [_submission(s) for s in students],
        jobs=2,
        options={},
        finished=lambda submission, result, seconds: reported.append(result),
        work=pretend_to_grade,
    )
    by_student = {r.submission.student: r for r in reported}
    assert sorted(by_student) == sorted(students) and len(reported) == len(students)
    assert "grading process died" in by_student["crash"].error
    for student in students:
        if student != "crash":
            assert by_student[student].error is None
            assert by_student[student].scores == {"q1": float(len(student))}
