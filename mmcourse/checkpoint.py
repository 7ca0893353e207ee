"""Training that survives an interruption: atomic checkpoints, and resume where it stopped.

```python
from mmcourse import checkpoint

with checkpoint.resumable("runs/lesson07"):
    result = fit_and_evaluate(model, data, settings)  # or mmcourse.train.train(...)
```

Inside `resumable(DIR)`, every `mmcourse.train.train` call (so `fit_and_evaluate` and every
lesson's training) adds a `ResumableTraining(DIR / model.name)` callback to `fit`. At the end
of every epoch it writes everything the rest of the run depends on:

- the model's weights and the optimizer's state (`model.save_weights`, `.weights.h5`);
- the random state of layers that draw numbers in training (dropout masks, augmentation,
  modality dropout: their `SeedGenerator`s);
- early stopping's state (the best validation loss so far, its epoch, its weights, the
  patience used up), and the logs of every epoch so far;
- the epoch.

A restarted run finds the last complete checkpoint, loads it, and `fit` continues with the
next epoch. The training data's order must continue too, and a `tf.data` pipeline shuffled
with `reshuffle_each_iteration` cannot: its order in epoch `e` depends on how many times it
was iterated in this process (Keras iterates it twice per epoch), so a new process starts
its orders again. Inside `resumable`, `fusion_dataset` therefore builds `epoch_ordered`
pipelines, whose order in epoch `e` is a function of `(seed, e)` alone, and `train` starts
them at the resumed epoch: the run then ends with the weights and metrics of a run that was
never interrupted (tests check both). A pipeline of your own resumes too, with the model,
optimizer and early stopping restored, but with other data orders after the restart.

Atomic: each checkpoint is written into a temporary folder that is renamed to
`epoch-NNNN` only once complete (a rename is atomic on one file system), so a crash while
writing leaves a `.partial` folder that is never read back (resume removes it, and says so),
never a half-written checkpoint. The folder is removed when training ends normally, so the
next run starts fresh.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np

PREFIX = "epoch-"
STATE_FILE = "state.json"
WEIGHTS_FILE = "model.weights.h5"
BEST_FILE = "best_weights.npz"
_NAME = re.compile(rf"^{PREFIX}(\d{{4,}})$")


_ACTIVE: list[tuple[Path, int]] = []


@contextlib.contextmanager
def resumable(directory: str | Path, *, keep: int = 2):
    """Make every `mmcourse.train.train` call inside checkpoint into `directory/<model name>`
    and resume from there (see the module docstring). A model whose training ended normally
    leaves no checkpoint, so after a crash the models already trained are trained again and
    the interrupted one continues."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1. Received: keep={keep}")
    _ACTIVE.append((Path(directory), keep))
    try:
        yield Path(directory)
    finally:
        _ACTIVE.pop()


def callback_for(model: keras.Model, *, early_stopping=None):
    """The `ResumableTraining` callback for `model` inside `resumable(...)`, else `None`."""
    if not _ACTIVE:
        return None
    directory, keep = _ACTIVE[-1]
    return ResumableTraining(directory / model.name, early_stopping=early_stopping, keep=keep)


def active() -> bool:
    """Whether this code runs inside `resumable(...)`."""
    return bool(_ACTIVE)


def epoch_ordered(elements, num_rows: int, *, batch_size: int, seed: int, transform=None):
    """A training pipeline whose order in epoch `e` depends on `(seed, e)` only.

    `elements`: a structure of tensors with `num_rows` rows. Epoch `e` is a permutation of
    the rows drawn with `tf.random.experimental.stateless_shuffle(seed=[seed, e])`, cut into
    batches (the last one partial), then `transform(batch)` if given. The dataset runs
    through every epoch without end, so `fit` needs `steps_per_epoch` (the dataset's
    `steps_per_epoch` attribute); `dataset.from_epoch(k)` is the same pipeline starting at
    epoch `k`: what a resumed run reads, so its epochs see the same batches as if it had
    never stopped (`mmcourse.fusion_data.fusion_dataset` uses this inside `resumable`).
    """
    import tensorflow as tf

    elements = tf.nest.map_structure(tf.convert_to_tensor, elements)

    def rows(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(num_rows, dtype=tf.int64), seed=tf.stack([tf.constant(seed, tf.int64), epoch])
        )
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    def gather(indices):
        batch = tf.nest.map_structure(lambda tensor: tf.gather(tensor, indices), elements)
        return transform(*batch) if transform else batch

    def from_epoch(start: int):
        dataset = tf.data.Dataset.range(start, 2**62).flat_map(rows)
        dataset = dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
        dataset.steps_per_epoch = -(-num_rows // batch_size)
        dataset.from_epoch = from_epoch
        return dataset

    return from_epoch(0)


def checkpoints(directory: str | Path) -> list[Path]:
    """The complete checkpoints in `directory`, oldest first (partial ones are not listed)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if p.is_dir() and _NAME.match(p.name)]
    return sorted(found, key=lambda p: int(_NAME.match(p.name).group(1)))


def _seed_generators(model: keras.Model) -> list:
    generators = []
    for layer in model._flatten_layers(include_self=False):
        generators += list(getattr(layer, "_seed_generators", []))
    return generators


class ResumableTraining(keras.callbacks.Callback):
    """Checkpoint every epoch into `directory` atomically; resume from the last one.

    `early_stopping`: the run's
    `EarlyStopping` callback, whose state is saved and restored; put this callback after it.
    `keep`: how many complete checkpoints stay on disk; `delete_when_done`: remove the folder
    when `fit` ends normally. `resumed_from` is the epoch training continued from (0: fresh).
    """

    def __init__(self, directory, *, early_stopping=None, keep=2, delete_when_done=True):
        super().__init__()
        if keep < 1:
            raise ValueError(f"keep must be at least 1. Received: keep={keep}")
        self.directory = Path(directory)
        self.early_stopping = early_stopping
        self.keep = keep
        self.delete_when_done = delete_when_done
        self.resumed_from = 0
        self.removed_partial = []
        self._epoch_logs = []

    # ---- writing ---------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        self._epoch_logs.append({k: float(v) for k, v in (logs or {}).items()})
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{epoch + 1:04d}.", dir=self.directory))
        partial = partial.rename(partial.with_name(partial.name + ".partial"))
        self.model.save_weights(partial / WEIGHTS_FILE)
        state = {"epoch": epoch + 1, "logs": self._epoch_logs, "seeds": self._seeds()}
        if self.early_stopping is not None:
            state["early_stopping"] = self._early_stopping_state(partial)
        with open(partial / STATE_FILE, "w") as file:
            json.dump(state, file)
            file.flush()
            os.fsync(file.fileno())
        final = self.directory / f"{PREFIX}{epoch + 1:04d}"
        if final.exists():  # the same epoch again (a rerun after a crash): replace it
            shutil.rmtree(final)
        os.replace(partial, final)
        for old in checkpoints(self.directory)[: -self.keep]:
            shutil.rmtree(old)

    def _seeds(self) -> list:
        return [np.asarray(g.state.value).tolist() for g in _seed_generators(self.model)]

    def _early_stopping_state(self, folder: Path) -> dict:
        stopping = self.early_stopping
        if stopping.best_weights is not None:
            np.savez(folder / BEST_FILE, *stopping.best_weights)
        return {
            "wait": int(stopping.wait),
            "best": float(stopping.best),
            "best_epoch": int(stopping.best_epoch),
            "has_best_weights": stopping.best_weights is not None,
        }

    # ---- reading ---------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._epoch_logs = []
        self.removed_partial = []
        if self.directory.is_dir():
            for partial in self.directory.glob(f"{PREFIX}*.partial"):
                shutil.rmtree(partial)  # a crash while writing: never read back
                self.removed_partial.append(partial.name)
        found = checkpoints(self.directory)
        if not found:
            return
        latest = found[-1]
        state = json.loads((latest / STATE_FILE).read_text())
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(latest / WEIGHTS_FILE)
        generators = _seed_generators(self.model)
        if len(generators) != len(state["seeds"]):
            raise ValueError(
                f"{latest} was written by another model: it holds {len(state['seeds'])} random "
                f"states, this model has {len(generators)}. Received: model={self.model.name!r}"
            )
        for generator, seed in zip(generators, state["seeds"]):
            generator.state.assign(np.asarray(seed, dtype=generator.state.dtype))
        if self.early_stopping is not None and "early_stopping" in state:
            self._restore_early_stopping(latest, state["early_stopping"])
        self._epoch_logs = list(state["logs"])
        self.resumed_from = int(state["epoch"])
        self.model._initial_epoch = self.resumed_from

    def next_epoch(self) -> int:
        """The epoch a run started now begins with: after the last complete checkpoint."""
        found = checkpoints(self.directory)
        return json.loads((found[-1] / STATE_FILE).read_text())["epoch"] if found else 0

    def _restore_early_stopping(self, folder: Path, saved: dict) -> None:
        stopping = self.early_stopping
        stopping.wait = saved["wait"]
        stopping.best = saved["best"]
        stopping.best_epoch = saved["best_epoch"]
        if saved["has_best_weights"]:
            with np.load(folder / BEST_FILE) as arrays:
                stopping.best_weights = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]

    def on_train_end(self, logs=None):
        history = getattr(self.model, "history", None)
        done = self._epoch_logs[: self.resumed_from]
        if history is not None and done:  # the epochs before the restart, in front
            for key in history.history:
                history.history[key] = [e.get(key) for e in done] + history.history[key]
            history.epoch = list(range(len(history.history.get("loss", []))))
        if self.delete_when_done and self.directory.is_dir():
            shutil.rmtree(self.directory)
        self.model._initial_epoch = None
