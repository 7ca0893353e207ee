"""Grade submitted exercise notebooks offline with nbgrader: what `mmcourse grade` runs.

`find_submissions` turns files and folders into `Submission`s (which student, which
exercise); `grade_submissions` grades them, `jobs` at a time. Each grading process holds a
`Grader` (`mmcourse.grading.grader`): a temporary copy of the course per exercise, generated
once, in which each submission is autograded on its own, so a submission that crashes or hangs
costs only its own questions (`mmcourse.grading.processes` also survives a grading process
that dies). A line per submission reports progress as it finishes. Nothing is written into the
repository.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mmcourse.arguments import check_positive_int
from mmcourse.grading.exercises import exercise_notebooks, list_exercises
from mmcourse.grading.grader import Grader
from mmcourse.grading.processes import grade_in_processes
from mmcourse.grading.report import Report, Result, Submission, _points


def find_submissions(
    paths: Sequence[str | Path],
    *,
    exercise: str | None = None,
    course_dir: str | Path | None = None,
) -> list[Submission]:
    """Turn files and folders (searched for `*.ipynb`) into submissions.

    The exercise is `exercise` if given, else the one whose name (or `exNN` prefix) appears
    in the path, else the only one there is. The student is the file's name, without the
    exercise's name around it (`alice.ipynb`, `ex01_multimodal_data_alice.ipynb`), or, for a
    file named like the exercise's notebook, its folder (`alice/ex01_multimodal_data.ipynb`,
    nbgrader's `submitted/alice/ex01_multimodal_data/ex01_multimodal_data.ipynb`).

    Raises:
        ValueError: no notebook found, an unknown or ambiguous exercise, or two submissions
            of one student for one exercise.
    """
    known = list_exercises(course_dir=course_dir)
    if exercise is not None and exercise not in known:
        raise ValueError(f"exercise must be one of {known}. Received: exercise={exercise!r}")
    files = []
    for path in map(Path, paths):
        if not path.is_dir() and not (path.suffix == ".ipynb" and path.is_file()):
            raise ValueError(f"expected a notebook or a folder. Received: path={str(path)!r}")
        found = sorted(path.rglob("*.ipynb")) if path.is_dir() else [path]
        files += [p for p in found if ".ipynb_checkpoints" not in p.parts]
    if not files:
        raise ValueError(f"no notebook found in {[str(p) for p in paths]}.")
    submissions, seen = [], {}
    for path in files:
        name = exercise or _exercise_of(path, known)
        notebooks = exercise_notebooks(name, course_dir=course_dir)
        notebook = path.stem if path.stem in notebooks else notebooks[0]
        submission = Submission(path.resolve(), _student_of(path, name, notebook), name, notebook)
        key = (submission.student, name)
        if key in seen:
            raise ValueError(
                f"two submissions of student {submission.student!r} for {name}: "
                f"{seen[key]} and {path}. Rename one (the student id comes from the file name)."
            )
        seen[key] = path
        submissions.append(submission)
    return submissions


def default_jobs() -> int:
    """The CPU cores this process may use: `--jobs`'s default."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def grade_submissions(
    paths: Sequence[str | Path],
    *,
    exercise: str | None = None,
    course_dir: str | Path | None = None,
    timeout: int | None = None,
    feedback_dir: str | Path | None = None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Autograde notebooks with nbgrader, `jobs` at a time; see the module doc.

    Args:
        paths: notebooks, or folders to search for notebooks (see `find_submissions`).
        exercise: the exercise they answer; default: found from each path.
        course_dir: the nbgrader course (default: the course's `exercises/`).
        timeout: seconds each cell may run; default: `nbgrader_config.py`'s.
        feedback_dir: if given, write each learner's HTML feedback to
            `feedback_dir/<exercise>/<student>.html` (hidden tests left out).
        jobs: grading processes (default: the CPU cores, `default_jobs()`); 1 grades here.
        progress: called with a line when grading starts (how many submissions, how
            many at a time), then one per graded submission, as it finishes.

    Returns:
        A `Report` with one `Result` per submission, in the order found.
    """
    submissions = find_submissions(paths, exercise=exercise, course_dir=course_dir)
    jobs = default_jobs() if jobs is None else check_positive_int(jobs, "jobs")
    jobs = min(jobs, len(submissions))
    options = {"course_dir": course_dir, "timeout": timeout, "feedback_dir": feedback_dir}
    results: dict[Submission, Result] = {}

    def finished(submission: Submission, result: Result, seconds: float) -> None:
        results[submission] = result
        if progress is not None:
            progress(progress_line(len(results), len(submissions), result, seconds))

    if progress is not None:
        num_exercises = len({s.exercise for s in submissions})
        progress(
            f"grading {len(submissions)} submissions of {num_exercises} exercise(s), "
            f"{jobs} at a time (each is graded in a fresh kernel)"
        )
    started = time.perf_counter()
    ordered = sorted(submissions, key=lambda s: s.exercise)  # one exercise at a time
    if jobs == 1:
        with Grader(**options) as grader:
            for submission in ordered:
                begun = time.perf_counter()
                finished(submission, grader.grade(submission), time.perf_counter() - begun)
    else:
        grade_in_processes(ordered, jobs=jobs, options=options, finished=finished)
    seconds = time.perf_counter() - started
    return Report([results[s] for s in submissions], seconds, jobs=jobs)


def progress_line(done: int, total: int, result: Result, seconds: float) -> str:
    """`[3/40] ex01_multimodal_data alice: 8/10 (7.1 s)`, or why it was not graded."""
    submission = result.submission
    if result.error is None:
        points = f"{_points(result.auto_score)}/{_points(result.auto_max_score)}"
    else:
        points = "NOT GRADED: " + result.error.split("\n")[0]
    width = len(str(total))
    return (
        f"[{done:>{width}}/{total}] {submission.exercise} {submission.student}: "
        f"{points} ({seconds:.1f} s)"
    )


def _exercise_of(path: Path, known: list[str]) -> str:
    text = str(path)
    matches = [n for n in known if n in text] or [
        n for n in known if re.search(rf"(^|[^a-z0-9]){n.split('_')[0]}([^0-9]|$)", path.stem)
    ]
    if len(matches) == 1:
        return matches[0]
    if len(known) == 1:
        return known[0]
    raise ValueError(
        f"cannot tell which exercise {str(path)!r} answers ({matches or known}): "
        "pass --exercise NAME (Python: exercise=NAME)."
    )


def _student_of(path: Path, exercise: str, notebook: str) -> str:
    if path.stem == notebook:
        folder = path.resolve().parent
        student = (folder.parent if folder.name == exercise else folder).name
    else:
        student = path.stem
        for affix in sorted({notebook, exercise}, key=len, reverse=True):
            student = re.sub(
                rf"^{re.escape(affix)}[-_ .]+|[-_ .]+{re.escape(affix)}$", "", student
            )
    student = re.sub(r"[^A-Za-z0-9_.-]+", "-", student).strip("-.")
    if not student:
        raise ValueError(
            f"cannot find a student id in {str(path)!r}: name the file <student>.ipynb."
        )
    return student
