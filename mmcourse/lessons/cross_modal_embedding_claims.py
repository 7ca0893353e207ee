"""Lesson 05's claims, built from the scores its notebook measured.

`lesson_claims` reads the `Evaluation`s that `embedding_lesson.summarize` gave for the four
models (each one's `details` hold its retrieval, transfer and probe numbers) and the test split
of `data`, and returns the sentences the lesson teaches as `mmcourse.claims.Claim`s; the
notebook shows them with `claims.check`, which raises when one stops holding. Trains nothing.

    claims.check(embedding_claims.lesson_claims(evaluations, data=data), lesson="05")
"""

from __future__ import annotations

import numpy as np

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.fusion_data import FusionData
from mmcourse.lessons.cross_modal_embedding import MODELS

DIRECTIONS = ("text->image", "image->text")
ALIGNED = {"bimodal autoencoder": 5, "dual encoder": 20, "dual encoder + adversary": 20}


def lesson_claims(evaluations: list[Evaluation], *, data: FusionData) -> list[claims.Claim]:
    """The lesson's claims, on the `Evaluation`s that `summarize` gave for the four `MODELS`
    (each one's `details` hold its model's numbers) and on `data`'s test labels. Trains nothing.
    """
    found = {getattr(e, "name", e): e for e in evaluations}
    ways = ("text-trained, on images", "image-trained, on images")
    missing = [f"{m}: {w}" for m in MODELS for w in ways if f"{m}: {w}" not in found]
    if missing:
        raise ValueError(
            f"Expected the Evaluations of `summarize` for every model of MODELS, missing "
            f"{missing}. Received: evaluations named {list(found)}"
        )
    n = {m: found[f"{m}: {ways[0]}"].details for m in MODELS}
    pair, dual, adversary = n["autoencoder pair"], n["dual encoder"], n["dual encoder + adversary"]
    places = data.splits["test"].frame["place"].value_counts(normalize=True)
    truth = data.labels("test", "image_label")
    transferred, reference = (found[f"dual encoder: {w}"].accuracy for w in ways)
    return [
        *[claims.below(f"separate autoencoders retrieve {d} at chance (R@5 under 3x chance)",
                       pair[f"R@5 {d}"], 3 * pair["R@5 chance"]) for d in DIRECTIONS],
        *[claims.at_least(f"the {m} retrieves {d} at {f}x chance or more (R@5)",
                          n[m][f"R@5 {d}"], f * n[m]["R@5 chance"])
          for m, f in ALIGNED.items() for d in DIRECTIONS],
        claims.at_least("almost every text finds an image of its scene in its top 5 (dual "
                        "encoder)", dual["R@5 same scene text->image"], 0.9),
        claims.at_least("place transfers from texts to images, 0.3 above the majority place",
                        dual["place transfer"], places.max() + 0.3),
        claims.at_least("sentiment transfers a little: balanced accuracy 0.05 above chance",
                        dual["sentiment transfer balanced"], 1 / 3 + 0.05),
        claims.at_least("image embeddings carry the image's sentiment (image-trained "
                        "classifier)", reference, 0.9),
        claims.below("transferred sentiment is 0.3 below the image-trained classifier",
                     transferred, reference - 0.3),
        claims.below("transferred sentiment is below the majority-class rate", transferred,
                     np.bincount(truth).max() / len(truth)),
        claims.within("the adversary's discriminator is fooled (accuracy near 0.5)",
                      adversary["discriminator accuracy"], 0.5, 0.1),
        claims.at_least("a fresh probe still tells texts from images after the adversary",
                        adversary["modality probe"], 0.9),
        claims.at_least("a fresh probe tells the dual encoder's texts from its images",
                        dual["modality probe"], 0.9),
    ]  # fmt: skip
