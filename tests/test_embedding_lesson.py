"""Lesson 05's helpers on hand-made embedding spaces, and (slow) the lesson's measured claims."""

import keras
import numpy as np
import pandas as pd
import pytest

from mmcourse import embedding_lesson as lesson
from mmcourse.models import embedding


def _space(data, make):
    """`{split: (text, image)}` from `make(split) -> (text, image)`."""
    return {split: make(split) for split in lesson.SPLITS}


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
    frame = pd.DataFrame({"place": ["beach", "beach", "park"],
                          "objects": ["cake;dog", "dog;cake", "cake;dog"]})  # fmt: skip
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
        return (_one_hot(fusion_data.labels(split, "text_label")),
                _one_hot(fusion_data.labels(split, "image_label"), seed=1))  # fmt: skip

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
    places = {s: pd.factorize(fusion_data.splits[s].frame["place"], sort=True)[0]
              for s in lesson.SPLITS}  # fmt: skip
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
    np.testing.assert_array_equal(targets["image_reconstruction"][:n],
                                  targets["image_reconstruction"][n:])  # fmt: skip
    assert targets["text_reconstruction"].shape == (2 * n, fusion_data.vocabulary_size)


def test_embed_every_kind_of_model_one_modality_at_a_time(fusion_data):
    keras.utils.set_random_seed(0)
    v = fusion_data.vocabulary_size
    n = len(fusion_data.labels("test"))
    pair = (embedding.build_text_autoencoder(vocabulary_size=v, code_dim=6),
            embedding.build_image_autoencoder(code_dim=6))  # fmt: skip
    bimodal = embedding.build_bimodal_autoencoder(vocabulary_size=v, code_dim=5)
    dual = embedding.build_dual_encoder(vocabulary_size=v, embedding_dim=7)
    for model, dim in ((pair, 6), (bimodal, 5), (dual, 7)):
        text, image = lesson.embed(model, fusion_data, "test")
        assert text.shape == image.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1.0, rtol=1e-4)
    points = lesson.shared_space_map({"test": (text, image)}, fusion_data)
    assert list(points.columns) == ["x", "y", "modality", "sentiment", "place"]
    assert len(points) == 2 * n and set(points["modality"]) == {"text", "image"}
    assert set(points["sentiment"]) <= set(fusion_data.class_names)


@pytest.fixture(scope="module")
def lesson_results(fusion_data):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MMCOURSE_FAST", "1")
        results = lesson.run_experiment(fusion_data, seed=0)
    return {e.name: e for e in results}


def _numbers(results, model):
    return results[f"{model}: text-trained, on images"].details


@pytest.mark.slow
def test_run_experiment_returns_evaluations_with_details(lesson_results):
    assert len(lesson_results) == 2 * len(lesson.MODELS)
    for evaluation in lesson_results.values():
        assert {"params", "train_seconds", "epochs", "R@5 text->image"} <= set(evaluation.details)
        assert evaluation.details["params"] > 0


@pytest.mark.slow
def test_claim_separate_autoencoders_do_not_share_a_space(lesson_results):
    numbers = _numbers(lesson_results, "autoencoder pair")
    for direction in ("R@5 text->image", "R@5 image->text"):
        assert numbers[direction] < 3 * numbers["R@5 chance"], numbers


@pytest.mark.slow
def test_claim_aligned_spaces_retrieve_well_above_chance(lesson_results):
    for model, factor in (("bimodal autoencoder", 5), ("dual encoder", 20),
                          ("dual encoder + adversary", 20)):  # fmt: skip
        numbers = _numbers(lesson_results, model)
        for direction in ("R@5 text->image", "R@5 image->text"):
            assert numbers[direction] >= factor * numbers["R@5 chance"], (model, numbers)
    assert _numbers(lesson_results, "dual encoder")["R@5 same scene text->image"] >= 0.9


@pytest.mark.slow
def test_claim_cross_modal_transfer(lesson_results, fusion_data):
    numbers = _numbers(lesson_results, "dual encoder")
    places = fusion_data.splits["test"].frame["place"].value_counts(normalize=True)
    assert numbers["place transfer"] >= places.max() + 0.3, numbers
    # sentiment: above chance (1/3) in balanced accuracy, but far from the image-trained
    # classifier, and not above the majority-class rate in plain accuracy
    assert numbers["sentiment transfer balanced"] >= 1 / 3 + 0.05, numbers
    transferred = lesson_results["dual encoder: text-trained, on images"].accuracy
    reference = lesson_results["dual encoder: image-trained, on images"].accuracy
    truth = fusion_data.labels("test", "image_label")
    assert reference >= 0.9 and transferred < reference - 0.3
    assert transferred < np.bincount(truth).max() / len(truth)


@pytest.mark.slow
def test_claim_the_adversary_is_fooled_but_a_probe_still_sees_the_modality(lesson_results):
    numbers = _numbers(lesson_results, "dual encoder + adversary")
    assert abs(numbers["discriminator accuracy"] - 0.5) <= 0.1, numbers
    assert numbers["modality probe"] >= 0.9, numbers
    assert _numbers(lesson_results, "dual encoder")["modality probe"] >= 0.9


def test_epochs_in_fast_and_full_mode(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert (lesson.epochs(), lesson.contrastive_epochs()) == (4, 12)
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    assert (lesson.epochs(), lesson.contrastive_epochs()) == (30, 40)
