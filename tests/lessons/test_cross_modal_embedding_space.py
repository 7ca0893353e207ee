"""Lesson 05's spaces, read and scored (`mmcourse.lessons.cross_modal_embedding_space`), on
hand-made embedding spaces and untrained models."""

import keras
import numpy as np
import pandas as pd
import pytest

from mmcourse.lessons import cross_modal_embedding, cross_modal_embedding_space
from mmcourse.models import embedding


def _space(data, make):
    """`{split: (text, image)}` from `make(split) -> (text, image)`."""
    return {split: make(split) for split in cross_modal_embedding_space.EMBEDDED_SPLITS}


def _one_hot(labels, classes=3, seed=0):
    """Class `c` -> 3 * e_c plus a little noise: a space in which the class is easy to read."""
    rng = np.random.default_rng(seed)
    return 3.0 * np.eye(classes)[labels] + 0.3 * rng.normal(size=(len(labels), classes))


def test_scene_keys_ignore_the_order_of_objects():
    frame = pd.DataFrame(
        {"place": ["beach", "beach", "park"], "objects": ["cake;dog", "dog;cake", "cake;dog"]}
    )
    keys = cross_modal_embedding_space.scene_keys(frame)
    assert keys[0] == keys[1] == "beach|cake;dog" and keys[2] != keys[0]


def test_retrieval_tables_default_to_the_lessons_k_in_both_modes():
    settings = cross_modal_embedding.SETTINGS
    assert cross_modal_embedding_space.KS == settings.fast.ks == settings.full.ks == (1, 5, 10)


def test_retrieval_table_perfect_and_scrambled_spaces(fusion_data):
    rng = np.random.default_rng(0)
    n = len(fusion_data.labels("test"))

    def same(split):
        x = rng.normal(size=(len(fusion_data.labels(split)), 8))
        return x, x

    table = cross_modal_embedding_space.retrieval_table(_space(fusion_data, same), fusion_data)
    assert list(table.columns) == ["R@1", "R@5", "R@10"]
    assert (table.loc[["text -> image", "image -> text"]] == 1.0).all().all()
    np.testing.assert_allclose(table.loc["chance"], [1 / n, 5 / n, 10 / n], atol=1e-4)
    assert (table.loc["chance, same scene"] > table.loc["chance"]).all()
    assert (table.loc["text -> image, same scene"] == 1.0).all()

    def scrambled(split):
        x = rng.normal(size=(len(fusion_data.labels(split)), 8))
        return x, rng.permutation(x)

    table = cross_modal_embedding_space.retrieval_table(
        _space(fusion_data, scrambled), fusion_data
    )
    assert table.loc["text -> image", "R@10"] < 5 * table.loc["chance", "R@10"]


def test_transfer_is_perfect_in_an_aligned_space_and_fails_in_a_scrambled_one(fusion_data):
    def aligned(split):
        return (
            _one_hot(fusion_data.labels(split, "text_label")),
            _one_hot(fusion_data.labels(split, "image_label"), seed=1),
        )

    scores = cross_modal_embedding_space.cross_modal_transfer(
        _space(fusion_data, aligned), fusion_data
    )
    assert scores["text-trained, on images"] > 0.95
    assert scores["balanced, text-trained on images"] > 0.95
    assert scores["image-trained, on images"] > 0.95
    truth = fusion_data.labels("test", "image_label")
    assert scores["majority class"] == pytest.approx(np.bincount(truth).max() / len(truth))
    assert scores["chance"] == pytest.approx(1 / 3)

    def swapped(split):  # image dimensions do not correspond: positive <-> negative
        text, image = aligned(split)
        return text, image[:, [2, 1, 0]]

    scores = cross_modal_embedding_space.cross_modal_transfer(
        _space(fusion_data, swapped), fusion_data
    )
    assert scores["image-trained, on images"] > 0.95  # the image space is as good as before
    assert scores["balanced, text-trained on images"] < 0.5
    with pytest.raises(ValueError, match="Received: task="):
        cross_modal_embedding_space.cross_modal_transfer(
            _space(fusion_data, aligned), fusion_data, task="weather"
        )


def test_place_transfer_uses_the_place_column(fusion_data):
    places = {
        s: pd.factorize(fusion_data.splits[s].frame["place"], sort=True)[0]
        for s in cross_modal_embedding_space.EMBEDDED_SPLITS
    }
    space = _space(fusion_data, lambda s: (_one_hot(places[s], 4), _one_hot(places[s], 4, 2)))
    scores = cross_modal_embedding_space.cross_modal_transfer(space, fusion_data, task="place")
    assert scores["chance"] == pytest.approx(1 / 4)
    assert scores["text-trained, on images"] > 0.95 and scores["text-trained, on texts"] > 0.95


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
        text, image = cross_modal_embedding_space.embed(model, fusion_data, "test")
        assert text.shape == image.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1.0, rtol=1e-4)
