"""Check an exercise notebook before handing it in, with an exit status: `mmcourse check`.

`nbgrader validate` runs a notebook in a fresh kernel and lists the test cells that fail, but
exits 0 either way. `validate_notebook` runs it the same way (nbgrader's `CheckCellMetadata`,
`ClearOutput` and `Execute` preprocessors, the course's `nbgrader_config.py`: 120 s per
cell; the kernel starts in the notebook's folder) and returns, per question, whether its test
cell passed and, if not, the message of the check that failed. Like nbgrader, it runs the
tests the notebook holds: a learner's copy has the visible tests, the hidden ones run when it
is graded (`mmcourse grade`). It also reports what grading would undo or score zero: an
edited test cell (grading restores the original), an unanswered written answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from traitlets.log import get_logger

from mmcourse import paths
from mmcourse.grading.exercises import _captured_log, load_config
from mmcourse.kernels import ipc_kernels

HIDDEN_TESTS = "BEGIN HIDDEN TESTS"


@dataclasses.dataclass(frozen=True)
class Question:
    """One graded cell: a test cell, or a written answer graded by a person."""

    grade_id: str
    points: float
    written: bool
    problem: str | None = None  # why it loses its points; None if it does not


@dataclasses.dataclass
class Validation:
    """What `validate_notebook` found in one notebook.

    Attributes:
        questions: the graded cells, in notebook order.
        edited: {grade_id: what changed} of the test and read-only cells the learner changed.
        errors: answer and read-only cells that raised (an answer with a syntax error, say).
        failure: why the notebook could not be run at all (then `questions` is empty).
        notebook: the executed notebook, outputs included (`None` if it could not run).
    """

    path: Path
    questions: list[Question] = dataclasses.field(default_factory=list)
    edited: dict[str, str] = dataclasses.field(default_factory=dict)
    errors: list[str] = dataclasses.field(default_factory=list)
    failure: str | None = None
    hidden_tests: bool = False
    notebook: object = None

    @property
    def failed(self) -> list[Question]:
        return [q for q in self.questions if q.problem is not None]

    @property
    def ok(self) -> bool:
        return self.failure is None and not self.failed and not self.edited


def validate_notebook(
    path: str | Path, *, course_dir: str | Path | None = None, timeout: int | None = None
) -> Validation:
    """Run an exercise notebook in a fresh kernel and check each of its graded cells.

    Args:
        path: the notebook.
        course_dir: the nbgrader course whose `nbgrader_config.py` sets the timeouts
            (default: the course's `exercises/`).
        timeout: seconds a cell may run; default: the config file's.

    Raises:
        ValueError: `path` is not a readable notebook, or has no graded cell.
    """
    from nbgrader import utils
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute

    path = Path(path)
    notebook = load_exercise_notebook(path)
    graded = [cell for cell in notebook.cells if utils.is_grade(cell)]
    validation = Validation(path, edited=_edited_cells(notebook))
    validation.hidden_tests = any(HIDDEN_TESTS in cell.source for cell in graded)
    if changed := [_grade_id(cell) for cell in notebook.cells if _old_type(cell)]:
        validation.failure = (
            f"the type of {_and(changed)} changed, which nbgrader's validation refuses "
            "(grading turns it back): turn it back, or start again from exercises/release/"
        )
        return validation
    config = load_config(course_dir=course_dir, timeout=timeout)
    resources = {"metadata": {"path": str(path.resolve().parent)}}
    with _validating(), _captured_log(get_logger()) as log, ipc_kernels(config):
        try:  # Python warnings muted, the kernel on IPC sockets (no TCP warning)
            for preprocessor in (CheckCellMetadata, ClearOutput, Execute):
                notebook, resources = preprocessor(config=config).preprocess(notebook, resources)
        except Exception as error:  # noqa: BLE001 - a dead kernel, bad metadata: reported
            validation.failure = _failure(error, log.getvalue())
            return validation
    validation.notebook = notebook
    for cell in notebook.cells:
        if utils.is_grade(cell):
            validation.questions.append(_question(cell))
        elif "nbgrader" in cell.metadata and (error := _error_of(cell)) is not None:
            validation.errors.append(f"the cell starting {_first_line(cell)!r}: {error}")
    return validation


def format_validation(validation: Validation) -> str:
    """What `mmcourse check` prints for one notebook: a verdict, then a line per problem."""
    name = paths.display(validation.path)
    if validation.failure is not None:
        lines = [f"{name}: FAILED, it could not be run: {validation.failure}"]
        lines += [f"  EDITED {grade_id}: {what}" for grade_id, what in validation.edited.items()]
        return "\n".join(lines)
    tests = [q for q in validation.questions if not q.written]
    written = [q for q in validation.questions if q.written]
    kind = "tests (hidden tests included)" if validation.hidden_tests else "visible tests"
    if validation.ok:
        points = _points(sum(q.points for q in tests))
        line = f"{name}: {kind} passed ({len(tests)} test cells, {points} points)"
        if written:
            line += f"; {_and(q.grade_id for q in written)}, written, graded by a person"
        return line
    failing = [q for q in validation.failed if not q.written]
    counts = [f"{len(failing)} of {len(tests)} test cells fail"] if failing else []
    if unanswered := [q for q in validation.failed if q.written]:
        counts.append(f"{len(unanswered)} written answer(s) missing")
    if validation.edited:
        counts.append(f"{len(validation.edited)} locked cell(s) edited")
    lines = [f"{name}: FAILED ({', '.join(counts)})"]
    for question in validation.failed:
        label = "NOT ANSWERED" if question.written else "FAILED"
        unit = "point" if question.points == 1 else "points"
        lines.append(
            f"  {label} {question.grade_id} ({_points(question.points)} {unit}): "
            f"{question.problem}"
        )
    lines += [f"  EDITED {grade_id}: {what}" for grade_id, what in validation.edited.items()]
    lines += [f"  ERROR in {entry}" for entry in validation.errors]
    edited = validation.edited
    passed = [q.grade_id for q in tests if q.problem is None and q.grade_id not in edited]
    if passed:
        lines.append(f"  passed: {', '.join(passed)}")
    return "\n".join(lines)


def check_notebooks(notebooks, *, course_dir=None, timeout=None, out=None) -> int:
    """`mmcourse check`: validate each notebook, print the verdicts; 0 if all pass, else 1.

    Raises:
        ValueError: one of `notebooks` is not an exercise notebook (before any is run).
    """
    for path in notebooks:
        load_exercise_notebook(Path(path))
    failed = 0
    for path in notebooks:
        print(f"checking {paths.display(path)} in a fresh kernel...", file=out, flush=True)
        validation = validate_notebook(path, course_dir=course_dir, timeout=timeout)
        print(format_validation(validation), file=out, flush=True)
        failed += not validation.ok
    return 1 if failed else 0


def load_exercise_notebook(path: Path):
    """The notebook at `path`; a `ValueError` if it is unreadable or has no graded cell."""
    import nbformat
    from nbgrader import utils

    if not path.is_file():
        raise ValueError(f"expected a notebook file. Received: path={str(path)!r}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - JSON, schema, encoding: all say the same
        raise ValueError(
            f"expected a notebook: {paths.display(path)} cannot be read "
            f"({type(error).__name__}: {error})."
        ) from None
    if not any(utils.is_grade(cell) for cell in notebook.cells):
        raise ValueError(
            f"expected an exercise notebook, with nbgrader test cells: {paths.display(path)} "
            "has none (work on a copy of exercises/release/<exercise>/<exercise>.ipynb)."
        )
    return notebook


def _question(cell) -> Question:
    from nbgrader import utils

    grade_id = _grade_id(cell)
    score, points = utils.determine_grade(cell)
    written = cell.cell_type != "code"
    if written:
        problem = "the written answer is still the placeholder" if score == 0 else None
        return Question(grade_id, points, written=True, problem=problem)
    if score is not None and score >= points:
        return Question(grade_id, points, written=False)
    problem = _error_of(cell) or _stderr_of(cell) or f"{_points(score)} of {_points(points)}"
    return Question(grade_id, points, written=False, problem=problem)


def _failure(error: Exception, log: str) -> str:
    """`error` as one line, with the exception nbgrader logged before raising it, if any."""
    failure = f"{type(error).__name__}: {error}".strip()
    logged = [line for line in log.splitlines() if re.match(r"[\w.]+(Error|Exception): ", line)]
    if logged and logged[-1] not in failure:
        failure += f" ({logged[-1]})"
    return failure


def _error_of(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip()
    return None


def _stderr_of(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            first = next((line for line in output.text.splitlines() if line.strip()), "")
            return f"it wrote to stderr, which scores zero: {first.strip()!r}"
    return None


def _edited_cells(notebook) -> dict[str, str]:
    """Locked cells whose type or source differ from the released ones (by checksum)."""
    from nbgrader import utils

    edited = {}
    for cell in notebook.cells:
        nbgrader, grade_id = cell.metadata.get("nbgrader", {}), _grade_id(cell)
        if old_type := _old_type(cell):
            edited[grade_id] = f"a {old_type} cell became a {cell.cell_type} cell"
        elif (
            utils.is_locked(cell)
            and "checksum" in nbgrader
            and utils.compute_checksum(cell) != nbgrader["checksum"]
        ):
            edited[grade_id] = (
                "this cell was edited; grading runs the original, so what it shows here does "
                "not count (copy the cell back from exercises/release/)"
            )
    return edited


def _old_type(cell) -> str | None:
    """The type nbgrader recorded for `cell`, if the learner changed it."""
    old_type = cell.metadata.get("nbgrader", {}).get("cell_type")
    return old_type if old_type and old_type != cell.cell_type else None


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "?")


@contextlib.contextmanager
def _validating() -> Iterator[None]:
    """The variables nbgrader's validator sets for the kernel, restored afterwards."""
    names = {"NBGRADER_VALIDATING": "1", "NBGRADER_EXECUTION": "validate"}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _first_line(cell) -> str:
    line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _points(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
