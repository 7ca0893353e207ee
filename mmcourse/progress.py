"""One line of progress per trained model, so that a long training cell is never silent.

Keras' progress bar (`verbose=1`) redraws a line per batch: in a saved notebook it leaves
hundreds of lines, and under `verbose=0` a cell that trains eight models shows nothing for
minutes. `TrainingLine` sits between the two: when a model starts training it prints its name
and its epoch budget, then a dot per epoch as it runs, then how many epochs ran, the best
validation loss and the seconds it took:

    training concat_fusion (at most 30 epochs) ......... 9 epochs, best val_loss 0.412, 12 s

`mmcourse.train.train` adds it whenever it trains with `verbose=0` (every lesson does), and
`quiet()` turns it off for a block (a benchmark printing its own table, a test).
"""

from __future__ import annotations

import contextlib
import math
import sys
import time

import keras

_QUIET = [0]


@contextlib.contextmanager
def quiet():
    """No training lines inside this block."""
    _QUIET[0] += 1
    try:
        yield
    finally:
        _QUIET[0] -= 1


def enabled() -> bool:
    """Whether `mmcourse.train.train` prints a line per model (not inside `quiet()`)."""
    return _QUIET[0] == 0


class TrainingLine(keras.callbacks.Callback):
    """Print `training <name> (at most N epochs) ...` then the epochs, best val_loss, seconds.

    Args:
        name: what is being trained (default the model's name).
        epochs: the epoch budget, shown at the start.
        stream: where the line goes (default `sys.stdout`, the cell's output in a notebook).
    """

    def __init__(self, *, name: str | None = None, epochs: int | None = None, stream=None):
        super().__init__()
        if epochs is not None and epochs < 1:
            raise ValueError(f"`epochs` must be at least 1. Received: epochs={epochs}")
        self.label = name
        self.epochs = epochs
        self.stream = stream
        self._started = None
        self._num_epochs = 0
        self._best = math.inf

    def _write(self, text: str) -> None:
        stream = sys.stdout if self.stream is None else self.stream
        stream.write(text)
        stream.flush()

    def on_train_begin(self, logs=None):
        name = self.label or self.model.name
        budget = "" if self.epochs is None else f" (at most {self.epochs} epochs)"
        self._started = time.perf_counter()
        self._num_epochs = 0
        self._best = math.inf
        self._write(f"training {name}{budget} ")

    def on_epoch_end(self, epoch, logs=None):
        self._num_epochs += 1
        value = (logs or {}).get("val_loss")
        if value is not None and value < self._best:
            self._best = float(value)
        self._write(".")

    def on_train_end(self, logs=None):
        seconds = time.perf_counter() - self._started
        plural = "" if self._num_epochs == 1 else "s"
        best = "" if math.isinf(self._best) else f", best val_loss {self._best:.3f}"
        self._write(f" {self._num_epochs} epoch{plural}{best}, {seconds:.0f} s\n")
