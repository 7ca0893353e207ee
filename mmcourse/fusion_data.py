"""Paired text and image inputs for the cross-modal lessons (05-09), computed once.

`prepare_fusion_data` loads MoodPosts, fits the vectorizer on the train texts only, and turns
every post into aligned arrays, one row per post, so a text can never lose its image:

- `tokens`: (num_posts, 24) int32 token ids (lesson 02's vectorizer);
- `image`: (num_posts, 64, 64, 3) pixels, read as float32 in [0, 1] and stored as uint8
  (`mmcourse.pixels.Pixels`: a quarter of the memory, which matters for large datasets);
  images of any other size (real photos: MVSA's are hundreds of pixels, of every aspect
  ratio) are resized to 64x64 (`IMAGE_SIZE`, bilinear, antialiased: the aspect ratio is not
  kept), greyscale and RGBA files converted to RGB;
- `image_grid`: (num_posts, 8, 8, 64) features of the frozen course image encoder, one
  64-d vector per image region (for attention over regions);
- `image_features`: (num_posts, 64) the grid max-pooled over regions (one vector per image).

Encoder features are divided by their per-channel standard deviation on the train split, so
that every fusion model sees inputs of similar scale. Computing them once with the frozen
encoder is what keeps the lessons fast on a laptop: the encoder never trains in lessons 05-09,
so running it again every epoch would give the same numbers, slower. The raw grid is also
kept on disk between runs (`mmcourse.feature_cache`: `~/.cache/mmcourse`, keyed by the
images, the encoder's weights and the backend), so the lessons and exercises after the first
do not encode the 6,000 images again.

`fusion_dataset` wraps a split's arrays in a `tf.data.Dataset` of `(inputs, label)` batches
with only the inputs a model asks for.

`corrupted_inputs` (lesson 09) recomputes one split's inputs after a corruption from
`mmcourse.corruptions`, exactly as `prepare_fusion_data` did: texts through `data.vectorizer`;
pixels through the course encoder, divided by the same per-channel scale, `feature_scale(data)`
(`encode_images` does that last step).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mmcourse import checkpoint, corruptions
from mmcourse.constants import LABEL_COLUMNS, SEQUENCE_LENGTH, SPLITS
from mmcourse.data.core import MultimodalDataset
from mmcourse.image_features import cached_encoder, encoder_grid
from mmcourse.pixels import Pixels
from mmcourse.text import vectorize

INPUT_NAMES = ("tokens", "image", "image_grid", "image_features")
IMAGE_SIZE = 64  # the course encoder's input: every image is resized to IMAGE_SIZE x IMAGE_SIZE


@dataclasses.dataclass
class FusionData:
    """Aligned arrays for each split, plus what produced them.

    Attributes:
        splits: `{"train"|"val"|"test": MultimodalDataset}` (the frames behind the arrays).
        arrays: `{split: {input or label name: np.ndarray}}`, rows in the frame's order.
        vectorizer: the `TextVectorization` fitted on the train texts.
        class_names: the label names, index = class code.
    """

    splits: dict[str, MultimodalDataset]
    arrays: dict[str, dict[str, np.ndarray]]
    vectorizer: object
    class_names: tuple[str, ...]

    @property
    def vocabulary_size(self) -> int:
        return len(self.vectorizer.get_vocabulary())

    @property
    def ceilings(self):
        return self.splits["train"].ceilings

    def inputs(self, split: str, names=("tokens", "image_features"), *, rows=None) -> dict:
        """`{name: array}` of one split (optionally only `rows`), for `model.predict`."""
        _check_names(names)
        part = _split_arrays(self, split)
        return {n: np.asarray(part[n] if rows is None else part[n][rows]) for n in names}

    def labels(self, split: str, column: str = "label") -> np.ndarray:
        part = _split_arrays(self, split)
        if column not in LABEL_COLUMNS:
            raise ValueError(f"column must be one of {LABEL_COLUMNS}. Received: column={column!r}")
        if column not in part:
            raise ValueError(
                f"This dataset has no {column!r} for every post (your own CSV has only 'label'). "
                f"Received: column={column!r}"
            )
        return part[column]

    def head(self, split: str, num_posts: int) -> FusionData:
        """A copy whose `split` keeps only its first `num_posts` posts (smaller training sets)."""
        if num_posts < 1:
            raise ValueError(f"num_posts must be at least 1. Received: num_posts={num_posts}")
        arrays = dict(self.arrays)
        arrays[split] = {
            k: v.subset(slice(num_posts)) if isinstance(v, Pixels) else v[:num_posts]
            for k, v in _split_arrays(self, split).items()
        }
        splits = dict(self.splits)
        splits[split] = self.splits[split].head(num_posts)
        return dataclasses.replace(self, arrays=arrays, splits=splits)


def _check_names(names) -> None:
    unknown = [n for n in names if n not in INPUT_NAMES]
    if unknown or not names:
        raise ValueError(f"inputs must be a non-empty subset of {INPUT_NAMES}. Received: {names}")


def _split_arrays(data: FusionData, split: str) -> dict[str, np.ndarray]:
    if split not in data.arrays:
        raise ValueError(f"split must be one of {sorted(data.arrays)}. Received: split={split!r}")
    return data.arrays[split]


def _label_columns(dataset: MultimodalDataset) -> list[str]:
    """The label columns every post has (your own CSV has only `label`)."""
    frame = dataset.frame
    return [c for c in LABEL_COLUMNS if c in frame and frame[c].notna().all()]


def prepare_fusion_data(
    dataset: MultimodalDataset | None = None,
    *,
    sequence_length: int = SEQUENCE_LENGTH,
    with_pixels: bool = True,
) -> FusionData:
    """Vectorize texts, load images and encode them once; see the module docstring.

    Args:
        dataset: a `MultimodalDataset` with train, val and test posts (default: MoodPosts).
        sequence_length: token ids per text (padded or cut at the end).
        with_pixels: keep the raw pixels (`image`, 12 MB as uint8 for MoodPosts, read as
            float32) for models that read them; `False` keeps only the encoder features.
    """
    if dataset is None:
        from mmcourse.data import load_moodposts

        dataset = load_moodposts()
    present = set(dataset.frame["split"])
    missing = [s for s in SPLITS if s not in present]
    if missing:
        raise ValueError(
            f"{dataset.name} needs train, val and test posts; it has none in {missing}. "
            "Assign splits first (mmcourse.data.core.assign_splits)."
        )
    splits = {s: dataset.subset(s) for s in SPLITS}
    vectorizer = vectorize.make_vectorizer(
        splits["train"].frame["text"], output_sequence_length=sequence_length
    )
    encode = cached_encoder()
    arrays = {}
    for split, part in splits.items():
        images = part.images(image_size=IMAGE_SIZE)  # real photos come in every size
        arrays[split] = {
            "tokens": vectorize.token_ids(vectorizer, part.frame["text"].tolist()),
            "image_grid": encode(images),
            **{column: part.labels(column) for column in _label_columns(dataset)},
        }
        if with_pixels:
            arrays[split]["image"] = Pixels(images)
    scale = np.maximum(arrays["train"]["image_grid"].std(axis=(0, 1, 2)), 1e-3)
    for part in arrays.values():
        grid = part["image_grid"]  # float32, this call's own (the cache returns a new array)
        np.divide(grid, scale.astype("float32"), out=grid)  # in place: no second copy
        part["image_features"] = grid.max(axis=(1, 2))
    return FusionData(splits, arrays, vectorizer, tuple(dataset.class_names))


def fusion_dataset(
    data: FusionData,
    split: str,
    *,
    inputs=("tokens", "image_features"),
    label: str | dict = "label",
    batch_size: int = 64,
    shuffle: bool = False,
    seed: int = 0,
):
    """A `tf.data.Dataset` of `({input: batch}, labels)` for one split.

    `label` names one label column, or maps output names to columns for multi-output models
    (`{"text_output": "text_label", "fusion_output": "label"}`). Inside
    `mmcourse.checkpoint.resumable`, a shuffled split is an `epoch_ordered` pipeline (its
    order in each epoch depends on the seed and the epoch only, so training can resume).
    """
    import tensorflow as tf

    _check_names(inputs)
    part = _split_arrays(data, split)
    # Pixels travel as uint8 and become float32 batch by batch (a quarter of the memory).
    stored = {n: part[n].values if isinstance(part[n], Pixels) else part[n] for n in inputs}
    as_float = [n for n in inputs if isinstance(part[n], Pixels)]
    if isinstance(label, dict):
        targets = {output: data.labels(split, column) for output, column in label.items()}
    else:
        targets = data.labels(split, label)

    def to_float(features, labels):
        converted = {n: tf.cast(features[n], tf.float32) / 255.0 for n in as_float}
        return {**features, **converted}, labels

    num_rows = len(data.labels(split))
    if shuffle and checkpoint.active():  # resumable training: the order depends on the epoch
        transform = to_float if as_float else None
        return checkpoint.epoch_ordered(
            (stored, targets), num_rows, batch_size=batch_size, seed=seed, transform=transform
        )
    ds = tf.data.Dataset.from_tensor_slices((stored, targets))
    if shuffle:
        ds = ds.shuffle(num_rows, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if as_float:
        ds = ds.map(to_float, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def feature_scale(data: FusionData) -> np.ndarray:
    """The per-channel scale `prepare_fusion_data` divided the encoder grid by, recovered.

    It was the train split's standard deviation of the raw grid (at least 1e-3). Rather than
    re-encoding all train images, each channel's scale is read off one train region where the
    stored (scaled) feature is largest: raw / stored. Only those few images are re-encoded;
    a channel that is zero everywhere on train had a raw std of 0, hence the scale 1e-3.
    """
    part = data.arrays["train"]
    if "image" not in part:
        raise ValueError("feature_scale needs the pixels: prepare_fusion_data(with_pixels=True).")
    grid = part["image_grid"]
    flat = grid.reshape(-1, grid.shape[-1])
    best = flat.argmax(axis=0)  # per channel: the flattened (row, y, x) of its largest value
    rows, ys, xs = np.unravel_index(best, grid.shape[:3])
    unique_rows, position = np.unique(rows, return_inverse=True)
    raw = encoder_grid(part["image"][unique_rows])
    channels = np.arange(grid.shape[-1])
    raw_values = raw[position, ys, xs, channels]
    stored = flat[best, channels]
    live = stored > 0
    scale = np.full(grid.shape[-1], 1e-3, dtype="float64")
    scale[live] = raw_values[live] / stored[live]
    return np.maximum(scale, 1e-3).astype("float32")


def encode_images(pixels, scale) -> dict[str, np.ndarray]:
    """`image_grid` and `image_features` of pixels, computed as `prepare_fusion_data` does."""
    grid = (encoder_grid(pixels) / np.asarray(scale, dtype="float32")).astype("float32")
    return {"image_grid": grid, "image_features": grid.max(axis=(1, 2))}


def corrupted_inputs(
    data: FusionData, split: str, kind: str, strength: float, *, seed: int = 0, scale=None
) -> dict[str, np.ndarray]:
    """The model inputs of one split after corrupting its texts or images (`corruptions`).

    Text kinds return `{"tokens"}` (re-vectorized with `data.vectorizer`); image kinds return
    `{"image", "image_grid", "image_features"}` (re-encoded; pass `scale=feature_scale(data)`
    to avoid recovering it on every call). Put them in place with
    `mmcourse.lessons.robustness_checks.with_inputs`.
    """
    if kind not in corruptions.CORRUPTIONS:
        raise ValueError(f"kind must be one of {corruptions.CORRUPTIONS}. Received: kind={kind!r}")
    strength = corruptions.check_strength(strength)
    part = _split_arrays(data, split)
    if kind in corruptions.TEXT_CORRUPTIONS:
        if strength == 0.0:
            return {"tokens": part["tokens"].copy()}
        texts = corruptions.corrupt(
            data.splits[split].frame["text"].tolist(), kind, strength, seed=seed
        )
        return {"tokens": vectorize.token_ids(data.vectorizer, texts)}
    if "image" not in part:
        raise ValueError(
            "Image corruptions need the pixels: prepare_fusion_data(with_pixels=True)."
        )
    if strength == 0.0:
        return {k: part[k].copy() for k in ("image", "image_grid", "image_features")}
    pixels = corruptions.corrupt(part["image"], kind, strength, seed=seed)
    scale = feature_scale(data) if scale is None else scale
    return {"image": pixels, **encode_images(pixels, scale)}
