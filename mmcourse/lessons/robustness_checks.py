"""Robustness checks for any model trained on `FusionData` (lesson 09, the article's challenges).

- Missing modality: `blank` replaces a split's text by padding (token id 0 everywhere) or its
  image by zeros (pixels, grid and features), which is exactly what `blocks.ModalityDropout`
  does to a dropped modality in training; `missing_modality_accuracy` scores a model with
  both inputs, with the text missing and with the image missing; `dropout_curve` trains one
  model per train-time modality-dropout rate and scores each that way.
- Noisy modality: `corruption_table` scores models on a split whose texts or images were
  corrupted (`mmcourse.corruptions`) at several strengths.
- Label noise: `flip_labels` changes exactly `count` labels, each to another class;
  `with_label_noise` returns a copy of the data whose train labels were flipped that way.
- Compute: `compute_profile` gives parameters, training seconds per epoch and inference
  latency per post (median of repeated, warmed-up timed calls).

Every function returns new arrays or copies: the `FusionData` passed in is never modified.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from mmcourse import corruptions, fusion_data
from mmcourse.constants import NUM_CLASSES
from mmcourse.experiment import DEFAULT_SETTINGS, accuracy_on, fit_and_evaluate, model_inputs

MODALITY_INPUTS = {"text": ("tokens",), "image": ("image", "image_grid", "image_features")}
MISSING_VIEWS = ("full", "text_missing", "image_missing")


def with_inputs(data, split: str, arrays: dict):
    """A copy of `data` whose `split` has some arrays replaced (`{name: array}`)."""
    if split not in data.arrays:
        raise ValueError(f"split must be one of {sorted(data.arrays)}. Received: split={split!r}")
    part = data.arrays[split]
    for name, array in arrays.items():
        if name not in part:
            raise ValueError(f"{split!r} has no array {name!r}. Received: {sorted(arrays)}")
        if len(array) != len(part[name]):
            raise ValueError(
                f"{name!r} needs {len(part[name])} rows, one per post. Received: {len(array)}"
            )
    new_arrays = dict(data.arrays)
    new_arrays[split] = {**part, **arrays}
    return dataclasses.replace(data, arrays=new_arrays)


def blank(data, split: str, modality: str):
    """A copy of `data` in which every post of `split` lost its text or its image (zeros)."""
    if modality not in MODALITY_INPUTS:
        raise ValueError(f"modality must be 'text' or 'image'. Received: modality={modality!r}")
    if split not in data.arrays:
        raise ValueError(f"split must be one of {sorted(data.arrays)}. Received: split={split!r}")
    part = data.arrays[split]
    zeros = {n: np.zeros_like(part[n]) for n in MODALITY_INPUTS[modality] if n in part}
    return with_inputs(data, split, zeros)


def missing_modality_accuracy(model, data, split: str = "test") -> dict[str, float]:
    """Accuracy with both inputs (`full`), with the text blanked and with the image blanked."""
    return {
        "full": accuracy_on(model, data, split),
        "text_missing": accuracy_on(model, blank(data, split, "text"), split),
        "image_missing": accuracy_on(model, blank(data, split, "image"), split),
    }


def dropout_curve(build, data, rates, settings=None, *, trained: dict | None = None):
    """Train `build(rate)` for each modality-dropout rate; score each with modalities missing.

    `build(rate)` must return a fresh model, which `fit_and_evaluate` trains with `settings`
    (a `TrainSettings`; default `experiment.DEFAULT_SETTINGS` for this mode), from the
    weights `settings.seed` gives. `trained` (`{rate: (model, Evaluation)}`) holds
    models already trained at some rates, which are scored but not trained again. Returns
    `(table, runs)`: one row per rate (`full`, `text_missing`, `image_missing` test
    accuracies) and `{rate: (model, Evaluation)}`, whose `details` gain `acc_text_missing` and
    `acc_image_missing`.
    """
    import keras

    settings = DEFAULT_SETTINGS.for_mode() if settings is None else settings
    rows, runs = {}, {}
    for rate in rates:
        if trained and rate in trained:
            model, evaluation = trained[rate]
            evaluation = dataclasses.replace(evaluation, details=dict(evaluation.details))
        else:
            keras.utils.set_random_seed(settings.seed)
            model = build(rate)
            evaluation = fit_and_evaluate(model, data, settings)
        scores = missing_modality_accuracy(model, data)
        evaluation.details.update(
            {f"acc_{k}": round(v, 4) for k, v in scores.items() if k != "full"}
        )
        rows[rate] = scores
        runs[rate] = (model, evaluation)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "modality_dropout"
    return table.round(3), runs


def flip_labels(labels, count: int, *, num_classes: int = NUM_CLASSES, seed: int = 0):
    """Change exactly `count` labels, each to one of the other classes at random.

    Returns `(noisy_labels, flipped_rows)`; the rows are distinct and sorted.
    """
    labels = np.asarray(labels)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise ValueError(f"count must be an int. Received: count={count!r}")
    if not 0 <= count <= len(labels):
        raise ValueError(f"count must be in [0, {len(labels)}]. Received: count={count}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2. Received: num_classes={num_classes}")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(labels), size=count, replace=False))
    shift = rng.integers(1, num_classes, size=count)  # 1..num_classes-1: never the same class
    noisy = labels.copy()
    noisy[rows] = (labels[rows] + shift) % num_classes
    return noisy, rows


def with_label_noise(data, rate: float, *, seed: int = 0, column: str = "label"):
    """A copy of `data` whose train `column` has `round(rate * n)` labels flipped.

    Returns `(noisy_data, flipped_rows)`. Validation and test labels stay clean: early stopping
    watches a clean validation split, as a small hand-checked set would be in practice.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be in [0, 1]. Received: rate={rate}")
    labels = data.labels("train", column)
    count = int(round(rate * len(labels)))
    noisy, rows = flip_labels(labels, count, num_classes=len(data.class_names), seed=seed)
    new_arrays = dict(data.arrays)
    new_arrays["train"] = {**data.arrays["train"], column: noisy}
    return dataclasses.replace(data, arrays=new_arrays), rows


def corruption_table(
    models, data, kinds, strengths, *, split: str = "test", seed: int = 0, scale=None
) -> pd.DataFrame:
    """Accuracy of each model on `split` corrupted by each kind at each strength.

    `models` is `{name: model}`. Each corrupted split is computed once and shared by all
    models. Returns a long table: `kind`, `strength`, `model`, `accuracy` (strength 0 = clean).
    """
    if any(k in corruptions.IMAGE_CORRUPTIONS for k in kinds) and scale is None:
        scale = fusion_data.feature_scale(data)
    records = []
    for kind in kinds:
        for strength in strengths:
            arrays = fusion_data.corrupted_inputs(
                data, split, kind, strength, seed=seed, scale=scale
            )
            noisy = with_inputs(data, split, arrays)
            for name, model in models.items():
                accuracy = round(accuracy_on(model, noisy, split), 4)
                records.append(
                    {
                        "kind": kind,
                        "strength": float(strength),
                        "model": name,
                        "accuracy": accuracy,
                    }
                )
    return pd.DataFrame.from_records(records)


def _median_seconds(call, *, repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def compute_profile(
    model, data, evaluation=None, *, repeats: int = 20, warmup: int = 3, batch_size: int = 256
) -> dict[str, float]:
    """Parameters, training seconds per epoch and inference time per post of a trained model.

    - `params`: all weights (`model.count_params()`);
    - `seconds_per_epoch`: `evaluation.details` train_seconds / epochs (NaN without it);
    - `latency_ms`: one post per call (`predict_on_batch`), the median of `repeats` timed
      calls after `warmup` untimed ones: what a user waiting for one prediction sees;
    - `batch_ms_per_post`: the same for `batch_size` posts per call, divided by the batch:
      the cost per post when posts are scored in bulk.

    Times are measured on this machine, now: they vary between runs and machines.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"Need repeats >= 1 and warmup >= 0. Received: {repeats=}, {warmup=}")
    names = model_inputs(model)
    one = data.inputs("test", names, rows=slice(0, 1))
    batch = data.inputs("test", names, rows=slice(0, batch_size))
    size = len(next(iter(batch.values())))
    details = evaluation.details if evaluation is not None else {}
    per_epoch = float("nan")
    if details.get("epochs"):
        per_epoch = details["train_seconds"] / details["epochs"]
    one_s = _median_seconds(lambda: model.predict_on_batch(one), repeats=repeats, warmup=warmup)
    batch_s = _median_seconds(
        lambda: model.predict_on_batch(batch), repeats=max(3, repeats // 4), warmup=max(1, warmup)
    )
    return {
        "params": int(model.count_params()),
        "seconds_per_epoch": round(per_epoch, 2),
        "latency_ms": round(1000 * one_s, 3),
        "batch_ms_per_post": round(1000 * batch_s / size, 4),
    }
