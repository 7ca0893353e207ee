"""Pretrain the course's image encoder on a pretext task of its own, offline.

    python -m mmcourse.pretrain.image_encoder --out datasets/encoders/course_image_encoder

The pretext set is generated here with `mmcourse.synth.scenes` under seeds of its own: it never
contains a MoodPosts image (train, validation or test). Each scene has one or two characters
with random expressions and random weather, place and objects; a multi-head network learns
which expressions are present (multi-label), the weather, the place and the objects
(multi-label). Only the convolutional backbone is kept: `encoder.weights.h5` (about 0.3 MB), its
SHA-256 (`encoder.weights.h5.sha256`, checked on load), `metrics.json` and a README.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import keras
import numpy as np

from mmcourse.models import image as image_models
from mmcourse.synth.scenes import OBJECTS, PLACES, WEATHERS, render_scene, sample_scene

PRETEXT_SEED = 404_2026  # not MoodPosts' seed (2026): a different set of scenes
EXPRESSIONS = ("negative", "neutral", "positive")
MOODS = ("negative", "neutral", "positive", "mixed")


def make_pretext_data(num_images: int, *, seed: int = PRETEXT_SEED, split: int = 0):
    """Images (uint8, N x 64 x 64 x 3) and pretext targets, a pure function of the seeds."""
    rng = np.random.default_rng([seed, split])
    images = np.zeros((num_images, 64, 64, 3), dtype=np.uint8)
    targets = {
        "pretext_expressions": np.zeros((num_images, len(EXPRESSIONS)), dtype="float32"),
        "pretext_weather": np.zeros(num_images, dtype="int32"),
        "pretext_place": np.zeros(num_images, dtype="int32"),
        "pretext_objects": np.zeros((num_images, len(OBJECTS)), dtype="float32"),
    }
    for i in range(num_images):
        count = 1 + int(rng.integers(2))
        expressions = [EXPRESSIONS[int(rng.integers(3))] for _ in range(count)]
        scene = sample_scene(rng, expressions=expressions, mood=MOODS[int(rng.integers(4))])
        images[i] = render_scene(scene, rng)
        for expression in expressions:
            targets["pretext_expressions"][i, EXPRESSIONS.index(expression)] = 1.0
        targets["pretext_weather"][i] = WEATHERS.index(scene.weather)
        targets["pretext_place"][i] = PLACES.index(scene.place)
        for name in scene.objects:
            targets["pretext_objects"][i, OBJECTS.index(name)] = 1.0
    return images, targets


def build_pretext_model():
    """The course backbone with four pretext heads; returns (model, backbone)."""
    backbone = image_models._course_backbone(64)
    image = keras.Input(shape=(64, 64, 3), name="image")
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="image_rescale")(image)
    grid = backbone(x)
    pooled = keras.layers.Concatenate(name="pretext_pool")(
        [keras.layers.GlobalMaxPooling2D()(grid), keras.layers.GlobalAveragePooling2D()(grid)]
    )
    outputs = {
        "pretext_expressions": keras.layers.Dense(3, activation="sigmoid"),
        "pretext_weather": keras.layers.Dense(len(WEATHERS), activation="softmax"),
        "pretext_place": keras.layers.Dense(len(PLACES), activation="softmax"),
        "pretext_objects": keras.layers.Dense(len(OBJECTS), activation="sigmoid"),
    }
    outputs = {name: layer(pooled) for name, layer in outputs.items()}
    for name, tensor in outputs.items():
        outputs[name] = keras.layers.Identity(name=name, dtype="float32")(tensor)
    return keras.Model(image, outputs, name="pretext_model"), backbone


def pretrain(out, *, num_images=8000, epochs=20, batch_size=64, seed=PRETEXT_SEED):
    """Generate the pretext set, train, and write the backbone's weights with a checksum."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(seed % 2**32)
    started = time.perf_counter()
    x_train, y_train = make_pretext_data(num_images, seed=seed, split=0)
    x_val, y_val = make_pretext_data(max(num_images // 8, 8), seed=seed, split=1)
    model, backbone = build_pretext_model()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss={
            "pretext_expressions": "binary_crossentropy",
            "pretext_weather": "sparse_categorical_crossentropy",
            "pretext_place": "sparse_categorical_crossentropy",
            "pretext_objects": "binary_crossentropy",
        },
        loss_weights={  # the faces are the hard part, and the part sentiment needs
            "pretext_expressions": 3.0,
            "pretext_weather": 1.0,
            "pretext_place": 1.0,
            "pretext_objects": 1.0,
        },
        metrics={
            "pretext_expressions": ["binary_accuracy"],
            "pretext_weather": ["accuracy"],
            "pretext_place": ["accuracy"],
            "pretext_objects": ["binary_accuracy"],
        },
    )
    x_train, x_val = x_train.astype("float32") / 255.0, x_val.astype("float32") / 255.0
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        verbose=2,
    )
    scores = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    weights = out / "encoder.weights.h5"
    backbone.save_weights(weights)
    digest = image_models.file_sha256(weights)
    (out / "encoder.weights.h5.sha256").write_text(f"{digest}  {weights.name}\n")
    metrics = {
        "num_images": num_images,
        "epochs": epochs,
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 1),
        "validation": {k: round(float(v), 4) for k, v in scores.items()},
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "README.md").write_text(
        "# Course image encoder\n\n"
        "Provenance: made by `python -m mmcourse.pretrain.image_encoder` "
        f"(num_images={num_images}, epochs={epochs}, seed={seed}) on generated scenes of its "
        "own (`mmcourse.synth.scenes`, never a MoodPosts image): which expressions the "
        "characters show, the weather, the place and the objects. Only the convolutional "
        "backbone is kept; `encoder.weights.h5.sha256` is checked on load; pretext scores "
        "on held-out scenes are in `metrics.json`. License: CC0 1.0.\n"
    )
    return metrics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the weights, checksum, README")
    parser.add_argument("--num-images", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=PRETEXT_SEED)
    args = parser.parse_args(argv)
    metrics = pretrain(args.out, num_images=args.num_images, epochs=args.epochs, seed=args.seed)
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
