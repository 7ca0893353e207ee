"""The frozen course encoder's feature grid of images: computed in chunks, cached on disk.

`encoder_grid` runs the course encoder (`build_image_encoder(weights="course",
spatial=True)`) over images and returns its (8, 8, 64) grid per image; uint8 images are
converted to float32 a chunk at a time, so that a large dataset never exists as float32
pixels at once. `cached_encoder()` is the same through `mmcourse.feature_cache`, keyed by the
images, the encoder's weights and the backend (what `prepare_fusion_data` uses).
"""

from __future__ import annotations

import numpy as np

from mmcourse.pixels import Pixels


def encoder_grid(
    images, *, batch_size: int = 256, encoder=None, chunk_size: int = 4096
) -> np.ndarray:
    """The frozen course encoder's (8, 8, 64) feature grid for uint8, `Pixels` or [0, 1] images.

    Pass `encoder` (a `build_image_encoder(weights="course", spatial=True)`) to reuse one
    across calls; by default a new one is built. uint8 images are converted to float32
    `chunk_size` images at a time, so that 50,000 images never exist as float32 at once.
    """
    from mmcourse.models.image import build_image_encoder

    if isinstance(images, Pixels):
        images = images.values
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != (64, 64, 3):
        raise ValueError(f"Expected images of shape (n, 64, 64, 3). Received: {images.shape}")
    if encoder is None:
        encoder = build_image_encoder(weights="course", spatial=True)
    if images.dtype != np.uint8:
        return encoder.predict(images.astype("float32"), batch_size=batch_size, verbose=0)
    grid = np.empty((len(images), *encoder.output_shape[1:]), dtype="float32")
    for start in range(0, len(images), chunk_size):
        chunk = Pixels(images[start : start + chunk_size])[:]
        grid[start : start + len(chunk)] = encoder.predict(chunk, batch_size=batch_size, verbose=0)
    return grid


def cached_encoder():
    """images -> the encoder grid, through `feature_cache` (the encoder built when needed)."""
    import keras

    from mmcourse.feature_cache import cached_grid
    from mmcourse.models.image import ENCODER_SHA256, build_image_encoder

    encoder = []

    def compute(images):
        if not encoder:
            encoder.append(build_image_encoder(weights="course", spatial=True))
        return encoder_grid(images, encoder=encoder[0])

    sha = ENCODER_SHA256.read_text().split()[0]
    backend = keras.backend.backend()
    return lambda images: cached_grid(images, compute, encoder_sha256=sha, backend=backend)
