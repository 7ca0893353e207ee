"""`Pixels`: uint8 storage read as float32 in [0, 1], exactly as `astype("float32") / 255`."""

import numpy as np
import pytest

from mmcourse.pixels import Pixels, to_unit_float


def _images(n=5, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 4, 4, 3), dtype=np.uint8)


def test_reads_are_the_float32_pixels_the_course_always_used():
    images = _images()
    expected = images.astype("float32") / 255.0
    pixels = Pixels(images)
    np.testing.assert_array_equal(pixels[:], expected)
    np.testing.assert_array_equal(pixels[[3, 1]], expected[[3, 1]])
    np.testing.assert_array_equal(np.asarray(pixels), expected)
    np.testing.assert_array_equal(to_unit_float(images), expected)
    assert pixels[:2].dtype == np.float32 and pixels.dtype == np.float32
    assert (pixels.shape, pixels.ndim, len(pixels)) == ((5, 4, 4, 3), 4, 5)
    assert pixels.nbytes == images.nbytes == expected.nbytes // 4


def test_numpy_functions_and_operators_see_float32():
    images = _images()
    expected = images.astype("float32") / 255.0
    pixels = Pixels(images)
    np.testing.assert_array_equal(pixels * 2.0, expected * 2.0)
    np.testing.assert_array_equal(np.clip(pixels, 0.2, 0.8), np.clip(expected, 0.2, 0.8))
    assert np.zeros_like(pixels).dtype == np.float32
    assert pixels.max() == expected.max() and pixels.min() == expected.min()
    np.testing.assert_array_equal(pixels.copy(), expected)
    assert pixels.astype("float64").dtype == np.float64
    assert pixels.mean() == expected.mean() and pixels.any() and not (pixels * 0).any()
    assert pixels.reshape(5, -1).shape == (5, 48)


def test_subset_keeps_uint8_rows():
    images = _images()
    part = Pixels(images).subset(slice(2))
    assert isinstance(part, Pixels) and part.values.dtype == np.uint8 and len(part) == 2
    np.testing.assert_array_equal(part.values, images[:2])
    with pytest.raises(ValueError, match="index rows only"):
        Pixels(images).subset(0)


def test_anything_but_uint8_images_is_refused():
    with pytest.raises(ValueError, match="Received: dtype=float32"):
        Pixels(_images().astype("float32"))
    with pytest.raises(ValueError, match=r"shape=\(4, 4, 3\)"):
        Pixels(_images()[0])
