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

from mmcourse import claims
from mmcourse.arguments import check_positive_int
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.experiment import LessonResult
from mmcourse.models import image
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.train import compile_classifier, train, training_details

RECIPES = ("scratch", "frozen + linear", "fine-tuned")


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 04's hyper-parameters.

    `epochs` (at most; early stopping with `patience` on the validation loss) and
    `learning_rate` (Adam) train the models of `run_experiment` and the `"scratch"` recipe;
    `batch_size` is the one `model.fit` uses on the `(images, labels)` arrays these models are
    trained on (Keras's default, which `train` keeps). The pretrained encoder's linear head
    learns at `head_learning_rate`, fine-tuning at `fine_tune_learning_rate`. The learning
    curve trains each recipe on the first `n` training images for each `n` of `curve_sizes`,
    for at most `curve_epochs` epochs with patience `curve_patience`.
    """

    batch_size: int = 32
    learning_rate: float = 1e-3
    head_learning_rate: float = 1e-2
    fine_tune_learning_rate: float = 1e-4
    curve_sizes: tuple[int, ...] = (100, 300, 1000, 4800)
    curve_epochs: int = 60
    curve_patience: int = 5

    def __post_init__(self):
        super().__post_init__()
        check_positive_int(self.curve_epochs, "curve_epochs")
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
    fast=Settings(epochs=3, curve_sizes=(100, 200), curve_epochs=8),
    full=Settings(epochs=30),
)

# The claim: with at most this many labelled images, the frozen course encoder + a linear head
# beats the CNN from scratch by more than `FEW_LABELLED_MARGIN` and scores above
# `FEW_LABELLED_ACCURACY` on the test split's image_label.
FEW_LABELLED_IMAGES = 200
FEW_LABELLED_MARGIN = 0.15
FEW_LABELLED_ACCURACY = 0.8


def fit_recipe(recipe: str, train_data, validation_data, *, settings: Settings | None = None):
    """Train one of `RECIPES` and return the model (early stopping on validation loss).

    `settings` (default `SETTINGS.for_mode()`): `epochs` and `patience` for each training
    call, `learning_rate` for `"scratch"`, `head_learning_rate` and `fine_tune_learning_rate`
    for the pretrained encoder. The caller seeds (`keras.utils.set_random_seed`).
    """
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}. Received: recipe={recipe!r}")
    settings = SETTINGS.for_mode() if settings is None else settings
    fit = dict(
        validation_data=validation_data,
        epochs=settings.epochs,
        patience=settings.patience,
        verbose=0,
    )
    if recipe == "scratch":
        model = image.build_image_cnn()
        train(model, train_data, learning_rate=settings.learning_rate, **fit)
        return model
    encoder = image.build_image_encoder(weights="course")
    model = image.build_image_classifier(encoder, augment=False, dropout=0.0)
    train(model, train_data, learning_rate=settings.head_learning_rate, **fit)
    if recipe == "fine-tuned":
        encoder.trainable = True
        compile_classifier(model, learning_rate=settings.fine_tune_learning_rate)
        train(model, train_data, **fit)
    return model


def learning_curve(
    train_posts,
    validation_data,
    test_data,
    *,
    settings: Settings | None = None,
    sizes=None,
    recipes=RECIPES,
):
    """`{recipe: [test accuracy at each size]}`; data are `(images, image_labels)` arrays.

    `train_posts` is the full `(images, labels)` training pair; size `n` uses its first `n`.
    `sizes` default to `settings.curve_sizes`; each recipe trains for at most
    `settings.curve_epochs` epochs with patience `settings.curve_patience`, from
    `keras.utils.set_random_seed(settings.seed)`.
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
    curve = {}
    for recipe in recipes:
        scores = []
        for size in sizes:
            keras.utils.set_random_seed(settings.seed)
            model = fit_recipe(
                recipe, (images[:size], labels[:size]), validation_data, settings=fit
            )
            predicted = model.predict(test_images, verbose=0).argmax(-1)
            scores.append(round(float(np.mean(predicted == test_labels)), 4))
        curve[recipe] = scores
    return curve


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
    pairs = {s: (data.arrays[s]["image"], data.labels(s, "image_label")) for s in ("train", "val")}
    test_images = data.arrays["test"]["image"]
    results = []
    builders = {
        "listing_4_2": lambda: image.build_listing_4_2(weights="course"),
        "image_cnn": lambda: image.build_image_cnn(augment=False),
        "image_cnn_augmented": lambda: image.build_image_cnn(augment=True),
    }
    for name, build in builders.items():
        keras.utils.set_random_seed(settings.seed)
        model = build()
        history = train(
            model,
            pairs["train"],
            validation_data=pairs["val"],
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


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 04's measured claim: pretraining pays when labelled images are few.

    Read from `result.measures["learning_curve"]` (a `curve_table`, or the same as a
    `{recipe: {size: accuracy}}` dict: test accuracy on `image_label`) at its largest size of
    at most `FEW_LABELLED_IMAGES` (200) training images: the frozen course encoder + linear
    head beats the CNN from scratch by more than `FEW_LABELLED_MARGIN` (15 points), and scores
    above `FEW_LABELLED_ACCURACY` (80 %). `ValueError` when the curve is missing, lacks one
    of the two recipes or has no size that small.
    """
    if not isinstance(result, LessonResult):
        raise ValueError(
            f"result must be a LessonResult. Received: result of type {type(result).__name__}"
        )
    if "learning_curve" not in result.measures:
        raise ValueError(
            "lesson 04's claims need measures['learning_curve']. "
            f"Received: measures={sorted(result.measures)}"
        )
    curve = result.measures["learning_curve"]
    if isinstance(curve, dict) and any(isinstance(v, (list, tuple)) for v in curve.values()):
        raise ValueError(
            "measures['learning_curve'] must say which size each score is for: pass "
            "curve_table(curve, sizes), not learning_curve's lists. "
            f"Received: learning_curve={curve}"
        )
    curve = pd.DataFrame(curve)
    missing = [r for r in ("scratch", "frozen + linear") if r not in curve.columns]
    sizes = [int(n) for n in curve.index if int(n) <= FEW_LABELLED_IMAGES]
    if missing or not sizes:
        raise ValueError(
            "the learning curve needs the recipes 'scratch' and 'frozen + linear' at a size of "
            f"at most {FEW_LABELLED_IMAGES} images. Received: recipes={list(curve.columns)}, "
            f"sizes={list(curve.index)}"
        )
    size = max(sizes)
    scratch, frozen = (float(curve.loc[size, r]) for r in ("scratch", "frozen + linear"))
    if not (0.0 <= scratch <= 1.0 and 0.0 <= frozen <= 1.0):
        raise ValueError(
            f"accuracies must be in [0, 1]. Received: scratch={scratch}, frozen={frozen}"
        )
    return [
        claims.above(
            f"with {size} labelled images, the frozen course encoder + linear head beats the "
            f"CNN from scratch by more than {100 * FEW_LABELLED_MARGIN:.0f} points "
            "(test image_label)",
            frozen,
            scratch + FEW_LABELLED_MARGIN,
        ),
        claims.above(
            f"with {size} labelled images, the frozen course encoder + linear head scores "
            f"above {FEW_LABELLED_ACCURACY:.0%} (test image_label)",
            frozen,
            FEW_LABELLED_ACCURACY,
        ),
    ]
