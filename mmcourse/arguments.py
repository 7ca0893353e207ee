"""Argument checks shared by the model builders and the settings: one message for one mistake."""

from __future__ import annotations

import numbers


def check_positive_int(value, name: str) -> int:
    """`value` if it is an integer >= 1 (not a bool), else `ValueError` naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
    return int(value)
