"""Lesson 06's heads, read (`mmcourse.lessons.multitask_learning_heads`): the labels behind the
post label, and one short training's evaluation and head-by-head predictions."""

import dataclasses

import numpy as np

from mmcourse.lessons import multitask_learning, multitask_learning_heads
from mmcourse.models import multitask


def test_label_agreement_shows_the_rule_behind_the_post_label(fusion_data):
    table = multitask_learning_heads.label_agreement(fusion_data, "train")
    assert table["posts"].sum() == len(fusion_data.labels("train"))
    for phenomenon in ("image_neutral", "negation"):  # the text decides
        assert table.loc[phenomenon, "label = text_label"] > 0.9
    for phenomenon in ("text_neutral", "conflict"):  # the image decides
        assert table.loc[phenomenon, "label = image_label"] > 0.9
    assert table.loc["grounded", "label = text_label"] < 0.5  # neither alone decides


def test_head_accuracies_score_each_head_on_its_own_label(fusion_data):
    def one_hot(column, shift=0):
        return np.eye(3)[(fusion_data.labels("test", column) + shift) % 3]

    right = {head: one_hot(column) for head, column in multitask.HEAD_LABELS.items()}
    accuracies = multitask_learning_heads.head_accuracies(None, fusion_data, probabilities=right)
    assert accuracies == {"text_output": 1.0, "image_output": 1.0, "fusion_output": 1.0}
    wrong = {**right, "image_output": one_hot("image_label", shift=1)}
    accuracies = multitask_learning_heads.head_accuracies(None, fusion_data, probabilities=wrong)
    assert accuracies["image_output"] == 0.0 and accuracies["text_output"] == 1.0


def test_one_short_training_gives_an_evaluation_with_head_accuracies(fusion_data):
    data = fusion_data.head("train", 128)
    one_epoch = dataclasses.replace(multitask_learning.SETTINGS.fast, budget_steps=1, min_epochs=1)
    model, history = multitask_learning.train_multitask(
        data, loss_weights=multitask.DEFAULT_LOSS_WEIGHTS, name="tiny", settings=one_epoch
    )
    evaluation = multitask_learning_heads.evaluate_multitask(model, data, history)
    assert evaluation.name == "tiny" and 0.0 <= evaluation.accuracy <= 1.0
    assert evaluation.details["epochs"] == 1 and evaluation.details["params"] > 0
    assert {"text_head_accuracy", "image_head_accuracy", "train_seconds"} <= set(
        evaluation.details
    )
    rows = np.arange(4)
    table = multitask_learning_heads.head_predictions(model, data, rows)
    assert list(table.columns) == [
        "phenomenon",
        "text",
        "text head",
        "text_label",
        "image head",
        "image_label",
        "fusion head",
        "label",
    ]
    assert set(table["fusion head"]) <= set(data.class_names)
    truth = np.asarray(data.class_names)[data.labels("test", "label")[rows]]
    assert list(table["label"]) == list(truth)
