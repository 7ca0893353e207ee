"""`Pixels`: images kept as uint8 (a quarter of the memory) and read as float32 in [0, 1].

The cross-modal lessons hold every post's pixels in memory (`FusionData.arrays[split]
["image"]`). As float32 that is 47 MB for MoodPosts but 2.3 GiB for 50,000 posts, most of a
laptop's free memory; as uint8, the way they are stored on disk, it is a quarter of that.
`Pixels` keeps the uint8 values and converts only what is read: `pixels[rows]` is a float32
array of those rows divided by 255 (the same numbers as `images.astype("float32") / 255`),
and NumPy functions and operators see the whole float32 array (`np.asarray(pixels)`). So code
written for a float32 array keeps working, and `tf.data` pipelines can stream the uint8
values and convert each batch (`mmcourse.fusion_data.fusion_dataset` does).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin


def to_unit_float(values: np.ndarray) -> np.ndarray:
    """uint8 values as float32 in [0, 1] (divided by 255, as the course always did)."""
    converted = np.asarray(values).astype(np.float32)
    np.divide(converted, 255.0, out=converted)
    return converted


class Pixels(NDArrayOperatorsMixin):
    """uint8 images `(num_images, height, width, channels)` that read as float32 in [0, 1].

    `values` holds the uint8 array; `nbytes` is what it takes. `dtype` is float32, the
    dtype every read returns. `subset(key)` is a `Pixels` of some rows (no conversion).
    """

    dtype = np.dtype(np.float32)

    def __init__(self, values):
        values = np.asarray(values)
        if values.dtype != np.uint8 or values.ndim != 4:
            raise ValueError(
                "Pixels holds uint8 images of shape (num_images, height, width, channels). "
                f"Received: dtype={values.dtype}, shape={values.shape}"
            )
        self.values = values

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    @property
    def ndim(self) -> int:
        return self.values.ndim

    @property
    def size(self) -> int:
        return self.values.size

    @property
    def nbytes(self) -> int:
        return self.values.nbytes

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, key) -> np.ndarray:
        return to_unit_float(self.values[key])

    def subset(self, key) -> Pixels:
        """The rows `key` selects (a slice, indices or a mask), still uint8."""
        rows = self.values[key]
        if rows.ndim != 4:
            raise ValueError(f"subset keeps whole images; index rows only. Received: key={key!r}")
        return Pixels(rows)

    def __array__(self, dtype=None, copy=None):
        converted = to_unit_float(self.values)
        return converted if dtype is None else converted.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(np.asarray(x) if isinstance(x, Pixels) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def astype(self, dtype) -> np.ndarray:
        return np.asarray(self).astype(dtype)

    def copy(self) -> np.ndarray:
        """A float32 copy (what a float32 array's `copy()` would give)."""
        return np.asarray(self)

    def __getattr__(self, name):
        # Any other ndarray attribute (`mean`, `any`, `reshape`, ...) of the float32 array.
        if name.startswith("__") or name == "values":
            raise AttributeError(name)
        return getattr(np.asarray(self), name)

    def __repr__(self) -> str:
        return f"Pixels(shape={self.shape}, stored as uint8: {self.nbytes / 2**20:.1f} MiB)"
