"""Input pipelines side by side: the course's `tf.data` against the article's listing 4.2.

The same MoodPosts train images (4,800; the first 256 in quick mode), the same batch size
(32), the same kind of random augmentation, one pass each:

- `tf.data`: what lesson 04 uses, `MultimodalDataset.to_tf_dataset` (each row's own file
  decoded in the pipeline, in parallel) reduced to `(image, image_label)`, then the course's
  augmentation layers (`mmcourse.models.image.build_augmentation`) mapped over the batches
  with `num_parallel_calls=AUTOTUNE`, and prefetching. No cache: files are read on this pass,
  as the legacy generator reads them on each of its passes.
- `tf.data, cached`: the same with `to_tf_dataset(cache=True)`; the first pass fills the
  cache, the second one (timed) decodes nothing, only augments. What every epoch after the
  first costs in lesson 04.
- `ImageDataGenerator`: listing 4.2's legacy generator with its rescaling and augmentation
  arguments (`LEGACY_AUGMENTATION`), reading and transforming the image files per batch on
  the Python side (`flow_from_dataframe` on the manifest's absolute paths, so that no
  class-per-folder directory is needed).

Each row reports samples per second; `ratio` is the `tf.data` rate over the generator's.
TensorFlow is needed here (`tf.data`); `measure_pipelines` says so rather than fail.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings

BATCH_SIZE = 32
QUICK_IMAGES = 256
LABEL_COLUMN = "image_label"  # what lesson 04 trains its image models on
# Listing 4.2's `ImageDataGenerator(...)` arguments (see notebooks/appendix_errata.ipynb).
LEGACY_AUGMENTATION = dict(
    rescale=1.0 / 255,
    rotation_range=20,
    width_shift_range=0.2,
    height_shift_range=0.2,
    shear_range=0.2,
    zoom_range=0.2,
    horizontal_flip=True,
    fill_mode="nearest",
)
TF_DATA, TF_DATA_CACHED, LEGACY = "tf.data", "tf.data, cached", "ImageDataGenerator"


def _augment_batches(dataset, *, seed: int = 0):
    """`(image, label)` batches of `dataset`, augmented by the course's layers in the pipeline.

    The layers of `build_augmentation` are applied one by one: Keras' image preprocessing
    layers run as TensorFlow ops inside `tf.data` whatever the Keras backend is.
    """
    import keras
    import tensorflow as tf

    from mmcourse.models.image import build_augmentation

    augmentation = build_augmentation(seed=seed)
    layers = [
        layer
        for layer in augmentation.layers
        if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Identity))
    ]

    def augment(inputs, label):
        image = inputs["image"]
        for layer in layers:
            image = layer(image, training=True)
        return image, label

    dataset = dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _timed_pass(batches) -> tuple[float, int]:
    """Seconds to draw every batch of one pass, and the number of images drawn."""
    started = time.perf_counter()
    count = 0
    for images, _ in batches:
        count += int(images.shape[0])
    return time.perf_counter() - started, count


def _row(name: str, seconds: float, count: int, note: str) -> dict:
    return {
        "pipeline": name,
        "images": count,
        "seconds": seconds,
        "samples_per_second": count / seconds,
        "note": note,
    }


def time_tf_data(posts, *, cached: bool = False, seed: int = 0) -> dict:
    """One timed pass of the course's pipeline over `posts` (the second pass if `cached`)."""
    dataset = posts.to_tf_dataset(
        batch_size=BATCH_SIZE, shuffle=True, seed=seed, label_column=LABEL_COLUMN, cache=cached
    )
    batches = _augment_batches(dataset, seed=seed)
    if cached:
        _timed_pass(batches)  # fills the cache
        seconds, count = _timed_pass(batches)
        return _row(TF_DATA_CACHED, seconds, count, "second pass: decoded images from the cache")
    seconds, count = _timed_pass(batches)
    return _row(TF_DATA, seconds, count, "to_tf_dataset + build_augmentation, files read")


def time_image_data_generator(posts, *, seed: int = 0) -> dict:
    """One timed pass of listing 4.2's `ImageDataGenerator` over the files of `posts`."""
    # Keras 3 keeps the legacy generator here (`keras.preprocessing.image` no longer has it).
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    frame = posts.frame[["image", LABEL_COLUMN]].astype(str)
    generator = ImageDataGenerator(**LEGACY_AUGMENTATION)
    size = _image_size(posts)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Found 256 ... filenames"
        flow = generator.flow_from_dataframe(
            frame,
            x_col="image",
            y_col=LABEL_COLUMN,
            target_size=(size, size),
            class_mode="sparse",
            batch_size=BATCH_SIZE,
            shuffle=True,
            seed=seed,
            validate_filenames=False,
        )
    count = 0
    with warnings.catch_warnings():  # the legacy code calls a deprecated SciPy namespace
        warnings.simplefilter("ignore", DeprecationWarning)
        for index in range(len(flow)):
            images, _ = flow[index]
            count += int(images.shape[0])
    seconds = time.perf_counter() - started
    return _row(LEGACY, seconds, count, "listing 4.2: rescale + augmentation, files read")


def _image_size(posts) -> int:
    from PIL import Image

    with Image.open(posts.frame["image"].iloc[0]) as image:
        return int(image.size[0])


def measure_pipelines(*, quick: bool = False, posts=None, progress=print) -> dict:
    """The three rows of the module docstring, and the ratios of `tf.data` to the generator.

    `posts` default to MoodPosts' train split (its first `QUICK_IMAGES` posts in quick mode).
    Returns `{"images", "batch_size", "rows", "ratio", "cached_ratio"}`, or `{"skipped": ...}`
    when TensorFlow cannot be imported.
    """
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        return {"skipped": "needs TensorFlow"}
    if posts is None:
        from mmcourse.data import load_moodposts

        posts = load_moodposts(split="train", verify=False)
        if quick:
            posts = posts.head(QUICK_IMAGES)
    if len(posts) < 1:
        raise ValueError(f"posts must hold at least one post. Received: {len(posts)} posts")
    rows = []
    for measure in (time_tf_data, time_image_data_generator):
        rows.append(measure(posts))
        progress(_progress_line(rows[-1]))
    rows.insert(1, time_tf_data(posts, cached=True))
    progress(_progress_line(rows[1]))
    rates = {row["pipeline"]: row["samples_per_second"] for row in rows}
    return {
        "images": len(posts),
        "batch_size": BATCH_SIZE,
        "rows": rows,
        "ratio": rates[TF_DATA] / rates[LEGACY],
        "cached_ratio": rates[TF_DATA_CACHED] / rates[LEGACY],
    }


def _progress_line(row: dict) -> str:
    return (
        f"[pipeline] {row['pipeline']}: {row['images']} images in {row['seconds']:.1f} s "
        f"({row['samples_per_second']:.0f} samples/s)"
    )
