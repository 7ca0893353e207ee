"""Lesson 06's experiment: multi-task against single-task learning at equal budget.

Both models are the same network (`mmcourse.models.multitask.build_multitask_model`: shared
text and image branches, heads `text_output`, `image_output`, `fusion_output`), built from the
same seed, so they start from the same weights and see the same batches. Only the loss weights
differ (`Settings.loss_weights`):

- `single_task`: `{"fusion_output": 1.0}`, the post `label` alone (the auxiliary heads get
  weight 0 and are never trained);
- `multitask`: `DEFAULT_LOSS_WEIGHTS`, the post `label` plus `text_label` and `image_label`
  at half weight.

Equal budget means the same number of epochs for both, without early stopping: on a small
training set the single-task model's validation loss plateaus for a few epochs before it
falls, and early stopping would end its training there, which would flatter multi-task
learning for a reason that has nothing to do with the auxiliary labels. Small training sets get
more epochs (`training_epochs`), so that every model takes at least `Settings.budget_steps`.

`compare` trains the two on the whole training split (each scored by
`multitask_learning_heads.evaluate_multitask`, where the heads are read); `learning_curve`
repeats the comparison on the first 100, 300, 1000 (and, in full mode, 4800) training posts over
a few seeds. `run_experiment` does both and returns a `LessonResult`, which `lesson_claims`
turns into the sentences the lesson teaches.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import pandas as pd

from mmcourse import claims
from mmcourse.arguments import check_positive_int
from mmcourse.experiment import LessonResult
from mmcourse.fusion_data import FusionData, fusion_dataset, prepare_fusion_data
from mmcourse.lessons.multitask_learning_heads import evaluate_multitask
from mmcourse.models import multitask
from mmcourse.settings import ByMode
from mmcourse.train import train

INPUTS = ("tokens", "image_features")
MODELS = ("single_task", "multitask")  # the comparison's two models, in its order


@dataclasses.dataclass(frozen=True)
class Settings:
    """Lesson 06's hyper-parameters.

    Not a `TrainSettings`: there is no early stopping (so no patience), and the epochs follow
    from the training set's size (`training_epochs`): at least `min_epochs`, and enough for
    `budget_steps` gradient steps of `batch_size` posts. `loss_weights`: one entry per model of
    `MODELS`. The learning curve trains on the first `curve_sizes` training posts with each of
    `curve_seeds`; the claims look at `small_size` posts (where the auxiliary labels help most,
    and on every seed; see the lesson). `seed`: the comparison on the whole training split.
    """

    budget_steps: int = 600
    min_epochs: int = 10
    curve_sizes: tuple[int, ...] = (100, 300, 1000, 4800)
    curve_seeds: tuple[int, ...] = (0, 1, 2)
    small_size: int = 300
    loss_weights: dict = dataclasses.field(
        default_factory=lambda: {
            "single_task": dict(multitask.SINGLE_TASK_LOSS_WEIGHTS),
            "multitask": dict(multitask.DEFAULT_LOSS_WEIGHTS),
        }
    )
    batch_size: int = 64
    learning_rate: float = 2e-3
    seed: int = 0

    def __post_init__(self):
        for name in ("budget_steps", "min_epochs", "small_size", "batch_size"):
            check_positive_int(getattr(self, name), name)
        if tuple(self.loss_weights) != MODELS or self.learning_rate <= 0:
            raise ValueError(
                f"Need loss_weights for {MODELS}, in this order, and learning_rate > 0. "
                f"Received: loss_weights={self.loss_weights}, learning_rate={self.learning_rate}"
            )
        if not self.curve_seeds or not self.curve_sizes or min(self.curve_sizes) < 1:
            raise ValueError(
                "Need curve_seeds and curve_sizes of at least 1 post. "
                f"Received: curve_sizes={self.curve_sizes}, curve_seeds={self.curve_seeds}"
            )


# Fast mode: at least 150 steps (4 epochs), the curve at 100, 300 and 1000 posts over 2 seeds;
# full mode: at least 600 steps (10 epochs), the full split (4800 posts) too, 3 seeds.
SETTINGS = ByMode(
    fast=Settings(
        budget_steps=150, min_epochs=4, curve_sizes=(100, 300, 1000), curve_seeds=(0, 1)
    ),
    full=Settings(),
)


def _settings(settings: Settings | None) -> Settings:
    return SETTINGS.for_mode() if settings is None else settings


def training_epochs(num_posts: int, settings: Settings | None = None) -> int:
    """Epochs for a training set of `num_posts` posts, the same for every model compared.

    At least `settings.min_epochs` (4 fast, 10 full), more for small sets so that a model takes
    at least `settings.budget_steps` steps (150 fast, 600 full) of `settings.batch_size` posts.
    """
    settings = _settings(settings)
    if num_posts < 1:
        raise ValueError(f"num_posts must be at least 1. Received: num_posts={num_posts}")
    steps_per_epoch = math.ceil(num_posts / settings.batch_size)
    return max(settings.min_epochs, math.ceil(settings.budget_steps / steps_per_epoch))


def train_multitask(
    data: FusionData,
    *,
    loss_weights: dict,
    name: str = "multitask",
    settings: Settings | None = None,
):
    """Build, compile and train the multi-task network on `data`'s train split, for
    `training_epochs` of its size (with `settings.seed`, batch size and learning rate).

    Returns `(model, history)`; `history.seconds` is the training time.
    """
    settings = _settings(settings)
    keras.utils.set_random_seed(settings.seed)
    model = multitask.build_multitask_model(vocabulary_size=data.vocabulary_size, name=name)
    multitask.compile_multitask(
        model, loss_weights=loss_weights, learning_rate=settings.learning_rate
    )
    train_ds = fusion_dataset(
        data,
        "train",
        inputs=INPUTS,
        label=multitask.HEAD_LABELS,
        batch_size=settings.batch_size,
        shuffle=True,
        seed=settings.seed,
    )
    epochs = training_epochs(len(data.labels("train")), settings)
    # No validation data: equal budget, no early stopping (see the module docstring).
    history = train(model, train_ds, epochs=epochs, verbose=0)
    return model, history


def compare(data: FusionData, *, settings: Settings | None = None, keep_models: bool = False):
    """Single-task and multi-task models trained on `data` with the same seed and epochs
    (`settings`, default `SETTINGS.for_mode()`), one per entry of `settings.loss_weights`.

    Returns `[Evaluation, Evaluation]` (single_task first), or with `keep_models=True`
    `(evaluations, {name: model})`.
    """
    settings = _settings(settings)
    evaluations, models = [], {}
    for name, weights in settings.loss_weights.items():
        model, history = train_multitask(data, loss_weights=weights, name=name, settings=settings)
        evaluations.append(evaluate_multitask(model, data, history))
        models[name] = model
    return (evaluations, models) if keep_models else evaluations


def learning_curve(data: FusionData, *, settings: Settings | None = None) -> pd.DataFrame:
    """`compare` on the first `size` training posts, for each size of `settings.curve_sizes`
    and each seed of `settings.curve_seeds`.

    Returns one row per (size, seed, model): `accuracy` of the fusion head on the post label,
    the auxiliary heads' accuracies, `params`, `train_seconds` and `epochs`.
    """
    settings = _settings(settings)
    sizes, seeds = settings.curve_sizes, settings.curve_seeds
    total = len(data.labels("train"))
    if max(sizes) > total:
        raise ValueError(
            f"Need curve_sizes of at most {total} posts, the training split. "
            f"Received: curve_sizes={sizes}"
        )
    rows = []
    for size in sizes:
        subset = data.head("train", size)
        for seed in seeds:
            for e in compare(subset, settings=dataclasses.replace(settings, seed=seed)):
                rows.append(
                    {"size": size, "seed": seed, "model": e.name, "accuracy": e.accuracy}
                    | e.details
                )
    return pd.DataFrame(rows)


def curve_summary(curve: pd.DataFrame) -> pd.DataFrame:
    """Mean accuracy per size and model over seeds, the gap (multitask - single_task) and the
    smallest per-seed gap (positive: multi-task won on every seed)."""
    wide = curve.pivot_table(index=["size", "seed"], columns="model", values="accuracy")
    gaps = (wide["multitask"] - wide["single_task"]).groupby(level="size")
    summary = wide.groupby(level="size").mean()[["single_task", "multitask"]]
    summary["gap"] = gaps.mean()
    summary["smallest_gap"] = gaps.min()
    summary.columns.name = None
    return summary.round(3)


def run_experiment(data: FusionData | None = None, *, settings: Settings | None = None):
    """Lesson 06's experiment: `compare` on the whole training split, then `learning_curve`.

    `data`: default `prepare_fusion_data(with_pixels=False)` (the models read the image
    features); `settings`: default `SETTINGS.for_mode()`. Returns a `LessonResult` whose
    evaluations are `[single_task, multitask]` on the whole split (seed `settings.seed`) and
    whose measures are `curve` (`learning_curve`), `summary` (its `curve_summary`) and
    `train_posts` (the training split's size, which sets the comparison's epochs).
    """
    settings = _settings(settings)
    data = prepare_fusion_data(with_pixels=False) if data is None else data
    evaluations = compare(data, settings=settings)
    curve = learning_curve(data, settings=settings)
    return LessonResult.of(
        evaluations,
        settings=settings,
        curve=curve,
        summary=curve_summary(curve),
        train_posts=len(data.labels("train")),
    )


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 06's claims, on the numbers the notebook measured (nothing is trained here).

    `result.evaluations`: `compare`'s `[single_task, multitask]` on the whole training split;
    `result.measures`: `summary`, the `curve_summary` of the learning curve, with a row for
    `settings.small_size` posts, and `train_posts`, the size of the training split they were
    trained on (it sets the epochs); `result.settings`: the settings they ran with (default
    `SETTINGS.for_mode()`).
    """
    settings = _settings(result.settings)
    small_size = settings.small_size
    names = tuple(getattr(e, "name", None) for e in result.evaluations)
    if names != MODELS:
        raise ValueError(f"Expected evaluations of {MODELS}. Received: {names=}")
    summary, train_posts = result.measure("summary"), result.measure("train_posts")
    if small_size not in summary.index or not {"gap", "smallest_gap"} <= set(summary.columns):
        raise ValueError(
            f"Expected a curve_summary with a row for {small_size} posts. "
            f"Received: summary with index {list(summary.index)}, columns {list(summary.columns)}"
        )
    single, multi = result.evaluations
    small_gap = summary.loc[small_size, "gap"]
    smallest_gap = summary.loc[small_size, "smallest_gap"]
    full_gap = multi.accuracy - single.accuracy
    epochs = training_epochs(train_posts, settings)
    both_epochs = (single.details["epochs"], multi.details["epochs"])
    both_params = (single.details["params"], multi.details["params"])
    return [
        claims.at_least(
            f"with {small_size} training posts, multi-task learning beats single-task by 2 points",
            small_gap,
            0.02,
        ),
        claims.above(
            f"with {small_size} training posts, multi-task learning wins on every seed",
            smallest_gap,
            0.0,
        ),
        claims.within(
            "on the full training split, the gap is gone (within 2.5 points)", full_gap, 0.0, 0.025
        ),
        claims.at_most(
            f"the full-split gap is at least 2 points below the gap at {small_size} posts",
            full_gap,
            small_gap - 0.02,
        ),
        claims.at_least(
            "the multi-task text head gets 95% of text labels right",
            multi.details["text_head_accuracy"],
            0.95,
        ),
        claims.at_least(
            "the multi-task image head gets 95% of image labels right",
            multi.details["image_head_accuracy"],
            0.95,
        ),
        claims.holds(
            "both models have the same number of parameters",
            both_params[0] == both_params[1],
            measured=f"{both_params[0]} and {both_params[1]}",
            expected="equal",
        ),
        claims.holds(
            "both models train for the same epochs, without early stopping",
            both_epochs == (epochs, epochs),
            measured=f"{both_epochs[0]} and {both_epochs[1]}",
            expected=f"{epochs} each",
        ),
    ]
