"""Lesson 06's experiment: multi-task against single-task learning at equal budget.

Both models are the same network (`mmcourse.models.multitask.build_multitask_model`: shared
text and image branches, heads `text_output`, `image_output`, `fusion_output`), built from the
same seed, so they start from the same weights and see the same batches. Only the loss weights
differ:

- `single_task`: `{"fusion_output": 1.0}`, the post `label` alone (the auxiliary heads get
  weight 0 and are never trained);
- `multitask`: `DEFAULT_LOSS_WEIGHTS`, the post `label` plus `text_label` and `image_label`
  at half weight.

Equal budget means the same number of epochs for both, without early stopping: on a small
training set the single-task model's validation loss plateaus for a few epochs before it
falls, and early stopping would end its training there, which would flatter multi-task
learning for a reason that has nothing to do with the auxiliary labels. Small training sets get
more epochs (`training_epochs`), so that every model takes at least `budget_steps()` steps.

`run_experiment` compares the two on the whole training split; `learning_curve` repeats the
comparison on the first 100, 300, 1000 (and, in full mode, 4800) training posts over a few seeds.
`lesson_claims` turns the notebook's numbers into the sentences the lesson teaches.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pandas as pd

from mmcourse import claims, runtime
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.experiment import BATCH_SIZE, LEARNING_RATE, predict
from mmcourse.fusion_data import FusionData, fusion_dataset
from mmcourse.models import multitask
from mmcourse.train import train

INPUTS = ("tokens", "image_features")
SMALL_SIZE = 300  # where the auxiliary labels help most, and on every seed (see the lesson)
LOSS_WEIGHTS = {
    "single_task": multitask.SINGLE_TASK_LOSS_WEIGHTS,
    "multitask": multitask.DEFAULT_LOSS_WEIGHTS,
}


def budget_steps() -> int:
    """The fewest gradient steps any model takes: 150 in fast mode, 600 in full mode."""
    return runtime.fast_or_full(150, 600)


def curve_sizes() -> tuple[int, ...]:
    """Training-set sizes of the learning curve (the full split, 4800, in full mode only)."""
    return runtime.fast_or_full((100, 300, 1000), (100, 300, 1000, 4800))


def curve_seeds() -> tuple[int, ...]:
    return runtime.fast_or_full((0, 1), (0, 1, 2))


def training_epochs(num_posts: int) -> int:
    """Epochs for a training set of `num_posts` posts, the same for every model compared.

    At least 4 (fast) or 10 (full) epochs, more for small sets so that a model takes at least
    `budget_steps()` steps of `BATCH_SIZE` posts.
    """
    if num_posts < 1:
        raise ValueError(f"num_posts must be at least 1. Received: num_posts={num_posts}")
    steps_per_epoch = math.ceil(num_posts / BATCH_SIZE)
    return max(runtime.fast_or_full(4, 10), math.ceil(budget_steps() / steps_per_epoch))


def train_multitask(data: FusionData, *, loss_weights: dict, seed: int = 0,
                    epochs: int | None = None, name: str = "multitask"):  # fmt: skip
    """Build, compile and train the multi-task network on `data`'s train split.

    Returns `(model, history)`; `history.seconds` is the training time.
    """
    keras.utils.set_random_seed(seed)
    model = multitask.build_multitask_model(vocabulary_size=data.vocabulary_size, name=name)
    multitask.compile_multitask(model, loss_weights=loss_weights, learning_rate=LEARNING_RATE)
    train_ds = fusion_dataset(data, "train", inputs=INPUTS, label=multitask.LABEL_COLUMNS,
                              batch_size=BATCH_SIZE, shuffle=True, seed=seed)  # fmt: skip
    num_posts = len(data.labels("train"))
    epochs = training_epochs(num_posts) if epochs is None else epochs
    # No validation data: equal budget, no early stopping (see the module docstring).
    history = train(model, train_ds, epochs=epochs, verbose=0)
    return model, history


def head_accuracies(model: keras.Model, data: FusionData, split: str = "test", *,
                    probabilities: dict | None = None) -> dict:  # fmt: skip
    """Each head's accuracy on its own label column (`multitask.LABEL_COLUMNS`).

    `probabilities`: the model's predictions on `split`, if already computed.
    """
    probabilities = predict(model, data, split) if probabilities is None else probabilities
    return {
        head: round(
            float(np.mean(probabilities[head].argmax(-1) == data.labels(split, column))), 4
        )
        for head, column in multitask.LABEL_COLUMNS.items()
    }


def evaluate_multitask(model: keras.Model, data: FusionData, history) -> Evaluation:
    """The fusion head scored on the post `label` (test); details hold the heads' accuracies."""
    probabilities = predict(model, data)
    result = evaluate(data.splits["test"], probabilities["fusion_output"], name=model.name,
                      label_column="label")  # fmt: skip
    heads = head_accuracies(model, data, probabilities=probabilities)
    result.details = {
        "text_head_accuracy": heads["text_output"],
        "image_head_accuracy": heads["image_output"],
        "params": int(model.count_params()),
        "train_seconds": round(history.seconds, 1),
        "epochs": len(history.history["loss"]),
    }
    return result


def compare(data: FusionData, *, seed: int = 0, keep_models: bool = False):
    """Single-task and multi-task models trained on `data` with the same seed and epochs.

    Returns `[Evaluation, Evaluation]` (single_task first), or with `keep_models=True`
    `(evaluations, {name: model})`.
    """
    evaluations, models = [], {}
    for name, weights in LOSS_WEIGHTS.items():
        model, history = train_multitask(data, loss_weights=weights, seed=seed, name=name)
        evaluations.append(evaluate_multitask(model, data, history))
        models[name] = model
    return (evaluations, models) if keep_models else evaluations


def run_experiment(data: FusionData, *, seed: int = 0) -> list[Evaluation]:
    """Lesson 06's main comparison on the whole training split (fast or full mode from the env)."""
    return compare(data, seed=seed)


def learning_curve(data: FusionData, *, sizes=None, seeds=None) -> pd.DataFrame:
    """`compare` on the first `size` training posts, for each size and seed.

    Returns one row per (size, seed, model): `accuracy` of the fusion head on the post label,
    the auxiliary heads' accuracies, `epochs` and `train_seconds`.
    """
    sizes = curve_sizes() if sizes is None else tuple(sizes)
    seeds = curve_seeds() if seeds is None else tuple(seeds)
    total = len(data.labels("train"))
    if not sizes or not seeds or any(not 1 <= s <= total for s in sizes):
        raise ValueError(f"Need seeds and sizes in [1, {total}]. Received: {sizes=}, {seeds=}")
    rows = []
    for size in sizes:
        subset = data.head("train", size)
        for seed in seeds:
            for e in compare(subset, seed=seed):
                rows.append({"size": size, "seed": seed, "model": e.name,
                             "accuracy": e.accuracy, **e.details})  # fmt: skip
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


def label_agreement(data: FusionData, split: str = "train") -> pd.DataFrame:
    """Per phenomenon: how often the post `label` equals `text_label`, and `image_label`.

    The auxiliary labels are what each modality says on its own; the post label is a rule
    over them (the text decides unless it is neutral, the image wins a conflict), which is why
    they can teach the shared branches.
    """
    frame = pd.DataFrame({
        "phenomenon": data.splits[split].frame["phenomenon"].to_numpy(),
        "label = text_label": data.labels(split, "label") == data.labels(split, "text_label"),
        "label = image_label": data.labels(split, "label") == data.labels(split, "image_label"),
    })  # fmt: skip
    table = frame.groupby("phenomenon").mean()
    table.insert(0, "posts", frame.groupby("phenomenon").size())
    return table.round(3)


def head_predictions(model: keras.Model, data: FusionData, rows, split: str = "test"):
    """What each head says about some posts, next to the truth: the interpretable view."""
    rows = np.asarray(rows)
    probabilities = predict(model, data, split, rows=rows)
    names = np.asarray(data.class_names)
    frame = data.splits[split].frame.iloc[rows]
    table = pd.DataFrame({"phenomenon": frame["phenomenon"].to_numpy(),
                          "text": frame["text"].to_numpy()})  # fmt: skip
    for head, column in multitask.LABEL_COLUMNS.items():
        table[f"{head.split('_')[0]} head"] = names[probabilities[head].argmax(-1)]
        table[column] = names[data.labels(split, column)[rows]]
    return table


def lesson_claims(evaluations, *, summary: pd.DataFrame, data: FusionData,
                  small_size: int = SMALL_SIZE) -> list[claims.Claim]:  # fmt: skip
    """Lesson 06's claims, on the numbers the notebook measured (nothing is trained here).

    `evaluations`: `compare(data)`'s `[single_task, multitask]` on the whole training split;
    `summary`: `curve_summary` of the learning curve, with a row for `small_size` posts;
    `data`: the `FusionData` they were trained on (its training-split size sets the epochs).
    """
    names = tuple(getattr(e, "name", None) for e in evaluations)
    if names != tuple(LOSS_WEIGHTS):
        raise ValueError(f"Expected evaluations of {tuple(LOSS_WEIGHTS)}. Received: {names=}")
    if small_size not in summary.index or not {"gap", "smallest_gap"} <= set(summary.columns):
        raise ValueError(
            f"Expected a curve_summary with a row for {small_size} posts. "
            f"Received: summary with index {list(summary.index)}, columns {list(summary.columns)}"
        )
    single, multi = evaluations
    small_gap = summary.loc[small_size, "gap"]
    smallest_gap = summary.loc[small_size, "smallest_gap"]
    full_gap = multi.accuracy - single.accuracy
    epochs = training_epochs(len(data.labels("train")))
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
