"""Train one model on `FusionData` and score it: the loop every cross-modal lesson repeats.

`fit_and_evaluate` builds the `tf.data` pipelines for the inputs the model declares, trains
with `mmcourse.train.train` (early stopping on validation loss), predicts the test split and
returns an `Evaluation` whose `details` hold the parameter count and training time, ready for
`mmcourse.evaluate.comparison_table`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import numpy as np

from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.fusion_data import INPUT_NAMES, FusionData, fusion_dataset
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.train import predict_batches, train, training_details

# The cross-modal lessons' defaults (lessons 07-09 start from these): at most 4 epochs in fast
# mode, at most 30 with early stopping in full mode.
DEFAULT_SETTINGS = ByMode(fast=TrainSettings(epochs=4), full=TrainSettings(epochs=30))


@dataclasses.dataclass
class LessonResult:
    """What a lesson's `run_experiment` returns and its `lesson_claims` reads.

    `evaluations`: one `Evaluation` per model of the lesson's comparison (the rows of its
    table in `notebooks/RESULTS.md`); `measures`: every other number the lesson's claims are
    about, by name (a learning curve, attention shares, a robustness table, ...); `settings`:
    the lesson's settings it ran with. A notebook that measured the same numbers step by step
    builds one with `LessonResult.of(evaluations, name=value, ...)` for its claims cell.
    """

    evaluations: list[Evaluation]
    measures: dict[str, Any] = dataclasses.field(default_factory=dict)
    settings: Any = None

    @classmethod
    def of(cls, evaluations, *, settings=None, **measures) -> LessonResult:
        """`evaluations` (a list, or a `{name: Evaluation}` / `{name: (model, Evaluation)}`
        dict as the lessons' `train_models` return) and the named `measures`."""
        if isinstance(evaluations, dict):
            evaluations = [v[1] if isinstance(v, tuple) else v for v in evaluations.values()]
        return cls(evaluations=list(evaluations), measures=measures, settings=settings)

    def evaluation(self, name: str) -> Evaluation:
        """The evaluation called `name` (`KeyError` listing the names there are)."""
        for evaluation in self.evaluations:
            if evaluation.name == name:
                return evaluation
        raise KeyError(f"No evaluation named {name!r}; there are {[e.name for e in self]}")

    def measure(self, name: str):
        """`measures[name]`, with a `KeyError` that says which measures there are."""
        if name not in self.measures:
            raise KeyError(
                f"No measure {name!r} in this result; there are {sorted(self.measures)}"
            )
        return self.measures[name]

    def __iter__(self):
        return iter(self.evaluations)


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
    return predict_batches(model, inputs)  # no tf.function retraced per model in a loop


def fit_and_evaluate(
    model: keras.Model,
    data: FusionData,
    settings: TrainSettings | None = None,
    *,
    label: str = "label",
    verbose: int | str = 0,
) -> Evaluation:
    """Train `model` on the train split (monitoring val) and evaluate it on test.

    `settings` (a `TrainSettings`, or a lesson's `Settings` built on it; default the course's
    defaults for this mode) give the epochs, batch size, learning rate, early stopping's
    patience and the seed. The model is trained on `label` (`"label"`, `"text_label"` or
    `"image_label"`) and scored against the same column. `details` of the result:
    `params`, `train_seconds`, `epochs` (`mmcourse.train.training_details`).
    """
    settings = DEFAULT_SETTINGS.for_mode() if settings is None else settings
    inputs = model_inputs(model)
    train_ds = fusion_dataset(
        data,
        "train",
        inputs=inputs,
        label=label,
        batch_size=settings.batch_size,
        shuffle=True,
        seed=settings.seed,
    )
    val_ds = fusion_dataset(
        data, "val", inputs=inputs, label=label, batch_size=settings.batch_size
    )
    history = train(
        model,
        train_ds,
        validation_data=val_ds,
        epochs=settings.epochs,
        patience=settings.patience,
        learning_rate=settings.learning_rate,
        verbose=verbose,
    )
    result = evaluate(
        data.splits["test"], predict(model, data), name=model.name, label_column=label
    )
    result.details = training_details(model, history)
    return result


def accuracy_on(
    model: keras.Model, data: FusionData, split: str = "test", *, rows=None, label: str = "label"
) -> float:
    """Plain accuracy of `model` on a split (or a subset of its rows)."""
    truth = data.labels(split, label)
    if rows is not None:
        truth = truth[rows]
    return float(np.mean(predict(model, data, split, rows=rows).argmax(-1) == truth))
