"""Cost growth: how preparing the data and training one fusion model scale with the posts.

MoodPosts variants of `SIZES` posts (`QUICK_SIZES` in quick mode) are generated with the
course's generator (`mmcourse.synth.generate.write_moodposts`, what `mmcourse data generate`
runs) into a temporary folder; the shipped release is the 6,000-post one and is used as is.
For each, a fresh process (`mmcourse.bench.child`), with the feature cache off
(`MMCOURSE_CACHE=off`, so the encoder runs), measures:

- `prepare_seconds`: `prepare_fusion_data` (read every image, fit the vectorizer, encode
  every image with the frozen encoder);
- `array_bytes` (and `image_bytes`, the pixels alone, stored as uint8): what `FusionData` holds;
- `first_epoch_seconds` and `seconds_per_epoch`: lesson 07's gated fusion trained with
  `mmcourse.train.train` for one epoch (tracing included) and then one more (the steady cost
  of an epoch, validation included);
- `peak_rss_kib`: the process's peak memory.

Generating 50,000 posts takes minutes; progress lines say how long it should take.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

SIZES = (1000, 6000, 50000)
QUICK_SIZES = (200, 400)
SHIPPED_SIZE = 6000  # the shipped release is MoodPostsConfig() with its 6,000 posts
BATCH_SIZE = 64  # lesson 07's batch size (the course's TrainSettings default)


def measure_variant(*, data_home: str | None, batch_size: int = BATCH_SIZE) -> None:
    """Run in the child: prepare, train two epochs, `report_result` the numbers.

    `data_home` is the folder holding a `moodposts/` release (None: the shipped one).
    """
    started = time.perf_counter()
    from mmcourse.bench.child import report_result
    from mmcourse.data import load_moodposts
    from mmcourse.fusion_data import fusion_dataset, prepare_fusion_data
    from mmcourse.models.fusion import build_gated_fusion
    from mmcourse.progress import quiet
    from mmcourse.train import train

    import_seconds = time.perf_counter() - started
    dataset = load_moodposts(data_home=data_home, verify=False)
    started = time.perf_counter()
    data = prepare_fusion_data(dataset)
    prepare_seconds = time.perf_counter() - started
    model = build_gated_fusion(vocabulary_size=data.vocabulary_size)
    inputs = ("tokens", "image_features")
    train_ds = fusion_dataset(data, "train", inputs=inputs, batch_size=batch_size, shuffle=True)
    val_ds = fusion_dataset(data, "val", inputs=inputs, batch_size=batch_size)
    with quiet():  # the result line is this child's only output
        epochs = [
            train(model, train_ds, validation_data=val_ds, epochs=1, verbose=0) for _ in range(2)
        ]
    arrays = [array for part in data.arrays.values() for array in part.values()]
    report_result(
        {
            "posts": len(dataset),
            "train_posts": int(len(data.labels("train"))),
            "vocabulary_size": data.vocabulary_size,
            "import_seconds": import_seconds,
            "prepare_seconds": prepare_seconds,
            "first_epoch_seconds": epochs[0].seconds,
            "seconds_per_epoch": epochs[1].seconds,
            "val_accuracy": float(epochs[1].history["val_accuracy"][-1]),
            "array_bytes": int(sum(array.nbytes for array in arrays)),
            "image_bytes": int(sum(part["image"].nbytes for part in data.arrays.values())),
        }
    )


def _generate(size: int, folder: Path, *, rate: float | None, progress) -> tuple[str, float]:
    """Write a `size`-post release under `folder`; `(data_home, posts per second)`."""
    from mmcourse.synth.generate import MoodPostsConfig, write_moodposts

    guess = f" (about {size / rate:.0f} s at {rate:.0f} posts/s)" if rate else ""
    progress(f"[growth] generating {size} posts{guess}...")
    started = time.perf_counter()
    home = folder / f"posts_{size}"
    write_moodposts(home / "moodposts", MoodPostsConfig(num_posts=size))
    seconds = time.perf_counter() - started
    progress(f"[growth] generated {size} posts in {seconds:.1f} s")
    return str(home), size / seconds


def measure_growth(*, quick: bool = False, sizes=None, progress=print) -> dict:
    """One row per size (see the module docstring); `{"sizes", "model", "rows"}`.

    `sizes` default to `QUICK_SIZES` in quick mode, else `SIZES`. Needs TensorFlow (the
    vectorizer and `tf.data`): `{"skipped": "needs TensorFlow"}` without it.
    """
    import importlib.util

    from mmcourse.bench.child import run_child

    if importlib.util.find_spec("tensorflow") is None:
        return {"skipped": "needs TensorFlow"}
    sizes = tuple(sizes or (QUICK_SIZES if quick else SIZES))
    bad = [size for size in sizes if int(size) != size or size < 30]
    if bad:
        raise ValueError(f"sizes must be integers of at least 30 posts. Received: {bad}")
    rows, rate = [], None
    with tempfile.TemporaryDirectory(prefix="mmcourse-bench-") as folder:
        for size in sizes:
            if size == SHIPPED_SIZE:
                data_home, source = None, "shipped"
            else:
                data_home, rate = _generate(size, Path(folder), rate=rate, progress=progress)
                source = "generated"
            progress(f"[growth] {size} posts: prepare_fusion_data and 2 epochs, fresh process")
            row = run_child(
                "mmcourse.bench.growth:measure_variant",
                {"data_home": data_home},
                environment={"MMCOURSE_CACHE": "off"},
            )
            row = {"size": size, "source": source, **row}
            rows.append(row)
            progress(_progress_line(row))
    return {"sizes": list(sizes), "model": "gated_fusion", "batch_size": BATCH_SIZE, "rows": rows}


def _progress_line(row: dict) -> str:
    if "error" in row:
        return f"[growth] {row['size']} posts: {row['error']}"
    return (
        f"[growth] {row['size']} posts: prepare {row['prepare_seconds']:.1f} s, "
        f"{row['seconds_per_epoch']:.2f} s/epoch, arrays {row['array_bytes'] / 2**20:.0f} MiB, "
        f"peak RSS {(row['peak_rss_kib'] or 0) / 2**10:.0f} MiB"
    )
