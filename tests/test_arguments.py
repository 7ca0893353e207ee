"""`check_positive_int`: integers >= 1 pass through, anything else is a ValueError naming it."""

import numpy as np
import pytest

from mmcourse.arguments import check_positive_int


@pytest.mark.parametrize("value", [1, 2, 64, np.int64(3), np.int32(1)])
def test_positive_integers_pass_as_python_ints(value):
    checked = check_positive_int(value, "units")
    assert checked == value and type(checked) is int


@pytest.mark.parametrize("value", [True, False, 0, -1, 2.0, 0.5, "3", None, np.float32(4.0), (1,)])
def test_anything_else_raises_naming_the_argument(value):
    with pytest.raises(ValueError, match="units must be a positive integer") as info:
        check_positive_int(value, "units")
    assert f"Received: units={value!r}" in str(info.value)
