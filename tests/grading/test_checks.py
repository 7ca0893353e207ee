import numpy as np
import pandas as pd
import pytest

from mmcourse.grading import checks


def message_of(check, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_passing_checks_return_none():
    assert checks.check_equal("positive", "positive", what="x") is None
    assert checks.check_equal(None, None, what="x") is None
    assert checks.check_equal(np.array([1, 2]), [1, 2], what="x") is None
    assert checks.check_close(0.42071, 252 / 599, tol=1e-4, what="x") is None
    assert checks.check_close(np.float32(0.5), 0.5, what="x") is None
    assert checks.check_in_range(1.0, 0.0, 1.0, what="x") is None
    assert checks.check_type(0.5, float, what="x") is None
    assert checks.check_type(3, (int, float), what="x") is None
    assert checks.check_shape(pd.DataFrame({"a": [1, 2]}), (2, 1), what="x") is None
    assert checks.check_shape(np.zeros((5, 3)), (None, 3), what="x") is None
    assert checks.check_dtype(np.zeros(2, "int32"), "int32", what="x") is None
    assert checks.check_dtype(np.zeros(2, "int64"), np.integer, what="x") is None
    assert checks.check_dtype(pd.Series(["a"]).dtype, pd.Series(["b"]).dtype, what="x") is None


@pytest.mark.parametrize(
    ("check", "args", "kwargs", "expected"),
    [
        (
            checks.check_equal,
            ("None", None),
            {"what": "merge_labels('positive', 'negative')"},
            "merge_labels('positive', 'negative'): expected None, found 'None'.",
        ),
        (checks.check_equal, (1, True), {"what": "flag"}, "flag: expected True, found 1."),
        (
            checks.check_equal,
            (np.array([1, 2]), [1, 2, 3]),
            {"what": "ids"},
            "ids: expected [1, 2, 3], found ndarray [1, 2].",
        ),
        (
            checks.check_close,
            (0.9, 252 / 599),
            {"what": "accuracy", "tol": 1e-4},
            "accuracy: expected 0.420701 (± 0.0001), found 0.9.",
        ),
        (
            checks.check_close,
            ("0.42", 0.42),
            {"what": "accuracy"},
            "accuracy: expected a number close to 0.42 (± 1e-06), found a str ('0.42').",
        ),
        (
            checks.check_close,
            (float("nan"), 0.5),
            {"what": "share"},
            "share: expected 0.5 (± 1e-06), found nan.",
        ),
        (
            checks.check_in_range,
            (1.7, 0, 1),
            {"what": "share"},
            "share: expected a number in [0, 1], found 1.7.",
        ),
        (
            checks.check_in_range,
            (None, 0, 1),
            {"what": "share"},
            "share: expected a number in [0, 1], found None (None).",
        ),
        (
            checks.check_type,
            (True, float),
            {"what": "accuracy"},
            "accuracy: expected a float, found a bool (True).",
        ),
        (
            checks.check_type,
            ([1], (int, float)),
            {"what": "n"},
            "n: expected an int or float, found a list ([1]).",
        ),
        (
            checks.check_shape,
            (np.zeros((599, 14)), (66, 14)),
            {"what": "posts"},
            "posts: expected shape (66, 14), found shape (599, 14).",
        ),
        (
            checks.check_shape,
            (np.zeros((3, 4)), (None, 5)),
            {"what": "images"},
            "images: expected shape (any, 5), found shape (3, 4).",
        ),
        (
            checks.check_shape,
            (np.zeros(3), (4,)),
            {"what": "v"},
            "v: expected shape (4,), found shape (3,).",
        ),
        (
            checks.check_shape,
            ([1, 2], (2,)),
            {"what": "v"},
            "v: expected something with a shape (2,), found a list ([1, 2]).",
        ),
        (
            checks.check_dtype,
            (np.zeros(3), "int32"),
            {"what": "labels"},
            "labels: expected dtype int32, found dtype float64.",
        ),
        (
            checks.check_dtype,
            (np.zeros(3), np.integer),
            {"what": "labels"},
            "labels: expected dtype integer, found dtype float64.",
        ),
    ],
)
def test_failures_say_what_was_expected_and_what_was_found(check, args, kwargs, expected):
    assert message_of(check, *args, **kwargs) == expected


def test_hint_is_appended():
    message = message_of(checks.check_equal, 2, 3, what="count", hint="count the test split")
    assert message == "count: expected 3, found 2. Hint: count the test split"


def test_long_values_are_abbreviated():
    message = message_of(checks.check_equal, list(range(100)), [1], what="ids")
    assert "..." in message and len(message) < 120
    frame = pd.DataFrame({"a": range(1000)})
    message = message_of(checks.check_equal, frame.shape, (10, 1), what="posts")
    assert message == "posts: expected (10, 1), found (1000, 1)."


def test_series_compare_element_wise():
    # `Series == list` is element-wise in pandas (and raises on another length); the check
    # compares the values and the length instead of crashing or failing on a truth value.
    assert checks.check_equal(pd.Series([1, 2]), [1, 2], what="labels") is None
    message = message_of(checks.check_equal, pd.Series([1, 2]), [1, 2, 3], what="labels")
    assert message == "labels: expected [1, 2, 3], found Series [1, 2]."
    message = message_of(checks.check_equal, pd.Series(range(20)), [1, 3], what="labels")
    assert message == "labels: expected [1, 3], found Series of shape (20,)."
    message = message_of(checks.check_equal, {"a": 1}, {"a": 2}, what="counts")
    assert message == "counts: expected {'a': 2}, found {'a': 1}."


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="tol must be >= 0. Received: tol=-1"):
        checks.check_close(1.0, 1.0, what="x", tol=-1)
    with pytest.raises(ValueError, match="low must be <= high"):
        checks.check_in_range(0.5, 1, 0, what="x")


FAILING = [
    (checks.check_equal, (1, 2)),
    (checks.check_close, (0.5, 0.1)),
    (checks.check_close, ("0.5", 0.1)),
    (checks.check_in_range, (2.0, 0.0, 1.0)),
    (checks.check_type, ("a", int)),
    (checks.check_shape, (np.zeros(3), (2,))),
    (checks.check_shape, (3, (2,))),
    (checks.check_dtype, (np.zeros(2), "int32")),
]


@pytest.mark.parametrize(("check", "args"), FAILING)
def test_every_frame_of_a_failing_check_is_hidden(check, args):
    with pytest.raises(AssertionError) as info:
        check(*args, what="x")
    assert type(info.value) is AssertionError  # learners read "AssertionError: ..."
    frames, entry = [], info.value.__traceback__
    while entry is not None:
        frames.append(entry.tb_frame)
        entry = entry.tb_next
    inside = [f for f in frames if f.f_globals["__name__"].startswith("mmcourse.grading")]
    assert [f.f_code.co_name for f in inside][:1] == [check.__name__]
    assert inside and all(f.f_locals.get("__tracebackhide__") is True for f in inside)
    # IPython's hook also renders outside IPython, as Python would, all frames included
    lines = info.value._render_traceback_()
    assert lines[-1] == f"AssertionError: {info.value}"
    assert any("checks.py" in line for line in lines)


IPYTHON_SESSION = """
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance(colors="nocolor")
shell.run_cell("from mmcourse.grading import check_close\\ndef answer():\\n    return 0.9")
for mode in ("Context", "Plain", "Verbose"):
    shell.run_cell(f"%xmode {mode}")
    shell.run_cell("check_close(answer(), 0.42, what='answer()')")
"""


def test_ipython_shows_the_learners_line_and_the_message_only():
    import subprocess
    import sys

    shown = subprocess.run(
        [sys.executable, "-c", IPYTHON_SESSION], capture_output=True, text=True, check=True
    ).stdout
    message = "AssertionError: answer(): expected 0.42 (± 1e-06), found 0.9."
    assert shown.count(message) == 3, shown
    assert shown.count("check_close(answer(), 0.42, what='answer()')") >= 3, shown
    assert "mmcourse/grading" not in shown and "checks.py" not in shown, shown
    assert "skipping hidden" not in shown and "Unexpected exception" not in shown, shown
