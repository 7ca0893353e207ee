"""The frozen encoder's features, computed once per machine: a small cache on disk.

`prepare_fusion_data` encodes every MoodPosts image with the frozen course encoder, the same
numbers every time: on 2 CPU cores about as long as a lesson's training. `cached_grid`
keeps the result in `~/.cache/mmcourse/` (or `$XDG_CACHE_HOME/mmcourse`, or
`$MMCOURSE_CACHE`), keyed by the images' bytes, the encoder's weights (their SHA-256) and the
Keras backend, so a changed image, a retrained encoder or another backend computes afresh.

- Files are written to a temporary name and renamed, so a crash or two processes writing at
  once (`mmcourse grade --jobs 2`) never leave a half-written file that is read back.
- A file that does not hold what its name promises (wrong shape or dtype, unreadable) is
  computed again and replaced.
- `MMCOURSE_CACHE=off` turns the cache off; a folder that cannot be written (a read-only
  container) just means no cache, never an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

CACHE_ENV = "MMCOURSE_CACHE"
GRID_SHAPE = (8, 8, 64)  # the course encoder's feature grid per 64x64 image


def cache_dir() -> Path | None:
    """Where cached features live; None when `MMCOURSE_CACHE=off`."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured.lower() in ("off", "0", "false", "no"):
        return None
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mmcourse"


def grid_key(images: np.ndarray, *, encoder_sha256: str, backend: str) -> str:
    """A name for the grid of `images`: what goes in decides what comes out."""
    digest = hashlib.sha256()
    digest.update(f"{images.shape}|{images.dtype}|{encoder_sha256}|{backend}".encode())
    digest.update(np.ascontiguousarray(images).tobytes())
    return digest.hexdigest()[:40]


def _read(path: Path, num_images: int) -> np.ndarray | None:
    try:
        grid = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if grid.shape != (num_images, *GRID_SHAPE) or grid.dtype != np.float32:
        return None
    return grid


def _write(path: Path, grid: np.ndarray) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.save(handle, grid, allow_pickle=False)
        os.replace(temporary, path)  # atomic: readers see the old file or the whole new one
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return False
    return True


def cached_grid(
    images: np.ndarray,
    compute: Callable[[np.ndarray], np.ndarray],
    *,
    encoder_sha256: str,
    backend: str,
) -> np.ndarray:
    """`compute(images)`, read from the cache when it holds them, stored there when not."""
    folder = cache_dir()
    if folder is None:
        return compute(images)
    key = grid_key(images, encoder_sha256=encoder_sha256, backend=backend)
    path = folder / f"encoder_grid-{key}.npy"
    grid = _read(path, len(images)) if path.is_file() else None
    if grid is None:
        grid = np.asarray(compute(images), dtype="float32")
        _write(path, grid)
    return grid
