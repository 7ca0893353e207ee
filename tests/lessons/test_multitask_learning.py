"""Lesson 06's experiment: equal budgets, the learning curve and its summary, and the lesson's
claims (checked on the notebook's numbers, here on made-up ones). The heads are read in
tests/lessons/test_multitask_learning_heads.py."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons import multitask_learning
from mmcourse.models import multitask

FAST, FULL = multitask_learning.SETTINGS.fast, multitask_learning.SETTINGS.full


def test_equal_budget_gives_small_sets_more_epochs(monkeypatch):
    # 150 steps of 64 posts at least, and never fewer than 4 epochs.
    epochs = [multitask_learning.training_epochs(n, FAST) for n in (100, 300, 1000, 4800)]
    assert epochs == [75, 30, 10, 4]
    # 600 steps at least, and never fewer than 10 epochs.
    assert [multitask_learning.training_epochs(n, FULL) for n in (100, 4800)] == [300, 10]
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert multitask_learning.training_epochs(100) == 75  # this process's settings
    with pytest.raises(ValueError, match="Received: num_posts=0"):
        multitask_learning.training_epochs(0)


def test_settings_in_fast_and_full_mode():
    assert (FAST.curve_sizes, FAST.curve_seeds) == ((100, 300, 1000), (0, 1))
    assert (FULL.curve_sizes, FULL.curve_seeds) == ((100, 300, 1000, 4800), (0, 1, 2))
    assert (FAST.budget_steps, FAST.min_epochs, FULL.budget_steps, FULL.min_epochs) == (
        150,
        4,
        600,
        10,
    )
    for settings in (FAST, FULL):
        assert (settings.batch_size, settings.learning_rate, settings.seed) == (64, 2e-3, 0)
        assert settings.small_size == 300


def test_settings_reject_bad_values():
    with pytest.raises(ValueError, match="Received: min_epochs=0"):
        dataclasses.replace(FAST, min_epochs=0)
    with pytest.raises(ValueError, match="Received: loss_weights="):
        dataclasses.replace(FAST, loss_weights={"multitask": {"fusion_output": 1.0}})
    with pytest.raises(ValueError, match="Received: curve_sizes=\\(\\), curve_seeds"):
        dataclasses.replace(FAST, curve_sizes=())
    with pytest.raises(ValueError, match="curve_seeds=\\(\\)"):
        dataclasses.replace(FAST, curve_seeds=())


def test_the_two_models_differ_only_in_their_loss_weights():
    weights = {k: multitask.check_loss_weights(v) for k, v in FAST.loss_weights.items()}
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
            (100, 0, "single_task", 0.60),
            (100, 0, "multitask", 0.70),
            (100, 1, "single_task", 0.70),
            (100, 1, "multitask", 0.68),
            (300, 0, "single_task", 0.80),
            (300, 0, "multitask", 0.85),
            (300, 1, "single_task", 0.82),
            (300, 1, "multitask", 0.86),
        ],
        columns=["size", "seed", "model", "accuracy"],
    )
    summary = multitask_learning.curve_summary(curve)
    assert list(summary.index) == [100, 300]
    assert summary.loc[100, "single_task"] == pytest.approx(0.65)
    assert summary.loc[100, "multitask"] == pytest.approx(0.69)
    assert summary.loc[100, "gap"] == pytest.approx(0.04)
    assert summary.loc[100, "smallest_gap"] == pytest.approx(-0.02)
    assert summary.loc[300, "gap"] == pytest.approx(0.045)
    assert summary.loc[300, "smallest_gap"] == pytest.approx(0.04)


def test_learning_curve_rejects_sizes_beyond_the_training_split(fusion_data):
    settings = dataclasses.replace(FAST, curve_sizes=(100, 5000), curve_seeds=(0,))
    with pytest.raises(ValueError, match="Received: curve_sizes=\\(100, 5000\\)"):
        multitask_learning.learning_curve(fusion_data, settings=settings)


def test_compare_lists_the_single_task_model_first():
    # `compare` trains one model per entry, in this order, named after its key.
    assert tuple(FAST.loss_weights) == tuple(FULL.loss_weights) == multitask_learning.MODELS
    assert multitask_learning.MODELS == ("single_task", "multitask")


def test_run_experiment_compares_then_draws_the_learning_curve(fusion_data, monkeypatch):
    calls = []

    def compare(data, *, settings=None, keep_models=False):
        calls.append((len(data.labels("train")), settings.seed))
        gap = 0.04 if len(data.labels("train")) == 300 else 0.0
        return [_evaluation("single_task", 0.8), _evaluation("multitask", 0.8 + gap)]

    monkeypatch.setattr(multitask_learning, "compare", compare)
    settings = dataclasses.replace(FAST, curve_sizes=(100, 300), curve_seeds=(4, 5), seed=3)
    result = multitask_learning.run_experiment(fusion_data, settings=settings)
    total = len(fusion_data.labels("train"))
    assert calls == [(total, 3), (100, 4), (100, 5), (300, 4), (300, 5)]
    assert [e.name for e in result.evaluations] == ["single_task", "multitask"]
    assert result.settings is settings and result.measure("train_posts") == total
    assert len(result.measure("curve")) == 8
    assert list(result.measure("summary")["gap"]) == [0.0, 0.04]


def _evaluation(name, accuracy, **details):
    details = {
        "text_head_accuracy": 0.99,
        "image_head_accuracy": 0.98,
        "params": 37577,
        "train_seconds": 30.0,
        "epochs": 4,
        **details,
    }
    return Evaluation(name, accuracy, accuracy, {}, np.zeros((3, 3)), ("a", "b", "c"), "", details)


def _result(*, seed_gaps=(0.04, 0.038), full=(0.903, 0.895), single=None, multi=None):
    """A `LessonResult` with numbers like the notebook's (fast mode): a 300-post gap of about
    4 points on both seeds, none on the full split; `seed_gaps` are the per-seed gaps at 300
    posts."""
    rows = []
    for seed, gap in enumerate(seed_gaps):
        for size, base, size_gap in [(100, 0.71, 0.03), (300, 0.82, gap), (1000, 0.89, 0.008)]:
            rows += [(size, seed, "single_task", base), (size, seed, "multitask", base + size_gap)]
    curve = pd.DataFrame(rows, columns=["size", "seed", "model", "accuracy"])
    evaluations = [
        _evaluation("single_task", full[0], **(single or {})),
        _evaluation("multitask", full[1], **(multi or {})),
    ]
    summary = multitask_learning.curve_summary(curve)
    return LessonResult.of(evaluations, settings=FAST, summary=summary, train_posts=4800)


def test_lesson_claims_hold_on_numbers_like_the_notebooks():
    found = multitask_learning.lesson_claims(_result())
    table = claims.check(found, lesson="06")
    assert len(table) == len(found) == 8 and table["held"].all()
    expected = table.loc["both models train for the same epochs, without early stopping"]
    assert expected["expected"] == "4 each"


def test_lesson_claims_read_the_settings_of_this_mode_when_the_result_has_none(monkeypatch):
    result = _result()
    result.settings = None
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert claims.check(multitask_learning.lesson_claims(result), lesson="06")["held"].all()
    monkeypatch.setenv("MMCOURSE_FAST", "0")  # full mode: 10 epochs on 4800 posts, not 4
    with pytest.raises(claims.ClaimError, match="both models train for the same epochs"):
        claims.check(multitask_learning.lesson_claims(result), lesson="06")


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
)
def test_lesson_claims_name_the_claim_that_fails(changes, failing):
    with pytest.raises(claims.ClaimError) as info:
        claims.check(multitask_learning.lesson_claims(_result(**changes)), lesson="06")
    assert "1 of 8 claims did not hold" in str(info.value)
    assert failing in str(info.value)


def test_lesson_claims_reject_inputs_they_cannot_read():
    result = _result()
    with pytest.raises(ValueError, match="Received: names=\\('multitask', 'single_task'\\)"):
        multitask_learning.lesson_claims(
            LessonResult(result.evaluations[::-1], result.measures, FAST)
        )
    summary = result.measure("summary").drop(index=300)
    with pytest.raises(ValueError, match="Received: summary with index \\[100, 1000\\]"):
        multitask_learning.lesson_claims(
            LessonResult(result.evaluations, {**result.measures, "summary": summary}, FAST)
        )
    with pytest.raises(KeyError, match="No measure 'train_posts'"):
        multitask_learning.lesson_claims(
            LessonResult(result.evaluations, {"summary": result.measure("summary")}, FAST)
        )
