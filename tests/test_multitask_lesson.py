"""Lesson 06's experiment: equal budgets, the learning-curve summary, the interpretable heads,
and (slow) the lesson's measured claim."""

import numpy as np
import pandas as pd
import pytest

from mmcourse import multitask_lesson
from mmcourse.models import multitask


def test_equal_budget_gives_small_sets_more_epochs(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    # 150 steps of 64 posts at least, and never fewer than 4 epochs.
    assert [multitask_lesson.training_epochs(n) for n in (100, 300, 1000, 4800)] == [75, 30, 10, 4]
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    # 600 steps at least, and never fewer than 10 epochs.
    assert [multitask_lesson.training_epochs(n) for n in (100, 4800)] == [300, 10]
    assert multitask_lesson.curve_sizes()[-1] == 4800
    with pytest.raises(ValueError, match="Received: num_posts=0"):
        multitask_lesson.training_epochs(0)


def test_the_two_models_differ_only_in_their_loss_weights():
    weights = {
        k: multitask.check_loss_weights(v) for k, v in multitask_lesson.LOSS_WEIGHTS.items()
    }
    assert weights["single_task"] == {
        "text_output": 0.0,
        "image_output": 0.0,
        "fusion_output": 1.0,
    }
    assert weights["multitask"]["fusion_output"] == 1.0
    assert weights["multitask"]["text_output"] > 0 and weights["multitask"]["image_output"] > 0


def test_curve_summary_averages_seeds_and_keeps_the_smallest_gap():
    curve = pd.DataFrame(
        [
            (100, 0, "single_task", 0.60), (100, 0, "multitask", 0.70),
            (100, 1, "single_task", 0.70), (100, 1, "multitask", 0.68),
            (300, 0, "single_task", 0.80), (300, 0, "multitask", 0.85),
            (300, 1, "single_task", 0.82), (300, 1, "multitask", 0.86),
        ],
        columns=["size", "seed", "model", "accuracy"],
    )  # fmt: skip
    summary = multitask_lesson.curve_summary(curve)
    assert list(summary.index) == [100, 300]
    assert summary.loc[100, "single_task"] == pytest.approx(0.65)
    assert summary.loc[100, "multitask"] == pytest.approx(0.69)
    assert summary.loc[100, "gap"] == pytest.approx(0.04)
    assert summary.loc[100, "smallest_gap"] == pytest.approx(-0.02)
    assert summary.loc[300, "gap"] == pytest.approx(0.045)
    assert summary.loc[300, "smallest_gap"] == pytest.approx(0.04)


def test_learning_curve_rejects_sizes_beyond_the_training_split(fusion_data):
    with pytest.raises(ValueError, match="Received: sizes=\\(5000,\\)"):
        multitask_lesson.learning_curve(fusion_data, sizes=(5000,), seeds=(0,))
    with pytest.raises(ValueError, match="Received:"):
        multitask_lesson.learning_curve(fusion_data, sizes=(100,), seeds=())


def test_label_agreement_shows_the_rule_behind_the_post_label(fusion_data):
    table = multitask_lesson.label_agreement(fusion_data, "train")
    assert table["posts"].sum() == len(fusion_data.labels("train"))
    for phenomenon in ("image_neutral", "negation"):  # the text decides
        assert table.loc[phenomenon, "label = text_label"] > 0.9
    for phenomenon in ("text_neutral", "conflict"):  # the image decides
        assert table.loc[phenomenon, "label = image_label"] > 0.9
    assert table.loc["grounded", "label = text_label"] < 0.5  # neither alone decides


def test_one_short_training_gives_an_evaluation_with_head_accuracies(fusion_data):
    data = fusion_data.head("train", 128)
    model, history = multitask_lesson.train_multitask(
        data, loss_weights=multitask.DEFAULT_LOSS_WEIGHTS, epochs=1, name="tiny"
    )
    evaluation = multitask_lesson.evaluate_multitask(model, data, history)
    assert evaluation.name == "tiny" and 0.0 <= evaluation.accuracy <= 1.0
    assert evaluation.details["epochs"] == 1 and evaluation.details["params"] > 0
    assert {"text_head_accuracy", "image_head_accuracy", "train_seconds"} <= set(
        evaluation.details
    )
    rows = np.arange(4)
    table = multitask_lesson.head_predictions(model, data, rows)
    assert list(table.columns) == ["phenomenon", "text", "text head", "text_label", "image head",
                                   "image_label", "fusion head", "label"]  # fmt: skip
    assert set(table["fusion head"]) <= set(data.class_names)
    truth = np.asarray(data.class_names)[data.labels("test", "label")[rows]]
    assert list(table["label"]) == list(truth)


SMALL_SIZE = 300  # where the auxiliary labels help most and on every seed (see the lesson)


@pytest.mark.slow
def test_auxiliary_tasks_help_on_small_training_sets_not_on_the_full_one(fusion_data, monkeypatch):
    """Lesson 06's claim, in fast mode: with 300 training posts the multi-task model beats the
    single-task model at equal budget on every seed; on the full training split the gap is gone.
    The auxiliary heads learn their own labels; the single-task model's are never trained."""
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    curve = multitask_lesson.learning_curve(fusion_data, sizes=(SMALL_SIZE,), seeds=(0, 1))
    small = multitask_lesson.curve_summary(curve).loc[SMALL_SIZE]
    assert small["gap"] >= 0.02 and small["smallest_gap"] > 0, small.to_dict()

    single, multi = multitask_lesson.run_experiment(fusion_data, seed=0)
    assert (single.name, multi.name) == ("single_task", "multitask")
    full_gap = multi.accuracy - single.accuracy
    assert abs(full_gap) <= 0.025 and full_gap <= small["gap"] - 0.02, (full_gap, small["gap"])
    assert multi.details["text_head_accuracy"] >= 0.95
    assert multi.details["image_head_accuracy"] >= 0.95
    assert single.details["params"] == multi.details["params"]
    assert single.details["epochs"] == multi.details["epochs"] == 4
