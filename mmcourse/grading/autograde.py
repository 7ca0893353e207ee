"""Grade submitted exercise notebooks offline with nbgrader: what `mmcourse grade` runs.

Each submission is laid into a temporary copy of the course as nbgrader expects it,
`submitted/<student>/<exercise>/<notebook>.ipynb`; nbgrader then generates the exercise from
`source/` (which fills a fresh gradebook), autogrades every submission in one run (test cells
are restored from `source/`, each cell runs under the configured timeout, a cell that raises
or hangs scores zero and the rest of the notebook still runs), and the scores are read back
from the gradebook. Nothing is written into the repository.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from mmcourse.grading.exercises import (
    NbGraderError,
    exercise_notebooks,
    list_exercises,
    temporary_course,
)
from mmcourse.grading.report import Report, Result, Submission


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


def grade_submissions(
    paths: Sequence[str | Path],
    *,
    exercise: str | None = None,
    course_dir: str | Path | None = None,
    timeout: int | None = None,
    feedback_dir: str | Path | None = None,
) -> Report:
    """Autograde notebooks with nbgrader, in temporary course folders; see the module doc.

    Args:
        paths: notebooks, or folders to search for notebooks (see `find_submissions`).
        exercise: the exercise they answer; default: found from each path.
        course_dir: the nbgrader course (default: the course's `exercises/`).
        timeout: seconds each cell may run; default: `nbgrader_config.py`'s.
        feedback_dir: if given, write each learner's HTML feedback to
            `feedback_dir/<exercise>/<student>.html` (hidden tests left out).

    Returns:
        A `Report` with one `Result` per submission, in the order found.
    """
    submissions = find_submissions(paths, exercise=exercise, course_dir=course_dir)
    results, seconds = {}, 0.0
    for name in sorted({s.exercise for s in submissions}):
        group = [s for s in submissions if s.exercise == name]
        with temporary_course([name], course_dir=course_dir, timeout=timeout) as course:
            course.generate(name)
            for submission in group:
                target = course.root / "submitted" / submission.student / name
                target.mkdir(parents=True)
                shutil.copyfile(submission.path, target / f"{submission.notebook}.ipynb")
            from nbgrader.converters import Autograde, GenerateFeedback

            started = time.perf_counter()
            failure = None
            try:
                course.run(Autograde, assignment_id=name, student_id="*")
            except NbGraderError as error:  # some submissions failed; the others are graded
                failure = error
            seconds += time.perf_counter() - started
            results.update(_read_gradebook(course, group, failure))
            if feedback_dir is not None:
                _write_feedback(course, group, Path(feedback_dir), GenerateFeedback)
    return Report([results[s] for s in submissions], seconds)


def _read_gradebook(course, group: list[Submission], failure: NbGraderError | None) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    coursedir = course.coursedir()
    results = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for submission in group:
            result = Result(submission)
            graded = course.root / "autograded" / submission.student / submission.exercise
            try:
                notebook = gradebook.find_submission_notebook(
                    submission.notebook, submission.exercise, submission.student
                )
            except MissingEntry:
                notebook = None
            if notebook is None or not graded.is_dir():
                reason = failure.reason_for(submission.student) if failure else None
                result.error = reason or "nbgrader could not grade it (see its log)"
                results[submission] = result
                continue
            source = gradebook.find_notebook(submission.notebook, submission.exercise)
            order = [cell.name for cell in source.source_cells]
            grades = sorted(notebook.grades, key=lambda g: order.index(g.name))
            result.written = frozenset(cell.name for cell in source.solution_cells) & {
                g.name for g in grades
            }
            for grade in grades:
                pending = grade.name in result.written and grade.needs_manual_grade
                result.scores[grade.name] = None if pending else float(grade.score)
                result.max_scores[grade.name] = float(grade.max_score)
            results[submission] = result
    return results


def _write_feedback(course, group, feedback_dir: Path, converter_class) -> None:
    name = group[0].exercise
    with contextlib.suppress(NbGraderError):  # feedback still comes for the graded ones
        course.run(converter_class, assignment_id=name, student_id="*")
    for submission in group:
        html = course.root / "feedback" / submission.student / name / f"{submission.notebook}.html"
        if html.is_file():
            (feedback_dir / name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, feedback_dir / name / f"{submission.student}.html")


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
