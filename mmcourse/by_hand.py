"""Check a computation done by hand against the package's layer: `agree(...)`.

Each lesson computes its core idea once by hand on a tiny example (attention weights step by
step, InfoNCE for a batch of four, one gated unit) and then asks whether the package's layer
gives the same numbers on the same inputs:

    agree("attention weights", by_hand=weights, package=layer_weights, atol=1e-6)

prints the largest difference and the tolerance, and raises `ValueError` naming the first
entry that differs when they do not agree, so a lesson whose hand computation drifted from
the package fails in CI instead of teaching the wrong thing.
"""

from __future__ import annotations

import numpy as np


def _as_array(value, what: str) -> np.ndarray:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()  # eager TensorFlow / PyTorch tensors
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be numbers. Received: {type(value).__name__}") from error
    return array


def agree(what: str, *, by_hand, package, atol: float = 1e-5, rtol: float = 0.0) -> float:
    """Print and return the largest |by_hand - package|; raise if any entry is out of tolerance.

    An entry agrees when `|by_hand - package| <= atol + rtol * |package|` (numpy's `isclose`
    rule). Shapes must match exactly: a broadcast would hide a wrong axis.
    """
    if not (atol >= 0 and rtol >= 0):
        raise ValueError(f"Tolerances must be >= 0. Received: atol={atol!r}, rtol={rtol!r}")
    mine, theirs = _as_array(by_hand, "by_hand"), _as_array(package, "package")
    if mine.shape != theirs.shape:
        raise ValueError(
            f"{what}: the hand computation has shape {mine.shape} but the package's has "
            f"{theirs.shape}. Received: by_hand.shape={mine.shape}, package.shape={theirs.shape}"
        )
    if not (np.all(np.isfinite(mine)) and np.all(np.isfinite(theirs))):
        raise ValueError(f"{what}: a value is not finite (NaN or inf); nothing to compare")
    difference = np.abs(mine - theirs)
    largest = float(difference.max()) if difference.size else 0.0
    bad = difference > atol + rtol * np.abs(theirs)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{what}: by hand and the package disagree at index {index}: by hand "
            f"{mine[index]:.6g}, package {theirs[index]:.6g} (largest difference "
            f"{largest:.2e}, tolerance atol={atol:g}, rtol={rtol:g})"
        )
    tolerance = f"atol={atol:g}" + (f", rtol={rtol:g}" if rtol else "")
    print(
        f"{what}: by hand = package on all {mine.size} values "
        f"(largest difference {largest:.1e}, tolerance {tolerance})"
    )
    return largest
