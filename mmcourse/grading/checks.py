"""Checks for exercise test cells: every failure says what was expected and what was found.

The test cells of `exercises/` call these instead of a bare `assert`, so that a learner
who fails a test reads, for example:

    AssertionError: majority_baseline_accuracy(train.frame, test.frame): expected 0.420701
    (± 0.0001), found 0.9. Hint: train's most common label is 'positive'; 252 of the 599
    test posts are positive

Each check returns `None` when it passes and raises `AssertionError("<what>: expected
..., found ...")` otherwise; `hint=` adds a sentence on how to fix it.

A failure shows the learner's line and the message, not the inside of these helpers. Each
function on the way to the error sets `__tracebackhide__ = True`, which pytest and IPython
honour; but IPython always shows the last frame, the one that raises, so the error also
carries IPython's `_render_traceback_` hook, which renders the traceback without this
package's frames. The error is a plain `AssertionError` all the same.
"""

from __future__ import annotations

import functools
import math
import numbers
import reprlib
import traceback
import types
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 8


def describe(value: Any) -> str:
    """A short readable rendering of `value` for a failure message."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.6g}"
    if hasattr(value, "shape"):  # arrays, Series, DataFrames: values if short, else size
        shape = tuple(value.shape)
        if len(shape) == 1 and shape[0] <= 8 and hasattr(value, "tolist"):
            return f"{type(value).__name__} {_repr.repr(value.tolist())}"
        return f"{type(value).__name__} of shape {shape}"
    return _repr.repr(value)


def _a(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _type_name(value: Any) -> str:
    return "None" if value is None else _a(type(value).__name__)


def _fail(what: str, expected: str, found: str, hint: str | None) -> None:
    __tracebackhide__ = True
    message = f"{what}: expected {expected}, found {found}."
    if hint:
        message += f" Hint: {hint}"
    error = AssertionError(message)
    error._render_traceback_ = functools.partial(_render_traceback, error)
    raise error


def _render_traceback(error: BaseException) -> list[str]:
    """IPython's rendering of `error` without the frames of `mmcourse.grading`.

    IPython calls an exception's `_render_traceback_()`, when it has one, instead of
    formatting the traceback itself; this formats it as usual (in the shell's `%xmode`), from
    a copy of the traceback that skips the frames of this package.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:  # called outside IPython (only IPython looks for the hook): as Python would
        return "".join(traceback.format_exception(error)).splitlines()
    kept = []
    entry = error.__traceback__
    while entry is not None:
        if not _in_grading(entry.tb_frame):
            kept.append(entry)
        entry = entry.tb_next
    trimmed = None
    for entry in reversed(kept):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return shell.InteractiveTB.structured_traceback(type(error), error, trimmed)


def _in_grading(frame: types.FrameType) -> bool:
    module = frame.f_globals.get("__name__", "")
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


_PACKAGE = __name__.rpartition(".")[0]  # "mmcourse.grading"


def check_type(
    found: Any, expected_type: type | tuple[type, ...], *, what: str, hint: str | None = None
) -> None:
    """Check that `found` is an instance of `expected_type` (a type or a tuple of types).

    A `bool` is not accepted where a number is expected.
    """
    __tracebackhide__ = True
    types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
    names = " or ".join(t.__name__ for t in types)
    wrong_bool = isinstance(found, bool) and bool not in types
    if wrong_bool or not isinstance(found, types):
        _fail(what, _a(names), f"{_type_name(found)} ({describe(found)})", hint)


def check_equal(found: Any, expected: Any, *, what: str, hint: str | None = None) -> None:
    """Check that `found == expected` (element-wise and same shape for arrays and Series)."""
    __tracebackhide__ = True
    if any(isinstance(v, (np.ndarray, pd.Series, pd.Index)) for v in (found, expected)):
        found_array, expected_array = np.asarray(found), np.asarray(expected)
        equal = found_array.shape == expected_array.shape and bool(
            np.all(found_array == expected_array)
        )
    else:
        try:
            equal = bool(found == expected)
        except (TypeError, ValueError):  # e.g. a Series compared with a list of another length
            equal = False
        # `None` and a string "None" differ; 1 and True are equal in Python but not here.
        if isinstance(found, bool) != isinstance(expected, bool):
            equal = False
    if not equal:
        _fail(what, describe(expected), describe(found), hint)


def check_close(
    found: Any, expected: float, *, what: str, tol: float = 1e-6, hint: str | None = None
) -> None:
    """Check that `found` is a real number within `tol` (absolute) of `expected`."""
    __tracebackhide__ = True
    if tol < 0:
        raise ValueError(f"tol must be >= 0. Received: tol={tol}")
    expected_text = f"{describe(expected)} (± {tol:g})"
    if isinstance(found, bool) or not isinstance(found, numbers.Real):
        _fail(
            what,
            f"a number close to {expected_text}",
            f"{_type_name(found)} ({describe(found)})",
            hint,
        )
    if math.isnan(float(found)) or abs(float(found) - float(expected)) > tol:
        _fail(what, expected_text, describe(found), hint)


def check_in_range(
    found: Any, low: float, high: float, *, what: str, hint: str | None = None
) -> None:
    """Check that `found` is a real number with `low <= found <= high`."""
    __tracebackhide__ = True
    if low > high:
        raise ValueError(f"low must be <= high. Received: low={low}, high={high}")
    expected = f"a number in [{describe(low)}, {describe(high)}]"
    if isinstance(found, bool) or not isinstance(found, numbers.Real):
        _fail(what, expected, f"{_type_name(found)} ({describe(found)})", hint)
    if not low <= float(found) <= high:
        _fail(what, expected, describe(found), hint)


def check_shape(
    found: Any, expected: Sequence[int | None], *, what: str, hint: str | None = None
) -> None:
    """Check the `.shape` of an array or DataFrame; `None` in `expected` matches any size.

    `found` may also be a shape tuple.
    """
    __tracebackhide__ = True
    if isinstance(found, tuple):
        shape = found
    elif hasattr(found, "shape"):
        shape = tuple(found.shape)
    else:
        _fail(
            what,
            f"something with a shape {tuple(expected)}",
            f"{_type_name(found)} ({describe(found)})",
            hint,
        )
    expected = tuple(expected)
    matches = len(shape) == len(expected) and all(
        e is None or int(s) == e for s, e in zip(shape, expected)
    )
    if not matches:
        shown = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        if len(expected) == 1:
            shown = shown[:-1] + ",)"
        _fail(what, f"shape {shown}", f"shape {tuple(int(s) for s in shape)}", hint)


def check_dtype(found: Any, expected: Any, *, what: str, hint: str | None = None) -> None:
    """Check the dtype of an array or Series (or a dtype itself) against `expected`.

    `expected` is anything numpy or pandas understands as a dtype ("int32", `np.float32`,
    "str", "category"); a NumPy dtype kind (`np.integer`, `np.floating`) accepts any size.
    """
    __tracebackhide__ = True
    dtype = getattr(found, "dtype", found)
    if (
        isinstance(expected, type)
        and issubclass(expected, np.generic)
        and expected in (np.integer, np.floating, np.number, np.signedinteger, np.unsignedinteger)
    ):
        ok = isinstance(dtype, np.dtype) and np.issubdtype(dtype, expected)
        shown = expected.__name__
    else:
        try:
            ok = bool(dtype == expected)
        except TypeError:
            ok = False
        if not ok and isinstance(dtype, np.dtype):
            try:
                ok = dtype == np.dtype(expected)
            except TypeError:
                ok = False
        shown = _dtype_name(expected)
    if not ok:
        _fail(what, f"dtype {shown}", f"dtype {dtype}", hint)


def _dtype_name(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(np.dtype(value))
    except TypeError:
        return str(value)
