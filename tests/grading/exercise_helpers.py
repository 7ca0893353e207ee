"""Helpers the grading tests share: the course's exercises, their cells, sample submissions."""

import nbformat

from mmcourse import paths
from mmcourse.grading.exercises import default_course_dir, list_exercises

ROOT = paths.course_root()
COURSE = default_course_dir()
EXERCISES = list_exercises()
TIMEOUT = 60  # seconds per cell while grading here (the config: 120); setup cells of ex05-09
# load the fusion data and training questions train for seconds, two kernels at once
# ex01's cells each take well under a second, so its hanging learner is graded in a run of its
# own with a short timeout: the endless loop then costs seconds, not a minute
HANG_TIMEOUT = 15
HANGING = "ex01_multimodal_data_faulty.ipynb"
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


def write_submissions(folder, hanging_folder):
    """Each exercise's source (right), release (untouched), near misses (buggy<N>, see
    tests/grading/buggy/) and, from ex02 on, a tampered one (a raising answer, a test cell
    replaced by `pass`); ex01's gaming and broken submissions; and ex01's faulty one (one answer
    raises, one hangs) alone in `hanging_folder` (`HANGING`)."""
    from tests.grading.buggy import buggy_submissions, tampered_submission

    for name in EXERCISES:
        nbformat.write(nbformat.read(source_path(name), 4), folder / f"{name}_solution.ipynb")
        nbformat.write(nbformat.read(release_path(name), 4), folder / f"{name}_blank.ipynb")
        for student, notebook, _ in buggy_submissions(name):
            nbformat.write(notebook, folder / f"{name}_{student}.ipynb")
        if name != "ex01_multimodal_data":  # ex01 has its own faulty and gaming learners
            nbformat.write(tampered_submission(name)[0], folder / f"{name}_tampered.ipynb")
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
    nbformat.write(faulty, hanging_folder / HANGING)
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


def scores(graded, name, student):
    row = graded["rows"][(name, student)]
    assert row["error"] == "", row["error"]
    notebook = nbformat.read(source_path(name), 4)
    return {gid: float(row[gid]) for gid in autograded(notebook)}


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
