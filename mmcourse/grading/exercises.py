"""The `exercises/` folder as an nbgrader course: its exercises, its config, its student versions.

`exercises/source/<exNN_topic>/` holds the instructor notebooks (solutions and hidden tests),
`exercises/release/<exNN_topic>/` the student versions nbgrader generates from them, committed
so that a learner just opens them. `mmcourse release` regenerates `release/`
(`release_exercises`); `mmcourse grade` (`mmcourse.grading.autograde`) grades submissions.

Every nbgrader run happens in a temporary copy of the course (`temporary_course`), so
nothing (`gradebook.db`, `submitted/`, `autograded/`) is ever written into the repository.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from mmcourse import paths
from mmcourse.kernels import ipc_kernels

CONFIG_FILE = "nbgrader_config.py"


class NbGraderError(RuntimeError):
    """An nbgrader step failed; the message ends with the tail of nbgrader's log.

    Attributes:
        log: nbgrader's whole log of the step.
    """

    def __init__(self, message: str, *, log: str = ""):
        super().__init__(message)
        self.log = log

    def reason_for(self, student: str) -> str | None:
        """The exception nbgrader logged for one student's notebook, if it logged one.

        nbgrader logs "There was an error processing assignment: <path>" (or, for a kernel
        it could not interrupt, "While processing assignment <path>, the kernel became
        unresponsive..."), then the traceback as its own record.
        """
        marker, inside, reason = f"/{student}/", False, None
        for line in self.log.splitlines():
            if line.startswith("["):
                inside = (marker in line.replace(os.sep, "/") and line.startswith("[ERROR]")) or (
                    inside and line.startswith("[ERROR] Traceback")
                )
                if inside and "unresponsive" in line:
                    reason = "the kernel became unresponsive and could not be interrupted"
            elif inside and re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)\b", line):
                reason = line.strip()
        return reason


def default_course_dir() -> Path:
    """The `exercises/` folder of the course checkout."""
    return paths.exercises_dir()


def list_exercises(*, course_dir: str | Path | None = None) -> list[str]:
    """Names of the exercises in `source/` (folders holding at least one notebook), sorted."""
    source = Path(course_dir or default_course_dir()) / "source"
    if not source.is_dir():
        raise ValueError(f"{source} is not a folder: is course_dir an nbgrader course folder?")
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def exercise_notebooks(name: str, *, course_dir: str | Path | None = None) -> list[str]:
    """Notebook names (without `.ipynb`) of one exercise, sorted."""
    course_dir = Path(course_dir or default_course_dir())
    known = list_exercises(course_dir=course_dir)
    if name not in known:
        raise ValueError(f"exercise must be one of {known}. Received: exercise={name!r}")
    return sorted(p.stem for p in (course_dir / "source" / name).glob("*.ipynb"))


def load_config(*, course_dir: str | Path | None = None, timeout: int | None = None):
    """The course's `nbgrader_config.py` as a traitlets `Config`, with an optional timeout.

    Args:
        course_dir: the course folder (default `default_course_dir()`).
        timeout: seconds a cell may run while grading; default: the config file's.
    """
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir or default_course_dir())
    config = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()
    if timeout is not None:
        if timeout < 1:
            raise ValueError(f"timeout must be at least 1 second. Received: timeout={timeout}")
        config.Execute.timeout = int(timeout)
    return config


@dataclasses.dataclass
class TemporaryCourse:
    """A throwaway copy of the course: `root` holds `source/` and, once used, the rest."""

    root: Path
    config: object

    def coursedir(self, **traits):
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        coursedir.root = str(self.root)
        for name, value in traits.items():
            setattr(coursedir, name, value)
        return coursedir

    def run(self, converter_class, **traits) -> str:
        """Run an nbgrader converter (`GenerateAssignment`, `Autograde`, ...); return its log.

        `traits` go to the `CourseDirectory` (`assignment_id=...`, `student_id=...`).
        Raises `NbGraderError` if it fails, with the end of its log.
        """
        from nbgrader.converters.base import NbGraderException

        converter = converter_class(coursedir=self.coursedir(**traits), config=self.config)
        converter.force = True
        with _captured_log(converter.log) as log, _gradebook_schema_in_process():
            try:
                converter.start()
            except NbGraderException as error:
                tail = "\n".join(log.getvalue().splitlines()[-25:])
                name = converter_class.__name__
                raise NbGraderError(
                    f"{name} failed: {error}\n{tail}", log=log.getvalue()
                ) from None
        return log.getvalue()

    def generate(self, exercise: str) -> Path:
        """Generate the student version of `exercise` (this also fills the gradebook)."""
        from nbgrader.converters import GenerateAssignment

        self.run(GenerateAssignment, assignment_id=exercise)
        return self.root / "release" / exercise


@contextlib.contextmanager
def temporary_course(
    exercises: Sequence[str], *, course_dir: str | Path | None = None, timeout: int | None = None
) -> Iterator[TemporaryCourse]:
    """A temporary copy of the course with the `source/` of `exercises`, deleted on exit."""
    course_dir = Path(course_dir or default_course_dir())
    config = load_config(course_dir=course_dir, timeout=timeout)
    # its kernels on IPC sockets: no "running over TCP without encryption" on the terminal
    with tempfile.TemporaryDirectory(prefix="mmcourse-nbgrader-") as folder, ipc_kernels(config):
        root = Path(folder)
        for name in exercises:
            exercise_notebooks(name, course_dir=course_dir)  # validates the name
            ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
            shutil.copytree(course_dir / "source" / name, root / "source" / name, ignore=ignore)
        config.CourseDirectory.root = str(root)
        yield TemporaryCourse(root=root, config=config)


def release_exercises(
    *,
    course_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    exercises: Sequence[str] | None = None,
) -> list[Path]:
    """Regenerate the student versions of `exercises` (default: all) into `out_dir`.

    `out_dir` defaults to the course's `release/`. Each exercise's folder there is replaced
    by nbgrader's output, written with `nbformat` (sorted keys, one-space indent), so the
    same source always gives the same bytes.

    Returns:
        The paths of the notebooks written.
    """
    import nbformat

    course_dir = Path(course_dir or default_course_dir())
    out_dir = Path(out_dir or course_dir / "release")
    names = list(exercises) if exercises is not None else list_exercises(course_dir=course_dir)
    written = []
    with temporary_course(names, course_dir=course_dir) as course:
        for name in names:
            generated = course.generate(name)
            target = out_dir / name
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for notebook_path in sorted(generated.glob("*.ipynb")):
                notebook = nbformat.read(notebook_path, as_version=4)
                nbformat.write(notebook, target / notebook_path.name)
                written.append(target / notebook_path.name)
    return written


@contextlib.contextmanager
def _gradebook_schema_in_process() -> Iterator[None]:
    """Let nbgrader read its gradebook schema version in this process.

    A new `Gradebook` asks the `alembic` command for nbgrader's schema head, in a subprocess
    that imports nbgrader again (about 7 s on 2 cores) and that fails when `alembic` is not
    on PATH (`.venv/bin/python` run without an activated venv). Alembic's Python API gives
    the same answer at once.
    """
    import nbgrader.api

    original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = _alembic_head
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = original


@functools.cache
def _alembic_head() -> str:
    import nbgrader.api
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(nbgrader.api.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


@contextlib.contextmanager
def _captured_log(logger: logging.Logger) -> Iterator[io.StringIO]:
    """Send `logger` (nbgrader's, INFO and up) to a buffer, and mute Python warnings."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    saved = logger.level, logger.propagate, list(logger.handlers)
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy and nbformat warnings
            yield buffer
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]
