"""Graded exercises: the check helpers their test cells call, and the nbgrader machinery.

- `checks`: `check_equal`, `check_close`, ... (re-exported here, so exercise notebooks write
  `from mmcourse.grading import check_close`);
- `exercises`: the `exercises/` folder as an nbgrader course, `release_exercises`;
- `autograde`: `grade_submissions`, what `mmcourse grade` runs; `report`: its tables and CSV;
- `validate`: `validate_notebook`, what `mmcourse check` runs (nbgrader's validate, with an
  exit status);
- `commands`: the `grade`, `release` and `check` commands of `mmcourse`;
- `feedback`: what a learner's feedback may show.
"""

from mmcourse.grading.checks import (
    check_close,
    check_dtype,
    check_equal,
    check_in_range,
    check_shape,
    check_type,
    describe,
)

__all__ = [
    "check_close",
    "check_dtype",
    "check_equal",
    "check_in_range",
    "check_shape",
    "check_type",
    "describe",
]
