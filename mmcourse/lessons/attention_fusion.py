"""Lesson 08's experiment: attention over words and over image regions, against concatenation.

The notebook spells each step out; these functions run the same steps with the same settings
(`epochs()`, `LEARNING_RATE`), and `lesson_claims` turns what the notebook measured into the
sentences the lesson teaches, which the notebook checks (`claims.check`) in its last cells:

- `build_model`: the baseline, lesson 07's `fusion.build_concat_fusion` (pooled text features
  concatenated with pooled image features: it cannot tell *which* character a text names),
  and lesson 08's attention models.
- `fit_and_score` / `train_models`: train them on `FusionData` and score them on test.
- `run_experiment`: the lesson's comparison, a list of `Evaluation` for the results table.
- `named_character_cells` / `attention_on_characters`: where the text-to-image attention
  goes on grounded posts, on the named character or on the other one; `colour_word_attention`:
  how often the text's query weighs the colour word most; `regions_read_colour_word`: how
  often the named character's regions, attending over the words, read the colour word. The
  metadata that says who is
  named is read here, for evaluation only, never in training.
- `lesson_claims`: the lesson's claims, from the notebook's `results` and attention numbers.
"""

from __future__ import annotations

import math
import numbers

import keras
import numpy as np

from mmcourse import claims, runtime
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import fit_and_evaluate, predict
from mmcourse.fusion_data import FusionData
from mmcourse.models import attention, fusion
from mmcourse.synth.scenes import SHIRT_COLOURS

LEARNING_RATE = 2e-3
BATCH_SIZE = 32
PATIENCE = 6
MODEL_NAMES = ("concat_fusion", "word_attention_fusion", "cross_modal_attention",
               "article_attention")  # fmt: skip
COLOUR_TOLERANCE = 0.12  # RGB distance in [0, 1] units, after matching the brightness
DETAILS = ("params", "train_seconds", "epochs")


def epochs() -> int:
    """12 in fast mode, at most 40 (early stopping) in full mode.

    Attention needs more epochs than concatenation: it must first learn which region a colour
    word points to before the region's features can pay off.
    """
    return runtime.fast_or_full(12, 40)


def fit_and_score(model: keras.Model, data: FusionData, *, num_epochs: int | None = None,
                  seed: int = 0) -> Evaluation:  # fmt: skip
    """`experiment.fit_and_evaluate` with this lesson's batch size (32) and patience (6).

    Attention learns in two phases: it first fits what the pooled features already explain,
    then, once a colour word starts to pick its region, the grounded posts; validation loss
    can stall in between, so early stopping waits longer than the default 3 epochs.
    """
    return fit_and_evaluate(model, data, epochs=num_epochs or epochs(),
                            learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
                            patience=PATIENCE, seed=seed)  # fmt: skip


def build_model(name: str, *, vocabulary_size: int) -> keras.Model:
    """One of `MODEL_NAMES`, freshly initialised."""
    if name == "concat_fusion":
        return fusion.build_concat_fusion(vocabulary_size=vocabulary_size)
    if name == "word_attention_fusion":
        return attention.build_word_attention_fusion(vocabulary_size=vocabulary_size)
    if name == "cross_modal_attention":
        return attention.build_cross_modal_attention(vocabulary_size=vocabulary_size)
    if name == "article_attention":
        return attention.build_cross_modal_attention(vocabulary_size=vocabulary_size,
                                                     combine="weights")  # fmt: skip
    raise ValueError(f"name must be one of {MODEL_NAMES}. Received: name={name!r}")


def train_models(
    data: FusionData, *, names=MODEL_NAMES, seed: int = 0, num_epochs: int | None = None
):
    """Train each named model as the lesson does: `{name: (model, Evaluation on test)}`."""
    results = {}
    for name in names:
        keras.utils.set_random_seed(seed)
        model = build_model(name, vocabulary_size=data.vocabulary_size)
        evaluation = fit_and_score(model, data, num_epochs=num_epochs, seed=seed)
        results[name] = (model, evaluation)
    return results


def run_experiment(data: FusionData, *, seed: int = 0) -> list[Evaluation]:
    """Lesson 08's comparison (fast or full mode from the environment), one `Evaluation` per
    model with `details` (params, train_seconds, epochs), for `notebooks/RESULTS.md`."""
    return [evaluation for _, evaluation in train_models(data, seed=seed).values()]


def grounded_rows(data: FusionData, split: str = "test") -> np.ndarray:
    """Row indices of the grounded posts of a split."""
    return np.flatnonzero(data.splits[split].frame["phenomenon"].to_numpy() == "grounded")


def named_character_cells(images, colours, *, tolerance: float = COLOUR_TOLERANCE,
                          face: bool = True):  # fmt: skip
    """(n, 8, 8) bool: the 8x8-pixel regions showing a shirt of `colours[i]`, plus (`face`)
    the region above each, where the face is.

    A 4x4-pixel patch matches when its mean colour is within `tolerance` of the shirt colour
    scaled to the patch's brightness (rainy scenes are darker); a region matches when one of
    its four patches does.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[1:] != (64, 64, 3) or len(colours) != len(images):
        raise ValueError(f"Expected (n, 64, 64, 3) images and n colours. Received: "
                         f"images={images.shape}, colours={len(colours)}")  # fmt: skip
    unknown = sorted(set(colours) - set(SHIRT_COLOURS))
    if unknown:
        raise ValueError(f"Unknown shirt colours. Received: {unknown}")
    patches = images.reshape(-1, 16, 4, 16, 4, 3).mean(axis=(2, 4))  # (n, 16, 16, 3)
    target = np.array([SHIRT_COLOURS[c] for c in colours], "float32")[:, None, None] / 255.0
    brightness = (patches * target).sum(-1, keepdims=True) / (target * target).sum(-1)[..., None]
    distance = np.linalg.norm(patches - np.clip(brightness, 0.6, 1.2) * target, axis=-1)
    cells = (distance < tolerance).reshape(-1, 8, 2, 8, 2).any(axis=(2, 4))
    if not face:
        return cells
    above = np.zeros_like(cells)
    above[:, :-1] = cells[:, 1:]
    return cells | above


def attention_on_characters(model: keras.Model, data: FusionData, split: str = "test"):
    """Mean share of the text-to-image attention on the named and on the other character's
    regions, over the grounded posts of `split`, next to the share of the image they cover.

    Returns `{"named": ..., "other": ..., "named_area": ..., "other_area": ...}`.
    """
    rows = grounded_rows(data, split)
    weights = predict(attention.attention_probe(model), data, split, rows=rows)["region_weights"]
    weights = np.asarray(weights).reshape(-1, 8, 8)
    frame = data.splits[split].frame.iloc[rows]
    named = frame["named_character"].tolist()
    other = [_other_colour(c, n) for c, n in zip(frame["characters"], named)]
    images = data.arrays[split]["image"][rows]
    result = {}
    for key, colours in (("named", named), ("other", other)):
        cells = named_character_cells(images, colours)
        result[key] = round(float((weights * cells).sum(axis=(1, 2)).mean()), 3)
        result[f"{key}_area"] = round(float(cells.mean()), 3)
    return result


def colour_word_attention(model: keras.Model, data: FusionData, split: str = "test") -> float:
    """Share of the grounded posts of `split` whose query gives its largest word weight
    (layer `text_attention_pool`) to the colour word the text names."""
    rows = grounded_rows(data, split)
    weights = predict(attention.attention_probe(model), data, split, rows=rows)["word_weights"]
    tokens = data.arrays[split]["tokens"][rows]
    top = tokens[np.arange(len(rows)), np.asarray(weights).argmax(axis=-1)]
    words = np.asarray(data.vectorizer.get_vocabulary())[top]
    named = data.splits[split].frame["named_character"].to_numpy()[rows]
    return round(float(np.mean(words == named)), 3)


def regions_read_colour_word(model: keras.Model, data: FusionData, split: str = "test") -> float:
    """Image-to-text attention, read off the text-to-image layer (`word_region_scores`): for
    each grounded post, the named character's shirt regions attend over the real words
    (softmax over words, averaged over those regions). Share of posts whose top word is the
    named colour; posts where no shirt region is found are left out."""
    rows = grounded_rows(data, split)
    outputs = predict(attention.attention_probe(model), data, split, rows=rows)
    tokens = data.arrays[split]["tokens"][rows]
    weights = attention.region_word_weights(model, outputs["word_vectors"],
                                            outputs["region_keys"], tokens)  # fmt: skip
    named = data.splits[split].frame["named_character"].to_numpy()[rows]
    shirts = named_character_cells(data.arrays[split]["image"][rows], list(named), face=False)
    shirts = shirts.reshape(len(rows), -1, 1)
    found = shirts.any(axis=(1, 2))
    read = (weights * shirts).sum(axis=1) / np.maximum(shirts.sum(axis=1), 1)
    top = tokens[np.arange(len(rows)), read.argmax(axis=1)]
    words = np.asarray(data.vectorizer.get_vocabulary())[top]
    return round(float(np.mean((words == named)[found])), 3)


def lesson_claims(results: dict[str, Evaluation], *, colour_first: float, shares: dict,
                  regions_read: float) -> list[claims.Claim]:  # fmt: skip
    """Lesson 08's claims, one `claims.Claim` each, from numbers the notebook already has.

    `results` maps each of `MODEL_NAMES` to its test `Evaluation`; `colour_first` is
    `colour_word_attention(cross, data)`, `shares` is `attention_on_characters(cross, data)`
    and `regions_read` is `regions_read_colour_word(cross, data)`, all for the trained
    cross-modal attention model. Nothing is trained or predicted here: the claims are checked
    on the very numbers the notebook printed. Show them with `claims.check(..., lesson="08")`.
    """
    missing = [name for name in MODEL_NAMES if name not in results]
    if missing:
        raise ValueError(f"results must hold an Evaluation for each of {MODEL_NAMES}. "
                         f"Received: results without {missing}")  # fmt: skip
    for name in MODEL_NAMES:
        evaluation = results[name]
        if not isinstance(evaluation, Evaluation) or "grounded" not in evaluation.per_phenomenon:
            raise ValueError(f"results[{name!r}] must be an Evaluation with a 'grounded' score. "
                             f"Received: {type(evaluation).__name__} "
                             f"{str(evaluation)[:60]!r}")  # fmt: skip
    if not isinstance(shares, dict) or not {"named", "other", "named_area"} <= set(shares):
        raise ValueError("shares must be attention_on_characters(...)'s dict (named, other, "
                         f"named_area). Received: shares={shares!r}")  # fmt: skip
    values = {f"shares[{key!r}]": shares[key] for key in ("named", "other", "named_area")}
    values.update(colour_first=colour_first, regions_read=regions_read)
    for label, value in values.items():
        if not _share(value):
            raise ValueError(f"{label} must be a share in [0, 1]. Received: {label}={value!r}")
    grounded = {name: e.per_phenomenon["grounded"] for name, e in results.items()}
    concat, cross = grounded["concat_fusion"], grounded["cross_modal_attention"]
    article = grounded["article_attention"]
    accuracy = {name: e.accuracy for name, e in results.items()}
    without = [name for name in MODEL_NAMES if not set(DETAILS) <= set(results[name].details)]
    return [
        claims.below("concatenation stays near the image-only ceiling on grounded posts",
                     concat, 0.65),
        claims.at_least("cross-modal attention beats concatenation on grounded posts by 0.15",
                        cross, concat + 0.15),
        claims.at_least("cross-modal attention beats concatenation overall by 0.01",
                        accuracy["cross_modal_attention"], accuracy["concat_fusion"] + 0.01),
        claims.below("the article's version (weights, not features) trails cross-modal "
                     "attention on grounded posts by more than 0.15", article, cross - 0.15),
        claims.at_least("attention on the named character is at least 3x that on the other",
                        shares["named"], 3 * shares["other"]),
        claims.at_least("attention on the named character is at least 4x its share of the image",
                        shares["named"], 4 * shares["named_area"]),
        claims.at_least("the query weighs the colour word most on at least 80% of grounded posts",
                        colour_first, 0.8),
        claims.at_least("the named character's regions read the colour word most on at least "
                        "60% of grounded posts", regions_read, 0.6),
        claims.holds("every model reports its parameters, training seconds and epochs",
                     not without, measured=", ".join(without) or "all models",
                     expected="all models"),
    ]  # fmt: skip


def _share(value) -> bool:
    """A number in [0, 1], or NaN (nothing measured: the claim on it then fails)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return math.isnan(value) or 0.0 <= value <= 1.0


def _other_colour(characters: str, named: str) -> str:
    colours = [part.split(":")[0] for part in characters.split(";")]
    others = [c for c in colours if c != named]
    if len(others) != 1:
        raise ValueError(f"Expected two characters. Received: characters={characters!r}")
    return others[0]
