"""`by_hand.agree` passes equal numbers, prints the tolerance, and names the entry that differs."""

import numpy as np
import pytest
from keras import ops

from mmcourse import by_hand


def test_agree_prints_the_largest_difference_and_the_tolerance(capsys):
    largest = by_hand.agree(
        "weights", by_hand=np.array([0.25, 0.75]), package=ops.convert_to_tensor([0.25, 0.75])
    )
    assert largest < 1e-7
    assert capsys.readouterr().out.startswith("weights: by hand = package on all 2 values")


def test_agree_names_the_first_entry_out_of_tolerance():
    with pytest.raises(ValueError, match=r"disagree at index \(1, 0\).*tolerance atol=0.001"):
        by_hand.agree("x", by_hand=[[1.0], [2.5]], package=[[1.0], [2.0]], atol=1e-3)


def test_agree_uses_the_relative_tolerance_too():
    by_hand.agree("big", by_hand=[1000.0], package=[1000.5], atol=0.0, rtol=1e-3)
    with pytest.raises(ValueError):
        by_hand.agree("big", by_hand=[1000.0], package=[1002.0], atol=0.0, rtol=1e-3)


def test_agree_refuses_shapes_that_would_broadcast_and_values_that_are_not_finite():
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(1, 3\)"):
        by_hand.agree("x", by_hand=[1.0, 2.0, 3.0], package=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="not finite"):
        by_hand.agree("x", by_hand=[np.nan], package=[np.nan])
    with pytest.raises(ValueError, match="must be numbers"):
        by_hand.agree("x", by_hand=["a"], package=[1.0])
    with pytest.raises(ValueError, match="Tolerances"):
        by_hand.agree("x", by_hand=[1.0], package=[1.0], atol=-1)
