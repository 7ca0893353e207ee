"""Fixtures shared by the tests.

The model and layer tests are backend-agnostic: `make test` runs them under TensorFlow with the
rest of the suite, then once more under JAX in a second pytest process (`make test-jax`, with
`KERAS_BACKEND=jax`). A test that can only run on one backend says so with a `skipif` marker.
"""

import contextlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmcourse.data.core import DatasetError


@pytest.fixture
def make_image():
    """`make_image(path, color=..., size=..., corrupt=False)` writes a small image file.

    The format follows the suffix (`.png`, `.jpg`); `corrupt=True` writes random bytes instead,
    under the same name, as a truncated download would leave.
    """
    rng = np.random.default_rng(0)

    def make(path, *, color=(200, 40, 40), size=(8, 8), corrupt=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        if corrupt:
            path.write_bytes(rng.bytes(64))
        else:
            Image.new("RGB", size, color).save(path)
        return path

    return make


@pytest.fixture
def raises_dataset_error():
    """`with raises_dataset_error(path, row=3, match=[...]):` expects a `DatasetError` whose
    message names the file (and row) and contains each fragment of `match`."""

    @contextlib.contextmanager
    def check(path, *, row=None, match=()):
        with pytest.raises(DatasetError) as info:
            yield info
        message = str(info.value)
        assert Path(path).name in message, message
        assert info.value.row == row
        if row is not None:
            assert f", row {row}: " in message, message
        for fragment in match:
            assert fragment in message, message

    return check


@pytest.fixture(scope="session")
def fusion_data():
    """MoodPosts as aligned arrays (tokens, pixels, encoder features), built once per session."""
    from mmcourse.fusion_data import prepare_fusion_data

    return prepare_fusion_data()
