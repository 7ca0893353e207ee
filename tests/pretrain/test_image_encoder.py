"""The shipped course image encoder and the script that made it."""

import json

import numpy as np
import pytest

from mmcourse.models import image
from mmcourse.pretrain import image_encoder


def test_shipped_encoder_is_small_checksummed_and_documented():
    weights = image.ENCODER_WEIGHTS
    assert weights.stat().st_size < 2_000_000
    expected = image.ENCODER_SHA256.read_text().split()[0]
    assert image.file_sha256(weights) == expected
    readme = (weights.parent / "README.md").read_text()
    assert "mmcourse.pretrain.image_encoder" in readme and "never a MoodPosts image" in readme
    metrics = json.loads((weights.parent / "metrics.json").read_text())
    assert metrics["validation"]["pretext_place_accuracy"] > 0.9


def test_shipped_encoder_loads():
    encoder = image.build_image_encoder(weights="course")
    features = encoder.predict(np.full((2, 64, 64, 3), 0.5, "float32"), verbose=0)
    assert features.shape == (2, 64) and np.isfinite(features).all() and features.any()


def test_a_modified_encoder_file_is_refused(tmp_path):
    copy = tmp_path / "encoder.weights.h5"
    copy.write_bytes(image.ENCODER_WEIGHTS.read_bytes()[:-1] + b"x")
    (tmp_path / "encoder.weights.h5.sha256").write_text(image.ENCODER_SHA256.read_text())
    with pytest.raises(ValueError, match="corrupt or was modified"):
        image.load_course_weights(image._course_backbone(64), copy)
    with pytest.raises(FileNotFoundError, match="pretrain.image_encoder"):
        image.load_course_weights(image._course_backbone(64), tmp_path / "missing.weights.h5")


def test_pretext_data_is_a_pure_function_of_the_seed():
    images, targets = image_encoder.make_pretext_data(6, seed=1)
    again, targets_again = image_encoder.make_pretext_data(6, seed=1)
    other, _ = image_encoder.make_pretext_data(6, seed=1, split=1)
    np.testing.assert_array_equal(images, again)
    for name in targets:
        np.testing.assert_array_equal(targets[name], targets_again[name])
    assert not np.array_equal(images, other)
    assert images.shape == (6, 64, 64, 3) and images.dtype == np.uint8
    assert targets["pretext_expressions"].sum(axis=1).min() >= 1


def test_pretext_seed_is_not_the_dataset_seed():
    from mmcourse.data import load_moodposts

    dataset = load_moodposts()
    assert dataset.metadata["config"]["seed"] != image_encoder.PRETEXT_SEED
    images, _ = image_encoder.make_pretext_data(4)
    shipped = dataset.head(50).images()
    assert not any((shipped == x).all(axis=(1, 2, 3)).any() for x in images)


def test_a_tiny_pretraining_run_writes_weights_that_load(tmp_path):
    image_encoder.main(["--out", str(tmp_path), "--num-images", "16", "--epochs", "1"])
    weights = tmp_path / "encoder.weights.h5"
    assert image.file_sha256(weights) == (tmp_path / "encoder.weights.h5.sha256").read_text()[:64]
    assert "Provenance" in (tmp_path / "README.md").read_text()
    image.load_course_weights(image._course_backbone(64), weights)
