"""Lesson 07's experiment: every fusion method and both unimodal baselines, on one table.

The notebook spells each step out; these functions run the same steps with the same settings
(`SETTINGS`: 4 epochs in fast mode, up to 30 with early stopping in full mode; listing 4.3
3 and 30), so that `run_experiment` can feed the course's results table:

- `train_model` / `train_models`: build, train and evaluate listing 4.3, the two unimodal
  baselines and the five fusion methods.
- `fusion_margin`, `gains_over_best_unimodal`, `gains_of`, `seconds_per_epoch`: the
  comparisons the lesson's tables show, on the evaluations.
- `grounded_choices`, `gate_by_phenomenon` / `gate_contrast`, `branch_confidence`,
  `late_fusion_weights`: what the concat, gated and late models choose; `lesson_measures`
  collects those the claims read.
- `lesson_claims` (in `mmcourse.lessons.cnn_fusion_claims`) turns the numbers
  `run_experiment` measured (or the notebook's) into the sentences the lesson teaches,
  checked in the notebook's last cells.

The image side of every model but listing 4.3 reads `image_features`: the frozen course
encoder's features, computed once by `mmcourse.fusion_data`. The encoder never trains here, so
running it every epoch (as listing 4.3 does) gives the same model, only slower.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pandas as pd

from mmcourse import claims
from mmcourse.arguments import check_positive_int
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult, fit_and_evaluate, predict
from mmcourse.fusion_data import FusionData, prepare_fusion_data
from mmcourse.models import fusion
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.train import predict_batches

BASELINES = ("text_only", "image_only")
FUSIONS = ("early_fusion", "late_fusion", "concat_fusion", "gated_fusion", "tensor_fusion")
MODELS = BASELINES + FUSIONS
POOLED = ("concat_fusion", "late_fusion", "gated_fusion", "tensor_fusion")
TEXT_DECIDES = ("image_neutral", "negation")  # the image shows nothing that decides
IMAGE_DECIDES = ("conflict", "text_neutral")  # sarcasm, or a text that says nothing
MEASURES = ("ceilings", "choices", "gates", "confidence")  # what lesson_measures gives


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 07's training: the course's defaults (`experiment.DEFAULT_SETTINGS`) for every
    model, and `listing_epochs` for listing 4.3.

    Listing 4.3 runs the encoder on every image, every epoch: 3 epochs in fast mode. Its raw
    encoder features are not rescaled (`fusion_data` rescales its own), so its image side wins
    the first epoch; by the third the text side has caught up.
    """

    listing_epochs: int = 30

    def __post_init__(self):
        super().__post_init__()
        check_positive_int(self.listing_epochs, "listing_epochs")


SETTINGS = ByMode(fast=Settings(epochs=4, listing_epochs=3), full=Settings(epochs=30))


def listing_epochs(settings: Settings | None = None) -> int:
    """Listing 4.3's epochs: 3 in fast mode, up to 30 (`Settings.listing_epochs`)."""
    return (settings or SETTINGS.for_mode()).listing_epochs


def train_model(name: str, data: FusionData, settings: Settings | None = None, **build_kwargs):
    """Build `fusion.BUILDERS[name]` (or listing 4.3) with seeded weights, train and evaluate.

    Returns `(model, evaluation)`; `settings` default to `SETTINGS` for this mode, and listing
    4.3 trains `settings.listing_epochs` epochs on pixels.
    """
    if name != "listing_4_3" and name not in fusion.BUILDERS:
        raise ValueError(
            f"name must be listing_4_3 or in {sorted(fusion.BUILDERS)}. Received: name={name!r}"
        )
    settings = settings or SETTINGS.for_mode()
    keras.utils.set_random_seed(settings.seed)
    if name == "listing_4_3":
        model = fusion.build_listing_4_3(vocabulary_size=data.vocabulary_size, **build_kwargs)
        listing = dataclasses.replace(settings, epochs=settings.listing_epochs)
        return model, fit_and_evaluate(model, data, listing)
    model = fusion.BUILDERS[name](vocabulary_size=data.vocabulary_size, name=name, **build_kwargs)
    return model, fit_and_evaluate(model, data, settings)


def train_models(data: FusionData, settings: Settings | None = None, *, names=MODELS) -> dict:
    """`{name: (model, evaluation)}` for each named model, trained as the lesson does."""
    return {name: train_model(name, data, settings) for name in names}


def lesson_measures(models: dict, data: FusionData) -> dict:
    """What `lesson_claims` reads besides the evaluations, from the trained models:
    `ceilings` (the data's Bayes ceilings), `choices` (`grounded_choices` of concat fusion,
    only on data with MoodPosts' scene metadata: `has_scene_metadata`),
    `gates` (`gate_by_phenomenon` of gated fusion) and `confidence` (`branch_confidence` of
    late fusion). `models` maps those names to trained models (or `(model, evaluation)`)."""
    models = {n: m[0] if isinstance(m, tuple) else m for n, m in models.items()}
    measures = {
        "ceilings": data.ceilings,
        "gates": gate_by_phenomenon(models["gated_fusion"], data),
        "confidence": branch_confidence(models["late_fusion"], data),
    }
    if has_scene_metadata(data):  # MoodPosts; an MVSA folder does not say who is in a picture
        measures["choices"] = grounded_choices(models["concat_fusion"], data)
    return measures


def has_scene_metadata(data: FusionData, split: str = "test") -> bool:
    """Whether `split` says who is in each picture (MoodPosts' `characters` and
    `named_character`) and has grounded posts: what the grounded-post measures need."""
    frame = data.splits[split].frame
    return {"characters", "named_character"} <= set(frame.columns) and bool(
        (frame["phenomenon"] == "grounded").any()
    )


def run_experiment(
    data: FusionData | None = None, *, settings: Settings | None = None
) -> LessonResult:
    """The lesson's comparison: listing 4.3, the two unimodal baselines and the five fusion
    methods (the rows of `notebooks/RESULTS.md`, in this order), and `lesson_measures`.

    `data` defaults to `prepare_fusion_data()`, `settings` to `SETTINGS` for this mode.
    Returns a `LessonResult` for `lesson_claims`.
    """
    data = prepare_fusion_data() if data is None else data
    settings = settings or SETTINGS.for_mode()
    trained = train_models(data, settings, names=("listing_4_3", *MODELS))
    return LessonResult.of(trained, settings=settings, **lesson_measures(trained, data))


def seconds_per_epoch(evaluations) -> dict[str, float]:
    """Training seconds per epoch of each evaluated model (from `details`)."""
    return {
        e.name: round(e.details["train_seconds"] / e.details["epochs"], 2)
        for e in evaluations
        if e.details.get("epochs")
    }


def _by_name(evaluations) -> dict[str, Evaluation]:
    evaluations = {e.name: e for e in evaluations}
    missing = [n for n in BASELINES if n not in evaluations]
    if missing:
        raise ValueError(f"Need the baselines {BASELINES}. Received: {sorted(evaluations)}")
    return evaluations


def fusion_margin(evaluations, *, model: str = "concat_fusion") -> dict[str, float]:
    """Test accuracy of `model`, of the best unimodal baseline, and the difference."""
    evaluations = _by_name(evaluations)
    best = max(BASELINES, key=lambda n: evaluations[n].accuracy)
    fused = evaluations[model].accuracy
    return {
        "model": model,
        "accuracy": fused,
        "best_unimodal": best,
        "best_unimodal_accuracy": evaluations[best].accuracy,
        "margin": round(fused - evaluations[best].accuracy, 4),
    }


def gains_over_best_unimodal(evaluations) -> pd.DataFrame:
    """Per fusion model and phenomenon: accuracy minus the better baseline's on that subset."""
    evaluations = _by_name(evaluations)
    scores = {n: {"overall": e.accuracy, **e.per_phenomenon} for n, e in evaluations.items()}
    best = {p: max(scores[n][p] for n in BASELINES) for p in scores["text_only"]}
    rows = {
        name: {p: score[p] - best[p] for p in best}
        for name, score in scores.items()
        if name not in BASELINES
    }
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def gains_of(evaluations, *, model: str = "concat_fusion") -> pd.DataFrame:
    """`model`'s accuracy minus each baseline's (and the better one's), overall and per
    phenomenon: one row per comparison."""
    evaluations = _by_name(evaluations)
    scores = {n: {"overall": e.accuracy, **e.per_phenomenon} for n, e in evaluations.items()}
    rows = {f"vs {n}": {p: scores[model][p] - scores[n][p] for p in scores[n]} for n in BASELINES}
    rows["vs the better one"] = gains_over_best_unimodal(evaluations.values()).loc[model].to_dict()
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def _per_phenomenon(values, data: FusionData, split: str) -> pd.DataFrame:
    frame = pd.DataFrame(values)
    frame["phenomenon"] = data.splits[split].frame["phenomenon"].to_numpy()
    table = frame.groupby("phenomenon").mean()
    table.loc["all posts"] = frame.drop(columns="phenomenon").mean()
    return table.round(3)


def gate_by_phenomenon(model: keras.Model, data: FusionData, split: str = "test") -> pd.DataFrame:
    """Mean gate of a gated fusion model per phenomenon: 1 = text only, 0 = image only.

    `text_share` is the gate averaged over posts and features; `spread` is the standard
    deviation over posts of each post's mean gate.
    """
    inputs = data.inputs(split, [t.name for t in model.inputs])
    per_post = fusion.gate_values(model, inputs).mean(axis=-1)
    table = _per_phenomenon({"text_share": per_post}, data, split)
    spread = pd.Series(per_post).groupby(data.splits[split].frame["phenomenon"].to_numpy()).std()
    table["spread"] = spread.reindex(table.index).fillna(per_post.std()).round(3)
    return table


def gate_contrast(gates: pd.DataFrame) -> float:
    """Mean gate where the text decides (image_neutral, negation) minus where the image
    decides (conflict, text_neutral): positive when the gate leans to the deciding side."""
    share = gates["text_share"]
    return round(float(share[list(TEXT_DECIDES)].mean() - share[list(IMAGE_DECIDES)].mean()), 3)


def branch_confidence(model: keras.Model, data: FusionData, split: str = "test"):
    """Late fusion: each branch's mean top probability per phenomenon (1/3 = undecided)."""
    heads = {side: model.get_layer(f"{side}_head_output").output for side in ("text", "image")}
    inputs = data.inputs(split, [t.name for t in model.inputs])
    branches = predict_batches(keras.Model(model.inputs, heads), inputs)  # no retracing
    values = {f"{side}_branch": branches[side].max(axis=-1) for side in ("text", "image")}
    return _per_phenomenon(values, data, split)


def late_fusion_weights(model: keras.Model) -> dict[str, float]:
    """The learned weights of a late fusion model's text and image votes."""
    weights = keras.ops.convert_to_numpy(model.get_layer("fusion_output").modality_weights())
    return {"text": round(float(weights[0]), 3), "image": round(float(weights[1]), 3)}


def grounded_choices(model: keras.Model, data: FusionData, split: str = "test") -> dict:
    """On grounded posts whose two characters show different expressions: how often the model
    predicts the named character's expression (the label) and how often the other one's."""
    frame = data.splits[split].frame
    codes = {name: code for code, name in enumerate(data.class_names)}
    named, other, rows = [], [], []
    for row, (phenomenon, characters, chosen) in enumerate(
        zip(frame["phenomenon"], frame["characters"], frame["named_character"])
    ):
        moods = dict(part.split(":") for part in str(characters).split(";"))
        if phenomenon != "grounded" or len(set(moods.values())) < 2 or chosen not in moods:
            continue
        rows.append(row)
        named.append(codes[moods[chosen]])
        other.append(codes[next(m for c, m in moods.items() if c != chosen)])
    predicted = predict(model, data, split, rows=np.array(rows)).argmax(-1)
    return {
        "posts": len(rows),
        "named_character": round(float(np.mean(predicted == np.array(named))), 3),
        "other_character": round(float(np.mean(predicted == np.array(other))), 3),
    }


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 07's claims on `result` (see `cnn_fusion_claims.lesson_claims`): nothing trains
    or predicts here."""
    from mmcourse.lessons import cnn_fusion_claims  # it imports this module

    return cnn_fusion_claims.lesson_claims(result)
