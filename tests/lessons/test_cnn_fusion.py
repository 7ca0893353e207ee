"""Lesson 07's training, table helpers and measures, on fabricated numbers (fast; nothing
trains). Its claims are tested in `test_cnn_fusion_claims.py`."""

import dataclasses
from types import SimpleNamespace

import pytest

from mmcourse.lessons import cnn_fusion, cnn_fusion_claims
from tests.lessons.test_cnn_fusion_claims import _evaluation


def test_margin_and_gains_use_the_better_baseline_per_column():
    evaluations = [
        _evaluation("text_only", 0.6, conflict=0.1, negation=0.9),
        _evaluation("image_only", 0.7, conflict=0.9, negation=0.2),
        _evaluation("concat_fusion", 0.85, conflict=0.8, negation=0.95),
    ]
    margin = cnn_fusion.fusion_margin(evaluations)
    assert margin["best_unimodal"] == "image_only"
    assert margin["margin"] == pytest.approx(0.15)
    gains = cnn_fusion.gains_over_best_unimodal(evaluations)
    assert list(gains.index) == ["concat_fusion"]
    assert gains.loc["concat_fusion"].to_dict() == pytest.approx(
        {"overall": 0.15, "conflict": -0.1, "negation": 0.05}
    )
    gains = cnn_fusion.gains_of(evaluations, model="concat_fusion")
    assert list(gains.index) == ["vs text_only", "vs image_only", "vs the better one"]
    assert gains.loc["vs text_only", "conflict"] == pytest.approx(0.7)
    assert gains.loc["vs image_only", "negation"] == pytest.approx(0.75)
    assert gains.loc["vs the better one", "overall"] == pytest.approx(0.15)
    with pytest.raises(ValueError, match="Received"):
        cnn_fusion.fusion_margin(evaluations[1:])
    with pytest.raises(ValueError, match="Received"):
        cnn_fusion.train_model("attention", None)


def test_lesson_measures_read_each_table_off_its_model(monkeypatch):
    tables = {
        "ceilings": {"text": {"overall": 0.655}, "image": {"overall": 0.667}},
        "choices": {"posts": 89, "named_character": 0.483, "other_character": 0.517},
        "gates": object(),
        "confidence": object(),
    }
    for helper, piece, model in (
        ("grounded_choices", "choices", "concat_fusion"),
        ("gate_by_phenomenon", "gates", "gated_fusion"),
        ("branch_confidence", "confidence", "late_fusion"),
    ):

        def fake(got, data, piece=piece, model=model):
            assert (got, data.ceilings) == (f"{model} model", tables["ceilings"])
            return tables[piece]

        monkeypatch.setattr(cnn_fusion, helper, fake)
    data = SimpleNamespace(ceilings=tables["ceilings"])
    models = {name: (f"{name} model", None) for name in cnn_fusion.MODELS}
    monkeypatch.setattr(cnn_fusion, "has_scene_metadata", lambda data: True)  # MoodPosts
    measures = cnn_fusion.lesson_measures(models, data)
    assert set(measures) == set(cnn_fusion.MEASURES)
    for key in cnn_fusion.MEASURES:
        assert measures[key] is tables[key]
    monkeypatch.setattr(cnn_fusion, "has_scene_metadata", lambda data: False)  # an MVSA folder
    assert set(cnn_fusion.lesson_measures(models, data)) == set(cnn_fusion.MEASURES) - {"choices"}


def test_settings_hold_todays_epochs_for_listing_4_3_and_the_others():
    fast, full = cnn_fusion.SETTINGS.fast, cnn_fusion.SETTINGS.full
    assert (fast.epochs, fast.listing_epochs, full.epochs, full.listing_epochs) == (4, 3, 30, 30)
    for settings in (fast, full):
        assert (settings.batch_size, settings.learning_rate, settings.patience) == (64, 2e-3, 3)
        assert cnn_fusion.listing_epochs(settings) == settings.listing_epochs
    with pytest.raises(ValueError, match="Received"):
        dataclasses.replace(fast, listing_epochs=0)


def test_train_model_gives_listing_4_3_its_epochs_and_the_others_the_settings(monkeypatch):
    calls = []

    def fit(model, data, settings=None):
        calls.append((model.name, settings))
        return _evaluation(model.name, 0.9)

    monkeypatch.setattr(cnn_fusion, "fit_and_evaluate", fit)
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    data = SimpleNamespace(vocabulary_size=20)
    trained = cnn_fusion.train_models(data, names=("listing_4_3", "concat_fusion"))
    assert [e.name for _, e in trained.values()] == ["listing_4_3", "concat_fusion"]
    fast = cnn_fusion.SETTINGS.fast
    assert calls == [("listing_4_3", dataclasses.replace(fast, epochs=3)), ("concat_fusion", fast)]
    calls.clear()
    cnn_fusion.train_model("text_only", data, dataclasses.replace(fast, seed=5))
    assert calls == [("text_only", dataclasses.replace(fast, seed=5))]


def test_run_experiment_trains_listing_4_3_first_then_every_model(monkeypatch):
    seen = {}

    def train(data, settings, *, names):
        seen.update(data=data, settings=settings, names=names)
        return {n: (f"{n} model", _evaluation(n, 0.9)) for n in names}

    monkeypatch.setattr(cnn_fusion, "train_models", train)
    monkeypatch.setattr(cnn_fusion, "lesson_measures", lambda models, data: {"gates": "table"})
    settings = dataclasses.replace(cnn_fusion.SETTINGS.fast, seed=2)
    result = cnn_fusion.run_experiment("data", settings=settings)
    assert seen == {
        "data": "data",
        "settings": settings,
        "names": ("listing_4_3", *cnn_fusion.MODELS),
    }
    assert [e.name for e in result] == ["listing_4_3", *cnn_fusion.MODELS]
    assert result.measures == {"gates": "table"} and result.settings is settings


def test_late_fusion_weights_are_one_learned_weight_per_modality_summing_to_one():
    from mmcourse.models import fusion

    model = fusion.build_late_fusion(vocabulary_size=20)
    model.get_layer("fusion_output").logits.assign([0.4, -0.2])
    weights = cnn_fusion.late_fusion_weights(model)
    assert weights == {"text": 0.646, "image": 0.354}
    assert weights["text"] + weights["image"] == pytest.approx(1.0, abs=1e-3)


def test_lesson_claims_are_those_of_the_claims_module(monkeypatch):
    monkeypatch.setattr(cnn_fusion_claims, "lesson_claims", lambda result: ["claims on", result])
    assert cnn_fusion.lesson_claims("result") == ["claims on", "result"]


def test_grounded_measures_need_moodposts_scene_metadata():
    from types import SimpleNamespace

    import pandas as pd

    from mmcourse.lessons import attention_fusion, cnn_fusion

    def data(frame):
        return SimpleNamespace(splits={"test": SimpleNamespace(frame=frame)})

    moodposts = pd.DataFrame(
        {
            "phenomenon": ["grounded", "aligned"],
            "characters": ["a:happy", ""],
            "named_character": ["a", ""],
        }
    )
    assert cnn_fusion.has_scene_metadata(data(moodposts))
    assert not cnn_fusion.has_scene_metadata(data(moodposts.iloc[1:]))  # no grounded post
    mvsa = pd.DataFrame({"phenomenon": ["grounded", "aligned"]})  # no scene columns
    assert not cnn_fusion.has_scene_metadata(data(mvsa))
    assert attention_fusion.attention_measures(None, data(mvsa)) == {}
