"""Robustness helpers: blanked modalities, exact label flips, noise tables, compute profile."""

import keras
import numpy as np
import pandas as pd
import pytest

from mmcourse.lessons import robustness_checks
from mmcourse.models import blocks
from mmcourse.settings import TrainSettings


def _tiny_fusion(vocabulary_size, rate=0.0):
    """A small concat model with modality dropout on its inputs (what lesson 07's models do)."""
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    text, image = blocks.ModalityDropout(rate, seed=0, name="fusion_modality_dropout")(
        [tokens, features]
    )
    t = blocks.text_vector(text, vocabulary_size=vocabulary_size, filters=4, kernel_sizes=(3,))
    i = blocks.image_vector(image, units=8)
    x = keras.layers.Concatenate(name="fusion_concat")([t, i])
    return keras.Model(
        [tokens, features], blocks.softmax_head(x, hidden_units=8), name=f"tiny_fusion_{rate}"
    )


def test_flip_labels_changes_exactly_count_labels():
    labels = np.random.default_rng(0).integers(0, 3, size=1000)
    for count in (0, 1, 100, 300, 1000):
        noisy, rows = robustness_checks.flip_labels(labels, count, num_classes=3, seed=count)
        assert len(rows) == count and len(np.unique(rows)) == count
        assert int((noisy != labels).sum()) == count  # every flip lands on another class
        np.testing.assert_array_equal(np.flatnonzero(noisy != labels), rows)
        assert set(np.unique(noisy)) <= {0, 1, 2}
    again, _ = robustness_checks.flip_labels(labels, 100, seed=5)
    np.testing.assert_array_equal(again, robustness_checks.flip_labels(labels, 100, seed=5)[0])
    for bad in (-1, 1001, 2.5):
        with pytest.raises(ValueError, match="Received:"):
            robustness_checks.flip_labels(labels, bad)


def test_with_label_noise_flips_train_labels_only(fusion_data):
    train = fusion_data.labels("train")
    noisy, rows = robustness_checks.with_label_noise(fusion_data, 0.1, seed=0)
    assert len(rows) == round(0.1 * len(train)) == 480
    assert int((noisy.labels("train") != train).sum()) == 480
    np.testing.assert_array_equal(noisy.labels("test"), fusion_data.labels("test"))
    np.testing.assert_array_equal(
        noisy.labels("train", "text_label"), fusion_data.labels("train", "text_label")
    )
    assert fusion_data.labels("train") is train  # the original is untouched
    with pytest.raises(ValueError, match="Received:"):
        robustness_checks.with_label_noise(fusion_data, 1.5)


def test_blank_replaces_one_modality_by_zeros(fusion_data):
    no_text = robustness_checks.blank(fusion_data, "test", "text")
    assert not no_text.arrays["test"]["tokens"].any()
    assert no_text.arrays["test"]["tokens"].dtype == np.int32
    assert no_text.arrays["test"]["image_features"] is fusion_data.arrays["test"]["image_features"]
    no_image = robustness_checks.blank(fusion_data, "test", "image")
    for name in ("image", "image_grid", "image_features"):
        assert not no_image.arrays["test"][name].any()
        assert fusion_data.arrays["test"][name].any()  # the original is untouched
    assert no_image.arrays["train"] is fusion_data.arrays["train"]
    with pytest.raises(ValueError, match="Received:"):
        robustness_checks.blank(fusion_data, "test", "audio")
    with pytest.raises(ValueError, match="Received:"):
        robustness_checks.with_inputs(fusion_data, "test", {"tokens": np.zeros((3, 24), "int32")})


def test_a_blanked_modality_is_what_modality_dropout_feeds_in_training(fusion_data):
    layer = blocks.ModalityDropout(1.0, seed=1)
    tokens, features = fusion_data.inputs("test", rows=slice(0, 64)).values()
    text, image = layer([tokens, features], training=True)
    text, image = keras.ops.convert_to_numpy(text), keras.ops.convert_to_numpy(image)
    dropped_text = ~text.any(axis=1)
    dropped_image = ~image.any(axis=1)
    assert (dropped_text ^ dropped_image).all()  # each post lost exactly one modality
    no_text = robustness_checks.blank(fusion_data, "test", "text").inputs(
        "test", rows=slice(0, 64)
    )
    np.testing.assert_array_equal(text[dropped_text], no_text["tokens"][dropped_text])


def test_missing_modality_accuracy_and_dropout_curve(fusion_data):
    small = fusion_data.head("train", 300).head("val", 100).head("test", 100)
    vocabulary = fusion_data.vocabulary_size
    built = []

    def build(rate):
        built.append(rate)
        return _tiny_fusion(vocabulary, rate)

    table, runs = robustness_checks.dropout_curve(
        build, small, [0.0, 0.5], TrainSettings(epochs=1)
    )
    assert built == [0.0, 0.5]
    assert list(table.index) == [0.0, 0.5]
    assert list(table.columns) == list(robustness_checks.MISSING_VIEWS)
    assert ((table >= 0) & (table <= 1)).all().all()
    assert [e.name for _, e in runs.values()] == ["tiny_fusion_0.0", "tiny_fusion_0.5"]
    assert {"acc_text_missing", "acc_image_missing", "params"} <= set(runs[0.5][1].details)
    model, evaluation = runs[0.0]
    assert table.loc[0.0, "full"] == round(evaluation.accuracy, 3)
    evaluation.details = {"params": 1}  # a model trained elsewhere is scored, not retrained
    again, reused = robustness_checks.dropout_curve(build, small, [0.0], trained={0.0: runs[0.0]})
    assert built == [0.0, 0.5] and reused[0.0][0] is model
    assert evaluation.details == {"params": 1}  # the caller's Evaluation is not modified
    assert set(reused[0.0][1].details) == {"params", "acc_text_missing", "acc_image_missing"}
    pd.testing.assert_frame_equal(again, table.loc[[0.0]])
    scores = robustness_checks.missing_modality_accuracy(_tiny_fusion(vocabulary), small)
    assert set(scores) == set(robustness_checks.MISSING_VIEWS)


def test_corruption_table_scores_every_model_kind_and_strength(fusion_data):
    small = fusion_data.head("test", 30)
    vocabulary = fusion_data.vocabulary_size
    models = {"a": _tiny_fusion(vocabulary), "b": _tiny_fusion(vocabulary, 0.5)}
    table = robustness_checks.corruption_table(
        models, small, ["drop_words", "occlusion"], [0.0, 1.0], scale=np.ones(64)
    )
    assert list(table.columns) == ["kind", "strength", "model", "accuracy"]
    assert len(table) == 2 * 2 * 2
    assert table["accuracy"].between(0, 1).all()


def test_compute_profile_reports_params_epoch_time_and_latency(fusion_data):
    model = _tiny_fusion(fusion_data.vocabulary_size)
    profile = robustness_checks.compute_profile(
        model, fusion_data, repeats=2, warmup=1, batch_size=8
    )
    assert set(profile) == {"params", "seconds_per_epoch", "latency_ms", "batch_ms_per_post"}
    assert profile["params"] == model.count_params()
    assert np.isnan(profile["seconds_per_epoch"])  # no training details given
    with pytest.raises(ValueError, match="Received:"):
        robustness_checks.compute_profile(model, fusion_data, repeats=0)
