"""Lesson 06's experiment: equal budgets, the learning-curve summary, the interpretable heads,
and the lesson's claims (checked on the notebook's numbers, here on made-up ones)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.lessons import multitask_learning
from mmcourse.models import multitask


def test_equal_budget_gives_small_sets_more_epochs(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    # 150 steps of 64 posts at least, and never fewer than 4 epochs.
    assert [multitask_learning.training_epochs(n) for n in (100, 300, 1000, 4800)] == [75, 30, 10, 4]
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    # 600 steps at least, and never fewer than 10 epochs.
    assert [multitask_learning.training_epochs(n) for n in (100, 4800)] == [300, 10]
    assert multitask_learning.curve_sizes()[-1] == 4800
    with pytest.raises(ValueError, match="Received: num_posts=0"):
        multitask_learning.training_epochs(0)


def test_the_two_models_differ_only_in_their_loss_weights():
    weights = {
        k: multitask.check_loss_weights(v) for k, v in multitask_learning.LOSS_WEIGHTS.items()
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
    summary = multitask_learning.curve_summary(curve)
    assert list(summary.index) == [100, 300]
    assert summary.loc[100, "single_task"] == pytest.approx(0.65)
    assert summary.loc[100, "multitask"] == pytest.approx(0.69)
    assert summary.loc[100, "gap"] == pytest.approx(0.04)
    assert summary.loc[100, "smallest_gap"] == pytest.approx(-0.02)
    assert summary.loc[300, "gap"] == pytest.approx(0.045)
    assert summary.loc[300, "smallest_gap"] == pytest.approx(0.04)


def test_learning_curve_rejects_sizes_beyond_the_training_split(fusion_data):
    with pytest.raises(ValueError, match="Received: sizes=\\(5000,\\)"):
        multitask_learning.learning_curve(fusion_data, sizes=(5000,), seeds=(0,))
    with pytest.raises(ValueError, match="Received:"):
        multitask_learning.learning_curve(fusion_data, sizes=(100,), seeds=())


def test_label_agreement_shows_the_rule_behind_the_post_label(fusion_data):
    table = multitask_learning.label_agreement(fusion_data, "train")
    assert table["posts"].sum() == len(fusion_data.labels("train"))
    for phenomenon in ("image_neutral", "negation"):  # the text decides
        assert table.loc[phenomenon, "label = text_label"] > 0.9
    for phenomenon in ("text_neutral", "conflict"):  # the image decides
        assert table.loc[phenomenon, "label = image_label"] > 0.9
    assert table.loc["grounded", "label = text_label"] < 0.5  # neither alone decides


def test_one_short_training_gives_an_evaluation_with_head_accuracies(fusion_data):
    data = fusion_data.head("train", 128)
    model, history = multitask_learning.train_multitask(
        data, loss_weights=multitask.DEFAULT_LOSS_WEIGHTS, epochs=1, name="tiny"
    )
    evaluation = multitask_learning.evaluate_multitask(model, data, history)
    assert evaluation.name == "tiny" and 0.0 <= evaluation.accuracy <= 1.0
    assert evaluation.details["epochs"] == 1 and evaluation.details["params"] > 0
    assert {"text_head_accuracy", "image_head_accuracy", "train_seconds"} <= set(
        evaluation.details
    )
    rows = np.arange(4)
    table = multitask_learning.head_predictions(model, data, rows)
    assert list(table.columns) == ["phenomenon", "text", "text head", "text_label", "image head",
                                   "image_label", "fusion head", "label"]  # fmt: skip
    assert set(table["fusion head"]) <= set(data.class_names)
    truth = np.asarray(data.class_names)[data.labels("test", "label")[rows]]
    assert list(table["label"]) == list(truth)


def test_compare_lists_the_single_task_model_first():
    # `compare` trains one model per entry, in this order, named after its key.
    assert list(multitask_learning.LOSS_WEIGHTS) == ["single_task", "multitask"]


def _evaluation(name, accuracy, **details):
    details = {"text_head_accuracy": 0.99, "image_head_accuracy": 0.98, "params": 37577,
               "train_seconds": 30.0, "epochs": 4, **details}  # fmt: skip
    return Evaluation(name, accuracy, accuracy, {}, np.zeros((3, 3)), ("a", "b", "c"), "", details)


def _claims_inputs(*, seed_gaps=(0.04, 0.038), full=(0.903, 0.895), single=None, multi=None):
    """Numbers like the notebook's (fast mode): a 300-post gap of about 4 points on both seeds,
    none on the full split; `seed_gaps` are the per-seed gaps at 300 posts."""
    rows = []
    for seed, gap in enumerate(seed_gaps):
        for size, base, size_gap in [(100, 0.71, 0.03), (300, 0.82, gap), (1000, 0.89, 0.008)]:
            rows += [(size, seed, "single_task", base), (size, seed, "multitask", base + size_gap)]
    curve = pd.DataFrame(rows, columns=["size", "seed", "model", "accuracy"])
    evaluations = [_evaluation("single_task", full[0], **(single or {})),
                   _evaluation("multitask", full[1], **(multi or {}))]  # fmt: skip
    data = SimpleNamespace(labels=lambda split, column="label": np.zeros(4800, dtype=int))
    return evaluations, {"summary": multitask_learning.curve_summary(curve), "data": data}


def test_lesson_claims_hold_on_numbers_like_the_notebooks(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    evaluations, inputs = _claims_inputs()
    found = multitask_learning.lesson_claims(evaluations, **inputs)
    table = claims.check(found, lesson="06")
    assert len(table) == len(found) == 8 and table["held"].all()
    assert table.loc["both models train for the same epochs, without early stopping",
                     "expected"] == "4 each"  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"seed_gaps": (0.02, 0.015)}, "multi-task learning beats single-task by 2 points"),
        ({"seed_gaps": (0.09, -0.01)}, "multi-task learning wins on every seed"),
        ({"seed_gaps": (0.04, 0.0)}, "multi-task learning wins on every seed"),
        ({"full": (0.903, 0.87)}, "on the full training split, the gap is gone"),
        ({"seed_gaps": (0.03, 0.03), "full": (0.88, 0.895)}, "gap is at least 2 points below"),
        ({"multi": {"text_head_accuracy": 0.94}}, "text head gets 95% of text labels right"),
        ({"multi": {"image_head_accuracy": 0.94}}, "image head gets 95% of image labels right"),
        ({"multi": {"params": 40000}}, "both models have the same number of parameters"),
        ({"multi": {"epochs": 3}}, "both models train for the same epochs"),
        ({"single": {"epochs": 10}, "multi": {"epochs": 10}}, "train for the same epochs"),
    ],
)  # fmt: skip
def test_lesson_claims_name_the_claim_that_fails(monkeypatch, changes, failing):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    evaluations, inputs = _claims_inputs(**changes)
    with pytest.raises(claims.ClaimError) as info:
        claims.check(multitask_learning.lesson_claims(evaluations, **inputs), lesson="06")
    assert "1 of 8 claims did not hold" in str(info.value)
    assert failing in str(info.value)


def test_lesson_claims_reject_inputs_they_cannot_read():
    evaluations, inputs = _claims_inputs()
    with pytest.raises(ValueError, match="Received: names=\\('multitask', 'single_task'\\)"):
        multitask_learning.lesson_claims(evaluations[::-1], **inputs)
    inputs["summary"] = inputs["summary"].drop(index=300)
    with pytest.raises(ValueError, match="Received: summary with index \\[100, 1000\\]"):
        multitask_learning.lesson_claims(evaluations, **inputs)
