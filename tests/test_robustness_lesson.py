"""Lesson 09's claims, measured in fast mode on MoodPosts (slow), and its table helpers (fast)."""

import pandas as pd
import pytest

from mmcourse import robustness, robustness_lesson


def test_settings_follow_fast_mode(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    fast = (robustness_lesson.model_names(), robustness_lesson.drop_rates())
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    full = (robustness_lesson.model_names(), robustness_lesson.drop_rates())
    assert set(fast[0]) < set(full[0]) and len(full[0]) == 7
    assert fast[1] == (0.0, robustness_lesson.CLAIM_RATE) and len(full[1]) == 4
    assert set(robustness_lesson.DROPOUT_MODELS) <= set(fast[0])
    with pytest.raises(ValueError, match="Received"):
        robustness_lesson.build("attention", None)


def test_run_experiment_returns_the_evaluations_of_the_dropout_curves(monkeypatch):
    runs = {"a": ("model a", "evaluation a"), "a_drop0.4": ("model b", "evaluation b")}
    calls = []

    def curves(data, *, seed):
        calls.append((data, seed))
        return None, runs

    monkeypatch.setattr(robustness_lesson, "modality_dropout_curves", curves)
    assert robustness_lesson.run_experiment("data", seed=3) == ["evaluation a", "evaluation b"]
    assert calls == [("data", 3)]


def test_dropout_effect_and_noise_summary():
    index = pd.MultiIndex.from_product([["a", "b"], [0.0, 0.4]], names=["model", None])
    table = pd.DataFrame({"full": [0.9, 0.88, 0.9, 0.9], "text_missing": [0.6, 0.6, 0.5, 0.6],
                          "image_missing": [0.3, 0.6, 0.6, 0.6]}, index=index)  # fmt: skip
    effect = robustness_lesson.dropout_effect(table)
    assert effect.loc["a"].to_dict() == pytest.approx(
        {"full": -0.02, "text_missing": 0.0, "image_missing": 0.3}
    )
    assert effect.loc["b", "text_missing"] == pytest.approx(0.1)
    columns = pd.MultiIndex.from_product([["blur", "typos"], [0.0, 0.5, 1.0]])
    noise = pd.DataFrame([[0.9, 0.7, 0.5, 0.9, 0.8, 0.8]], index=["m"], columns=columns)
    summary = robustness_lesson.noise_summary(noise)
    assert summary.loc["m"].to_dict() == pytest.approx({"clean": 0.9, "blur": 0.6, "typos": 0.8})


@pytest.fixture(scope="module")
def dropout_runs(fusion_data):
    """The lesson's main comparison in fast mode (what `run_experiment` returns, with models):
    concat and tensor fusion, without and with modality dropout 0.4."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MMCOURSE_FAST", "1")
        curves, runs = robustness_lesson.modality_dropout_curves(fusion_data, seed=0)
    return curves, runs


@pytest.fixture(scope="module")
def baselines(fusion_data):
    """Text-only, image-only and late fusion, trained once as the lesson does, in fast mode."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MMCOURSE_FAST", "1")
        names = ("text_only", "image_only", "late_fusion")
        return robustness_lesson.train_models(fusion_data, names)


def _ceilings(data):
    """What is left when the text is missing (the image ceiling) and when the image is."""
    return {"text_missing": data.ceilings["image"]["overall"],
            "image_missing": data.ceilings["text"]["overall"]}  # fmt: skip


@pytest.mark.slow
def test_modality_dropout_rescues_tensor_fusion_with_the_image_missing(dropout_runs, fusion_data):
    curves, runs = dropout_runs
    assert set(runs) == {"concat_fusion", "concat_fusion_drop0.4", "tensor_fusion",
                         "tensor_fusion_drop0.4"}  # fmt: skip
    for _, evaluation in runs.values():
        assert {"params", "train_seconds", "acc_text_missing"} <= set(evaluation.details)
    ceiling = _ceilings(fusion_data)
    plain, dropped = curves.loc[("tensor_fusion", 0.0)], curves.loc[("tensor_fusion", 0.4)]
    assert plain["image_missing"] <= ceiling["image_missing"] - 0.1, plain  # breaks without
    assert dropped["image_missing"] >= plain["image_missing"] + 0.08, (plain, dropped)
    assert dropped["image_missing"] >= ceiling["image_missing"] - 0.05, dropped
    assert dropped["full"] >= plain["full"] - 0.03  # full-input accuracy stays close
    for row in (plain, dropped):  # with the text missing, it falls back to the image
        assert row["text_missing"] >= ceiling["text_missing"] - 0.04, row


@pytest.mark.slow
def test_concat_and_late_fusion_cope_without_dropout(dropout_runs, baselines, fusion_data):
    curves, _ = dropout_runs
    ceiling = _ceilings(fusion_data)
    plain, dropped = curves.loc[("concat_fusion", 0.0)], curves.loc[("concat_fusion", 0.4)]
    late = robustness_lesson.missing_modality_table(baselines, fusion_data)
    for row in (plain, late.loc["late_fusion"]):  # near what the remaining modality allows
        for view, best in ceiling.items():
            assert row[view] >= best - 0.04, (row, view)
    for view in ("full", "text_missing", "image_missing"):  # dropout changes little
        assert abs(dropped[view] - plain[view]) < 0.04, (view, plain, dropped)
    # a single-modality model whose only input is blanked is left guessing
    assert late.loc["text_only", "text_missing"] < 0.45
    assert late.loc["image_only", "image_missing"] < 0.45


@pytest.mark.slow
def test_a_noisy_image_hurts_more_than_a_missing_one_and_text_noise_is_graceful(
    dropout_runs, baselines, fusion_data
):
    curves, runs = dropout_runs
    models = {**baselines, **runs}
    noise = robustness_lesson.noise_table(models, fusion_data, levels=(0.5,))
    text_only = baselines["text_only"][1].accuracy
    image_ceiling = fusion_data.ceilings["image"]["overall"]
    fusions = [name for name in models if name not in ("text_only", "image_only")]
    for name in fusions:
        row = noise.loc[name]
        blanked = robustness.missing_modality_accuracy(models[name][0], fusion_data)
        # worse than a missing image: by 10 points for the models that cope with one
        copes = blanked["image_missing"] >= fusion_data.ceilings["text"]["overall"] - 0.05
        margin = 0.1 if copes else 0.0
        assert row[("gaussian_noise", 0.5)] <= blanked["image_missing"] - margin, name
        assert row[("gaussian_noise", 0.5)] <= text_only - 0.1, name
        for kind in ("typos", "drop_words"):  # half the words hit: fusion stays above both
            assert row[(kind, 0.5)] >= image_ceiling + 0.05, (name, kind)
            assert row[(kind, 0.5)] >= noise.loc["text_only", (kind, 0.5)] + 0.1, (name, kind)
    for name in robustness_lesson.DROPOUT_MODELS:  # dropout does not help against noise
        noisy = noise.loc[[name, f"{name}_drop0.4"], ("gaussian_noise", 0.5)]
        assert noisy.iloc[1] <= noisy.iloc[0] + 0.03, noisy
    at_half = noise.loc[fusions].T.xs(0.5, level="strength").T  # fusion models, strength 0.5
    spread = at_half.max() - at_half.min()
    assert (spread < 0.08).all(), spread  # no fusion method is clearly more graceful


@pytest.mark.slow
def test_label_noise_costs_little_at_10_percent_and_more_at_30(dropout_runs, fusion_data,
                                                               monkeypatch):  # fmt: skip
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    _, runs = dropout_runs
    table = robustness_lesson.label_noise_table(
        fusion_data, rates=(0.1, 0.3), baseline=runs["concat_fusion"][1]
    )
    assert table["flipped"].tolist() == [0, 480, 1440]  # exact counts of 4800 train labels
    lost = table["accuracy_lost"]
    assert lost[0.1] <= 0.03, table
    assert lost[0.3] >= 0.03 and lost[0.3] >= lost[0.1] + 0.02, table
