"""Corruptions: seeded, shape- and dtype-preserving, identity at strength 0, checked inputs.

Re-encoding a corrupted split (`fusion_data.corrupted_inputs`) is tested in test_fusion_data.
"""

import math

import numpy as np
import pytest

from mmcourse import corruptions

TEXTS = ["happy at the beach, not sad", "my dog in the rain", "ok"]


def _images(dtype="float32"):
    rng = np.random.default_rng(0)
    images = rng.random((4, 16, 16, 3))
    return (images * 255).astype("uint8") if dtype == "uint8" else images.astype(dtype)


@pytest.mark.parametrize("kind", corruptions.IMAGE_CORRUPTIONS)
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_image_corruptions_keep_shape_dtype_and_range(kind, dtype):
    images = _images(dtype)
    for strength in (0.0, 0.3, 1.0):
        out = corruptions.corrupt(images, kind, strength, seed=1)
        assert out.shape == images.shape and out.dtype == images.dtype
        high = 255 if dtype == "uint8" else 1.0
        assert out.min() >= 0 and out.max() <= high
    np.testing.assert_array_equal(corruptions.corrupt(images, kind, 0.0), images)
    assert not np.array_equal(corruptions.corrupt(images, kind, 0.5), images)


@pytest.mark.parametrize("kind", corruptions.CORRUPTIONS)
def test_corruptions_are_seeded(kind):
    values = _images() if kind in corruptions.IMAGE_CORRUPTIONS else TEXTS * 5
    first = corruptions.corrupt(values, kind, 0.5, seed=3)
    again = corruptions.corrupt(values, kind, 0.5, seed=3)
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))
    if kind != "blur":  # the blur has no randomness
        other = corruptions.corrupt(values, kind, 0.5, seed=4)
        assert not np.array_equal(np.asarray(first), np.asarray(other))


@pytest.mark.parametrize("kind", corruptions.CORRUPTIONS)
@pytest.mark.parametrize("strength", [-0.1, 1.5, "high", True])
def test_bad_strength_or_kind_raises(kind, strength):
    values = _images() if kind in corruptions.IMAGE_CORRUPTIONS else TEXTS
    with pytest.raises(ValueError, match="Received:"):
        corruptions.corrupt(values, kind, strength)
    with pytest.raises(ValueError, match="Received:"):
        corruptions.corrupt(values, "rain", 0.5)


def test_image_corruptions_do_what_they_say():
    images = np.full((200, 16, 16, 3), 0.5, dtype="float32")
    noisy = corruptions.gaussian_noise(images, 0.2, seed=0)
    assert abs(float((noisy - images).std()) - 0.5 * 0.2) < 0.005  # sigma = 0.5 * strength
    edge = np.zeros((1, 16, 16, 3), dtype="float32")
    edge[:, :, 8:] = 1.0
    blurred = corruptions.blur(edge, 0.5)
    assert 0.0 < blurred[0, 0, 7, 0] < 0.5 < blurred[0, 0, 8, 0] < 1.0  # the edge is soft
    np.testing.assert_allclose(blurred.mean(), edge.mean(), atol=1e-3)
    covered = corruptions.occlusion(np.zeros((10, 16, 16, 3), dtype="float32"), 0.25, seed=0)
    grey = (covered == corruptions.OCCLUSION_FILL).all(axis=-1).mean(axis=(1, 2))
    np.testing.assert_allclose(grey, 0.25)  # an 8x8 square on each 16x16 image


def test_blur_sigma_is_three_pixels_at_strength_one():
    # A vertical edge at x = 31.5, blurred: each row is the normal CDF of the distance to it.
    edge = np.zeros((1, 64, 64, 3), dtype="float32")
    edge[:, :, 32:] = 1.0
    distance = np.arange(64) - 31.5
    for strength, sigma in ((1.0, 3.0), (0.5, 1.5), (0.25, 0.75)):
        row = corruptions.blur(edge, strength)[0, 0, :, 0]
        cdf = np.array([0.5 * (1 + math.erf(d / (sigma * math.sqrt(2)))) for d in distance])
        np.testing.assert_allclose(row, cdf, atol=0.02)
    # A quarter-pixel blur leaves a uint8 image as it was; the strength-1 blur flattens a
    # one-pixel line (a mouth) to under a seventh of its contrast.
    line = np.zeros((1, 64, 64, 3), dtype="uint8")
    line[:, 32] = 255
    quarter = corruptions.blur(line, 0.25 / corruptions.BLUR_MAX_SIGMA)
    np.testing.assert_array_equal(quarter, line)
    assert corruptions.blur(line, 1.0)[0, 32, 10, 0] < 255 / 7


def test_text_corruptions():
    assert corruptions.typos(TEXTS, 0.0) == TEXTS
    assert corruptions.drop_words(TEXTS, 0.0) == TEXTS
    assert corruptions.drop_words(TEXTS, 1.0) == ["", "", ""]
    typed = corruptions.typos(TEXTS, 1.0, seed=0)
    assert len(typed) == len(TEXTS)
    for before, after in zip(TEXTS, typed):
        words, changed = before.split(), after.split()
        assert len(changed) == len(words)  # a typo changes a word, never the word count
        assert all(a != b for a, b in zip(words, changed) if len(b.strip(",")) > 1)
    dropped = corruptions.drop_words(TEXTS * 200, 0.3, seed=0)
    kept = sum(len(t.split()) for t in dropped) / sum(len(t.split()) for t in TEXTS * 200)
    assert abs(kept - 0.7) < 0.03
    with pytest.raises(ValueError, match="Received:"):
        corruptions.typos("one string", 0.5)
