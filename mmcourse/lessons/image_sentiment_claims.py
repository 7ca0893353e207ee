"""Lesson 04's claims: with few labelled images, the frozen course encoder beats a CNN trained
from scratch (read from the learning curve `mmcourse.lessons.image_sentiment` measures)."""

from __future__ import annotations

import pandas as pd

from mmcourse import claims
from mmcourse.experiment import LessonResult

# The claim: with at most this many labelled images, the frozen course encoder + a linear head
# beats the CNN from scratch by more than `FEW_LABELLED_MARGIN` and scores above
# `FEW_LABELLED_ACCURACY` on the test split's image_label.
FEW_LABELLED_IMAGES = 200
FEW_LABELLED_MARGIN = 0.15
FEW_LABELLED_ACCURACY = 0.8


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 04's measured claim: pretraining pays when labelled images are few.

    Read from `result.measures["learning_curve"]` (a `curve_table`, or the same as a
    `{recipe: {size: accuracy}}` dict: test accuracy on `image_label`) at its largest size of
    at most `FEW_LABELLED_IMAGES` (200) training images: the frozen course encoder + linear
    head beats the CNN from scratch by more than `FEW_LABELLED_MARGIN` (15 points), and scores
    above `FEW_LABELLED_ACCURACY` (80 %). `ValueError` when the curve is missing, lacks one
    of the two recipes or has no size that small.
    """
    if not isinstance(result, LessonResult):
        raise ValueError(
            f"result must be a LessonResult. Received: result of type {type(result).__name__}"
        )
    if "learning_curve" not in result.measures:
        raise ValueError(
            "lesson 04's claims need measures['learning_curve']. "
            f"Received: measures={sorted(result.measures)}"
        )
    curve = result.measures["learning_curve"]
    if isinstance(curve, dict) and any(isinstance(v, (list, tuple)) for v in curve.values()):
        raise ValueError(
            "measures['learning_curve'] must say which size each score is for: pass "
            "curve_table(curve, sizes), not learning_curve's lists. "
            f"Received: learning_curve={curve}"
        )
    curve = pd.DataFrame(curve)
    missing = [r for r in ("scratch", "frozen + linear") if r not in curve.columns]
    sizes = [int(n) for n in curve.index if int(n) <= FEW_LABELLED_IMAGES]
    if missing or not sizes:
        raise ValueError(
            "the learning curve needs the recipes 'scratch' and 'frozen + linear' at a size of "
            f"at most {FEW_LABELLED_IMAGES} images. Received: recipes={list(curve.columns)}, "
            f"sizes={list(curve.index)}"
        )
    size = max(sizes)
    scratch, frozen = (float(curve.loc[size, r]) for r in ("scratch", "frozen + linear"))
    if not (0.0 <= scratch <= 1.0 and 0.0 <= frozen <= 1.0):
        raise ValueError(
            f"accuracies must be in [0, 1]. Received: scratch={scratch}, frozen={frozen}"
        )
    return [
        claims.above(
            f"with {size} labelled images, the frozen course encoder + linear head beats the "
            f"CNN from scratch by more than {100 * FEW_LABELLED_MARGIN:.0f} points "
            "(test image_label)",
            frozen,
            scratch + FEW_LABELLED_MARGIN,
        ),
        claims.above(
            f"with {size} labelled images, the frozen course encoder + linear head scores "
            f"above {FEW_LABELLED_ACCURACY:.0%} (test image_label)",
            frozen,
            FEW_LABELLED_ACCURACY,
        ),
    ]
