"""One grading process: a temporary course per exercise, submissions graded one at a time.

`Grader` is what each of `mmcourse grade --jobs N`'s processes holds. The first submission of
an exercise lays out a temporary copy of the course and runs nbgrader's `generate_assignment`
(which fills its gradebook from `source/`); every submission is then copied to
`submitted/<student>/<exercise>/`, autograded on its own (`autograde --student <student>`:
test cells restored from `source/`, each cell under the timeout, a cell that raises or hangs
scores zero and the rest still runs) and read back from the gradebook. One submission's
failure is that submission's error, never another's. Nothing is written into the repository.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from mmcourse.grading.exercises import NbGraderError, TemporaryCourse, temporary_course
from mmcourse.grading.report import Result, Submission


class Grader:
    """Grades submissions of any exercise; `close()` (or `with`) deletes its courses."""

    def __init__(self, *, course_dir=None, timeout: int | None = None, feedback_dir=None):
        self.course_dir, self.timeout = course_dir, timeout
        self.feedback_dir = None if feedback_dir is None else Path(feedback_dir)
        self._stack = contextlib.ExitStack()
        self._courses: dict[str, TemporaryCourse] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        self._stack.close()
        self._courses.clear()

    def course(self, exercise: str) -> TemporaryCourse:
        """The temporary course of `exercise`, generated on first use."""
        if exercise not in self._courses:
            course = self._stack.enter_context(
                temporary_course([exercise], course_dir=self.course_dir, timeout=self.timeout)
            )
            course.generate(exercise)
            self._courses[exercise] = course
        return self._courses[exercise]

    def grade(self, submission: Submission) -> Result:
        """Autograde one submission; a failure becomes `Result.error`, never an exception."""
        from nbgrader.converters import Autograde, GenerateFeedback

        try:
            course = self.course(submission.exercise)
        except NbGraderError as error:  # the exercise itself is broken: say so, per row
            return Result(submission, error=f"could not generate the exercise: {error}")
        target = course.root / "submitted" / submission.student / submission.exercise
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(submission.path, target / f"{submission.notebook}.ipynb")
        traits = {"assignment_id": submission.exercise, "student_id": submission.student}
        failure = None
        try:
            course.run(Autograde, **traits)
        except NbGraderError as error:
            failure = error
        result = read_result(course, submission, failure)
        if self.feedback_dir is not None and result.error is None:
            self._write_feedback(course, submission, GenerateFeedback, traits)
        return result

    def _write_feedback(self, course, submission, converter_class, traits) -> None:
        with contextlib.suppress(NbGraderError):  # feedback is a courtesy; grades stand
            course.run(converter_class, **traits)
        name, student = submission.exercise, submission.student
        html = course.root / "feedback" / student / name / f"{submission.notebook}.html"
        if html.is_file():
            (self.feedback_dir / name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, self.feedback_dir / name / f"{student}.html")


def read_result(course, submission: Submission, failure: NbGraderError | None) -> Result:
    """One submission's points from the course's gradebook (or why there are none)."""
    from nbgrader.api import Gradebook, MissingEntry

    coursedir = course.coursedir()
    result = Result(submission)
    graded = course.root / "autograded" / submission.student / submission.exercise
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(
                submission.notebook, submission.exercise, submission.student
            )
        except MissingEntry:
            notebook = None
        if notebook is None or not graded.is_dir():
            reason = failure.reason_for(submission.student) if failure else None
            result.error = reason or "nbgrader could not grade it (see its log)"
            return result
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
    return result
