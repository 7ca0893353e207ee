"""Training throughput of every lesson model: samples per second and milliseconds per step.

Each model of `model_specs()` is built with the builder its lesson uses, compiled with the loss its
lesson trains it with (`compile_for_bench`), and fed random NumPy inputs of the shapes its
`model.inputs` declare (`random_batch`): a few warm-up `train_on_batch` steps (the first one
traces or compiles the step), then timed steps. Each row also checks that the loss is finite
and that every output is float32 (the course's heads keep float32 under mixed precision).

float32 is always measured. Where the backend sees a GPU, each model is measured again under
`mixed_float16` and `mixed_bfloat16` (`keras.config.set_dtype_policy`, the previous policy
restored afterwards), with its ratio to float32. Without a GPU those rows are absent and the
section says `NO_GPU_NOTE`: mixed precision is slower on most CPUs, so it is not measured.

Quick mode measures `QUICK_MODELS` (one model per lesson) for fewer steps.

Only Keras 3 and NumPy run here, never TensorFlow code paths, so this section runs the same
under `KERAS_BACKEND=jax` on a machine without TensorFlow. (Nothing is seeded:
`keras.utils.set_random_seed` imports TensorFlow wherever it is installed, and timings do not
depend on the initial weights.)
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import keras
import numpy as np

from mmcourse.constants import NUM_CLASSES, SEQUENCE_LENGTH

BATCH_SIZE = 32
VOCABULARY_SIZE = 89  # MoodPosts' vocabulary: the words of its train texts, padding and OOV
MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")
NO_GPU_NOTE = "no GPU: mixed-precision rows not measured"
STEPS = {True: (2, 5), False: (3, 30)}  # quick or not: (warm-up steps, timed steps)
# Quick mode (CI) measures one model per lesson: the first step of each model costs a second
# or two of tracing, which all 26 together would make the longest part of a quick run.
QUICK_MODELS = (
    "listing_4_1 (bag_of_embeddings)",
    "listing_4_2",
    "dual_encoder",
    "multitask",
    "gated_fusion",
    "cross_modal_attention",
    "tensor_fusion + modality dropout",
)


@dataclasses.dataclass(frozen=True)
class BenchModel:
    """One lesson model: its name, its lesson's number and its builder."""

    name: str
    lesson: str
    build: Callable[..., keras.Model]  # build(vocabulary_size=...) -> a fresh model


def _without_vocabulary(builder, **kwargs):
    """A builder that takes (and ignores) `vocabulary_size`, for the image-only models."""
    return lambda *, vocabulary_size: builder(**kwargs)


def model_specs() -> tuple[BenchModel, ...]:
    """Every model the lessons train, in course order, each built as its lesson builds it."""
    from mmcourse.models import attention, embedding, fusion, image, multitask, text

    def classifier(*, trainable):
        encoder = image.build_image_encoder(weights="course", trainable=trainable)
        return image.build_image_classifier(encoder, augment=False, dropout=0.0)

    def adversarial(*, vocabulary_size):
        dual = embedding.build_dual_encoder(vocabulary_size=vocabulary_size)
        return embedding.add_modality_discriminator(dual)

    def article_attention(*, vocabulary_size):
        return attention.build_cross_modal_attention(
            vocabulary_size=vocabulary_size, combine="weights"
        )

    def tensor_with_dropout(*, vocabulary_size):
        rate = 0.4  # lesson 09's CLAIM_RATE, the rate its claims are about
        return fusion.build_tensor_fusion(vocabulary_size=vocabulary_size, modality_dropout=rate)

    return (
        BenchModel("listing_4_1 (bag_of_embeddings)", "03", text.build_bag_of_embeddings),
        BenchModel("text_cnn", "03", text.build_text_cnn),
        BenchModel("text_bilstm", "03", text.build_text_bilstm),
        BenchModel("listing_4_2", "04", _without_vocabulary(image.build_listing_4_2)),
        BenchModel("image_cnn", "04", _without_vocabulary(image.build_image_cnn)),
        BenchModel(
            "image_cnn_augmented", "04", _without_vocabulary(image.build_image_cnn, augment=True)
        ),
        BenchModel("frozen + linear", "04", _without_vocabulary(classifier, trainable=False)),
        BenchModel("fine-tuned", "04", _without_vocabulary(classifier, trainable=True)),
        BenchModel("text_autoencoder", "05", embedding.build_text_autoencoder),
        BenchModel(
            "image_autoencoder", "05", _without_vocabulary(embedding.build_image_autoencoder)
        ),
        BenchModel("bimodal_autoencoder", "05", embedding.build_bimodal_autoencoder),
        BenchModel("dual_encoder", "05", embedding.build_dual_encoder),
        BenchModel("adversarial_dual_encoder", "05", adversarial),
        BenchModel("multitask", "06", multitask.build_multitask_model),
        *(BenchModel(name, "07", build) for name, build in fusion.BUILDERS.items()),
        BenchModel("listing_4_3", "07", fusion.build_listing_4_3),
        BenchModel("word_attention_fusion", "08", attention.build_word_attention_fusion),
        BenchModel("cross_modal_attention", "08", attention.build_cross_modal_attention),
        BenchModel("article_attention", "08", article_attention),
        BenchModel("tensor_fusion + modality dropout", "09", tensor_with_dropout),
    )


def model_names() -> tuple[str, ...]:
    """The names of the models `measure_throughput` measures, in course order."""
    return tuple(spec.name for spec in model_specs())


def random_batch(model: keras.Model, *, batch_size: int = BATCH_SIZE, seed: int = 0) -> dict:
    """`{input name: array}` of the shapes and dtypes `model.inputs` declare.

    Token ids (int inputs) are in [0, VOCABULARY_SIZE) with a padded tail and never empty;
    pixels are uniform in [0, 1]; encoder features uniform in [0, 2] (non-negative, as the
    frozen encoder's ReLU features are).
    """
    rng = np.random.default_rng(seed)
    batch = {}
    for tensor in model.inputs:
        name = tensor.name.split(":")[0]
        shape = [batch_size] + [SEQUENCE_LENGTH if d is None else d for d in tensor.shape[1:]]
        if "int" in keras.backend.standardize_dtype(tensor.dtype):
            tokens = rng.integers(1, VOCABULARY_SIZE, size=shape)
            lengths = rng.integers(1, shape[1] + 1, size=(batch_size, 1))
            batch[name] = np.where(np.arange(shape[1]) < lengths, tokens, 0).astype("int32")
        elif name == "image":
            batch[name] = rng.random(shape, dtype="float32")
        else:
            batch[name] = (2.0 * rng.random(shape)).astype("float32")
    return batch


def _as_model_input(model: keras.Model, batch: dict):
    """A single-input model built on one tensor (not a dict) takes the bare array."""
    if len(batch) == 1 and not isinstance(model.input, dict):
        return next(iter(batch.values()))
    return batch


def _output_names(model: keras.Model) -> list[str]:
    if isinstance(model.output, dict):
        return list(model.output)
    return [model.output_names[0] if model.output_names else model.layers[-1].name]


def _loss_and_target(name: str, batch_size: int, rng):
    """The loss the lessons train an output with, and a random target for it."""
    from mmcourse.models import contrastive

    if name == "text_reconstruction":
        bag = (rng.random((batch_size, VOCABULARY_SIZE)) < 0.02).astype("float32")
        return "binary_crossentropy", bag
    if name == "image_reconstruction":
        return "mse", (2.0 * rng.random((batch_size, 64))).astype("float32")
    zeros = np.zeros(batch_size, "float32")  # the pairing is the label
    if name == "contrastive_logits":
        return contrastive.SymmetricInfoNCE(), zeros
    if name == "modality_logits":
        return contrastive.ModalityAdversaryLoss(), zeros
    labels = rng.integers(0, NUM_CLASSES, size=batch_size).astype("int32")
    return keras.losses.SparseCategoricalCrossentropy(), labels


def compile_for_bench(model: keras.Model, *, batch_size: int = BATCH_SIZE, seed: int = 0):
    """Compile `model` (Adam) with its lesson's loss per output; return the targets."""
    from mmcourse.models import multitask

    rng = np.random.default_rng(seed + 1)
    names = _output_names(model)
    pairs = {name: _loss_and_target(name, batch_size, rng) for name in names}
    if set(names) == set(multitask.OUTPUT_NAMES):
        multitask.compile_multitask(model)
    elif isinstance(model.output, dict):
        loss = {name: pair[0] for name, pair in pairs.items()}
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    else:
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=pairs[names[0]][0])
    targets = {name: pair[1] for name, pair in pairs.items()}
    return targets if isinstance(model.output, dict) else targets[names[0]]


def _loss_value(logs) -> float:
    if isinstance(logs, dict):
        return float(logs["loss"])
    return float(np.ravel(np.asarray(logs, dtype="float64"))[0])


def measure_model(spec: BenchModel, *, policy: str = "float32", quick: bool = False) -> dict:
    """One row: `spec`'s model trained under `policy` on random batches (see module doc)."""
    warm_up, steps = STEPS[bool(quick)]
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        model = spec.build(vocabulary_size=VOCABULARY_SIZE)
        x = _as_model_input(model, random_batch(model))
        y = compile_for_bench(model)
        for _ in range(warm_up):
            model.train_on_batch(x, y)
        started = time.perf_counter()
        for _ in range(steps):
            logs = model.train_on_batch(x, y, return_dict=True)
        seconds = time.perf_counter() - started
        loss = _loss_value(logs)
        outputs = model(x, training=False)  # eager: no predict function traced per model
        dtypes = [keras.backend.standardize_dtype(o.dtype) for o in keras.tree.flatten(outputs)]
        params = int(model.count_params())
    finally:
        keras.config.set_dtype_policy(previous)
        keras.backend.clear_session()
    return {
        "model": spec.name,
        "lesson": spec.lesson,
        "policy": policy,
        "params": params,
        "batch_size": BATCH_SIZE,
        "steps": steps,
        "samples_per_second": steps * BATCH_SIZE / seconds,
        "ms_per_step": 1000.0 * seconds / steps,
        "loss": loss,
        "loss_finite": math.isfinite(loss),
        "output_dtypes": dtypes,
        "outputs_float32": all(d == "float32" for d in dtypes),
    }


def measure_throughput(*, quick: bool = False, names=None, progress=print) -> dict:
    """Every model of `model_specs()` (`QUICK_MODELS` in quick mode, or only `names`), float32,
    plus mixed precision on a GPU.

    Returns `{"backend", "gpu", "batch_size", "vocabulary_size", "warm_up_steps",
    "rows": [...], "note"}`; a mixed-precision row has `ratio_to_float32` (its samples/s over
    the float32 row's). A model that fails under one policy gets a row with `error`.
    """
    from mmcourse import runtime
    from mmcourse.bench.child import scrub

    specs = model_specs()
    if names is None and quick:
        names = QUICK_MODELS
    if names is not None:
        unknown = sorted(set(names) - {spec.name for spec in specs})
        if unknown:
            raise ValueError(f"names must be among {model_names()}. Received: unknown={unknown}")
        specs = tuple(spec for spec in specs if spec.name in names)
    gpu = runtime.gpu_available()
    policies = ("float32", *MIXED_POLICIES) if gpu else ("float32",)
    rows = []
    for spec in specs:
        baseline = None
        for policy in policies:
            try:
                row = measure_model(spec, policy=policy, quick=quick)
            except Exception as error:  # noqa: BLE001 - one failing row must not end the bench
                row = {"model": spec.name, "lesson": spec.lesson, "policy": policy}
                row["error"] = scrub(f"{type(error).__name__}: {str(error)[:300]}")
                progress(f"[throughput] {spec.name} ({policy}): {row['error']}")
                rows.append(row)
                continue
            if policy == "float32":
                baseline = row["samples_per_second"]
            elif baseline:
                row["ratio_to_float32"] = row["samples_per_second"] / baseline
            rows.append(row)
            progress(
                f"[throughput] {spec.name} ({policy}): {row['samples_per_second']:.0f} "
                f"samples/s, {row['ms_per_step']:.1f} ms/step"
            )
    return {
        "backend": keras.backend.backend(),
        "gpu": gpu,
        "batch_size": BATCH_SIZE,
        "vocabulary_size": VOCABULARY_SIZE,
        "warm_up_steps": STEPS[bool(quick)][0],
        "rows": rows,
        "note": "" if gpu else NO_GPU_NOTE,
    }
