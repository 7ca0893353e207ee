"""Lesson 03's experiment in functions: the results page runs it, the notebook checks its claims.

The notebook spells every step out; `run_experiment` runs the same steps with the same
settings (`SETTINGS`: batch size, learning rate, epochs, seed; `SEQUENCE_LENGTH` from
`mmcourse.constants`): the three `mmcourse.models.text.BUILDERS` models, then `text_cnn` again
started from the course word vectors. `lesson_claims` turns the lesson's measured claim into
`mmcourse.claims.Claim`s: the order-aware models beat the bag of embeddings on `negation`
posts, and no text model gets the posts where the image decides.
"""

from __future__ import annotations

import dataclasses

import keras

from mmcourse import claims
from mmcourse.constants import SEQUENCE_LENGTH, SPLITS
from mmcourse.data import load_moodposts
from mmcourse.data.core import MultimodalDataset
from mmcourse.evaluate import evaluate
from mmcourse.experiment import LessonResult
from mmcourse.fusion_data import FusionData
from mmcourse.models import text
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.text import vectorize, word_vectors
from mmcourse.train import train, training_details


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 03's hyper-parameters: batches of 64 posts, Adam at 5e-3, early stopping with
    patience 3 on the validation loss, at most `epochs` epochs."""

    batch_size: int = 64
    learning_rate: float = 5e-3


SETTINGS = ByMode(fast=Settings(epochs=3), full=Settings(epochs=30))

PRETRAINED_NAME = "text_cnn + course word vectors"  # text_cnn, started from the course vectors
BAG = "bag_of_embeddings"
ORDER_AWARE = ("text_cnn", "text_bilstm")  # the models that read word order
NEGATION_MARGIN = 0.15  # how far the order-aware models beat the bag on negation, at least
IMAGE_DECIDES = ("text_neutral", "conflict")  # the phenomena where only the image can tell
IMAGE_DECIDES_BOUND = 0.2  # every text model's accuracy there stays below this


def _splits(data) -> tuple[MultimodalDataset, MultimodalDataset, MultimodalDataset]:
    """Train, val and test posts of `data` (None: MoodPosts; a `FusionData`: its posts)."""
    if data is None:
        data = load_moodposts()
    if isinstance(data, FusionData):
        return tuple(data.splits[s] for s in SPLITS)
    if isinstance(data, MultimodalDataset):
        return tuple(data.subset(s) for s in SPLITS)
    raise ValueError(
        "data must be None (MoodPosts), a FusionData or a MultimodalDataset. "
        f"Received: data of type {type(data).__name__}"
    )


def prepare(data=None, *, settings: Settings | None = None) -> dict:
    """Splits, a vectorizer fitted on the train texts, and the three token datasets.

    `data`: None (MoodPosts), a `FusionData` (its posts, same splits) or a
    `MultimodalDataset` with train, val and test posts. The train batches are shuffled with
    `settings.seed`.
    """
    settings = SETTINGS.for_mode() if settings is None else settings
    train_split, val_split, test_split = _splits(data)
    vectorizer = vectorize.make_vectorizer(
        train_split.frame["text"], output_sequence_length=SEQUENCE_LENGTH
    )
    batch_size = settings.batch_size
    return {
        "splits": (train_split, val_split, test_split),
        "vectorizer": vectorizer,
        "train": vectorize.text_dataset(
            train_split, vectorizer, batch_size=batch_size, shuffle=True, seed=settings.seed
        ),
        "val": vectorize.text_dataset(val_split, vectorizer, batch_size=batch_size),
        "test": vectorize.text_dataset(test_split, vectorizer, batch_size=batch_size),
    }


def train_text_models(
    data=None,
    *,
    settings: Settings | None = None,
    names=tuple(text.BUILDERS),
    pretrained: bool = False,
):
    """Train each named builder as lesson 03 does; `{name: Evaluation on test}`.

    `data` as for `prepare`; `pretrained=True` starts each embedding from the course word
    vectors. Each model starts from `keras.utils.set_random_seed(settings.seed)`. Each
    `Evaluation.details` holds the model's `params`, `train_seconds` and `epochs`
    (`mmcourse.train.training_details`).
    """
    settings = SETTINGS.for_mode() if settings is None else settings
    prepared = prepare(data, settings=settings)
    vocabulary = prepared["vectorizer"].get_vocabulary()
    matrix = None
    if pretrained:
        words, vectors = word_vectors.load_course_vectors()
        matrix, _ = word_vectors.embedding_matrix(vocabulary, words, vectors)
    results = {}
    for name in names:
        keras.utils.set_random_seed(settings.seed)
        model = text.BUILDERS[name](vocabulary_size=len(vocabulary), embeddings=matrix)
        history = train(
            model,
            prepared["train"],
            validation_data=prepared["val"],
            epochs=settings.epochs,
            patience=settings.patience,
            learning_rate=settings.learning_rate,
            verbose=0,
        )
        probabilities = model.predict(prepared["test"], verbose=0)
        results[name] = evaluate(prepared["splits"][2], probabilities, name=name)
        results[name].details = training_details(model, history)
    return results


def run_experiment(data=None, *, settings: Settings | None = None) -> LessonResult:
    """Lesson 03's comparison: the three `text.BUILDERS` models, then `text_cnn` started from
    the course word vectors (named `PRETRAINED_NAME`), in that order.

    `data`: None (MoodPosts), a `FusionData` (its posts, same splits: the vectorizer is fitted
    again with `SEQUENCE_LENGTH`) or a `MultimodalDataset`. `settings`: default
    `SETTINGS.for_mode()`.
    """
    settings = SETTINGS.for_mode() if settings is None else settings
    data = load_moodposts() if data is None else data
    evaluations = list(train_text_models(data, settings=settings).values())
    # a fresh pipeline for the pretrained start, as each `train_text_models` call makes one
    pretrained = train_text_models(data, settings=settings, names=("text_cnn",), pretrained=True)
    pretrained = pretrained["text_cnn"]
    pretrained.name = PRETRAINED_NAME
    return LessonResult(evaluations=[*evaluations, pretrained], settings=settings)


def _per_phenomenon(result: LessonResult, names, phenomena) -> dict[str, dict[str, float]]:
    if not isinstance(result, LessonResult):
        raise ValueError(
            f"result must be a LessonResult. Received: result of type {type(result).__name__}"
        )
    found = {e.name: e.per_phenomenon for e in result.evaluations}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(
            f"lesson 03's claims need the models {list(names)}; the result lacks {missing}. "
            f"Received: evaluations named {list(found)}"
        )
    for name in names:
        absent = [p for p in phenomena if p not in found[name]]
        if absent:
            raise ValueError(
                f"{name!r} has no accuracy on {absent}. Received: per_phenomenon={found[name]}"
            )
    return {name: found[name] for name in names}


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 03's measured claims, on the test split's phenomena.

    1. On `negation` posts ("happy, not sad" and "sad, not happy": the same bag of words,
       opposite labels) `text_cnn` and `text_bilstm` each beat `bag_of_embeddings` by at
       least `NEGATION_MARGIN` (15 points).
    2. Where the image decides (`text_neutral`, `conflict`) each of the three models stays
       below `IMAGE_DECIDES_BOUND` (20 %).

    `result` must hold evaluations named `bag_of_embeddings`, `text_cnn` and `text_bilstm`
    (others, such as the lexicon or `PRETRAINED_NAME`, are ignored); `ValueError` otherwise.
    """
    models = (BAG, *ORDER_AWARE)
    scores = _per_phenomenon(result, models, ("negation", *IMAGE_DECIDES))
    bag = scores[BAG]["negation"]
    found = [
        claims.at_least(
            f"{name} beats {BAG} on negation by at least {100 * NEGATION_MARGIN:.0f} points",
            scores[name]["negation"],
            bag + NEGATION_MARGIN,
        )
        for name in ORDER_AWARE
    ]
    for phenomenon in IMAGE_DECIDES:
        best = max(scores[name][phenomenon] for name in models)
        found.append(
            claims.below(
                f"no text model gets {phenomenon} posts (the image decides): the best of "
                f"{', '.join(models)}",
                best,
                IMAGE_DECIDES_BOUND,
            )
        )
    return found
