"""Lesson 07's claims, built from the numbers its notebook measured.

`lesson_claims` reads a `LessonResult`: the test `Evaluation`s of listing 4.3 and of every
model of `cnn_fusion.MODELS` (with `details` holding each one's training seconds and epochs),
and the measures `cnn_fusion.lesson_measures` computes (`cnn_fusion.MEASURES`: the data's
Bayes ceilings, what concat fusion chooses on grounded posts, the gated model's gates, the
late model's branch confidence). It returns the sentences the lesson teaches as
`mmcourse.claims.Claim`s; the notebook shows them with `claims.check`, which raises when one
stops holding. Nothing here trains or predicts.

    claims.check(cnn_fusion.lesson_claims(LessonResult.of(evaluations, ...)), lesson="07")

This module reads the lesson's constants and table helpers (`fusion_margin`, `gains_of`,
`seconds_per_epoch`, `gate_contrast`) from `mmcourse.lessons.cnn_fusion`, whose
`lesson_claims` calls the one here.
"""

from __future__ import annotations

import pandas as pd

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons.cnn_fusion import (
    FUSIONS,
    IMAGE_DECIDES,
    MEASURES,
    MODELS,
    POOLED,
    TEXT_DECIDES,
    fusion_margin,
    gains_of,
    gate_contrast,
    seconds_per_epoch,
)


def _all_above(text: str, values: pd.Series, bound) -> claims.Claim:
    return claims.holds(
        text, (values > bound).all(), measured=float(values.min()), expected=f"> {bound:.3f} each"
    )


def _deciding_claims(scores: dict, gains: pd.DataFrame) -> list[claims.Claim]:
    """Each baseline fails where the other modality decides; concat fusion matches the one that
    decides, on each phenomenon but grounded."""
    concat, found = scores["concat_fusion"].per_phenomenon, []
    for side, other, decides, bound in (
        ("image", "text", IMAGE_DECIDES, 0.2),
        ("text", "image", TEXT_DECIDES, 0.3),
    ):
        deciding = scores[f"{side}_only"].per_phenomenon
        silent = scores[f"{other}_only"].per_phenomenon
        for p in decides:
            found += [
                claims.holds(
                    f"on {p} posts the {side} decides: {other} alone below {bound}, "
                    f"{side} alone above 0.85",
                    silent[p] < bound and deciding[p] > 0.85,
                    measured=f"{other} {silent[p]:.3f}, {side} {deciding[p]:.3f}",
                    expected=f"< {bound}, > 0.85",
                ),
                claims.at_least(
                    f"concat fusion is within 0.08 of {side} alone on {p} posts",
                    concat[p],
                    deciding[p] - 0.08,
                ),
            ]
        found.append(
            _all_above(
                f"concat fusion beats {other} alone by over 0.7 where the {side} decides",
                gains.loc[f"vs {other}_only", list(decides)],
                0.7,
            )
        )
    better = gains.loc["vs the better one"].drop("overall")
    return found + [
        _all_above(
            "concat fusion loses under 0.08 to the better single model on each phenomenon",
            better,
            -0.08,
        )
    ]


def lesson_claims(result: LessonResult) -> list[claims.Claim]:
    """Lesson 07's claims, on the numbers `result` holds (nothing trains or predicts here).

    `result.evaluations`: listing 4.3's and those of every name of `MODELS`;
    `result.measures`: `ceilings` (`data.ceilings`), `choices` (`grounded_choices` of the
    concat fusion model), `gates` (`gate_by_phenomenon` of the gated one) and `confidence`
    (`branch_confidence` of the late one), as `cnn_fusion.lesson_measures` computes them.
    """
    others = [e for e in result.evaluations if not isinstance(e, Evaluation)]
    if others:
        raise ValueError(
            "result.evaluations must be Evaluations. "
            f"Received: {type(others[0]).__name__} {str(others[0])[:60]!r}"
        )
    scores = {e.name: e for e in result.evaluations}
    missing = [name for name in ("listing_4_3", *MODELS) if name not in scores]
    if missing:
        raise ValueError(
            f"result must hold an Evaluation of listing_4_3 and of every model of {MODELS}. "
            f"Received: evaluations without {missing}"
        )
    lacking = [name for name in MEASURES if name not in result.measures]
    if lacking:
        raise ValueError(
            f"result.measures must hold {MEASURES}. Received: measures without {lacking}"
        )
    listing = scores.pop("listing_4_3")
    scores = {name: scores[name] for name in MODELS}
    evaluations = [listing, *scores.values()]
    margin = {n: fusion_margin(evaluations, model=n)["margin"] for n in (*FUSIONS, "listing_4_3")}
    ceilings = result.measure("ceilings")
    ceiling = max(ceilings["text"]["overall"], ceilings["image"]["overall"])
    concat = scores["concat_fusion"]
    speed = seconds_per_epoch([listing, concat])
    choices = result.measure("choices")
    gates = result.measure("gates")
    share = gates["text_share"]
    confidence = result.measure("confidence")
    image_branch = confidence["image_branch"]
    return [
        *(
            claims.at_least(
                f"{n.replace('_', ' ')} beats the best single modality by 0.15", margin[n], 0.15
            )
            for n in POOLED
        ),
        claims.at_least(
            "listing 4.3 beats the best single modality by 0.1", margin["listing_4_3"], 0.1
        ),
        claims.at_least(
            "listing 4.3 beats the better single-modality Bayes ceiling by 0.1",
            listing.accuracy,
            ceiling + 0.1,
        ),
        claims.below(
            "listing 4.3 matches concat fusion's accuracy within 0.05",
            abs(listing.accuracy - concat.accuracy),
            0.05,
        ),
        claims.holds(
            "listing 4.3 takes over twice concat fusion's time per epoch",
            speed["listing_4_3"] > 2 * speed["concat_fusion"],
            measured=f"{speed['listing_4_3']} s vs {speed['concat_fusion']} s",
            expected="over 2 times",
        ),
        *_deciding_claims(scores, gains_of(evaluations, model="concat_fusion")),
        *(
            claims.below(
                f"{n.replace('_', ' ')} stays below 0.7 on grounded posts",
                scores[n].per_phenomenon["grounded"],
                0.7,
            )
            for n in POOLED
        ),
        claims.at_least(
            "at least 40 grounded test posts show two different expressions", choices["posts"], 40
        ),
        claims.below(
            "concat fusion picks the named character about as often as the other one",
            abs(choices["named_character"] - choices["other_character"]),
            0.25,
        ),
        claims.at_most(
            "early fusion loses 0.3 to text alone on negation posts",
            scores["early_fusion"].per_phenomenon["negation"],
            scores["text_only"].per_phenomenon["negation"] - 0.3,
        ),
        claims.below(
            "early fusion beats the best single modality by less than 0.15",
            margin["early_fusion"],
            0.15,
        ),
        claims.holds(
            "every mean gate lies strictly between 0 and 1",
            ((share > 0) & (share < 1)).all(),
            measured=f"{share.min():.3f} to {share.max():.3f}",
            expected="in (0, 1)",
        ),
        claims.at_least(
            "the gate leans to the modality that decides by 0.05", gate_contrast(gates), 0.05
        ),
        claims.at_least(
            "late fusion's image branch is surer by 0.3 where the image decides",
            image_branch[list(IMAGE_DECIDES)].mean(),
            image_branch[list(TEXT_DECIDES)].mean() + 0.3,
        ),
        _all_above(
            "late fusion's text branch stays confident where the image decides",
            confidence["text_branch"][list(IMAGE_DECIDES)],
            0.7,
        ),
    ]
