"""Train one model on `FusionData` and score it: the loop every cross-modal lesson repeats.

`fit_and_evaluate` builds the `tf.data` pipelines for the inputs the model declares, trains
with `mmcourse.train.train` (early stopping on validation loss), predicts the test split and
returns an `Evaluation` whose `details` hold the parameter count and training time, ready for
`mmcourse.evaluate.comparison_table`.
"""

from __future__ import annotations

import keras
import numpy as np

from mmcourse import runtime
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.fusion_data import INPUT_NAMES, FusionData, fusion_dataset
from mmcourse.train import train

BATCH_SIZE = 64
LEARNING_RATE = 2e-3


def default_epochs() -> int:
    """4 in fast mode, at most 30 (early stopping) in full mode."""
    return runtime.fast_or_full(4, 30)


def model_inputs(model: keras.Model) -> tuple[str, ...]:
    """The `FusionData` input names a model reads, in the model's order."""
    names = tuple(getattr(model, "input_names", None) or [t.name for t in model.inputs])
    names = tuple(n.split(":")[0] for n in names)
    unknown = [n for n in names if n not in INPUT_NAMES]
    if unknown:
        raise ValueError(
            f"Model {model.name!r} has inputs {unknown} that FusionData does not provide "
            f"(it provides {INPUT_NAMES}). Name the model's keras.Input layers accordingly."
        )
    return names


def predict(model: keras.Model, data: FusionData, split: str = "test", *, rows=None):
    """Class probabilities of `model` on one split (optionally only `rows`)."""
    inputs = data.inputs(split, model_inputs(model), rows=rows)
    return model.predict(inputs, batch_size=256, verbose=0)


def fit_and_evaluate(
    model: keras.Model,
    data: FusionData,
    *,
    label: str = "label",
    epochs: int | None = None,
    learning_rate: float = LEARNING_RATE,
    batch_size: int = BATCH_SIZE,
    patience: int = 3,
    seed: int = 0,
    verbose: int | str = 0,
) -> Evaluation:
    """Train `model` on the train split (monitoring val) and evaluate it on test.

    The model is trained on `label` (`"label"`, `"text_label"` or `"image_label"`) and scored
    against the same column. `patience` is early stopping's, in epochs. `details` of the
    result: `params`, `train_seconds`, `epochs`.
    """
    inputs = model_inputs(model)
    epochs = default_epochs() if epochs is None else epochs
    train_ds = fusion_dataset(data, "train", inputs=inputs, label=label, batch_size=batch_size,
                              shuffle=True, seed=seed)  # fmt: skip
    val_ds = fusion_dataset(data, "val", inputs=inputs, label=label, batch_size=batch_size)
    history = train(model, train_ds, validation_data=val_ds, epochs=epochs, patience=patience,
                    learning_rate=learning_rate, verbose=verbose)  # fmt: skip
    result = evaluate(data.splits["test"], predict(model, data), name=model.name,
                      label_column=label)  # fmt: skip
    result.details = {
        "params": int(model.count_params()),
        "train_seconds": round(history.seconds, 1),
        "epochs": len(history.history["loss"]),
    }
    return result


def accuracy_on(model: keras.Model, data: FusionData, split: str = "test", *, rows=None,
                label: str = "label") -> float:  # fmt: skip
    """Plain accuracy of `model` on a split (or a subset of its rows)."""
    truth = data.labels(split, label)
    if rows is not None:
        truth = truth[rows]
    return float(np.mean(predict(model, data, split, rows=rows).argmax(-1) == truth))
