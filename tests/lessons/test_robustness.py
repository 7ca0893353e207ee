"""Lesson 09's table helpers, fast: no model is trained (the claims are checked in the notebook,
`robustness_claims.lesson_claims`, and tested in `test_robustness_claims.py`)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mmcourse.evaluate import Evaluation
from mmcourse.lessons import robustness, robustness_checks


def test_settings_follow_fast_mode(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    fast = (robustness.model_names(), robustness.drop_rates())
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    full = (robustness.model_names(), robustness.drop_rates())
    assert set(fast[0]) < set(full[0]) and len(full[0]) == 7
    assert fast[1] == (0.0, robustness.CLAIM_RATE) and len(full[1]) == 4
    assert set(robustness.DROPOUT_MODELS) <= set(fast[0])
    with pytest.raises(ValueError, match="Received"):
        robustness.build("attention", None)


def test_run_experiment_returns_the_evaluations_of_the_dropout_curves(monkeypatch):
    runs = {"a": ("model a", "evaluation a"), "a_drop0.4": ("model b", "evaluation b")}
    calls = []

    def curves(data, *, seed):
        calls.append((data, seed))
        return None, runs

    monkeypatch.setattr(robustness, "modality_dropout_curves", curves)
    assert robustness.run_experiment("data", seed=3) == ["evaluation a", "evaluation b"]
    assert calls == [("data", 3)]


def test_dropout_effect_and_noise_summary():
    index = pd.MultiIndex.from_product([["a", "b"], [0.0, 0.4]], names=["model", None])
    table = pd.DataFrame({"full": [0.9, 0.88, 0.9, 0.9], "text_missing": [0.6, 0.6, 0.5, 0.6],
                          "image_missing": [0.3, 0.6, 0.6, 0.6]}, index=index)  # fmt: skip
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
    return Evaluation(name, accuracy, accuracy - 0.01, {}, np.zeros((3, 3)), ("a", "b", "c"), "",
                      details)  # fmt: skip


def test_modality_dropout_curves_name_each_run_and_reuse_the_trained_models(monkeypatch):
    """The main comparison in fast mode: concat and tensor fusion without dropout (the models
    of `train_models`, not trained again) and with dropout 0.4 (trained: faked here)."""
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    fitted = []

    def fit(model, data, *, epochs=None, seed=0):
        fitted.append(model.name)
        return _evaluation(model.name, params=model.count_params(), train_seconds=1.0, epochs=4)

    scores = {"full": 0.9, "text_missing": 0.6, "image_missing": 0.5}
    monkeypatch.setattr(robustness_checks, "fit_and_evaluate", fit)
    monkeypatch.setattr(robustness_checks, "missing_modality_accuracy", lambda model, data: scores)
    trained = {name: (name, _evaluation(name, params=1, train_seconds=2.0, epochs=4))
               for name in ("text_only", *robustness.DROPOUT_MODELS)}  # fmt: skip
    data = SimpleNamespace(vocabulary_size=50)
    curves, runs = robustness.modality_dropout_curves(data, trained=trained)
    expected = {"concat_fusion", "concat_fusion_drop0.4", "tensor_fusion",
                "tensor_fusion_drop0.4"}  # fmt: skip
    assert set(runs) == expected
    assert fitted == ["concat_fusion_drop0.4", "tensor_fusion_drop0.4"]
    assert runs["concat_fusion"][0] == "concat_fusion"  # the trained model itself
    for name, (_, evaluation) in runs.items():
        assert evaluation.name == name
        assert {"params", "train_seconds", "acc_text_missing", "acc_image_missing"} <= set(
            evaluation.details
        )
    assert "acc_text_missing" not in trained["concat_fusion"][1].details  # caller's untouched
    assert list(curves.index) == [(n, r) for n in robustness.DROPOUT_MODELS
                                  for r in (0.0, robustness.CLAIM_RATE)]  # fmt: skip


def test_label_noise_table_flips_exact_counts_of_the_train_labels(fusion_data, monkeypatch):
    """The notebook's table in fast mode (default rates) has 480 and 1440 of the 4800 train
    labels flipped; the training is faked, so each run's data can be inspected."""
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    seen = []

    def fit(model, data, *, seed=0):
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
    trained_here = robustness.label_noise_table(fusion_data, rates=(0.1,))
    assert trained_here["flipped"].tolist() == [0, 480]  # without a baseline, rate 0 is trained
    assert seen == [("concat_fusion", 0), ("concat_fusion", 480)]
