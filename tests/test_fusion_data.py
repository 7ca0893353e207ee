"""FusionData: one aligned row per post, features scaled on train, only requested inputs, and
corrupted splits re-encoded exactly as `prepare_fusion_data` encodes them."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmcourse.fusion_data import (
    INPUT_NAMES,
    corrupted_inputs,
    encode_images,
    feature_scale,
    fusion_dataset,
    prepare_fusion_data,
)
from mmcourse.pixels import Pixels
from mmcourse.text import vectorize


def test_arrays_are_aligned_with_the_frames(fusion_data):
    for split, part in fusion_data.splits.items():
        arrays = fusion_data.arrays[split]
        n = len(part)
        assert arrays["tokens"].shape == (n, 24) and arrays["tokens"].dtype == np.int32
        assert arrays["image"].shape == (n, 64, 64, 3) and arrays["image"].dtype == np.float32
        assert arrays["image"][:2].dtype == np.float32  # read as float32, stored as uint8
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
    assert isinstance(small.arrays["train"]["image"], Pixels)  # still uint8, 10 rows
    assert small.arrays["train"]["image"].values.shape == (10, 64, 64, 3)


def test_pixels_are_stored_as_uint8_and_reach_models_as_float32(fusion_data):
    stored = fusion_data.arrays["val"]["image"]
    assert isinstance(stored, Pixels) and stored.values.dtype == np.uint8
    assert stored.nbytes == len(stored) * 64 * 64 * 3  # a quarter of float32's
    inputs = fusion_data.inputs("val", ("image", "tokens"), rows=[5, 0])
    assert isinstance(inputs["image"], np.ndarray) and inputs["image"].dtype == np.float32
    np.testing.assert_array_equal(inputs["image"], stored[[5, 0]])
    ds = fusion_dataset(fusion_data, "val", inputs=("image", "tokens"), batch_size=7)
    features, labels = next(iter(ds))
    assert features["image"].dtype.name == "float32" and features["tokens"].dtype.name == "int32"
    np.testing.assert_array_equal(features["image"].numpy(), stored[:7])  # the same division
    np.testing.assert_array_equal(labels.numpy(), fusion_data.labels("val")[:7])
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


def test_feature_scale_and_encoding_match_prepare_fusion_data(fusion_data):
    scale = feature_scale(fusion_data)
    assert scale.shape == (64,) and scale.dtype == np.float32 and (scale >= 1e-3).all()
    test = fusion_data.arrays["test"]
    encoded = encode_images(test["image"][:32], scale)
    np.testing.assert_allclose(
        encoded["image_grid"], test["image_grid"][:32], rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        encoded["image_features"], test["image_features"][:32], rtol=1e-4, atol=1e-4
    )


def test_corrupted_inputs_of_a_split(fusion_data):
    small = fusion_data.head("test", 40)
    clean = small.arrays["test"]
    same = corrupted_inputs(small, "test", "typos", 0.0)
    np.testing.assert_array_equal(same["tokens"], clean["tokens"])
    typed = corrupted_inputs(small, "test", "typos", 0.5, seed=0)
    assert typed["tokens"].shape == clean["tokens"].shape and typed["tokens"].dtype == np.int32
    assert (typed["tokens"] == 1).sum() > (clean["tokens"] == 1).sum()  # misspelt words: [UNK]
    empty = corrupted_inputs(small, "test", "drop_words", 1.0)
    assert not empty["tokens"].any()  # no words left: all padding
    blurred = corrupted_inputs(small, "test", "blur", 0.5, scale=np.ones(64))
    assert set(blurred) == {"image", "image_grid", "image_features"}
    assert blurred["image_features"].shape == clean["image_features"].shape
    assert not np.allclose(blurred["image"], clean["image"])


def test_the_course_encoder_ignores_a_quarter_pixel_blur_but_not_half_a_pixel(fusion_data):
    from mmcourse import corruptions

    small = fusion_data.head("test", 100)
    clean = small.arrays["test"]["image_features"]
    scale = feature_scale(fusion_data)
    moved = {
        sigma: np.abs(
            corrupted_inputs(
                small, "test", "blur", sigma / corruptions.BLUR_MAX_SIGMA, scale=scale
            )["image_features"]
            - clean
        ).mean()
        for sigma in (0.25, 0.5)  # pixels
    }
    assert moved[0.25] < 0.05 and moved[0.5] > 0.3, moved


def test_corrupted_inputs_rejects_bad_arguments(fusion_data):
    small = fusion_data.head("test", 8)
    with pytest.raises(ValueError, match="kind='rain'"):
        corrupted_inputs(small, "test", "rain", 0.5)
    with pytest.raises(ValueError, match="strength=1.5"):
        corrupted_inputs(small, "test", "typos", 1.5)
    with pytest.raises(ValueError, match="split='dev'"):
        corrupted_inputs(small, "dev", "typos", 0.5)
    no_pixels = {k: v for k, v in small.arrays["test"].items() if k != "image"}
    features_only = dataclasses.replace(small, arrays={**small.arrays, "test": no_pixels})
    with pytest.raises(ValueError, match="with_pixels=True"):
        corrupted_inputs(features_only, "test", "blur", 0.5)
    with pytest.raises(ValueError, match="with_pixels=True"):
        feature_scale(dataclasses.replace(small, arrays={**small.arrays, "train": no_pixels}))


def test_inside_resumable_a_shuffled_split_is_epoch_ordered_with_the_same_batches(
    fusion_data, tmp_path
):
    from mmcourse import checkpoint

    inputs = ("tokens", "image")
    plain = fusion_dataset(fusion_data, "val", inputs=inputs, batch_size=64, shuffle=True)
    assert not hasattr(plain, "from_epoch")
    with checkpoint.resumable(tmp_path):
        ordered = fusion_dataset(fusion_data, "val", inputs=inputs, batch_size=64, shuffle=True)
    num_rows = len(fusion_data.labels("val"))
    assert ordered.steps_per_epoch == -(-num_rows // 64)
    epoch = list(ordered.take(ordered.steps_per_epoch).as_numpy_iterator())
    reference = list(plain.as_numpy_iterator())
    assert [len(b[1]) for b in epoch] == [len(b[1]) for b in reference]
    for (features, _), (expected, _) in zip(epoch[:1], reference[:1]):
        assert set(features) == set(expected) == set(inputs)
        assert features["image"].dtype == expected["image"].dtype == np.float32
    labels = np.concatenate([b[1] for b in epoch])
    np.testing.assert_array_equal(np.sort(labels), np.sort(fusion_data.labels("val")))


def test_images_of_any_size_and_mode_are_resized_for_the_encoder(fusion_data, tmp_path):
    """Real photos (MVSA's) come in every size and aspect ratio, some greyscale, some RGBA
    PNGs under a .jpg name: each becomes a 64x64 RGB image, as MoodPosts' are."""
    from PIL import Image

    frames = []
    for split in ("train", "val", "test"):
        frame = fusion_data.splits[split].frame.head(3).copy()
        for row, path in enumerate(frame["image"]):
            with Image.open(path) as image:
                image = image.convert("RGB").resize((160 + 90 * row, 300 - 70 * row))
            image = (image, image.convert("L"), image.convert("RGBA"))[row]
            target = tmp_path / f"{split}{row}.jpg"
            image.save(target, format="PNG" if image.mode == "RGBA" else "JPEG")
            frame.iloc[row, frame.columns.get_loc("image")] = str(target)
        frames.append(frame)
    photos = dataclasses.replace(
        fusion_data.splits["train"], frame=pd.concat(frames, ignore_index=True)
    )
    resized = prepare_fusion_data(photos)
    for split in ("train", "val", "test"):
        pixels = resized.arrays[split]["image"]
        assert pixels.values.shape == (3, 64, 64, 3)
        assert resized.arrays[split]["image_features"].shape == (3, 64)
        original = fusion_data.arrays[split]["image"][:3]
        assert np.abs(pixels[[0, 2]] - original[[0, 2]]).mean() < 0.05  # RGB and RGBA rows
        assert (pixels[1] == pixels[1][..., :1]).all()  # greyscale: R = G = B
