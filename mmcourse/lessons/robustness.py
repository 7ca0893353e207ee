"""Lesson 09's experiments in functions, so the notebook and the tests run the same code.

The lesson trains lesson 07's fusion models (`mmcourse.models.fusion.BUILDERS`) on MoodPosts
and measures what the article's "challenges" cost them:

- `train_models`: each model once, as lesson 07 trains it (the baseline of every section);
- `missing_modality_table`: test accuracy with the text or the image missing;
- `modality_dropout_curves`: concat and tensor fusion trained at several modality-dropout
  rates, scored with each modality missing (`run_experiment` runs this: the main comparison);
- `noise_table` / `noise_summary`: accuracy under image and text corruptions;
- `label_noise_table`: concat fusion trained with an exact number of extra flipped labels;
- `compute_table`: parameters, seconds per epoch and latency per post of each model.

Fast mode (`MMCOURSE_FAST=1`) uses fewer models, rates and strengths; full mode gives the
published numbers.
"""

from __future__ import annotations

import keras
import pandas as pd

from mmcourse import corruptions, runtime
from mmcourse.experiment import fit_and_evaluate
from mmcourse.lessons import cnn_fusion, robustness_checks
from mmcourse.models import fusion

DROPOUT_MODELS = ("concat_fusion", "tensor_fusion")
CLAIM_RATE = 0.4
LABEL_NOISE_MODEL = "concat_fusion"


def model_names() -> tuple[str, ...]:
    """The models compared: five in fast mode, all seven of lesson 07 in full mode."""
    return runtime.fast_or_full(
        ("text_only", "image_only", "concat_fusion", "late_fusion", "tensor_fusion"),
        tuple(fusion.BUILDERS),
    )


def drop_rates() -> tuple[float, ...]:
    """Train-time modality-dropout rates of the curves."""
    return runtime.fast_or_full((0.0, CLAIM_RATE), (0.0, 0.2, 0.4, 0.6))


def strengths() -> tuple[float, ...]:
    """Corruption strengths (0, the clean test set, is always added)."""
    return runtime.fast_or_full((0.25, 0.5), (0.25, 0.5, 0.75, 1.0))


def label_noise_rates() -> tuple[float, ...]:
    """Shares of the train labels flipped to another class."""
    return runtime.fast_or_full((0.1, 0.3), (0.1, 0.2, 0.3, 0.4))


def build(name: str, data, *, modality_dropout: float = 0.0) -> keras.Model:
    """Lesson 07's builder `name`, named `name`, or `name_drop0.4` with modality dropout."""
    if name not in fusion.BUILDERS:
        raise ValueError(f"name must be one of {tuple(fusion.BUILDERS)}. Received: name={name!r}")
    label = f"{name}_drop{modality_dropout:g}" if modality_dropout else name
    return fusion.BUILDERS[name](vocabulary_size=data.vocabulary_size,
                                 modality_dropout=modality_dropout, name=label)  # fmt: skip


def train_models(data, names=None, *, seed: int = 0) -> dict:
    """Each model trained once as lesson 07 does (no modality dropout): `{name: (model,
    Evaluation)}`; `names` defaults to `model_names()`."""
    return cnn_fusion.train_models(data, names=names or model_names(), seed=seed)


def missing_modality_table(trained: dict, data) -> pd.DataFrame:
    """Test accuracy of each model with both inputs, no text, no image; then the ceilings.

    The `ceiling` row is the best any model can do: with the text missing, the image-alone
    Bayes ceiling, and with the image missing, the text-alone one.
    """
    rows = {name: robustness_checks.missing_modality_accuracy(model, data)
            for name, (model, _) in trained.items()}  # fmt: skip
    ceilings = data.ceilings
    rows["ceiling"] = {"full": ceilings["both"]["overall"],
                       "text_missing": ceilings["image"]["overall"],
                       "image_missing": ceilings["text"]["overall"]}  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def modality_dropout_curves(data, *, names=DROPOUT_MODELS, rates=None, seed: int = 0,
                            trained: dict | None = None):  # fmt: skip
    """Each model of `names` trained at each modality-dropout rate, scored with inputs missing.

    `trained` (from `train_models`) provides the rate-0 models, which are then not trained
    again. Returns `(table, runs)`: rows `(model, rate)`, columns `full`, `text_missing`,
    `image_missing`; and `{model name: (model, Evaluation)}` for every rate.
    """
    rates = drop_rates() if rates is None else rates
    tables, runs = {}, {}
    for name in names:
        reuse = {0.0: trained[name]} if trained and name in trained else None
        table, by_rate = robustness_checks.dropout_curve(
            lambda rate, name=name: build(name, data, modality_dropout=rate), data, rates,
            seed=seed, trained=reuse,
        )  # fmt: skip
        tables[name] = table
        runs.update(
            {evaluation.name: (model, evaluation) for model, evaluation in by_rate.values()}
        )
    return pd.concat(tables, names=["model"]), runs


def dropout_effect(table: pd.DataFrame, *, rate: float = CLAIM_RATE) -> pd.DataFrame:
    """Accuracy at `rate` minus accuracy without dropout, per model (from the curves' table)."""
    models = table.index.get_level_values("model").unique()
    rows = {m: table.loc[(m, rate)] - table.loc[(m, 0.0)] for m in models}
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def noise_table(trained: dict, data, *, kinds=corruptions.CORRUPTIONS, levels=None,
                seed: int = 0, scale=None) -> pd.DataFrame:  # fmt: skip
    """Test accuracy per model (rows) for each corruption kind and strength (columns).

    `scale` is `corruptions.feature_scale(data)`, recovered here when not given.
    """
    levels = strengths() if levels is None else levels
    models = {name: model for name, (model, _) in trained.items()}
    long = robustness_checks.corruption_table(models, data, kinds, (0.0, *levels), seed=seed,
                                       scale=scale)  # fmt: skip
    table = long.pivot_table(index="model", columns=["kind", "strength"], values="accuracy")
    return table.reindex(index=list(models)).reindex(columns=list(kinds), level=0)


def noise_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per model: clean accuracy, then the mean accuracy over strengths > 0 of each kind.

    The model that degrades most gracefully keeps the highest accuracy under corruption.
    """
    kinds = list(table.columns.get_level_values(0).unique())
    first = kinds[0]
    out = pd.DataFrame({"clean": table[(first, 0.0)]})
    for kind in kinds:
        out[kind] = table[kind].drop(columns=0.0).mean(axis=1)
    return out.round(3)


def label_noise_table(data, *, name: str = LABEL_NOISE_MODEL, rates=None, seed: int = 0,
                      baseline=None) -> pd.DataFrame:  # fmt: skip
    """Train `name` with a share `rate` of its train labels flipped; test accuracy, macro-F1.

    The number of flipped labels is exact, `round(rate * n_train)`, each moved to another
    class. `baseline` (the `Evaluation` of the same model on clean labels, from
    `train_models`) fills the rate-0 row without training again; without it, rate 0 is
    trained here. `accuracy_lost` is measured against that row.
    """
    rates = label_noise_rates() if rates is None else rates
    rows = {}
    if baseline is not None:
        rows[0.0] = {"flipped": 0, "accuracy": baseline.accuracy, "macro_f1": baseline.macro_f1}
    for rate in ([0.0] if baseline is None else []) + list(rates):
        noisy, flipped = robustness_checks.with_label_noise(data, rate, seed=seed)
        keras.utils.set_random_seed(seed)
        result = fit_and_evaluate(build(name, noisy), noisy, seed=seed)
        rows[rate] = {"flipped": len(flipped), "accuracy": result.accuracy,
                      "macro_f1": result.macro_f1}  # fmt: skip
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "label_noise"
    table["accuracy_lost"] = (rows[0.0]["accuracy"] - table["accuracy"]).round(4)
    return table


def compute_table(trained: dict, data, *, repeats: int = 20) -> pd.DataFrame:
    """Parameters, seconds per epoch, latency per post (one post, and in batches of 256)."""
    rows = {name: robustness_checks.compute_profile(model, data, evaluation, repeats=repeats)
            for name, (model, evaluation) in trained.items()}  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index")


def plot_dropout_curves(table: pd.DataFrame):
    """One panel per model: accuracy (full, text missing, image missing) against the rate."""
    import matplotlib.pyplot as plt

    models = list(table.index.get_level_values("model").unique())
    figure, axes = plt.subplots(1, len(models), figsize=(4.2 * len(models), 3.2), sharey=True,
                                squeeze=False)  # fmt: skip
    for axis, model in zip(axes[0], models):
        part = table.loc[model]
        for view in part.columns:
            axis.plot(part.index, part[view], marker="o", label=view)
        axis.set_title(model)
        axis.set_xlabel("modality dropout in training")
    axes[0][0].set_ylabel("test accuracy")
    axes[0][-1].legend()
    figure.tight_layout()
    return figure


def plot_noise(table: pd.DataFrame):
    """One panel per corruption kind: each model's accuracy against the strength."""
    import matplotlib.pyplot as plt

    kinds = list(table.columns.get_level_values(0).unique())
    figure, axes = plt.subplots(1, len(kinds), figsize=(3.3 * len(kinds), 3.2), sharey=True,
                                squeeze=False)  # fmt: skip
    for axis, kind in zip(axes[0], kinds):
        for model, row in table[kind].iterrows():
            axis.plot(row.index, row.to_numpy(), marker="o", label=model)
        axis.set_title(kind)
        axis.set_xlabel("strength")
    axes[0][0].set_ylabel("test accuracy")
    axes[0][-1].legend(fontsize=7)
    figure.tight_layout()
    return figure


def run_experiment(data, *, seed: int = 0) -> list:
    """The lesson's main comparison: concat and tensor fusion at each modality-dropout rate.

    Returns one `Evaluation` per model and rate (`concat_fusion`, `concat_fusion_drop0.4`,
    ...); their `details` hold `params`, `train_seconds`, `epochs`, `acc_text_missing` and
    `acc_image_missing` (test accuracy with the text or the image blanked).
    """
    _, runs = modality_dropout_curves(data, seed=seed)
    return [evaluation for _, evaluation in runs.values()]
