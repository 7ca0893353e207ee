"""Lesson 05's helpers on hand-made embedding spaces and untrained models (its claims are in
tests/lessons/test_cross_modal_embedding_claims.py)."""

import dataclasses
from types import SimpleNamespace

import keras
import numpy as np
import pandas as pd
import pytest

from mmcourse.lessons import cross_modal_embedding as lesson
from mmcourse.models import embedding

WAYS = ("text-trained, on images", "image-trained, on images")


def _space(data, make):
    """`{split: (text, image)}` from `make(split) -> (text, image)`."""
    return {split: make(split) for split in lesson.EMBEDDED_SPLITS}


def _one_hot(labels, classes=3, seed=0):
    """Class `c` -> 3 * e_c plus a little noise: a space in which the class is easy to read."""
    rng = np.random.default_rng(seed)
    return 3.0 * np.eye(classes)[labels] + 0.3 * rng.normal(size=(len(labels), classes))


def test_bag_of_words_by_hand():
    tokens = np.array([[2, 3, 3, 0], [1, 4, 0, 0]])
    expected = [[0, 0, 1, 1, 0], [0, 0, 0, 0, 1]]  # padding (0) and out-of-vocabulary (1) left out
    np.testing.assert_array_equal(lesson.bag_of_words(tokens, 5), expected)
    with pytest.raises(ValueError, match="Received: shape"):
        lesson.bag_of_words(np.array([[5]]), 5)
    with pytest.raises(ValueError, match="Received: shape"):
        lesson.bag_of_words(np.array([2, 3]), 5)


def test_scene_keys_ignore_the_order_of_objects():
    frame = pd.DataFrame(
        {"place": ["beach", "beach", "park"], "objects": ["cake;dog", "dog;cake", "cake;dog"]}
    )
    keys = lesson.scene_keys(frame)
    assert keys[0] == keys[1] == "beach|cake;dog" and keys[2] != keys[0]


def test_retrieval_table_perfect_and_scrambled_spaces(fusion_data):
    rng = np.random.default_rng(0)
    n = len(fusion_data.labels("test"))

    def same(split):
        x = rng.normal(size=(len(fusion_data.labels(split)), 8))
        return x, x

    table = lesson.retrieval_table(_space(fusion_data, same), fusion_data)
    assert list(table.columns) == ["R@1", "R@5", "R@10"]
    assert (table.loc[["text -> image", "image -> text"]] == 1.0).all().all()
    np.testing.assert_allclose(table.loc["chance"], [1 / n, 5 / n, 10 / n], atol=1e-4)
    assert (table.loc["chance, same scene"] > table.loc["chance"]).all()
    assert (table.loc["text -> image, same scene"] == 1.0).all()

    def scrambled(split):
        x = rng.normal(size=(len(fusion_data.labels(split)), 8))
        return x, rng.permutation(x)

    table = lesson.retrieval_table(_space(fusion_data, scrambled), fusion_data)
    assert table.loc["text -> image", "R@10"] < 5 * table.loc["chance", "R@10"]


def test_transfer_is_perfect_in_an_aligned_space_and_fails_in_a_scrambled_one(fusion_data):
    def aligned(split):
        return (
            _one_hot(fusion_data.labels(split, "text_label")),
            _one_hot(fusion_data.labels(split, "image_label"), seed=1),
        )

    scores = lesson.cross_modal_transfer(_space(fusion_data, aligned), fusion_data)
    assert scores["text-trained, on images"] > 0.95
    assert scores["balanced, text-trained on images"] > 0.95
    assert scores["image-trained, on images"] > 0.95
    truth = fusion_data.labels("test", "image_label")
    assert scores["majority class"] == pytest.approx(np.bincount(truth).max() / len(truth))
    assert scores["chance"] == pytest.approx(1 / 3)

    def swapped(split):  # image dimensions do not correspond: positive <-> negative
        text, image = aligned(split)
        return text, image[:, [2, 1, 0]]

    scores = lesson.cross_modal_transfer(_space(fusion_data, swapped), fusion_data)
    assert scores["image-trained, on images"] > 0.95  # the image space is as good as before
    assert scores["balanced, text-trained on images"] < 0.5
    with pytest.raises(ValueError, match="Received: task="):
        lesson.cross_modal_transfer(_space(fusion_data, aligned), fusion_data, task="weather")


def test_place_transfer_uses_the_place_column(fusion_data):
    places = {
        s: pd.factorize(fusion_data.splits[s].frame["place"], sort=True)[0]
        for s in lesson.EMBEDDED_SPLITS
    }
    space = _space(fusion_data, lambda s: (_one_hot(places[s], 4), _one_hot(places[s], 4, 2)))
    scores = lesson.cross_modal_transfer(space, fusion_data, task="place")
    assert scores["chance"] == pytest.approx(1 / 4)
    assert scores["text-trained, on images"] > 0.95 and scores["text-trained, on texts"] > 0.95


def test_one_modality_at_a_time_blanks_the_other(fusion_data):
    inputs, targets = lesson.one_modality_at_a_time(fusion_data, "val")
    n = len(fusion_data.labels("val"))
    assert inputs["tokens"].shape[0] == inputs["image_features"].shape[0] == 2 * n
    assert not inputs["tokens"][n:].any() and not inputs["image_features"][:n].any()
    np.testing.assert_array_equal(inputs["tokens"][:n], fusion_data.arrays["val"]["tokens"])
    np.testing.assert_array_equal(
        targets["image_reconstruction"][:n], targets["image_reconstruction"][n:]
    )
    assert targets["text_reconstruction"].shape == (2 * n, fusion_data.vocabulary_size)


def test_embed_every_kind_of_model_one_modality_at_a_time(fusion_data):
    keras.utils.set_random_seed(0)
    v = fusion_data.vocabulary_size
    n = len(fusion_data.labels("test"))
    pair = (
        embedding.build_text_autoencoder(vocabulary_size=v, code_dim=6),
        embedding.build_image_autoencoder(code_dim=6),
    )
    bimodal = embedding.build_bimodal_autoencoder(vocabulary_size=v, code_dim=5)
    dual = embedding.build_dual_encoder(vocabulary_size=v, embedding_dim=7)
    for model, dim in ((pair, 6), (bimodal, 5), (dual, 7)):
        text, image = lesson.embed(model, fusion_data, "test")
        assert text.shape == image.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1.0, rtol=1e-4)


def test_settings_in_fast_and_full_mode(monkeypatch):
    fast, full = lesson.SETTINGS.fast, lesson.SETTINGS.full
    assert (fast.epochs, fast.contrastive_epochs) == (4, 12)
    assert (full.epochs, full.contrastive_epochs) == (30, 40)
    for settings in (fast, full):
        assert (settings.batch_size, settings.contrastive_batch_size) == (64, 128)
        assert (settings.learning_rate, settings.patience, settings.seed) == (2e-3, 3, 0)
        assert (settings.modality_dropout, settings.adversary_scale) == (1.0, 1.0)
        assert settings.ks == (1, 5, 10)
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert lesson.SETTINGS.for_mode() is fast
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    assert lesson.SETTINGS.for_mode() is full


def test_settings_reject_bad_values():
    with pytest.raises(ValueError, match="Received: contrastive_batch_size=0"):
        dataclasses.replace(lesson.SETTINGS.fast, contrastive_batch_size=0)
    with pytest.raises(ValueError, match="Received: modality_dropout=1.5"):
        dataclasses.replace(lesson.SETTINGS.fast, modality_dropout=1.5)
    with pytest.raises(ValueError, match="ks=\\(1, 10\\)"):
        dataclasses.replace(lesson.SETTINGS.fast, ks=(1, 10))


def test_pair_details_sum_parameters_and_seconds_and_keep_the_longest_epochs():
    model = embedding.build_image_autoencoder(code_dim=4)
    histories = [
        SimpleNamespace(seconds=1.26, history={"loss": [3.0, 2.0, 1.0]}),
        SimpleNamespace(seconds=2.0, history={"loss": [3.0, 2.0]}),
    ]
    details = lesson._pair_details([model, model], histories)
    assert details == {"params": 2 * model.count_params(), "train_seconds": 3.3, "epochs": 3}
    assert details["params"] > 0


def test_majority_rates_of_the_test_split(fusion_data):
    rates = lesson.majority_rates(fusion_data)
    truth = fusion_data.labels("test", "image_label")
    places = fusion_data.splits["test"].frame["place"]
    assert rates["majority_image_label_rate"] == pytest.approx(
        np.bincount(truth).max() / len(truth)
    )
    assert rates["majority_place_rate"] == pytest.approx(places.value_counts().max() / len(places))


def test_run_experiment_scores_every_model_with_its_numbers(fusion_data, monkeypatch):
    """`run_experiment` on the four kinds of model, untrained (`train_models` replaced)."""
    keras.utils.set_random_seed(0)
    v = fusion_data.vocabulary_size
    models = (
        (
            embedding.build_text_autoencoder(vocabulary_size=v, code_dim=6),
            embedding.build_image_autoencoder(code_dim=6),
        ),
        embedding.build_bimodal_autoencoder(vocabulary_size=v, code_dim=6),
        embedding.build_dual_encoder(vocabulary_size=v, embedding_dim=6),
        embedding.add_modality_discriminator(
            embedding.build_dual_encoder(vocabulary_size=v, embedding_dim=6), scale=1.0
        ),
    )
    fake = {
        name: (model, {"params": 7, "train_seconds": 0.5, "epochs": 2})
        for name, model in zip(lesson.MODELS, models)
    }
    trained_with = []

    def train_models(data, settings=None):
        trained_with.append(settings)
        return fake

    monkeypatch.setattr(lesson, "train_models", train_models)
    settings = dataclasses.replace(lesson.SETTINGS.fast, seed=3)
    result = lesson.run_experiment(fusion_data, settings=settings)
    assert trained_with == [settings] and result.settings is settings
    assert result.measures == lesson.majority_rates(fusion_data)
    results = {e.name: e for e in result.evaluations}
    assert list(results) == [f"{m}: {w}" for m in lesson.MODELS for w in WAYS]
    for name, evaluation in results.items():
        keys = {
            "params",
            "train_seconds",
            "epochs",
            "R@5 text->image",
            "R@5 image->text",
            "R@5 chance",
            "R@5 same scene text->image",
            "place transfer",
            "sentiment transfer balanced",
            "modality probe",
        }
        assert keys <= set(evaluation.details) and evaluation.details["params"] == 7
        has_discriminator = name.startswith("dual encoder + adversary")
        assert ("discriminator accuracy" in evaluation.details) == has_discriminator
        assert 0.0 <= evaluation.accuracy <= 1.0
    assert results["dual encoder: text-trained, on images"].details["R@5 chance"] == round(
        5 / len(fusion_data.labels("test")), 4
    )
