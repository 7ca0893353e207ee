"""Where the course's folders are: the one module that knows the checkout's layout.

The package lives in a checkout of the course next to `datasets/`, `exercises/` and
`notebooks/`. Every other module asks here instead of counting `parents[N]` from its own file:

- `course_root()`: `$MMCOURSE_ROOT` if set, else the folder above the `mmcourse` package;
- `datasets_dir()`: `$MMCOURSE_DATA` if set (a copy of the data elsewhere), else
  `<root>/datasets`;
- `exercises_dir()`, `notebooks_dir()`: `<root>/exercises`, `<root>/notebooks`.

A folder that is missing raises `FileNotFoundError` naming the folder, the variable that
overrides it, and what to do, instead of failing later on a file inside it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "MMCOURSE_ROOT"
DATA_ENV = "MMCOURSE_DATA"


def course_root() -> Path:
    """The checkout of the course (`$MMCOURSE_ROOT`, else the folder above the package)."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).expanduser()
    return Path(__file__).resolve().parent.parent


def _existing(path: Path, what: str, env: str) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(
            f"The course's {what} folder is not at {path}. Run from a checkout of the course "
            f"(git clone, then `make lab`), or set {env} to the folder that holds it. "
            f"Received: {env}={os.environ.get(env)!r}"
        )
    return path


def datasets_dir(*, must_exist: bool = False) -> Path:
    """`$MMCOURSE_DATA` if set, else `<root>/datasets` (the shipped data)."""
    if os.environ.get(DATA_ENV):
        path, env = Path(os.environ[DATA_ENV]).expanduser(), DATA_ENV
    else:
        path, env = course_root() / "datasets", ROOT_ENV
    return _existing(path, "datasets", env) if must_exist else path


def exercises_dir(*, must_exist: bool = False) -> Path:
    """`<root>/exercises`: the nbgrader course (source, release, config)."""
    path = course_root() / "exercises"
    return _existing(path, "exercises", ROOT_ENV) if must_exist else path


def notebooks_dir(*, must_exist: bool = False) -> Path:
    """`<root>/notebooks`: the lessons."""
    path = course_root() / "notebooks"
    return _existing(path, "notebooks", ROOT_ENV) if must_exist else path


def shipped_dataset(*parts: str) -> Path:
    """A path inside the shipped `datasets/` folder of the checkout (never `$MMCOURSE_DATA`):
    the course's word vectors and image encoder ship with the code, whatever data is used."""
    return course_root().joinpath("datasets", *parts)


def display(path: str | Path) -> str:
    """`path` as a learner should read it: relative to the checkout when it is inside it
    (`datasets/moodposts`), so that no output names the machine it ran on; else as given."""
    path = Path(path)
    try:
        return path.resolve().relative_to(course_root().resolve()).as_posix()
    except ValueError:
        return str(path)
