"""The encoder-feature cache: computed once, read back exactly, never half-written or stale."""

import numpy as np
import pytest

from mmcourse import feature_cache


def _images(n=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, 64, 64, 3), dtype=np.uint8)


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        return np.full((len(images), 8, 8, 64), images.mean(), dtype="float32")


def _grid(images, compute, **options):
    return feature_cache.cached_grid(
        images, compute, encoder_sha256=options.get("sha", "abc"), backend="tensorflow"
    )


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(feature_cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_computed_once_then_read_back_exactly(cache):
    compute, images = Counting(), _images()
    first = _grid(images, compute)
    second = _grid(images, compute)
    assert compute.calls == 1
    np.testing.assert_array_equal(first, second)
    assert len(list(cache.glob("encoder_grid-*.npy"))) == 1
    assert not list(cache.glob("*.tmp"))


def test_other_images_or_another_encoder_compute_again(cache):
    compute = Counting()
    _grid(_images(seed=0), compute)
    _grid(_images(seed=1), compute)
    _grid(_images(seed=0), compute, sha="retrained")
    assert compute.calls == 3


def test_a_damaged_file_is_computed_again_and_replaced(cache):
    compute, images = Counting(), _images()
    expected = _grid(images, compute)
    (path,) = cache.glob("encoder_grid-*.npy")
    path.write_bytes(path.read_bytes()[:100])  # a truncated file, as after a crash
    np.testing.assert_array_equal(_grid(images, compute), expected)
    np.save(path, np.zeros((2, 8, 8, 64), "float32"))  # the wrong number of images
    np.testing.assert_array_equal(_grid(images, compute), expected)
    assert compute.calls == 3
    np.testing.assert_array_equal(np.load(path), expected)


def test_off_and_unwritable_mean_no_cache_not_an_error(tmp_path, monkeypatch):
    compute = Counting()
    monkeypatch.setenv(feature_cache.CACHE_ENV, "off")
    assert feature_cache.cache_dir() is None
    _grid(_images(), compute)
    _grid(_images(), compute)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(feature_cache.CACHE_ENV, str(blocker / "cache"))
    _grid(_images(), compute)
    assert compute.calls == 3


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(feature_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert feature_cache.cache_dir() == tmp_path / "mmcourse"
