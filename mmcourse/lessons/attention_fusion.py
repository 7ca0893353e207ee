"""Lesson 08's experiment: attention over words and over image regions, against concatenation.

The notebook spells each step out; these functions run the same steps with the same settings
(`SETTINGS`), and `lesson_claims` turns what was measured into the sentences the lesson
teaches, which the notebook checks (`claims.check`) in its last cells:

- `build_model`: the baseline, lesson 07's `fusion.build_concat_fusion` (pooled text features
  concatenated with pooled image features: it cannot tell *which* character a text names),
  and lesson 08's attention models.
- `fit_and_score` / `train_models`: train them on `FusionData` and score them on test.
- `run_experiment`: the lesson's comparison (a `LessonResult`: one `Evaluation` per model for
  the results table, and the attention numbers the claims are about).
- `named_character_cells` / `attention_on_characters`: where the text-to-image attention
  goes on grounded posts, on the named character or on the other one; `colour_word_attention`:
  how often the text's query weighs the colour word most; `regions_read_colour_word`: how
  often the named character's regions, attending over the words, read the colour word;
  `attention_measures` collects the three for the claims. The metadata that says who is
  named is read here, for evaluation only, never in training.
- `lesson_claims` (in `mmcourse.lessons.attention_fusion_claims`): the lesson's claims, from a
  `LessonResult` (`run_experiment`'s, or one the notebook builds from what it measured).
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult, fit_and_evaluate, predict
from mmcourse.fusion_data import FusionData, prepare_fusion_data
from mmcourse.models import attention, fusion
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.synth.scenes import SHIRT_COLOURS

MODEL_NAMES = (
    "concat_fusion",
    "word_attention_fusion",
    "cross_modal_attention",
    "article_attention",
)
COLOUR_TOLERANCE = 0.12  # RGB distance in [0, 1] units, after matching the brightness
MEASURES = ("colour_first", "shares", "regions_read")  # what attention_measures gives


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 08's training: batches of 32, learning rate 2e-3, early stopping after 6 epochs
    without improvement, at most 12 epochs in fast mode and 40 in full mode; and
    `colour_tolerance`, how close a patch's colour must be to a shirt's to count as it
    (`named_character_cells`).

    Attention needs more epochs than concatenation: it must first learn which region a colour
    word points to before the region's features can pay off. It learns in two phases: it
    first fits what the pooled features already explain, then, once a colour word starts to
    pick its region, the grounded posts; validation loss can stall in between, so early
    stopping waits longer than the default 3 epochs.
    """

    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 2e-3
    patience: int = 6
    colour_tolerance: float = COLOUR_TOLERANCE


SETTINGS = ByMode(fast=Settings(epochs=12), full=Settings(epochs=40))


def fit_and_score(
    model: keras.Model, data: FusionData, settings: Settings | None = None
) -> Evaluation:
    """`experiment.fit_and_evaluate` with this lesson's settings (default: `SETTINGS` for this
    mode: batches of 32, patience 6, 12 or 40 epochs)."""
    return fit_and_evaluate(model, data, settings or SETTINGS.for_mode())


def build_model(name: str, *, vocabulary_size: int) -> keras.Model:
    """One of `MODEL_NAMES`, freshly initialised."""
    if name == "concat_fusion":
        return fusion.build_concat_fusion(vocabulary_size=vocabulary_size)
    if name == "word_attention_fusion":
        return attention.build_word_attention_fusion(vocabulary_size=vocabulary_size)
    if name == "cross_modal_attention":
        return attention.build_cross_modal_attention(vocabulary_size=vocabulary_size)
    if name == "article_attention":
        return attention.build_cross_modal_attention(
            vocabulary_size=vocabulary_size, combine="weights"
        )
    raise ValueError(f"name must be one of {MODEL_NAMES}. Received: name={name!r}")


def train_models(data: FusionData, settings: Settings | None = None, *, names=MODEL_NAMES):
    """Train each named model as the lesson does: `{name: (model, Evaluation on test)}`.

    Each model starts from the weights `settings.seed` gives (default settings: `SETTINGS`
    for this mode)."""
    settings = settings or SETTINGS.for_mode()
    results = {}
    for name in names:
        keras.utils.set_random_seed(settings.seed)
        model = build_model(name, vocabulary_size=data.vocabulary_size)
        results[name] = (model, fit_and_score(model, data, settings))
    return results


def attention_measures(
    model: keras.Model, data: FusionData, *, tolerance: float = COLOUR_TOLERANCE
) -> dict:
    """What `lesson_claims` reads besides the evaluations, from the trained cross-modal
    attention model: `colour_first` (`colour_word_attention`), `shares`
    (`attention_on_characters`) and `regions_read` (`regions_read_colour_word`). All three
    are about the characters a text names, so data without MoodPosts' scene metadata (an MVSA
    folder) gets none of them."""
    from mmcourse.lessons.cnn_fusion import has_scene_metadata

    if not has_scene_metadata(data):
        return {}
    return {
        "colour_first": colour_word_attention(model, data),
        "shares": attention_on_characters(model, data, tolerance=tolerance),
        "regions_read": regions_read_colour_word(model, data, tolerance=tolerance),
    }


def run_experiment(
    data: FusionData | None = None, *, settings: Settings | None = None
) -> LessonResult:
    """Lesson 08's comparison: one `Evaluation` per model of `MODEL_NAMES` (with `details`:
    params, train_seconds, epochs) for `notebooks/RESULTS.md`, and `attention_measures` of
    the cross-modal attention model. `data` defaults to `prepare_fusion_data()`, `settings`
    to `SETTINGS` for this mode."""
    data = prepare_fusion_data() if data is None else data
    settings = settings or SETTINGS.for_mode()
    trained = train_models(data, settings)
    cross = trained["cross_modal_attention"][0]
    measures = attention_measures(cross, data, tolerance=settings.colour_tolerance)
    return LessonResult.of(trained, settings=settings, **measures)


def grounded_rows(data: FusionData, split: str = "test") -> np.ndarray:
    """Row indices of the grounded posts of a split."""
    return np.flatnonzero(data.splits[split].frame["phenomenon"].to_numpy() == "grounded")


def named_character_cells(
    images, colours, *, tolerance: float = COLOUR_TOLERANCE, face: bool = True
):
    """(n, 8, 8) bool: the 8x8-pixel regions showing a shirt of `colours[i]`, plus (`face`)
    the region above each, where the face is.

    A 4x4-pixel patch matches when its mean colour is within `tolerance` of the shirt colour
    scaled to the patch's brightness (rainy scenes are darker); a region matches when one of
    its four patches does.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[1:] != (64, 64, 3) or len(colours) != len(images):
        raise ValueError(
            f"Expected (n, 64, 64, 3) images and n colours. Received: "
            f"images={images.shape}, colours={len(colours)}"
        )
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


def attention_on_characters(
    model: keras.Model,
    data: FusionData,
    split: str = "test",
    *,
    tolerance: float = COLOUR_TOLERANCE,
):
    """Mean share of the text-to-image attention on the named and on the other character's
    regions, over the grounded posts of `split`, next to the share of the image they cover
    (regions found by `named_character_cells` with `tolerance`).

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
        cells = named_character_cells(images, colours, tolerance=tolerance)
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


def regions_read_colour_word(
    model: keras.Model,
    data: FusionData,
    split: str = "test",
    *,
    tolerance: float = COLOUR_TOLERANCE,
) -> float:
    """Image-to-text attention, read off the text-to-image layer (`word_region_scores`): for
    each grounded post, the named character's shirt regions attend over the real words
    (softmax over words, averaged over those regions). Share of posts whose top word is the
    named colour; posts where no shirt region is found are left out."""
    rows = grounded_rows(data, split)
    outputs = predict(attention.attention_probe(model), data, split, rows=rows)
    tokens = data.arrays[split]["tokens"][rows]
    weights = attention.region_word_weights(
        model, outputs["word_vectors"], outputs["region_keys"], tokens
    )
    named = data.splits[split].frame["named_character"].to_numpy()[rows]
    shirts = named_character_cells(
        data.arrays[split]["image"][rows], list(named), tolerance=tolerance, face=False
    )
    shirts = shirts.reshape(len(rows), -1, 1)
    found = shirts.any(axis=(1, 2))
    read = (weights * shirts).sum(axis=1) / np.maximum(shirts.sum(axis=1), 1)
    top = tokens[np.arange(len(rows)), read.argmax(axis=1)]
    words = np.asarray(data.vectorizer.get_vocabulary())[top]
    return round(float(np.mean((words == named)[found])), 3)


def _other_colour(characters: str, named: str) -> str:
    colours = [part.split(":")[0] for part in characters.split(";")]
    others = [c for c in colours if c != named]
    if len(others) != 1:
        raise ValueError(f"Expected two characters. Received: characters={characters!r}")
    return others[0]


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 08's claims on `result` (see `attention_fusion_claims.lesson_claims`): nothing is
    trained or predicted here."""
    from mmcourse.lessons import attention_fusion_claims  # it imports this module

    return attention_fusion_claims.lesson_claims(result)
