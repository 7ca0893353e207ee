"""Lesson 08's experiment: the baseline builder, the region check, and (slow) the lesson's
claims: on grounded posts cross-modal attention beats concatenation, and looks at the named
character; the article's version (weights combined, not features) does not."""

import keras
import numpy as np
import pandas as pd
import pytest

from mmcourse import attention_lesson
from mmcourse.data.core import MultimodalDataset
from mmcourse.fusion_data import FusionData
from mmcourse.synth.scenes import SHIRT_COLOURS

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
    from mmcourse import vectorize

    texts = ["look at the one in orange", "the one in blue says it all",
             "look at the one in orange today", "watch the one in blue"]  # fmt: skip
    frame = pd.DataFrame({
        "id": [f"p{i}" for i in range(4)], "text": texts, "split": "test",
        "phenomenon": ["grounded"] * 3 + ["aligned"],
        "named_character": ["orange", "blue", "orange", ""],
        "characters": ["orange:positive;blue:negative"] * 4,
        "label": ["positive", "negative", "positive", "neutral"],
    })  # fmt: skip
    vectorizer = vectorizer or vectorize.make_vectorizer(texts, output_sequence_length=10)
    rng = np.random.default_rng(0)
    arrays = {"test": {
        "tokens": vectorize.token_ids(vectorizer, texts),
        "image": np.stack([_scene(b) for b in (1.0, 0.8, 1.0, 1.0)]),
        "image_grid": rng.random((4, 8, 8, 64), dtype="float32"),
        "image_features": rng.random((4, 64), dtype="float32"),
        "label": np.array([2, 0, 2, 1]), "text_label": np.ones(4, int),
        "image_label": np.ones(4, int),
    }}  # fmt: skip
    splits = {"test": MultimodalDataset("tiny", frame)}
    return FusionData(splits, arrays, vectorizer, ("negative", "neutral", "positive"))


def test_named_character_cells_find_the_shirt_and_the_region_above():
    images = np.stack([_scene(), _scene(brightness=0.8)])
    for colour, region in (("orange", (5, 1)), ("blue", (5, 6))):
        cells = attention_lesson.named_character_cells(images, [colour, colour])
        expected = np.zeros((8, 8), bool)
        expected[region] = expected[region[0] - 1, region[1]] = True  # the face's region
        np.testing.assert_array_equal(cells[0], expected)
        np.testing.assert_array_equal(cells[1], expected)  # darker (rainy) scenes too
    assert not attention_lesson.named_character_cells(images[:1], ["red"]).any()


def test_named_character_cells_rejects_bad_inputs():
    with pytest.raises(ValueError, match="Unknown shirt colours"):
        attention_lesson.named_character_cells(np.zeros((1, 64, 64, 3)), ["pink"])
    with pytest.raises(ValueError, match="Expected"):
        attention_lesson.named_character_cells(np.zeros((2, 32, 32, 3)), ["red", "blue"])


def test_attention_on_characters_with_uniform_attention_equals_the_area():
    data = tiny_fusion_data()
    model = attention_lesson.build_model("cross_modal_attention",
                                         vocabulary_size=data.vocabulary_size)  # fmt: skip
    model.get_layer("text_to_image_attention").log_temperature.assign(-30.0)  # uniform
    shares = attention_lesson.attention_on_characters(model, data)
    assert shares["named"] == pytest.approx(shares["named_area"], abs=1e-3)
    assert shares["other"] == pytest.approx(shares["other_area"], abs=1e-3)
    assert shares["named_area"] == pytest.approx(2 / 64, abs=1e-3)
    np.testing.assert_array_equal(attention_lesson.grounded_rows(data), [0, 1, 2])


def test_colour_word_attention_reads_the_top_weighted_word():
    data = tiny_fusion_data()
    model = attention_lesson.build_model("cross_modal_attention",
                                         vocabulary_size=data.vocabulary_size)  # fmt: skip
    pool = model.get_layer("text_attention_pool")
    embedding = model.get_layer("text_embedding")
    colour_ids = [data.vectorizer.get_vocabulary().index(c) for c in ("orange", "blue")]
    table = np.zeros_like(np.asarray(embedding.embeddings))
    table[colour_ids] = 1.0  # only colour words score above the others
    embedding.embeddings.assign(table)
    pool.score.kernel.assign(np.ones_like(np.asarray(pool.score.kernel)))
    pool.projection.kernel.assign(np.ones_like(np.asarray(pool.projection.kernel)))
    assert attention_lesson.colour_word_attention(model, data) == 1.0
    pool.score.kernel.assign(-np.ones_like(np.asarray(pool.score.kernel)))
    assert attention_lesson.colour_word_attention(model, data) == 0.0


def test_regions_read_colour_word_picks_the_word_the_shirt_regions_read(monkeypatch):
    from mmcourse.models import attention

    data = tiny_fusion_data()
    model = attention_lesson.build_model("cross_modal_attention",
                                         vocabulary_size=data.vocabulary_size)  # fmt: skip
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
    assert attention_lesson.regions_read_colour_word(model, data) == 1.0
    monkeypatch.setattr(attention, "region_word_weights", reading(np.zeros(3, int)))
    assert attention_lesson.regions_read_colour_word(model, data) == 0.0


def test_build_model_names_and_inputs():
    inputs = {
        "concat_fusion": ["tokens", "image_features"],
        "word_attention_fusion": ["tokens", "image_features"],
        "cross_modal_attention": ["tokens", "image", "image_grid"],
        "article_attention": ["tokens", "image", "image_grid"],
    }
    assert set(inputs) == set(attention_lesson.MODEL_NAMES)
    for name, names in inputs.items():
        model = attention_lesson.build_model(name, vocabulary_size=20)
        assert model.name == name
        assert [t.name for t in model.inputs] == names
    with pytest.raises(ValueError, match="name must be one of"):
        attention_lesson.build_model("transformer", vocabulary_size=20)


def test_epochs_follow_the_mode(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert attention_lesson.epochs() == 12
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    assert attention_lesson.epochs() == 40


@pytest.mark.slow
def test_cross_modal_attention_beats_concatenation_on_grounded_posts(fusion_data, monkeypatch):
    """Lesson 08's claims, in fast mode (seed 0)."""
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    keras.utils.set_random_seed(0)
    results = attention_lesson.train_models(fusion_data, seed=0)
    grounded = {name: e.per_phenomenon["grounded"] for name, (_, e) in results.items()}
    accuracy = {name: e.accuracy for name, (_, e) in results.items()}
    # concatenation cannot tell which character the text names: near the image-only ceiling
    assert grounded["concat_fusion"] < 0.65, grounded
    assert grounded["cross_modal_attention"] >= grounded["concat_fusion"] + 0.15, grounded
    assert accuracy["cross_modal_attention"] >= accuracy["concat_fusion"] + 0.01, accuracy
    # the article's version sees where, not what: no better than concatenation there
    assert grounded["article_attention"] < grounded["cross_modal_attention"] - 0.15, grounded
    # and the attention does look at the named character, not at the other one
    shares = attention_lesson.attention_on_characters(results["cross_modal_attention"][0],
                                                      fusion_data)  # fmt: skip
    assert shares["named"] >= 3 * shares["other"], shares
    assert shares["named"] >= 4 * shares["named_area"], shares
    model = results["cross_modal_attention"][0]
    assert attention_lesson.colour_word_attention(model, fusion_data) >= 0.8
    assert attention_lesson.regions_read_colour_word(model, fusion_data) >= 0.6
    for _, evaluation in results.values():
        assert {"params", "train_seconds", "epochs"} <= set(evaluation.details)
