"""Lesson 08's experiment: the baseline builder, the training settings, the region check and
the attention measures, on tiny data. Its claims are tested in
`test_attention_fusion_claims.py`."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmcourse.data.core import MultimodalDataset
from mmcourse.fusion_data import FusionData
from mmcourse.lessons import attention_fusion
from mmcourse.synth.scenes import SHIRT_COLOURS
from tests.lessons.test_attention_fusion_claims import NOTEBOOK_SHARES, _evaluation

ORANGE = np.array(SHIRT_COLOURS["orange"], "float32") / 255.0
BLUE = np.array(SHIRT_COLOURS["blue"], "float32") / 255.0


def _scene(brightness=1.0):
    """A grey image with an orange shirt on regions (5, 1) and a blue one on (5, 6)."""
    image = np.full((64, 64, 3), 0.5, "float32")
    image[40:48, 8:16] = ORANGE * brightness
    image[44:48, 48:52] = BLUE * brightness  # fills a quarter of its region only
    return image


def tiny_fusion_data(vectorizer=None):
    """Four grounded test posts on `_scene` images, as `FusionData` (no encoder run)."""
    from mmcourse.text import vectorize

    texts = [
        "look at the one in orange",
        "the one in blue says it all",
        "look at the one in orange today",
        "watch the one in blue",
    ]
    frame = pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(4)],
            "text": texts,
            "split": "test",
            "phenomenon": ["grounded"] * 3 + ["aligned"],
            "named_character": ["orange", "blue", "orange", ""],
            "characters": ["orange:positive;blue:negative"] * 4,
            "label": ["positive", "negative", "positive", "neutral"],
        }
    )
    vectorizer = vectorizer or vectorize.make_vectorizer(texts, output_sequence_length=10)
    rng = np.random.default_rng(0)
    arrays = {
        "test": {
            "tokens": vectorize.token_ids(vectorizer, texts),
            "image": np.stack([_scene(b) for b in (1.0, 0.8, 1.0, 1.0)]),
            "image_grid": rng.random((4, 8, 8, 64), dtype="float32"),
            "image_features": rng.random((4, 64), dtype="float32"),
            "label": np.array([2, 0, 2, 1]),
            "text_label": np.ones(4, int),
            "image_label": np.ones(4, int),
        }
    }
    splits = {"test": MultimodalDataset("tiny", frame)}
    return FusionData(splits, arrays, vectorizer, ("negative", "neutral", "positive"))


def test_named_character_cells_find_the_shirt_and_the_region_above():
    images = np.stack([_scene(), _scene(brightness=0.8)])
    for colour, region in (("orange", (5, 1)), ("blue", (5, 6))):
        cells = attention_fusion.named_character_cells(images, [colour, colour])
        expected = np.zeros((8, 8), bool)
        expected[region] = expected[region[0] - 1, region[1]] = True  # the face's region
        np.testing.assert_array_equal(cells[0], expected)
        np.testing.assert_array_equal(cells[1], expected)  # darker (rainy) scenes too
    assert not attention_fusion.named_character_cells(images[:1], ["red"]).any()


def test_named_character_cells_rejects_bad_inputs():
    with pytest.raises(ValueError, match="Unknown shirt colours"):
        attention_fusion.named_character_cells(np.zeros((1, 64, 64, 3)), ["pink"])
    with pytest.raises(ValueError, match="Expected"):
        attention_fusion.named_character_cells(np.zeros((2, 32, 32, 3)), ["red", "blue"])


def test_attention_on_characters_with_uniform_attention_equals_the_area():
    data = tiny_fusion_data()
    model = attention_fusion.build_model(
        "cross_modal_attention", vocabulary_size=data.vocabulary_size
    )
    model.get_layer("text_to_image_attention").log_temperature.assign(30.0)  # huge: uniform
    shares = attention_fusion.attention_on_characters(model, data)
    assert shares["named"] == pytest.approx(shares["named_area"], abs=1e-3)
    assert shares["other"] == pytest.approx(shares["other_area"], abs=1e-3)
    assert shares["named_area"] == pytest.approx(2 / 64, abs=1e-3)
    np.testing.assert_array_equal(attention_fusion.grounded_rows(data), [0, 1, 2])


def test_colour_word_attention_reads_the_top_weighted_word():
    data = tiny_fusion_data()
    model = attention_fusion.build_model(
        "cross_modal_attention", vocabulary_size=data.vocabulary_size
    )
    pool = model.get_layer("text_attention_pool")
    embedding = model.get_layer("text_embedding")
    colour_ids = [data.vectorizer.get_vocabulary().index(c) for c in ("orange", "blue")]
    table = np.zeros_like(np.asarray(embedding.embeddings))
    table[colour_ids] = 1.0  # only colour words score above the others
    embedding.embeddings.assign(table)
    pool.score.kernel.assign(np.ones_like(np.asarray(pool.score.kernel)))
    pool.projection.kernel.assign(np.ones_like(np.asarray(pool.projection.kernel)))
    assert attention_fusion.colour_word_attention(model, data) == 1.0
    pool.score.kernel.assign(-np.ones_like(np.asarray(pool.score.kernel)))
    assert attention_fusion.colour_word_attention(model, data) == 0.0


def test_regions_read_colour_word_picks_the_word_the_shirt_regions_read(monkeypatch):
    from mmcourse.models import attention

    data = tiny_fusion_data()
    model = attention_fusion.build_model(
        "cross_modal_attention", vocabulary_size=data.vocabulary_size
    )
    tokens = data.arrays["test"]["tokens"]
    colour_ids = [data.vectorizer.get_vocabulary().index(c) for c in ("orange", "blue")]
    at_colour = np.isin(tokens, colour_ids).argmax(axis=1)  # each text's colour position

    def reading(position):
        def fake(model, word_vectors, region_keys, tokens):
            weights = np.zeros((len(tokens), 64, tokens.shape[1]))
            weights[np.arange(len(tokens)), :, position[: len(tokens)]] = 1.0
            return weights

        return fake

    monkeypatch.setattr(attention, "region_word_weights", reading(at_colour[:3]))
    assert attention_fusion.regions_read_colour_word(model, data) == 1.0
    monkeypatch.setattr(attention, "region_word_weights", reading(np.zeros(3, int)))
    assert attention_fusion.regions_read_colour_word(model, data) == 0.0


def test_build_model_names_and_inputs():
    inputs = {
        "concat_fusion": ["tokens", "image_features"],
        "word_attention_fusion": ["tokens", "image_features"],
        "cross_modal_attention": ["tokens", "image", "image_grid"],
        "article_attention": ["tokens", "image", "image_grid"],
    }
    assert set(inputs) == set(attention_fusion.MODEL_NAMES)
    for name, names in inputs.items():
        model = attention_fusion.build_model(name, vocabulary_size=20)
        assert model.name == name
        assert [t.name for t in model.inputs] == names
    with pytest.raises(ValueError, match="name must be one of"):
        attention_fusion.build_model("transformer", vocabulary_size=20)


def test_settings_follow_the_mode(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert attention_fusion.SETTINGS.for_mode().epochs == 12
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    assert attention_fusion.SETTINGS.for_mode().epochs == 40
    for settings in (attention_fusion.SETTINGS.fast, attention_fusion.SETTINGS.full):
        assert (settings.batch_size, settings.learning_rate, settings.patience) == (32, 2e-3, 6)
        assert (settings.seed, settings.colour_tolerance) == (0, 0.12)


# The cross-modal model's attention shares in the notebook's stored fast-mode run.


def test_train_models_uses_the_lessons_settings(monkeypatch):
    calls = []

    def fake_fit_and_evaluate(model, data, settings=None):
        calls.append(settings)
        return _evaluation(model.name, 0.9, 0.5)

    monkeypatch.setattr(attention_fusion, "fit_and_evaluate", fake_fit_and_evaluate)
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    names = ("concat_fusion", "article_attention")
    seeded = dataclasses.replace(attention_fusion.SETTINGS.fast, seed=3)
    results = attention_fusion.train_models(tiny_fusion_data(), seeded, names=names)
    assert list(results) == list(names)
    assert [model.name for model, _ in results.values()] == list(names)
    assert [evaluation.name for _, evaluation in results.values()] == list(names)
    assert calls == [seeded] * 2
    expected = (12, 32, 6, 2e-3)
    assert (seeded.epochs, seeded.batch_size, seeded.patience, seeded.learning_rate) == expected
    attention_fusion.train_models(tiny_fusion_data(), names=names[:1])
    assert calls[-1] == attention_fusion.SETTINGS.fast  # this mode's settings by default
    attention_fusion.fit_and_score(results["concat_fusion"][0], tiny_fusion_data())
    assert calls[-1] == attention_fusion.SETTINGS.fast


def test_run_experiment_returns_the_four_models_and_the_cross_models_attention(monkeypatch):
    seen = []

    def train(data, settings):
        seen.append(("train", data, settings))
        return {n: (f"{n} model", _evaluation(n, 0.9, 0.5)) for n in attention_fusion.MODEL_NAMES}

    def measures(model, data, *, tolerance):
        seen.append(("measure", model, tolerance))
        return {"colour_first": 1.0, "shares": NOTEBOOK_SHARES, "regions_read": 0.9}

    monkeypatch.setattr(attention_fusion, "train_models", train)
    monkeypatch.setattr(attention_fusion, "attention_measures", measures)
    settings = dataclasses.replace(attention_fusion.SETTINGS.fast, colour_tolerance=0.1)
    result = attention_fusion.run_experiment("data", settings=settings)
    assert [e.name for e in result] == list(attention_fusion.MODEL_NAMES)
    assert seen == [("train", "data", settings), ("measure", "cross_modal_attention model", 0.1)]
    assert result.measure("regions_read") == 0.9 and result.settings is settings
    assert len(attention_fusion.lesson_claims(result)) == 8  # its measures are the claims'
