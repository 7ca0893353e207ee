"""What every loader returns: `MultimodalDataset`, and the one error they raise: `DatasetError`.

Every loader of the course (the shipped MoodPosts set, your own CSV, MVSA) produces the same
typed object, so a lesson written against one runs unchanged on the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmcourse.constants import CLASS_NAMES, SPLITS

FRAME_COLUMNS = (
    "id",
    "text",
    "image",
    "label",
    "text_label",
    "image_label",
    "phenomenon",
    "split",
)
ON_ERROR_CHOICES = ("raise", "skip")


class DatasetError(ValueError):
    """Bad input found while loading a dataset.

    The message names the file and, where there is one, the row (1-based, as a text editor
    shows it, counting the header line) and says what was expected.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, row: int | None = None):
        self.path = None if path is None else str(path)
        self.row = row
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if row is not None:
                where += f", row {row}"
            where += ": "
        super().__init__(where + message)


@dataclasses.dataclass(frozen=True)
class SkippedRow:
    """One row a loader left out because it was asked to (`on_error="skip"`)."""

    path: str
    row: int | None
    reason: str


@dataclasses.dataclass
class MultimodalDataset:
    """A text + image sentiment dataset, one row per post.

    Attributes:
        name: the dataset's name (`"moodposts"`, `"mvsa-single"`, a CSV's file name).
        frame: a `pandas.DataFrame` with the columns in `FRAME_COLUMNS` (and possibly more).
            `image` holds absolute paths; labels are strings from `class_names`; labels a
            source does not have (`text_label` in a plain CSV) are missing values.
        class_names: the label vocabulary; a label's integer code is its index here.
        root: the folder the files were read from.
        ceilings: Bayes ceilings known by construction (`{"text": {"overall": 0.67, ...}, ...}`),
            empty for real data where nobody knows them.
        metadata: anything else the source records (version, noise rate, counts of drops).
        skipped: rows left out on `on_error="skip"` or by a documented cleaning rule.
    """

    name: str
    frame: pd.DataFrame
    class_names: tuple[str, ...] = CLASS_NAMES
    root: Path | None = None
    ceilings: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    skipped: list[SkippedRow] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        splits = ", ".join(f"{k}={v}" for k, v in self.frame["split"].value_counts().items())
        return (
            f"MultimodalDataset(name={self.name!r}, num_posts={len(self)}, "
            f"splits=[{splits}], classes={list(self.class_names)}, skipped={len(self.skipped)})"
        )

    @property
    def num_skipped(self) -> int:
        return len(self.skipped)

    def subset(self, split: str | Sequence[str]) -> MultimodalDataset:
        """The same dataset restricted to one split or several."""
        wanted = check_split(split)
        frame = self.frame[self.frame["split"].isin(wanted)].reset_index(drop=True)
        return dataclasses.replace(self, frame=frame)

    def head(self, num_posts: int) -> MultimodalDataset:
        """The same dataset restricted to its first `num_posts` posts."""
        return dataclasses.replace(self, frame=self.frame.head(num_posts).reset_index(drop=True))

    def labels(self, column: str = "label") -> np.ndarray:
        """Integer class codes (index into `class_names`) of one label column."""
        if column not in ("label", "text_label", "image_label"):
            raise ValueError(
                "column must be 'label', 'text_label' or 'image_label'. "
                f"Received: column={column!r}"
            )
        values = self.frame[column]
        if values.isna().any():
            raise ValueError(f"{self.name} has no {column!r} for every post (missing values).")
        lookup = {name: i for i, name in enumerate(self.class_names)}
        return values.map(lookup).to_numpy(dtype="int32")

    def images(self, *, image_size: int | None = None) -> np.ndarray:
        """All images as one uint8 array of shape (num_posts, height, width, 3)."""
        from PIL import Image

        arrays = []
        for path in self.frame["image"]:
            with Image.open(path) as image:
                image = image.convert("RGB")
                if image_size is not None and image.size != (image_size, image_size):
                    image = image.resize((image_size, image_size), Image.Resampling.BILINEAR)
                arrays.append(np.asarray(image, dtype=np.uint8))
        if not arrays:
            return np.zeros((0, image_size or 0, image_size or 0, 3), dtype=np.uint8)
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"Images of {self.name} differ in size ({sorted(shapes)[:3]}...): "
                "pass image_size=... to resize them."
            )
        return np.stack(arrays)

    def to_tf_dataset(
        self,
        *,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 0,
        image_size: int | None = None,
        label_column: str = "label",
        cache: bool = True,
    ):
        """A `tf.data.Dataset` of `({"text": str, "image": float32}, label)` batches.

        Images are decoded from their files in the pipeline, resized to
        `image_size` x `image_size` when given, and scaled to [0, 1]. Labels are integer
        codes. Decoded examples are cached in memory (`cache=True`) before shuffling, so
        files are read once; shuffling is seeded and reshuffled each epoch; batches are
        prefetched.
        """
        import tensorflow as tf

        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1. Received: batch_size={batch_size}")
        texts = self.frame["text"].astype(str).to_numpy()
        paths = self.frame["image"].astype(str).to_numpy()
        labels = self.labels(label_column)

        def load(text, path, label):
            raw = tf.io.read_file(path)
            image = tf.io.decode_image(raw, channels=3, expand_animations=False)
            image = tf.image.convert_image_dtype(image, tf.float32)
            if image_size is not None:
                image = tf.image.resize(image, (image_size, image_size), antialias=True)
            return {"text": text, "image": image}, label

        ds = tf.data.Dataset.from_tensor_slices((texts, paths, labels))
        ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        if cache:
            ds = ds.cache()
        if shuffle:
            ds = ds.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def check_split(split: str | Sequence[str]) -> list[str]:
    allowed = (*SPLITS, "all")
    wanted = [split] if isinstance(split, str) else list(split)
    for name in wanted:
        if name not in allowed:
            raise ValueError(f"split must be one of {allowed}. Received: split={name!r}")
    return list(SPLITS) if "all" in wanted else wanted


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_on_error(on_error: str) -> str:
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"on_error must be 'raise' or 'skip'. Received: on_error={on_error!r}")
    return on_error


def check_image_file(path: Path, *, source: str | Path, row: int | None) -> None:
    """Raise `DatasetError` unless `path` is a readable, decodable image file."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise DatasetError(f"image file {str(path)!r} does not exist.", path=source, row=row)
    try:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:  # verify() leaves the file unusable; decode for real
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DatasetError(
            f"image file {str(path)!r} is not a readable image ({error}).", path=source, row=row
        ) from error


def assign_splits(
    labels: Sequence[str], *, seed: int, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> np.ndarray:
    """Stratified train/val/test assignment: each label's rows split by `fractions`.

    Deterministic for a given seed and label sequence (uses only `Generator.random`).
    """
    if len(fractions) != 3 or abs(sum(fractions) - 1.0) > 1e-9 or min(fractions) < 0:
        raise ValueError(
            f"fractions must be three non-negative numbers summing to 1. Received: {fractions}"
        )
    labels = np.asarray(list(labels), dtype=object)
    rng = np.random.default_rng(seed)
    keys = rng.random(len(labels))
    splits = np.empty(len(labels), dtype=object)
    for value in sorted(set(labels.tolist()), key=str):
        index = np.flatnonzero(labels == value)
        index = index[np.argsort(keys[index], kind="stable")]
        num_train = int(round(fractions[0] * len(index)))
        num_val = int(round(fractions[1] * len(index)))
        splits[index[:num_train]] = "train"
        splits[index[num_train : num_train + num_val]] = "val"
        splits[index[num_train + num_val :]] = "test"
    return splits


def normalise_label(value: Any, class_names: Sequence[str]) -> str | None:
    """`'Positive '` -> `'positive'`; None when `value` is not one of `class_names`."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if value in class_names else None
