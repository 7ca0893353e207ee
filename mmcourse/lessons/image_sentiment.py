"""Lesson 04's recipes in functions: the notebook's learning curve, the results page and the
lesson's claims use them.

Three ways to get an image sentiment classifier (trained on `image_label`, what the image
shows):

- `"scratch"`: the small CNN of `build_image_cnn`, every weight learned from our images;
- `"frozen + linear"`: the course encoder, frozen, and a linear softmax head (learning rate
  `head_learning_rate`, 1e-2: only 195 weights learn);
- `"fine-tuned"`: the same, then the whole encoder trained further at
  `fine_tune_learning_rate`, 1e-4.

`fit_recipe` trains one recipe on any `(images, labels)` data and `learning_curve` trains
them at several training-set sizes; `run_experiment` trains lesson 04's models on MoodPosts
pixels and scores them on the post `label`, next to the other lessons' models in
`notebooks/RESULTS.md`, and measures the learning curve at `FEW_LABELLED_IMAGES` for
`lesson_claims`: with few labelled images, the frozen course encoder beats training from
scratch. The hyper-parameters, fast and full, are in `SETTINGS`.
"""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np
import pandas as pd

from mmcourse.arguments import check_positive_int
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.experiment import LessonResult
from mmcourse.lessons.image_sentiment_claims import (  # noqa: F401 - the lesson's interface
    FEW_LABELLED_ACCURACY,
    FEW_LABELLED_IMAGES,
    FEW_LABELLED_MARGIN,
    lesson_claims,
)
from mmcourse.models import image
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.train import (
    compile_classifier,
    predict_batches,
    train,
    train_frozen_head,
    training_details,
)

RECIPES = ("scratch", "frozen + linear", "fine-tuned")


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 04's hyper-parameters.

    `epochs` (at most; early stopping with `patience` on the validation loss), `learning_rate`
    (Adam) and `batch_size` train the models of `run_experiment` and the `"scratch"` recipe.
    The pretrained encoder's linear head learns at `head_learning_rate` for at most
    `head_epochs` epochs (on features computed once: `mmcourse.train.train_frozen_head`), then
    fine-tuning trains the whole encoder at `fine_tune_learning_rate` for at most
    `fine_tune_epochs`. The learning curve trains each recipe on the first `n` training images
    for each `n` of `curve_sizes`, for at most `curve_epochs` epochs with patience
    `curve_patience` (the notebook adds the whole training split from the models it trained).
    """

    batch_size: int = 64
    learning_rate: float = 3e-3
    head_learning_rate: float = 1e-2
    head_epochs: int = 60
    fine_tune_learning_rate: float = 1e-4
    fine_tune_epochs: int = 3
    curve_sizes: tuple[int, ...] = (100, 200, 1000)
    curve_epochs: int = 30
    curve_patience: int = 5

    def __post_init__(self):
        super().__post_init__()
        for name in ("curve_epochs", "head_epochs", "fine_tune_epochs"):
            check_positive_int(getattr(self, name), name)
        if not self.curve_sizes:
            raise ValueError(f"curve_sizes is empty. Received: curve_sizes={self.curve_sizes}")
        for size in self.curve_sizes:
            check_positive_int(size, "curve_sizes")
        if (
            self.curve_patience < 0
            or min(self.head_learning_rate, self.fine_tune_learning_rate) <= 0
        ):
            raise ValueError(
                "Need curve_patience >= 0 and learning rates > 0. Received: "
                f"curve_patience={self.curve_patience}, "
                f"head_learning_rate={self.head_learning_rate}, "
                f"fine_tune_learning_rate={self.fine_tune_learning_rate}"
            )


SETTINGS = ByMode(
    fast=Settings(epochs=3, fine_tune_epochs=2, curve_sizes=(100, 200), curve_epochs=8),
    full=Settings(epochs=10),
)


def fit_recipe(recipe: str, train_data, validation_data, *, settings: Settings | None = None):
    """Train one of `RECIPES` and return the model (early stopping on validation loss).

    `settings` (default `SETTINGS.for_mode()`): `"scratch"` trains for at most `epochs` at
    `learning_rate`; the pretrained encoder's linear head for at most `head_epochs` at
    `head_learning_rate`, on the frozen encoder's features computed once; `"fine-tuned"` then
    trains everything for at most `fine_tune_epochs` at `fine_tune_learning_rate`. Data:
    `(images, labels)` arrays or `tf.data` batches. The caller seeds
    (`keras.utils.set_random_seed`). `model.last_history` is its last training call's
    `History`.
    """
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}. Received: recipe={recipe!r}")
    settings = SETTINGS.for_mode() if settings is None else settings
    batches = _batches(train_data, settings, shuffle=True)
    fit = dict(
        validation_data=_batches(validation_data, settings),
        patience=settings.patience,
        verbose=0,
    )
    if recipe == "scratch":
        model = image.build_image_cnn()
        model.last_history = train(
            model,
            batches,
            epochs=settings.epochs,
            learning_rate=settings.learning_rate,
            **fit,
        )
        return model
    encoder = image.build_image_encoder(weights="course")
    model = image.build_image_classifier(encoder, augment=False, dropout=0.0)
    model.last_history = train_frozen_head(
        model,
        train_data,
        validation_data=fit["validation_data"],
        epochs=settings.head_epochs,
        patience=settings.patience,
        learning_rate=settings.head_learning_rate,
        batch_size=settings.batch_size,
    )
    if recipe == "fine-tuned":
        encoder.trainable = True
        compile_classifier(model, learning_rate=settings.fine_tune_learning_rate)
        model.last_history = train(
            model,
            batches,
            epochs=settings.fine_tune_epochs,
            **fit,
        )
    return model


def _batches(data, settings: Settings, *, shuffle: bool = False):
    """`(images, labels)` arrays as `tf.data` batches of `settings.batch_size` (shuffled each
    epoch from `settings.seed` when `shuffle`); a dataset is returned as it is."""
    if not isinstance(data, tuple):
        return data
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        dataset = dataset.shuffle(len(data[1]), seed=settings.seed, reshuffle_each_iteration=True)
    return dataset.batch(settings.batch_size).prefetch(tf.data.AUTOTUNE)


def learning_curve(
    train_posts,
    validation_data,
    test_data,
    *,
    settings: Settings | None = None,
    sizes=None,
    recipes=RECIPES,
    return_epochs: bool = False,
):
    """`{recipe: [test accuracy at each size]}`; data are `(images, image_labels)` arrays.

    With `return_epochs`, also `{recipe: [epochs its last training call ran at each size]}`
    (the fine-tuning for `"fine-tuned"`, the head for `"frozen + linear"`), which says whether
    early stopping or the cap ended it.

    `train_posts` is the full `(images, labels)` training pair; size `n` uses its first `n`.
    `sizes` default to `settings.curve_sizes`. Every training call stops early with patience
    `settings.curve_patience`; the CNN from scratch trains for at most `settings.curve_epochs`
    epochs (the pretrained recipes keep `head_epochs` and `fine_tune_epochs`), each recipe
    from `keras.utils.set_random_seed(settings.seed)`.
    """
    settings = SETTINGS.for_mode() if settings is None else settings
    sizes = settings.curve_sizes if sizes is None else sizes
    unknown = [r for r in recipes if r not in RECIPES]
    if unknown or not recipes:
        raise ValueError(f"recipes must be some of {RECIPES}. Received: recipes={recipes}")
    fit = dataclasses.replace(
        settings, epochs=settings.curve_epochs, patience=settings.curve_patience
    )
    images, labels = train_posts
    test_images, test_labels = test_data
    curve, epochs = {}, {}
    for recipe in recipes:
        scores, ran = [], []
        for size in sizes:
            keras.utils.set_random_seed(settings.seed)
            model = fit_recipe(
                recipe, (images[:size], labels[:size]), validation_data, settings=fit
            )
            predicted = predict_batches(model, test_images).argmax(-1)
            scores.append(round(float(np.mean(predicted == test_labels)), 4))
            ran.append(len(model.last_history.history["loss"]))
        curve[recipe], epochs[recipe] = scores, ran
    return (curve, epochs) if return_epochs else curve


def curve_table(curve: dict, sizes) -> pd.DataFrame:
    """`learning_curve`'s scores as a table: one row per training-set size, one column per
    recipe (what the notebook shows and `lesson_claims` reads)."""
    return pd.DataFrame(curve, index=pd.Index(list(sizes), name="training images"))


def run_experiment(data=None, *, settings: Settings | None = None) -> LessonResult:
    """Lesson 04's models on `FusionData` pixels, trained on `image_label`, scored on `label`.

    `data`: a `FusionData` with pixels (default `prepare_fusion_data()`). The evaluations:
    `listing_4_2`, `image_cnn`, `image_cnn_augmented`, `course_encoder_frozen`,
    `course_encoder_fine_tuned`; their `details` hold `image_label_accuracy` (what the model
    was trained for) and `mmcourse.train.training_details`. `measures["learning_curve"]`:
    the `"scratch"` and `"frozen + linear"` recipes trained on the first
    `FEW_LABELLED_IMAGES` training images (`curve_table`), for `lesson_claims`.
    """
    settings = SETTINGS.for_mode() if settings is None else settings
    if data is None:
        from mmcourse.fusion_data import prepare_fusion_data

        data = prepare_fusion_data()
    pairs = {
        s: (data.arrays[s]["image"][:], data.labels(s, "image_label")) for s in ("train", "val")
    }
    test_images = data.arrays["test"]["image"][:]  # float32 in [0, 1]
    results = []
    builders = {
        "listing_4_2": lambda: image.build_listing_4_2(weights="course"),
        "image_cnn": lambda: image.build_image_cnn(augment=False),
        "image_cnn_augmented": lambda: image.build_image_cnn(
            augment=True, name="image_cnn_augmented"
        ),
    }
    for name, build in builders.items():
        keras.utils.set_random_seed(settings.seed)
        model = build()
        history = train(
            model,
            _batches(pairs["train"], settings, shuffle=True),
            validation_data=_batches(pairs["val"], settings),
            epochs=settings.epochs,
            patience=settings.patience,
            learning_rate=settings.learning_rate,
            verbose=0,
        )
        results.append(_score(model, data, name, test_images, training_details(model, history)))
    for recipe, name in (
        ("frozen + linear", "course_encoder_frozen"),
        ("fine-tuned", "course_encoder_fine_tuned"),
    ):
        keras.utils.set_random_seed(settings.seed)
        started = time.perf_counter()
        model = fit_recipe(recipe, pairs["train"], pairs["val"], settings=settings)
        details = training_details(model, seconds=time.perf_counter() - started)
        results.append(_score(model, data, name, test_images, details))
    sizes = (FEW_LABELLED_IMAGES,)
    curve = learning_curve(
        pairs["train"],
        pairs["val"],
        (test_images, data.labels("test", "image_label")),
        settings=settings,
        sizes=sizes,
        recipes=("scratch", "frozen + linear"),
    )
    return LessonResult(results, {"learning_curve": curve_table(curve, sizes)}, settings)


def _score(model, data, name, test_images, details) -> Evaluation:
    probabilities = model.predict(test_images, verbose=0)
    result = evaluate(data.splits["test"], probabilities, name=name)
    image_truth = data.labels("test", "image_label")
    accuracy = round(float(np.mean(probabilities.argmax(-1) == image_truth)), 4)
    result.details = {"image_label_accuracy": accuracy, **details}
    return result
