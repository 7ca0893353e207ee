"""FusionData: one aligned row per post, features scaled on train, only requested inputs."""

import numpy as np
import pytest

from mmcourse.fusion_data import INPUT_NAMES, fusion_dataset, prepare_fusion_data
from mmcourse.text import vectorize


def test_arrays_are_aligned_with_the_frames(fusion_data):
    for split, part in fusion_data.splits.items():
        arrays = fusion_data.arrays[split]
        n = len(part)
        assert arrays["tokens"].shape == (n, 24) and arrays["tokens"].dtype == np.int32
        assert arrays["image"].shape == (n, 64, 64, 3) and arrays["image"].dtype == np.float32
        assert arrays["image_grid"].shape == (n, 8, 8, 64)
        assert arrays["image_features"].shape == (n, 64)
        for column in ("label", "text_label", "image_label"):
            np.testing.assert_array_equal(arrays[column], part.labels(column))
        rows = [0, n // 2, n - 1]
        expected = vectorize.token_ids(fusion_data.vectorizer, part.frame["text"].iloc[rows])
        np.testing.assert_array_equal(arrays["tokens"][rows], expected)
        pixels = part.subset(split).head(1).images()[0].astype("float32") / 255.0
        np.testing.assert_allclose(arrays["image"][0], pixels)


def test_features_are_scaled_on_train_and_pooled(fusion_data):
    grid = fusion_data.arrays["train"]["image_grid"]
    std = grid.std(axis=(0, 1, 2))
    live = std > 1e-2
    assert live.sum() > 32
    np.testing.assert_allclose(std[live], 1.0, rtol=5e-3)  # float32 sums
    for part in fusion_data.arrays.values():
        np.testing.assert_array_equal(part["image_features"], part["image_grid"].max(axis=(1, 2)))
        assert part["image"].min() >= 0.0 and part["image"].max() <= 1.0


def test_vocabulary_comes_from_train_texts_only(fusion_data):
    train_texts = fusion_data.splits["train"].frame["text"]
    expected = vectorize.make_vectorizer(train_texts, output_sequence_length=24)
    assert fusion_data.vectorizer.get_vocabulary() == expected.get_vocabulary()
    assert fusion_data.vocabulary_size == len(expected.get_vocabulary())


def test_inputs_labels_and_head(fusion_data):
    inputs = fusion_data.inputs("val", ("tokens", "image_grid"), rows=[3, 1])
    assert sorted(inputs) == ["image_grid", "tokens"] and inputs["tokens"].shape == (2, 24)
    small = fusion_data.head("train", 10)
    assert len(small.labels("train")) == 10 and len(small.splits["train"]) == 10
    assert len(fusion_data.labels("train")) == 4800  # the original is untouched
    with pytest.raises(ValueError, match="Received"):
        fusion_data.inputs("val", ("pixels",))
    with pytest.raises(ValueError, match="split must be one of"):
        fusion_data.labels("dev")
    with pytest.raises(ValueError, match="Received"):
        fusion_data.labels("val", "sentiment")
    with pytest.raises(ValueError, match="num_posts"):
        fusion_data.head("train", 0)


def test_fusion_dataset_yields_only_requested_inputs(fusion_data):
    ds = fusion_dataset(fusion_data, "val", inputs=("tokens", "image_features"), batch_size=8)
    inputs, labels = next(iter(ds))
    assert sorted(inputs) == ["image_features", "tokens"]
    assert tuple(inputs["image_features"].shape) == (8, 64) and tuple(labels.shape) == (8,)
    targets = {"text_output": "text_label", "fusion_output": "label"}
    _, labels = next(iter(fusion_dataset(fusion_data, "val", label=targets, batch_size=4)))
    expected = fusion_data.labels("val", "text_label")[:4]
    np.testing.assert_array_equal(labels["text_output"], expected)
    np.testing.assert_array_equal(labels["fusion_output"], fusion_data.labels("val")[:4])
    assert set(INPUT_NAMES) == set(fusion_data.arrays["test"]) - {
        "label",
        "text_label",
        "image_label",
    }


def test_missing_split_is_a_clear_error(fusion_data):
    with pytest.raises(ValueError, match=r"needs train, val and test posts.*\['val', 'test'\]"):
        prepare_fusion_data(fusion_data.splits["train"])


def test_missing_label_column_is_a_clear_error(fusion_data):
    part = fusion_data.arrays["val"]
    del part["text_label"]
    try:
        with pytest.raises(ValueError, match="no 'text_label' for every post"):
            fusion_data.labels("val", "text_label")
    finally:
        part["text_label"] = fusion_data.splits["val"].labels("text_label")
