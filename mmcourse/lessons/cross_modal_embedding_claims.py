"""Lesson 05's claims, built from the scores its notebook measured.

`lesson_claims` reads a `LessonResult`: the `Evaluation`s that
`cross_modal_embedding.summarize` gave for the four models (each one's `details` hold its
retrieval, transfer and probe numbers) and the test split's majority rates
(`cross_modal_embedding.majority_rates`) as measures; it returns the sentences the lesson
teaches as `mmcourse.claims.Claim`s. The notebook shows them with `claims.check`, which raises
when one stops holding. Trains nothing.

    result = LessonResult.of(evaluations, **cross_modal_embedding.majority_rates(data))
    claims.check(cross_modal_embedding_claims.lesson_claims(result), lesson="05")
"""

from __future__ import annotations

from mmcourse import claims
from mmcourse.experiment import LessonResult
from mmcourse.lessons.cross_modal_embedding import MODELS

DIRECTIONS = ("text->image", "image->text")
ALIGNED = {"bimodal autoencoder": 5, "dual encoder": 20, "dual encoder + adversary": 20}
WAYS = ("text-trained, on images", "image-trained, on images")
MEASURES = ("majority_place_rate", "majority_image_label_rate")


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """The lesson's claims, on `result.evaluations` (those of `summarize` for the four
    `MODELS`, each one's `details` holding its model's numbers) and on `result.measures`
    `majority_place_rate` and `majority_image_label_rate` (fractions of the test split, from
    `majority_rates`). Trains nothing.
    """
    found = {getattr(e, "name", e): e for e in result.evaluations}
    missing = [f"{m}: {w}" for m in MODELS for w in WAYS if f"{m}: {w}" not in found]
    if missing:
        raise ValueError(
            f"Expected the Evaluations of `summarize` for every model of MODELS, missing "
            f"{missing}. Received: evaluations named {list(found)}"
        )
    rates = {name: result.measures.get(name) for name in MEASURES}
    if not all(isinstance(r, (int, float)) and 0.0 < r <= 1.0 for r in rates.values()):
        raise ValueError(
            f"Expected the measures {MEASURES} (fractions of the test split, from "
            f"`majority_rates`). Received: {rates}"
        )
    n = {m: found[f"{m}: {WAYS[0]}"].details for m in MODELS}
    pair, dual, adversary = n["autoencoder pair"], n["dual encoder"], n["dual encoder + adversary"]
    transferred, reference = (found[f"dual encoder: {w}"].accuracy for w in WAYS)
    return [
        *[
            claims.below(
                f"separate autoencoders retrieve {d} at chance (R@5 under 3x chance)",
                pair[f"R@5 {d}"],
                3 * pair["R@5 chance"],
            )
            for d in DIRECTIONS
        ],
        *[
            claims.at_least(
                f"the {m} retrieves {d} at {f}x chance or more (R@5)",
                n[m][f"R@5 {d}"],
                f * n[m]["R@5 chance"],
            )
            for m, f in ALIGNED.items()
            for d in DIRECTIONS
        ],
        claims.at_least(
            "almost every text finds an image of its scene in its top 5 (dual encoder)",
            dual["R@5 same scene text->image"],
            0.9,
        ),
        claims.at_least(
            "place transfers from texts to images, 0.3 above the majority place",
            dual["place transfer"],
            rates["majority_place_rate"] + 0.3,
        ),
        claims.at_least(
            "sentiment transfers a little: balanced accuracy 0.05 above chance",
            dual["sentiment transfer balanced"],
            1 / 3 + 0.05,
        ),
        claims.at_least(
            "image embeddings carry the image's sentiment (image-trained classifier)",
            reference,
            0.9,
        ),
        claims.below(
            "transferred sentiment is 0.3 below the image-trained classifier",
            transferred,
            reference - 0.3,
        ),
        claims.at_most(
            "transferred sentiment is no better than always answering the majority class",
            transferred,
            rates["majority_image_label_rate"],
        ),
        claims.within(
            "the adversary's discriminator is fooled (accuracy near 0.5)",
            adversary["discriminator accuracy"],
            0.5,
            0.1,
        ),
        claims.at_least(
            "a fresh probe still tells texts from images after the adversary",
            adversary["modality probe"],
            0.9,
        ),
        claims.at_least(
            "a fresh probe tells the dual encoder's texts from its images",
            dual["modality probe"],
            0.9,
        ),
    ]
