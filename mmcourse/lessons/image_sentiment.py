"""Lesson 04's recipes in functions: the learning curve and the course's results table use them.

Three ways to get an image sentiment classifier (trained on `image_label`, what the image
shows):

- `"scratch"`: the small CNN of `build_image_cnn`, every weight learned from our images;
- `"frozen + linear"`: the course encoder, frozen, and a linear softmax head (learning rate
  1e-2: only 195 weights learn);
- `"fine-tuned"`: the same, then the whole encoder trained further at learning rate 1e-4.

`fit_recipe` trains one recipe on any `(images, labels)` data; `run_experiment` trains
lesson 04's models on MoodPosts pixels and scores them on the post `label`, next to the other
lessons' models in `notebooks/RESULTS.md`.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from mmcourse import runtime
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.models import image
from mmcourse.train import compile_classifier, train

RECIPES = ("scratch", "frozen + linear", "fine-tuned")
HEAD_LEARNING_RATE = 1e-2
FINE_TUNE_LEARNING_RATE = 1e-4


def fit_recipe(recipe: str, train_data, validation_data, *, epochs: int, patience: int = 5):
    """Train one of `RECIPES` and return the model (early stopping on validation loss)."""
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}. Received: recipe={recipe!r}")
    fit = dict(validation_data=validation_data, epochs=epochs, patience=patience, verbose=0)
    if recipe == "scratch":
        model = image.build_image_cnn()
        train(model, train_data, **fit)
        return model
    encoder = image.build_image_encoder(weights="course")
    model = image.build_image_classifier(encoder, augment=False, dropout=0.0)
    train(model, train_data, learning_rate=HEAD_LEARNING_RATE, **fit)
    if recipe == "fine-tuned":
        encoder.trainable = True
        compile_classifier(model, learning_rate=FINE_TUNE_LEARNING_RATE)
        train(model, train_data, **fit)
    return model


def learning_curve(train_posts, validation_data, test_data, *, sizes, epochs, seed=0):
    """`{recipe: [test accuracy at each size]}`; data are `(images, image_labels)` arrays.

    `train_posts` is the full `(images, labels)` training pair; size `n` uses its first `n`.
    """
    images, labels = train_posts
    test_images, test_labels = test_data
    curve = {}
    for recipe in RECIPES:
        scores = []
        for size in sizes:
            keras.utils.set_random_seed(seed)
            model = fit_recipe(recipe, (images[:size], labels[:size]), validation_data,
                               epochs=epochs)  # fmt: skip
            predicted = model.predict(test_images, verbose=0).argmax(-1)
            scores.append(round(float(np.mean(predicted == test_labels)), 4))
        curve[recipe] = scores
    return curve


def run_experiment(data, *, seed: int = 0) -> list[Evaluation]:
    """Lesson 04's models on `FusionData` pixels, trained on `image_label`, scored on `label`.

    `details` hold `image_label_accuracy` (what the model was trained for), `params` and
    `train_seconds`.
    """
    epochs = runtime.fast_or_full(3, 30)
    pairs = {s: (data.arrays[s]["image"], data.labels(s, "image_label")) for s in ("train", "val")}
    test_images = data.arrays["test"]["image"]
    results = []
    builders = {
        "listing_4_2": lambda: image.build_listing_4_2(weights="course"),
        "image_cnn": lambda: image.build_image_cnn(augment=False),
        "image_cnn_augmented": lambda: image.build_image_cnn(augment=True),
    }
    for name, build in builders.items():
        keras.utils.set_random_seed(seed)
        model = build()
        history = train(model, pairs["train"], validation_data=pairs["val"], epochs=epochs,
                        verbose=0)  # fmt: skip
        results.append(_score(model, data, name, test_images, history.seconds))
    for recipe, name in (("frozen + linear", "course_encoder_frozen"),
                         ("fine-tuned", "course_encoder_fine_tuned")):  # fmt: skip
        keras.utils.set_random_seed(seed)
        started = time.perf_counter()
        model = fit_recipe(recipe, pairs["train"], pairs["val"], epochs=epochs, patience=3)
        results.append(_score(model, data, name, test_images, time.perf_counter() - started))
    return results


def _score(model, data, name, test_images, seconds) -> Evaluation:
    probabilities = model.predict(test_images, verbose=0)
    result = evaluate(data.splits["test"], probabilities, name=name)
    image_truth = data.labels("test", "image_label")
    result.details = {
        "image_label_accuracy": round(float(np.mean(probabilities.argmax(-1) == image_truth)), 4),
        "params": int(model.count_params()),
        "train_seconds": round(seconds, 1),
    }
    return result
