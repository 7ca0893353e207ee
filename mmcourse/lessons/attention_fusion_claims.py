"""Lesson 08's claims, built from the numbers its notebook measured.

`lesson_claims` reads a `LessonResult`: the test `Evaluation` of each model of
`attention_fusion.MODEL_NAMES` (each with a grounded score, and `details` holding its
parameters, training seconds and epochs), and two of the measures
`attention_fusion.attention_measures` computes for the trained cross-modal attention model
(`CLAIMED`). It returns the sentences the lesson teaches as `mmcourse.claims.Claim`s: on
grounded posts cross-modal attention beats concatenation and looks at the named character; the
article's version (weights combined, not features) does not. The notebook shows them with
`claims.check`, which raises when one stops holding. Nothing here trains or predicts.

    claims.check(attention_fusion.lesson_claims(LessonResult.of(results, ...)), lesson="08")

`regions_read` (the image-to-text reading) is measured but not claimed: nothing trains that
direction, and across seeds it went from 22.5 % to 98.9 % (`notebooks/SEEDS.md`), so the
lesson shows it as what one run gives. This module reads `MODEL_NAMES` from
`mmcourse.lessons.attention_fusion`, whose `lesson_claims` calls the one here.
"""

from __future__ import annotations

import math
import numbers

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons.attention_fusion import MODEL_NAMES

DETAILS = ("params", "train_seconds", "epochs")  # what every model's evaluation reports
CLAIMED = ("colour_first", "shares")  # the measures of `attention_measures` claimed on


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 08's claims, one `claims.Claim` each, from numbers measured already.

    `result.evaluations` hold the test `Evaluation` of each of `MODEL_NAMES`;
    `result.measures` hold, for the trained cross-modal attention model `cross`, the
    `attention_fusion` measures `colour_first` (`colour_word_attention(cross, data)`) and
    `shares` (`attention_on_characters(cross, data)`), as `attention_fusion.attention_measures`
    computes them (`CLAIMED`; others, such as `regions_read`, are ignored). Nothing is
    trained or predicted here: the claims are checked on the very numbers the notebook
    printed. Show them with
    `claims.check(..., lesson="08")`.
    """
    others = [e for e in result.evaluations if not isinstance(e, Evaluation)]
    if others:
        raise ValueError(
            f"result.evaluations must be Evaluations. Received: "
            f"{type(others[0]).__name__} {str(others[0])[:60]!r}"
        )
    results = {e.name: e for e in result.evaluations}
    missing = [name for name in MODEL_NAMES if name not in results]
    if missing:
        raise ValueError(
            f"result must hold an Evaluation for each of {MODEL_NAMES}. "
            f"Received: evaluations without {missing}"
        )
    for name in MODEL_NAMES:
        evaluation = results[name]
        if "grounded" not in evaluation.per_phenomenon:
            raise ValueError(
                f"{name!r} must have a 'grounded' score. Received: "
                f"per_phenomenon={sorted(evaluation.per_phenomenon)}"
            )
    lacking = [name for name in CLAIMED if name not in result.measures]
    if lacking:
        raise ValueError(
            f"result.measures must hold {CLAIMED}. Received: measures without {lacking}"
        )
    colour_first, shares = result.measure("colour_first"), result.measure("shares")
    if not isinstance(shares, dict) or not {"named", "other", "named_area"} <= set(shares):
        raise ValueError(
            "shares must be attention_on_characters(...)'s dict (named, other, "
            f"named_area). Received: shares={shares!r}"
        )
    values = {f"shares[{key!r}]": shares[key] for key in ("named", "other", "named_area")}
    values.update(colour_first=colour_first)
    for label, value in values.items():
        if not _share(value):
            raise ValueError(f"{label} must be a share in [0, 1]. Received: {label}={value!r}")
    results = {name: results[name] for name in MODEL_NAMES}
    grounded = {name: e.per_phenomenon["grounded"] for name, e in results.items()}
    concat, cross = grounded["concat_fusion"], grounded["cross_modal_attention"]
    article = grounded["article_attention"]
    accuracy = {name: e.accuracy for name, e in results.items()}
    without = [name for name in MODEL_NAMES if not set(DETAILS) <= set(results[name].details)]
    return [
        claims.below(
            "concatenation stays near the image-only ceiling on grounded posts", concat, 0.65
        ),
        claims.at_least(
            "cross-modal attention beats concatenation on grounded posts by 0.15",
            cross,
            concat + 0.15,
        ),
        claims.at_least(
            "cross-modal attention beats concatenation overall by 0.01",
            accuracy["cross_modal_attention"],
            accuracy["concat_fusion"] + 0.01,
        ),
        claims.below(
            "the article's version (weights, not features) trails cross-modal "
            "attention on grounded posts by more than 0.15",
            article,
            cross - 0.15,
        ),
        claims.at_least(
            "attention on the named character is at least 3x that on the other",
            shares["named"],
            3 * shares["other"],
        ),
        claims.at_least(
            "attention on the named character is at least 4x its share of the image",
            shares["named"],
            4 * shares["named_area"],
        ),
        claims.above(
            "the query weighs the colour word most on more than half of the grounded posts",
            colour_first,
            0.5,
        ),
        claims.holds(
            "every model reports its parameters, training seconds and epochs",
            not without,
            measured=", ".join(without) or "all models",
            expected="all models",
        ),
    ]


def _share(value) -> bool:
    """A number in [0, 1], or NaN (nothing measured: the claim on it then fails)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return math.isnan(value) or 0.0 <= value <= 1.0
