"""Lesson 09's table helpers, fast: no model is trained (the claims are checked in the notebook,
`robustness_claims.lesson_claims`, and tested in `test_robustness_claims.py`)."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mmcourse.evaluate import Evaluation
from mmcourse.lessons import robustness, robustness_checks, robustness_claims


def test_settings_follow_fast_mode(monkeypatch):
    fast, full = robustness.SETTINGS.fast, robustness.SETTINGS.full
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert robustness.SETTINGS.for_mode() is fast
    assert set(fast.models) < set(full.models) and len(full.models) == 7
    assert fast.drop_rates == (0.0, robustness.CLAIM_RATE) and full.drop_rates == (
        0.0,
        0.2,
        0.4,
        0.6,
    )
    assert (fast.strengths, full.strengths) == ((0.25, 0.5), (0.25, 0.5, 0.75, 1.0))
    assert (fast.label_noise_rates, full.label_noise_rates) == ((0.1, 0.3), (0.1, 0.2, 0.3, 0.4))
    for settings in (fast, full):
        assert set(robustness.DROPOUT_MODELS) <= set(settings.models)
        assert settings.dropout_models == robustness.DROPOUT_MODELS
        assert settings.label_noise_model == robustness.LABEL_NOISE_MODEL == "concat_fusion"
        assert (settings.batch_size, settings.learning_rate, settings.patience) == (64, 2e-3, 3)
    assert (fast.epochs, full.epochs) == (4, 30)  # lesson 07's
    assert robustness.lesson_claims is robustness_claims.lesson_claims
    with pytest.raises(ValueError, match="Received"):
        robustness.build("attention", None)


def test_run_experiment_measures_every_section_and_returns_the_dropout_runs(monkeypatch):
    """The rows are the dropout curves' runs; the rate-0 models and the label-noise baseline
    are `train_models`' (not trained again); the noise table covers the dropped models too."""
    calls = {}
    trained = {n: (f"{n} model", _evaluation(n)) for n in ("text_only", "concat_fusion")}
    runs = {
        "concat_fusion": trained["concat_fusion"],
        "concat_fusion_drop0.4": ("dropped model", _evaluation("concat_fusion_drop0.4")),
    }

    def record(name, value):
        def fake(*args, **kwargs):
            calls[name] = (args, kwargs)
            return value

        return fake

    monkeypatch.setattr(robustness, "train_models", record("train", trained))
    monkeypatch.setattr(robustness, "modality_dropout_curves", record("curves", ("curves", runs)))
    monkeypatch.setattr(robustness, "missing_modality_table", record("missing", "missing"))
    monkeypatch.setattr(robustness, "noise_table", record("noise", "noise"))
    monkeypatch.setattr(robustness, "image_missing_accuracy", record("blanked", {"b": 0.6}))
    monkeypatch.setattr(robustness, "label_noise_table", record("labels", "labels"))
    data = SimpleNamespace(ceilings="ceilings")
    settings = dataclasses.replace(robustness.SETTINGS.fast, seed=3)
    result = robustness.run_experiment(data, settings=settings)
    assert [e.name for e in result] == ["concat_fusion", "concat_fusion_drop0.4"]
    assert result.settings is settings
    assert result.measures == {
        "ceilings": "ceilings",
        "text_only_accuracy": 0.9,
        "missing": "missing",
        "curves": "curves",
        "noise": "noise",
        "blanked": {"b": 0.6},
        "labels": "labels",
    }
    assert set(result.measures) == set(robustness_claims.MEASURES)
    assert calls["train"] == ((data, settings), {})
    assert calls["curves"] == ((data, settings), {"trained": trained})
    noisy = {**trained, "concat_fusion_drop0.4": runs["concat_fusion_drop0.4"]}
    assert calls["noise"] == ((noisy, data, settings), {})
    assert calls["blanked"] == ((noisy, data), {})
    assert calls["labels"] == ((data, settings), {"baseline": trained["concat_fusion"][1]})


def test_dropout_effect_and_noise_summary():
    index = pd.MultiIndex.from_product([["a", "b"], [0.0, 0.4]], names=["model", None])
    table = pd.DataFrame(
        {
            "full": [0.9, 0.88, 0.9, 0.9],
            "text_missing": [0.6, 0.6, 0.5, 0.6],
            "image_missing": [0.3, 0.6, 0.6, 0.6],
        },
        index=index,
    )
    effect = robustness.dropout_effect(table)
    assert effect.loc["a"].to_dict() == pytest.approx(
        {"full": -0.02, "text_missing": 0.0, "image_missing": 0.3}
    )
    assert effect.loc["b", "text_missing"] == pytest.approx(0.1)
    columns = pd.MultiIndex.from_product([["blur", "typos"], [0.0, 0.5, 1.0]])
    noise = pd.DataFrame([[0.9, 0.7, 0.5, 0.9, 0.8, 0.8]], index=["m"], columns=columns)
    summary = robustness.noise_summary(noise)
    assert summary.loc["m"].to_dict() == pytest.approx({"clean": 0.9, "blur": 0.6, "typos": 0.8})


def _evaluation(name, accuracy=0.9, **details):
    return Evaluation(
        name, accuracy, accuracy - 0.01, {}, np.zeros((3, 3)), ("a", "b", "c"), "", details
    )


def test_modality_dropout_curves_name_each_run_and_reuse_the_trained_models(monkeypatch):
    """The main comparison in fast mode: concat and tensor fusion without dropout (the models
    of `train_models`, not trained again) and with dropout 0.4 (trained: faked here)."""
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    fitted = []

    def fit(model, data, settings=None):
        assert settings == robustness.SETTINGS.fast
        fitted.append(model.name)
        return _evaluation(model.name, params=model.count_params(), train_seconds=1.0, epochs=4)

    scores = {"full": 0.9, "text_missing": 0.6, "image_missing": 0.5}
    monkeypatch.setattr(robustness_checks, "fit_and_evaluate", fit)
    monkeypatch.setattr(robustness_checks, "missing_modality_accuracy", lambda model, data: scores)
    trained = {
        name: (name, _evaluation(name, params=1, train_seconds=2.0, epochs=4))
        for name in ("text_only", *robustness.DROPOUT_MODELS)
    }
    data = SimpleNamespace(vocabulary_size=50)
    curves, runs = robustness.modality_dropout_curves(data, trained=trained)
    expected = {"concat_fusion", "concat_fusion_drop0.4", "tensor_fusion", "tensor_fusion_drop0.4"}
    assert set(runs) == expected
    assert fitted == ["concat_fusion_drop0.4", "tensor_fusion_drop0.4"]
    assert runs["concat_fusion"][0] == "concat_fusion"  # the trained model itself
    for name, (_, evaluation) in runs.items():
        assert evaluation.name == name
        assert {"params", "train_seconds", "acc_text_missing", "acc_image_missing"} <= set(
            evaluation.details
        )
    assert "acc_text_missing" not in trained["concat_fusion"][1].details  # caller's untouched
    assert list(curves.index) == [
        (n, r) for n in robustness.DROPOUT_MODELS for r in (0.0, robustness.CLAIM_RATE)
    ]


def test_label_noise_table_flips_exact_counts_of_the_train_labels(fusion_data, monkeypatch):
    """The notebook's table in fast mode (default rates) has 480 and 1440 of the 4800 train
    labels flipped; the training is faked, so each run's data can be inspected."""
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    seen = []

    def fit(model, data, settings=None):
        assert settings.seed == 0 and settings.epochs == 4
        changed = int((data.labels("train") != fusion_data.labels("train")).sum())
        seen.append((model, changed))
        return SimpleNamespace(accuracy=0.9 - changed / 10_000, macro_f1=0.8)

    monkeypatch.setattr(robustness, "build", lambda name, data: name)
    monkeypatch.setattr(robustness, "fit_and_evaluate", fit)
    baseline = _evaluation("concat_fusion", accuracy=0.9)
    table = robustness.label_noise_table(fusion_data, baseline=baseline)
    assert list(table.index) == [0.0, 0.1, 0.3]
    assert table["flipped"].tolist() == [0, 480, 1440]  # exact counts of 4800 train labels
    assert seen == [("concat_fusion", 480), ("concat_fusion", 1440)]
    assert table["accuracy_lost"].tolist() == pytest.approx([0.0, 0.048, 0.144])
    seen.clear()
    settings = dataclasses.replace(robustness.SETTINGS.fast, label_noise_rates=(0.1,))
    trained_here = robustness.label_noise_table(fusion_data, settings)
    assert trained_here["flipped"].tolist() == [0, 480]  # without a baseline, rate 0 is trained
    assert seen == [("concat_fusion", 0), ("concat_fusion", 480)]


def test_image_missing_accuracy_scores_each_fusion_model_with_every_image_blanked(
    fusion_data, monkeypatch
):
    seen = []

    def accuracy(model, data, split):
        test = data.arrays["test"]
        tokens_kept = np.array_equal(test["tokens"], fusion_data.arrays["test"]["tokens"])
        seen.append((model, split, float(np.abs(test["image_features"]).sum()), tokens_kept))
        return 0.5

    monkeypatch.setattr(robustness, "accuracy_on", accuracy)
    models = {n: (f"{n} model", None) for n in ("text_only", "image_only", "late_fusion")}
    assert robustness.image_missing_accuracy(models, fusion_data) == {"late_fusion": 0.5}
    assert seen == [("late_fusion model", "test", 0.0, True)]
    assert np.abs(fusion_data.arrays["test"]["image_features"]).sum() > 0  # a copy was blanked
