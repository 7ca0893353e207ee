"""Lesson 05's claims on hand-made scores: all hold on numbers like the notebook's, and each
one fails by name when its number moves past its bound."""

import numpy as np
import pytest

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons import cross_modal_embedding, cross_modal_embedding_claims
from mmcourse.lessons.cross_modal_embedding import MODELS

WAYS = ("text-trained, on images", "image-trained, on images")

NUMBERS = {  # about what the notebook measured in fast mode
    "autoencoder pair": {"R@5 text->image": 0.0083, "R@5 image->text": 0.0067},
    "bimodal autoencoder": {"R@5 text->image": 0.155, "R@5 image->text": 0.254},
    "dual encoder": {
        "R@5 text->image": 0.688,
        "R@5 image->text": 0.69,
        "R@5 same scene text->image": 1.0,
        "place transfer": 0.993,
        "sentiment transfer balanced": 0.471,
        "modality probe": 0.993,
    },
    "dual encoder + adversary": {
        "R@5 text->image": 0.696,
        "R@5 image->text": 0.674,
        "modality probe": 1.0,
        "discriminator accuracy": 0.437,
    },
}
ACCURACY = {
    "dual encoder: text-trained, on images": 0.421,
    "dual encoder: image-trained, on images": 0.988,
}


def _scores(numbers=NUMBERS, accuracy=ACCURACY):
    """The `Evaluation`s of `summarize` for the four models, made by hand."""
    return [
        Evaluation(
            name=f"{m}: {w}",
            accuracy=accuracy.get(f"{m}: {w}", 0.5),
            macro_f1=0.5,
            per_phenomenon={},
            confusion=np.zeros((3, 3)),
            class_names=("a", "b", "c"),
            report="",
            details={"R@5 chance": 0.0083, **numbers[m]},
        )
        for m in MODELS
        for w in WAYS
    ]


def _result(scores=None, *, place=0.3, image_label=0.7):
    """A `LessonResult` of `scores` (default `_scores()`) and the test split's majority rates:
    the most common place is `place` of the test posts, the most common image label
    `image_label` of them."""
    scores = _scores() if scores is None else scores
    return LessonResult.of(
        scores, majority_place_rate=place, majority_image_label_rate=image_label
    )


def test_lesson_claims_hold_on_the_numbers_the_lesson_measured():
    made = cross_modal_embedding_claims.lesson_claims(_result())
    assert len(made) == 17 and all(isinstance(c, claims.Claim) for c in made)
    table = claims.check(made, lesson="05")
    assert len(table) == len(made) and table["held"].all()


def _changed(model, key, value):
    return {**NUMBERS, model: {**NUMBERS[model], key: value}}


@pytest.mark.parametrize(
    ("numbers", "accuracy", "failed"),
    [
        (
            _changed("autoencoder pair", "R@5 text->image", 0.025),
            ACCURACY,
            "separate autoencoders retrieve text->image at chance",
        ),
        (
            _changed("bimodal autoencoder", "R@5 image->text", 0.041),
            ACCURACY,
            "the bimodal autoencoder retrieves image->text at 5x chance",
        ),
        (
            _changed("dual encoder", "R@5 text->image", 0.16),
            ACCURACY,
            "the dual encoder retrieves text->image at 20x chance",
        ),
        (
            _changed("dual encoder + adversary", "R@5 image->text", 0.16),
            ACCURACY,
            "the dual encoder + adversary retrieves image->text at 20x chance",
        ),
        (
            _changed("dual encoder", "R@5 same scene text->image", 0.89),
            ACCURACY,
            "almost every text finds an image of its scene",
        ),
        (
            _changed("dual encoder", "place transfer", 0.59),
            ACCURACY,
            "place transfers from texts to images",
        ),
        (
            _changed("dual encoder", "sentiment transfer balanced", 0.38),
            ACCURACY,
            "sentiment transfers a little",
        ),
        (
            NUMBERS,
            {**ACCURACY, "dual encoder: image-trained, on images": 0.89},
            "image embeddings carry the image's sentiment",
        ),
        (
            NUMBERS,
            {
                "dual encoder: text-trained, on images": 0.65,
                "dual encoder: image-trained, on images": 0.9,
            },
            "transferred sentiment is 0.3 below the image-trained classifier",
        ),
        (
            _changed("dual encoder + adversary", "discriminator accuracy", 0.39),
            ACCURACY,
            "the adversary's discriminator is fooled",
        ),
        (
            _changed("dual encoder + adversary", "discriminator accuracy", 0.61),
            ACCURACY,
            "the adversary's discriminator is fooled",
        ),
        (
            _changed("dual encoder + adversary", "modality probe", 0.89),
            ACCURACY,
            "a fresh probe still tells texts from images after the adversary",
        ),
        (
            _changed("dual encoder", "modality probe", 0.89),
            ACCURACY,
            "a fresh probe tells the dual encoder's texts from its images",
        ),
    ],
)
def test_lesson_claims_name_the_one_that_fails(numbers, accuracy, failed):
    with pytest.raises(claims.ClaimError, match="1 of 17 claims") as info:
        claims.check(
            cross_modal_embedding_claims.lesson_claims(_result(_scores(numbers, accuracy))),
            lesson="05",
        )
    assert failed in str(info.value)


@pytest.mark.parametrize(
    ("rates", "accuracy", "failed"),
    [
        (
            {"place": 0.7},
            ACCURACY,  # 0.993 < 0.7 + 0.3
            "place transfers from texts to images",
        ),
        (
            {"image_label": 0.4},
            ACCURACY,  # 0.421 is above 0.4, the majority-class rate
            "transferred sentiment is no better than always answering the majority class",
        ),
        (
            {"image_label": 0.6},
            {**ACCURACY, "dual encoder: text-trained, on images": 0.61},
            "transferred sentiment is no better than always answering the majority class",
        ),
    ],
)
def test_lesson_claims_read_the_test_splits_majority_rates(rates, accuracy, failed):
    result = _result(_scores(accuracy=accuracy), **rates)
    with pytest.raises(claims.ClaimError, match="1 of 17 claims") as info:
        claims.check(cross_modal_embedding_claims.lesson_claims(result), lesson="05")
    assert failed in str(info.value)


def test_transferred_sentiment_may_equal_the_majority_rate():
    # A classifier that answers the majority class for every image scores exactly that rate
    # (seed 4 in full mode): "no better than the majority class" holds.
    accuracy = {**ACCURACY, "dual encoder: text-trained, on images": 0.6}
    made = cross_modal_embedding_claims.lesson_claims(
        _result(_scores(accuracy=accuracy), image_label=0.6)
    )
    majority = [c for c in made if "majority class" in c.text]
    assert len(majority) == 1 and majority[0].held and majority[0].expected == "<= 0.600"


def test_the_lesson_module_checks_the_same_claims():
    result = _result(_scores(accuracy={}))  # every accuracy 0.5: under 0.9, not 0.3 below 0.5
    made = cross_modal_embedding.lesson_claims(result)
    assert made == cross_modal_embedding_claims.lesson_claims(result)
    assert [c.text for c in made if not c.held] == [
        "image embeddings carry the image's sentiment (image-trained classifier)",
        "transferred sentiment is 0.3 below the image-trained classifier",
    ]


def test_lesson_claims_need_every_models_scores_and_the_majority_rates():
    with pytest.raises(ValueError, match="Received: evaluations named"):
        cross_modal_embedding_claims.lesson_claims(_result(_scores()[:-2]))
    with pytest.raises(ValueError, match="missing"):
        cross_modal_embedding_claims.lesson_claims(LessonResult(["dual encoder"]))
    with pytest.raises(ValueError, match="Received: {'majority_place_rate': None"):
        cross_modal_embedding_claims.lesson_claims(LessonResult.of(_scores()))
    with pytest.raises(ValueError, match="'majority_image_label_rate': 70"):
        cross_modal_embedding_claims.lesson_claims(_result(image_label=70))  # a percentage
