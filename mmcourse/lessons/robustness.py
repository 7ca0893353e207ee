"""Lesson 09's experiments in functions, so the notebook and the tests run the same code.

The lesson trains lesson 07's fusion models (`mmcourse.models.fusion.BUILDERS`) on MoodPosts
and measures what the article's "challenges" cost them:

- `train_models`: each model once, as lesson 07 trains it (the baseline of every section);
- `missing_modality_table`: test accuracy with the text or the image missing;
- `modality_dropout_curves`: concat and tensor fusion trained at several modality-dropout
  rates, scored with each modality missing (the main comparison: `run_experiment`'s rows);
- `noise_table` / `noise_summary`: accuracy under image and text corruptions;
  `image_missing_accuracy`: the fusion models' accuracy with no image, to compare with;
- `label_noise_table`: concat fusion trained with an exact number of extra flipped labels;
- `compute_table`: parameters, seconds per epoch and latency per post of each model;
- `run_experiment`: all of it but the compute table, as a `LessonResult` for
  `lesson_claims` (`robustness_claims.lesson_claims`, also importable from here).

`SETTINGS.fast` (`MMCOURSE_FAST=1`) has fewer models, rates and strengths; `SETTINGS.full`
gives the published numbers.
"""

from __future__ import annotations

import dataclasses

import keras
import pandas as pd

from mmcourse import corruptions
from mmcourse.experiment import LessonResult, accuracy_on, fit_and_evaluate
from mmcourse.fusion_data import prepare_fusion_data
from mmcourse.lessons import cnn_fusion, robustness_checks
from mmcourse.lessons.robustness_claims import CLAIM_RATE, DROPOUT_MODELS, SINGLE_MODELS
from mmcourse.lessons.robustness_claims import lesson_claims as lesson_claims  # re-exported
from mmcourse.models import fusion
from mmcourse.settings import ByMode, TrainSettings

LABEL_NOISE_MODEL = "concat_fusion"


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 09's settings: lesson 07's training (the course's defaults, 4 epochs in fast
    mode, up to 30 in full mode) and what each section varies.

    - `models`: the models compared (five in fast mode, all seven of lesson 07 in full mode);
    - `drop_rates`: train-time modality-dropout rates of the curves (`CLAIM_RATE` among them:
      the claims are about it), for each of `dropout_models`;
    - `strengths`: corruption strengths (0, the clean test set, is always added);
    - `label_noise_rates`: shares of the train labels flipped to another class, for
      `label_noise_model`.
    """

    models: tuple[str, ...] = tuple(fusion.BUILDERS)
    drop_rates: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6)
    dropout_models: tuple[str, ...] = DROPOUT_MODELS
    strengths: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
    label_noise_rates: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4)
    label_noise_model: str = LABEL_NOISE_MODEL


SETTINGS = ByMode(
    fast=Settings(
        epochs=4,
        models=("text_only", "image_only", "concat_fusion", "late_fusion", "tensor_fusion"),
        drop_rates=(0.0, CLAIM_RATE),
        strengths=(0.25, 0.5),
        label_noise_rates=(0.1, 0.3),
    ),
    full=Settings(epochs=30),
)


def build(name: str, data, *, modality_dropout: float = 0.0) -> keras.Model:
    """Lesson 07's builder `name`, named `name`, or `name_drop0.4` with modality dropout."""
    if name not in fusion.BUILDERS:
        raise ValueError(f"name must be one of {tuple(fusion.BUILDERS)}. Received: name={name!r}")
    label = f"{name}_drop{modality_dropout:g}" if modality_dropout else name
    return fusion.BUILDERS[name](
        vocabulary_size=data.vocabulary_size, modality_dropout=modality_dropout, name=label
    )


def train_models(data, settings: Settings | None = None) -> dict:
    """Each model of `settings.models` trained once as lesson 07 does (no modality dropout):
    `{name: (model, Evaluation)}`; `settings` default to `SETTINGS` for this mode."""
    settings = settings or SETTINGS.for_mode()
    return cnn_fusion.train_models(data, settings, names=settings.models)


def missing_modality_table(trained: dict, data) -> pd.DataFrame:
    """Test accuracy of each model with both inputs, no text, no image; then the ceilings.

    The `ceiling` row is the best any model can do: with the text missing, the image-alone
    Bayes ceiling, and with the image missing, the text-alone one.
    """
    rows = {
        name: robustness_checks.missing_modality_accuracy(model, data)
        for name, (model, _) in trained.items()
    }
    ceilings = data.ceilings
    rows["ceiling"] = {
        "full": ceilings["both"]["overall"],
        "text_missing": ceilings["image"]["overall"],
        "image_missing": ceilings["text"]["overall"],
    }
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def modality_dropout_curves(
    data, settings: Settings | None = None, *, trained: dict | None = None
):
    """Each of `settings.dropout_models` trained at each of `settings.drop_rates`, scored with
    inputs missing.

    `trained` (from `train_models`) provides the rate-0 models, which are then not trained
    again. Returns `(table, runs)`: rows `(model, rate)`, columns `full`, `text_missing`,
    `image_missing`; and `{model name: (model, Evaluation)}` for every rate.
    """
    settings = settings or SETTINGS.for_mode()
    tables, runs = {}, {}
    for name in settings.dropout_models:
        reuse = {0.0: trained[name]} if trained and name in trained else None
        table, by_rate = robustness_checks.dropout_curve(
            lambda rate, name=name: build(name, data, modality_dropout=rate),
            data,
            settings.drop_rates,
            settings,
            trained=reuse,
        )
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


def noise_table(
    trained: dict,
    data,
    settings: Settings | None = None,
    *,
    kinds=corruptions.CORRUPTIONS,
    scale=None,
) -> pd.DataFrame:
    """Test accuracy per model (rows) for each corruption kind and strength (columns).

    The strengths are 0 and `settings.strengths`; the corruptions are drawn with
    `settings.seed`. `scale` is `fusion_data.feature_scale(data)`, recovered here when not
    given.
    """
    settings = settings or SETTINGS.for_mode()
    models = {name: model for name, (model, _) in trained.items()}
    long = robustness_checks.corruption_table(
        models, data, kinds, (0.0, *settings.strengths), seed=settings.seed, scale=scale
    )
    table = long.pivot_table(index="model", columns=["kind", "strength"], values="accuracy")
    return table.reindex(index=list(models)).reindex(columns=list(kinds), level=0)


def image_missing_accuracy(models: dict, data) -> dict[str, float]:
    """Test accuracy of each fusion model of `models` (`{name: (model, Evaluation)}`; the
    single-modality models are left out) with every image blanked: what a fusion model scores
    with no image at all, to compare with a noisy one."""
    blanked = robustness_checks.blank(data, "test", "image")
    return {
        name: accuracy_on(model, blanked, "test")
        for name, (model, _) in models.items()
        if name not in SINGLE_MODELS
    }


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


def label_noise_table(data, settings: Settings | None = None, *, baseline=None) -> pd.DataFrame:
    """Train `settings.label_noise_model` with a share `rate` of its train labels flipped, for
    each of `settings.label_noise_rates`; test accuracy, macro-F1.

    The number of flipped labels is exact, `round(rate * n_train)`, each moved to another
    class (drawn with `settings.seed`). `baseline` (the `Evaluation` of the same model on
    clean labels, from `train_models`) fills the rate-0 row without training again; without
    it, rate 0 is trained here. `accuracy_lost` is measured against that row.
    """
    settings = settings or SETTINGS.for_mode()
    rows = {}
    if baseline is not None:
        rows[0.0] = {"flipped": 0, "accuracy": baseline.accuracy, "macro_f1": baseline.macro_f1}
    for rate in ([0.0] if baseline is None else []) + list(settings.label_noise_rates):
        noisy, flipped = robustness_checks.with_label_noise(data, rate, seed=settings.seed)
        keras.utils.set_random_seed(settings.seed)
        result = fit_and_evaluate(build(settings.label_noise_model, noisy), noisy, settings)
        rows[rate] = {
            "flipped": len(flipped),
            "accuracy": result.accuracy,
            "macro_f1": result.macro_f1,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "label_noise"
    table["accuracy_lost"] = (rows[0.0]["accuracy"] - table["accuracy"]).round(4)
    return table


def compute_table(trained: dict, data, *, repeats: int = 20) -> pd.DataFrame:
    """Parameters, seconds per epoch, latency per post (one post, and in batches of 256)."""
    rows = {
        name: robustness_checks.compute_profile(model, data, evaluation, repeats=repeats)
        for name, (model, evaluation) in trained.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def plot_dropout_curves(table: pd.DataFrame):
    """One panel per model: accuracy (full, text missing, image missing) against the rate."""
    import matplotlib.pyplot as plt

    models = list(table.index.get_level_values("model").unique())
    figure, axes = plt.subplots(
        1, len(models), figsize=(4.2 * len(models), 3.2), sharey=True, squeeze=False
    )
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
    figure, axes = plt.subplots(
        1, len(kinds), figsize=(3.3 * len(kinds), 3.2), sharey=True, squeeze=False
    )
    for axis, kind in zip(axes[0], kinds):
        for model, row in table[kind].iterrows():
            axis.plot(row.index, row.to_numpy(), marker="o", label=model)
        axis.set_title(kind)
        axis.set_xlabel("strength")
    axes[0][0].set_ylabel("test accuracy")
    axes[0][-1].legend(fontsize=7)
    figure.tight_layout()
    return figure


def run_experiment(data=None, *, settings: Settings | None = None) -> LessonResult:
    """The lesson's sections, trained and measured as the notebook does (but the compute table).

    `evaluations`: the main comparison, concat and tensor fusion at each modality-dropout
    rate (`concat_fusion`, `concat_fusion_drop0.4`, ...), whose `details` hold `params`,
    `train_seconds`, `epochs`, `acc_text_missing` and `acc_image_missing` (test accuracy with
    the text or the image blanked). `measures`: what `lesson_claims` reads: `ceilings`,
    `text_only_accuracy`, the `missing`, `curves`, `noise` and `labels` tables, and
    `blanked` (`image_missing_accuracy` of every fusion model of `noise`). The rate-0 models
    of the curves and the label-noise baseline are the models of `train_models`, not
    trained again. `data` defaults to `prepare_fusion_data()`, `settings` to `SETTINGS` for
    this mode.
    """
    data = prepare_fusion_data() if data is None else data
    settings = settings or SETTINGS.for_mode()
    trained = train_models(data, settings)
    curves, runs = modality_dropout_curves(data, settings, trained=trained)
    dropped = [f"{name}_drop{CLAIM_RATE:g}" for name in settings.dropout_models]
    noisy_models = {**trained, **{name: runs[name] for name in dropped if name in runs}}
    noise = noise_table(noisy_models, data, settings)
    baseline = trained.get(settings.label_noise_model, (None, None))[1]
    return LessonResult.of(
        runs,
        settings=settings,
        ceilings=data.ceilings,
        text_only_accuracy=trained["text_only"][1].accuracy if "text_only" in trained else None,
        missing=missing_modality_table(trained, data),
        curves=curves,
        noise=noise,
        blanked=image_missing_accuracy(noisy_models, data),
        labels=label_noise_table(data, settings, baseline=baseline),
    )
