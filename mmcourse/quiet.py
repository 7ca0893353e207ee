"""Import TensorFlow without the lines its C++ start-up prints on stderr; oneDNN on or off.

`TF_CPP_MIN_LOG_LEVEL=3` silences TensorFlow's C++ logs once they start, but two kinds of line
come earlier, while `import tensorflow` loads its libraries, and no variable turns them off:

- with oneDNN's CPU kernels on (`TF_ENABLE_ONEDNN_OPTS=1`, TensorFlow's default on x86), each
  of its two libraries says so: "oneDNN custom operations are on. You may see slightly
  different numerical results ...";
- before each of those, absl's "WARNING: All log messages before absl::InitializeLog() is
  called are written to STDERR".

The course runs with oneDNN off (`make` and the notebooks' setup cells set
`TF_ENABLE_ONEDNN_OPTS=0`): it costs the text and fusion models nothing, and changing it would
change the round-off of every published run. Lesson 04 turns it on, because oneDNN trains its
CNNs about twice as fast on a CPU (`mmcourse bench`, notebooks/BENCHMARKS.md); the registry says
so (`mmcourse.lessons.Lesson.onednn`). `import_tensorflow(onednn=True)`, its setup cell's call,
sends file descriptor 2 to a temporary file for the import, then writes back every line but
those above: anything else TensorFlow prints (a missing library, a GPU it cannot use) still
reaches stderr, as it would.

This module imports neither Keras nor TensorFlow at import time: Keras' own import of a
backend would load TensorFlow before the filter is in place.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile

# the start-up lines dropped, and only those
START_UP_LINES = (
    re.compile(r"WARNING: All log messages before absl::InitializeLog\(\) is called are written"),
    re.compile(r"^[IW]\d{4} .*\] oneDNN custom operations are on\."),
)
QUIET_LEVEL = ("TF_CPP_MIN_LOG_LEVEL", "3")


def is_start_up_line(line: str) -> bool:
    """Whether `line` is one of the lines TensorFlow prints while it loads (`START_UP_LINES`)."""
    return any(pattern.search(line) for pattern in START_UP_LINES)


def without_start_up_lines(text: str) -> str:
    """`text` with TensorFlow's start-up lines removed, every other line kept as it was."""
    return "".join(line for line in text.splitlines(True) if not is_start_up_line(line))


def import_tensorflow(*, onednn: bool | None = None) -> None:
    """Import TensorFlow, if it is installed, with its start-up lines filtered out of stderr.

    Args:
        onednn: `True` or `False` sets `TF_ENABLE_ONEDNN_OPTS` for this process (TensorFlow
            reads it while it loads); `None` leaves it as the environment has it.

    Sets `TF_CPP_MIN_LOG_LEVEL=3` unless it is already set. Does nothing where TensorFlow is
    not installed (a JAX-only machine), or was already imported with the setting asked for.
    Returns None, so that a notebook's setup cell shows nothing.

    Raises:
        ValueError: where TensorFlow was already imported with oneDNN the other way: it
            cannot change in a running process (restart the kernel, run this first).
    """
    os.environ.setdefault(*QUIET_LEVEL)
    if "tensorflow" in sys.modules:
        _check_already(onednn)
        return
    if importlib.util.find_spec("tensorflow") is None:
        return
    if onednn is not None:
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if onednn else "0"
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = without_start_up_lines(captured.read().decode("utf-8", "replace"))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


def quiet_process() -> None:
    """Give this process the course's TensorFlow settings, as `make` exports them, where the
    environment does not set them: `TF_CPP_MIN_LOG_LEVEL=3` and `TF_ENABLE_ONEDNN_OPTS=0`,
    under which the `tensorflow-cpu` wheel imports without a line on stderr.

    The `mmcourse` command and `python -m mmcourse.results` call it first, so that run
    straight from a terminal (not through `make`) they print what `make` would, and the
    notebooks they execute get the settings their setup cells expect. It imports nothing.
    """
    os.environ.setdefault(*QUIET_LEVEL)
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def onednn_enabled() -> bool | None:
    """Whether the TensorFlow imported in this process runs oneDNN's kernels (None: unknown)."""
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


def _check_already(onednn: bool | None) -> None:
    enabled = onednn_enabled() if onednn is not None else None
    if enabled is not None and enabled != onednn:
        raise ValueError(
            f"TensorFlow was imported with oneDNN {'on' if enabled else 'off'} before this call "
            "asked for it the other way, and it cannot change in a running process: restart the "
            f"kernel and run this cell first. Received: onednn={onednn}"
        )
