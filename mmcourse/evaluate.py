"""Evaluating sentiment models: accuracy, macro-F1, per-class and per-phenomenon scores.

`evaluate` scores one model's predictions; `comparison_table` lines several models up next to
the dataset's Bayes ceilings, the table every lesson prints from lesson 03 on.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from mmcourse.data.core import MultimodalDataset


@dataclasses.dataclass
class Evaluation:
    """Scores of one model on one dataset split."""

    name: str
    accuracy: float
    macro_f1: float
    per_phenomenon: dict[str, float]
    confusion: np.ndarray
    class_names: tuple[str, ...]
    report: str
    details: dict[str, float] = dataclasses.field(default_factory=dict)
    label_column: str = "label"  # what the scores are against: "label", "image_label", ...

    def summary(self) -> dict[str, float]:
        """Accuracy, macro-F1, accuracy per phenomenon, then `details` (parameters, seconds)."""
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            **self.per_phenomenon,
            **self.details,
        }


def predicted_classes(probabilities) -> np.ndarray:
    """Class indices from a (num_posts, num_classes) array of probabilities or logits."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(
            "probabilities must have shape (num_posts, num_classes). "
            f"Received: shape={probabilities.shape}"
        )
    return probabilities.argmax(axis=-1)


def evaluate(
    dataset: MultimodalDataset,
    predictions,
    *,
    name: str = "model",
    label_column: str = "label",
) -> Evaluation:
    """Score `predictions` (class indices, or per-class probabilities) against `dataset`.

    Per-phenomenon accuracy uses the `phenomenon` column (posts of unknown phenomenon are
    reported under "unknown").
    """
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = predicted_classes(predictions)
    truth = dataset.labels(label_column)
    if predictions.shape != truth.shape:
        raise ValueError(
            f"Expected one prediction per post ({truth.shape[0]}). "
            f"Received: predictions of shape {predictions.shape}"
        )
    labels = list(range(len(dataset.class_names)))
    correct = predictions == truth
    phenomena = dataset.frame["phenomenon"].fillna("unknown").to_numpy()
    per_phenomenon = {
        str(p): round(float(correct[phenomena == p].mean()), 4) for p in sorted(set(phenomena))
    }
    return Evaluation(
        name=name,
        accuracy=round(float(accuracy_score(truth, predictions)), 4),
        macro_f1=round(float(f1_score(truth, predictions, labels=labels, average="macro")), 4),
        per_phenomenon=per_phenomenon,
        confusion=confusion_matrix(truth, predictions, labels=labels),
        class_names=tuple(dataset.class_names),
        report=classification_report(
            truth,
            predictions,
            labels=labels,
            target_names=list(dataset.class_names),
            digits=3,
            zero_division=0,
        ),
        label_column=label_column,
    )


def comparison_table(
    evaluations: list[Evaluation], *, ceilings: dict | None = None, views=("text", "image", "both")
) -> pd.DataFrame:
    """One row per model (accuracy, macro-F1, accuracy per phenomenon, details), then ceilings.

    `details` (for example `params` and `train_seconds` from `mmcourse.experiment`) come last.
    """
    if not evaluations:
        raise ValueError("evaluations must hold at least one Evaluation. Received: []")
    rows = {e.name: e.summary() for e in evaluations}
    for view in views if ceilings else ():
        if view in ceilings:
            rows[f"ceiling: {view}"] = {"accuracy": ceilings[view]["overall"]} | {
                k: v for k, v in ceilings[view].items() if k != "overall"
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    first = ["accuracy", "macro_f1"]
    last = [k for e in evaluations for k in e.details if k not in first]
    last = list(dict.fromkeys(last))
    middle = [c for c in table.columns if c not in first and c not in last]
    return table[first + middle + last].round(3)


def plot_confusion(evaluation: Evaluation, *, normalize: bool = True, axis=None):
    """The confusion matrix as a heat map (rows: true class, columns: predicted)."""
    import matplotlib.pyplot as plt

    matrix = evaluation.confusion.astype(float)
    if normalize:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    if axis is None:
        _, axis = plt.subplots(figsize=(3.6, 3.2))
    axis.imshow(matrix, cmap="Blues", vmin=0)
    names = evaluation.class_names
    axis.set_xticks(range(len(names)), names, rotation=30)
    axis.set_yticks(range(len(names)), names)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    axis.set_title(evaluation.name)
    for (i, j), value in np.ndenumerate(matrix):
        text = f"{value:.2f}" if normalize else f"{int(value)}"
        axis.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            color="white" if value > matrix.max() / 2 else "black",
        )
    return axis
