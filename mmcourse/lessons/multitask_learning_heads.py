"""Lesson 06's heads, read: what each head says, and what the labels it learns say.

The multi-task network (`mmcourse.models.multitask`) has one head per label column of
`multitask.HEAD_LABELS`: `text_output` learns `text_label`, `image_output` learns `image_label`,
`fusion_output` the post `label`. Nothing here trains.

- `head_accuracies`: each head's accuracy on its own label column.
- `evaluate_multitask`: the fusion head's `Evaluation`, the heads' accuracies in its details.
- `label_agreement`: how often the post label equals each modality's label, per phenomenon.
- `head_predictions`: what each head says about some posts, next to the truth.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.experiment import predict
from mmcourse.fusion_data import FusionData
from mmcourse.models import multitask
from mmcourse.train import training_details


def head_accuracies(
    model: keras.Model, data: FusionData, split: str = "test", *, probabilities: dict | None = None
) -> dict:
    """Each head's accuracy on its own label column (`multitask.HEAD_LABELS`).

    `probabilities`: the model's predictions on `split`, if already computed.
    """
    probabilities = predict(model, data, split) if probabilities is None else probabilities
    return {
        head: round(
            float(np.mean(probabilities[head].argmax(-1) == data.labels(split, column))), 4
        )
        for head, column in multitask.HEAD_LABELS.items()
    }


def evaluate_multitask(model: keras.Model, data: FusionData, history) -> Evaluation:
    """The fusion head scored on the post `label` (test); details hold the heads' accuracies."""
    probabilities = predict(model, data)
    result = evaluate(
        data.splits["test"], probabilities["fusion_output"], name=model.name, label_column="label"
    )
    heads = head_accuracies(model, data, probabilities=probabilities)
    result.details = {
        "text_head_accuracy": heads["text_output"],
        "image_head_accuracy": heads["image_output"],
        **training_details(model, history),
    }
    return result


def label_agreement(data: FusionData, split: str = "train") -> pd.DataFrame:
    """Per phenomenon: how often the post `label` equals `text_label`, and `image_label`.

    The auxiliary labels are what each modality says on its own; the post label is a rule
    over them (the text decides unless it is neutral, the image wins a conflict), which is why
    they can teach the shared branches.
    """
    label = data.labels(split, "label")
    frame = pd.DataFrame(
        {
            "phenomenon": data.splits[split].frame["phenomenon"].to_numpy(),
            "label = text_label": label == data.labels(split, "text_label"),
            "label = image_label": label == data.labels(split, "image_label"),
        }
    )
    table = frame.groupby("phenomenon").mean()
    table.insert(0, "posts", frame.groupby("phenomenon").size())
    return table.round(3)


def head_predictions(model: keras.Model, data: FusionData, rows, split: str = "test"):
    """What each head says about some posts, next to the truth: the interpretable view."""
    rows = np.asarray(rows)
    probabilities = predict(model, data, split, rows=rows)
    names = np.asarray(data.class_names)
    frame = data.splits[split].frame.iloc[rows]
    table = pd.DataFrame(
        {"phenomenon": frame["phenomenon"].to_numpy(), "text": frame["text"].to_numpy()}
    )
    for head, column in multitask.HEAD_LABELS.items():
        table[f"{head.split('_')[0]} head"] = names[probabilities[head].argmax(-1)]
        table[column] = names[data.labels(split, column)[rows]]
    return table
