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
import csv
import dataclasses
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

NOT_GRADED = "to grade"  # a written answer waiting for a person


@dataclasses.dataclass(frozen=True)
class Submission:
    """One notebook handed in: whose it is and which exercise it answers."""

    path: Path
    student: str
    exercise: str
    notebook: str


@dataclasses.dataclass
class Result:
    """The grades of one submission.

    Attributes:
        scores: points per question (grade cell id), in notebook order; `None` for a
            written answer that needs a person.
        max_scores: the most points of each question.
        written: ids of the questions graded by a person.
        error: why the submission could not be graded at all (`None` if it was).
    """

    submission: Submission
    scores: dict[str, float | None] = dataclasses.field(default_factory=dict)
    max_scores: dict[str, float] = dataclasses.field(default_factory=dict)
    written: frozenset[str] = frozenset()
    error: str | None = None

    @property
    def auto_score(self) -> float:
        return sum(v or 0.0 for k, v in self.scores.items() if k not in self.written)

    @property
    def auto_max_score(self) -> float:
        return sum(v for k, v in self.max_scores.items() if k not in self.written)


@dataclasses.dataclass
class Report:
    """Everything `grade_submissions` found, and how long autograding took."""

    results: list[Result]
    seconds: float

    @property
    def seconds_per_submission(self) -> float:
        return self.seconds / max(1, len(self.results))


def find_submissions(paths: Sequence[str | Path], *, exercise: str | None = None,
                     course_dir: str | Path | None = None) -> list[Submission]:  # fmt: skip
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


def grade_submissions(paths: Sequence[str | Path], *, exercise: str | None = None,
                      course_dir: str | Path | None = None, timeout: int | None = None,
                      feedback_dir: str | Path | None = None) -> Report:  # fmt: skip
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


def format_table(report: Report) -> str:
    """Students x questions, one block per exercise, with the autograded total."""
    lines = []
    for name in dict.fromkeys(r.submission.exercise for r in report.results):
        results = [r for r in report.results if r.submission.exercise == name]
        graded = next((r for r in results if r.error is None), None)
        questions = list(graded.max_scores) if graded else []
        short = {q: q.split("_")[0] if re.fullmatch(r"q\d+_.*", q) else q for q in questions}
        lines.append(f"{name}: {len(results)} submission(s)")
        for q in questions:
            kind = "written, graded by a person" if q in graded.written else "autograded"
            points = _points(graded.max_scores[q])
            unit = "point" if points == "1" else "points"
            lines.append(f"  {short[q]:<4} {q:<28} {points} {unit}, {kind}")
        width = max([7, *(len(r.submission.student) for r in results)])
        auto = [q for q in questions if q not in graded.written] if graded else []
        written = [q for q in questions if graded and q in graded.written]
        header = [short[q] for q in auto] + ["auto"] + [short[q] for q in written]
        lines.append(f"  {'student':<{width}} " + " ".join(f"{h:>8}" for h in header))
        for r in results:
            row = "NOT GRADED: " + (r.error or "").split("\n")[0]
            if r.error is None:
                cells = [_points(r.scores[q]) for q in auto]
                cells.append(f"{_points(r.auto_score)}/{_points(r.auto_max_score)}")
                cells += [
                    NOT_GRADED if r.scores[q] is None else _points(r.scores[q]) for q in written
                ]
                row = " ".join(f"{c:>8}" for c in cells)
            lines.append(f"  {r.submission.student:<{width}} {row}")
    lines.append(f"autograding took {report.seconds:.1f} s, "
                 f"{report.seconds_per_submission:.1f} s per submission")  # fmt: skip
    return "\n".join(lines)


def write_csv(report: Report, path: str | Path) -> Path:
    """One row per submission: exercise, student, file, points per question, totals, error.

    A written answer waiting for a person is an empty cell.
    """
    questions = list(dict.fromkeys(q for r in report.results for q in r.max_scores))
    fields = ["exercise", "student", "file", *questions, "auto_score", "auto_max_score", "error"]
    path = Path(path)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for r in report.results:
            row = {"exercise": r.submission.exercise, "student": r.submission.student,
                   "file": str(r.submission.path), "error": r.error or ""}  # fmt: skip
            row |= {q: "" if v is None else _points(v) for q, v in r.scores.items()}
            if r.error is None:
                row |= {"auto_score": _points(r.auto_score),
                        "auto_max_score": _points(r.auto_max_score)}  # fmt: skip
            writer.writerow(row)
    return path


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


def _points(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
