"""Hyper-parameters with a fast and a full value: `ByMode`, and the training settings.

Every lesson module from 03 on declares its hyper-parameters once, as a frozen dataclass, and
both of its modes side by side::

    @dataclasses.dataclass(frozen=True)
    class Settings(TrainSettings):
        num_heads: int = 4

    SETTINGS = ByMode(fast=Settings(epochs=4), full=Settings(epochs=30))

`SETTINGS.for_mode()` is the one for this process (`MMCOURSE_FAST`), `SETTINGS.fast` and
`SETTINGS.full` are both at hand (a test, a notebook that compares them), and
`dataclasses.replace(settings, epochs=2)` makes a variant without touching the module.
"""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

from mmcourse import runtime
from mmcourse.arguments import check_positive_int

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class TrainSettings:
    """What `mmcourse.train.train` and `mmcourse.experiment.fit_and_evaluate` need.

    `epochs` is a maximum (early stopping on validation loss, after `patience` epochs without
    improvement); `seed` fixes the initial weights and the order of the batches.
    """

    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 2e-3
    patience: int = 3
    seed: int = 0

    def __post_init__(self):
        for name in ("epochs", "batch_size"):
            check_positive_int(getattr(self, name), name)
        if self.patience < 0 or self.learning_rate <= 0:
            raise ValueError(
                "Need patience >= 0 and learning_rate > 0. "
                f"Received: patience={self.patience}, learning_rate={self.learning_rate}"
            )


@dataclasses.dataclass(frozen=True)
class ByMode(Generic[T]):
    """A lesson's settings in fast mode (CI, a quick look) and in full mode (the published
    numbers); both must be instances of the same class."""

    fast: T
    full: T

    def __post_init__(self):
        if type(self.fast) is not type(self.full):
            raise ValueError(
                "fast and full settings must be of one class. Received: "
                f"fast={type(self.fast).__name__}, full={type(self.full).__name__}"
            )

    def for_mode(self, fast: bool | None = None) -> T:
        """The settings of `fast` mode (default: this process's, from `MMCOURSE_FAST`)."""
        fast = runtime.is_fast_mode() if fast is None else fast
        return self.fast if fast else self.full
