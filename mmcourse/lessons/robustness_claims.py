"""Lesson 09's claims, built from the numbers its notebook measured.

`lesson_claims` turns the notebook's tables (`missing`, `curves`, `noise`, `labels`) and its
trained models into the sentences the lesson teaches, as `mmcourse.claims.Claim`s; the notebook
shows them with `claims.check`, which raises when one stops holding. Nothing here trains a
model: the only computation is `robustness_checks.missing_modality_accuracy` (predictions on the test
split) for each fusion model of the noise table.

    claims.check(robustness_claims.lesson_claims(data, models=..., ...), lesson="09")
"""

from __future__ import annotations

from mmcourse import claims
from mmcourse.lessons import robustness_checks
from mmcourse.lessons.robustness import CLAIM_RATE, DROPOUT_MODELS

SINGLE_MODELS = ("text_only", "image_only")
TEXT_KINDS = ("typos", "drop_words")
NOISE_KINDS = ("gaussian_noise", *TEXT_KINDS)
STRENGTH = 0.5
LABEL_RATES = (0.1, 0.3)


def _dropped(name: str) -> str:
    return f"{name}_drop{CLAIM_RATE:g}"


def _require(what: str, present, needed) -> None:
    lacking = [item for item in needed if item not in set(present)]
    if lacking:
        raise ValueError(f"{what} must hold {list(needed)}. Received: {what} lacking {lacking}")


def _ceilings(data) -> tuple[float, float]:
    """The Bayes ceilings from the text alone and from the image alone."""
    return data.ceilings["text"]["overall"], data.ceilings["image"]["overall"]


def _validate(models, missing, curves, noise, labels) -> None:
    _require("missing", missing.index, ("text_only", "image_only", "late_fusion"))
    _require("curves", curves.index, [(m, r) for m in DROPOUT_MODELS for r in (0.0, CLAIM_RATE)])
    rows = ("text_only", "late_fusion", *DROPOUT_MODELS, *map(_dropped, DROPOUT_MODELS))
    _require("noise", noise.index, rows)
    _require("noise", noise.columns, [(kind, STRENGTH) for kind in NOISE_KINDS])
    _require("models", models, ["text_only", *(n for n in noise.index if n not in SINGLE_MODELS)])
    _require("labels", labels.index, LABEL_RATES)


def _missing_claims(data, missing, curves) -> list[claims.Claim]:
    """Lesson section 1: a missing modality, with and without modality dropout."""
    text_ceiling, image_ceiling = _ceilings(data)
    ceiling = {"text_missing": image_ceiling, "image_missing": text_ceiling}
    plain, dropped = curves.loc[("tensor_fusion", 0.0)], curves.loc[("tensor_fusion", CLAIM_RATE)]
    out = [
        claims.at_most(
            "without dropout, tensor fusion with the image missing falls 10 points "
            "below the text-alone ceiling",
            plain["image_missing"],
            text_ceiling - 0.1,
        ),
        claims.at_least(
            f"modality dropout {CLAIM_RATE:g} raises tensor fusion with the image "
            "missing by 8 points",
            dropped["image_missing"],
            plain["image_missing"] + 0.08,
        ),
        claims.at_least(
            "with modality dropout, tensor fusion with the image missing is within 5 "
            "points of the text-alone ceiling",
            dropped["image_missing"],
            text_ceiling - 0.05,
        ),
        claims.at_least(
            "modality dropout costs tensor fusion at most 3 points with both inputs",
            dropped["full"],
            plain["full"] - 0.03,
        ),
    ]
    for label, row in (("without", plain), ("with", dropped)):
        out.append(
            claims.at_least(
                f"tensor fusion {label} dropout, text missing, is within 4 "
                "points of the image-alone ceiling",
                row["text_missing"],
                image_ceiling - 0.04,
            )
        )
    concat, concat_dropped = (
        curves.loc[("concat_fusion", 0.0)],
        curves.loc[("concat_fusion", CLAIM_RATE)],
    )
    for name, row in (("concat fusion", concat), ("late fusion", missing.loc["late_fusion"])):
        for view, best in ceiling.items():
            out.append(
                claims.at_least(
                    f"{name}, {view.replace('_', ' ')}, is within 4 points "
                    "of what the other modality allows",
                    row[view],
                    best - 0.04,
                )
            )
    for view in robustness_checks.MISSING_VIEWS:
        change = float(concat_dropped[view] - concat[view])
        out.append(
            claims.holds(
                f"modality dropout changes concat fusion ({view.replace('_', ' ')}"
                ") by less than 4 points",
                abs(change) < 0.04,
                measured=change,
                expected="|change| < 0.04",
            )
        )
    for name, view in (("text_only", "text_missing"), ("image_only", "image_missing")):
        value = float(missing.loc[name, view])
        alone = name.replace("_only", "")
        out.append(
            claims.below(
                f"the {alone}-only model with its {alone} missing is left guessing", value, 0.45
            )
        )
    return out


def _noise_claims(data, models, noise) -> list[claims.Claim]:
    """Lesson section 2: image noise is worse than no image; text noise is graceful."""
    text_ceiling, image_ceiling = _ceilings(data)
    text_only = models["text_only"][1].accuracy
    noise_at = ("gaussian_noise", STRENGTH)
    fusions = [name for name in noise.index if name not in SINGLE_MODELS]
    out = []
    for name in fusions:
        row = noise.loc[name]
        blanked = robustness_checks.missing_modality_accuracy(models[name][0], data)["image_missing"]
        copes = blanked >= text_ceiling - 0.05  # with a missing image, near the text ceiling
        margin, by = (0.1, " by 10 points") if copes else (0.0, "")
        out += [
            claims.at_most(
                f"{name}: a noisy image (Gaussian 0.5) is worse than none{by}",
                row[noise_at],
                blanked - margin,
            ),
            claims.at_most(
                f"{name}: a noisy image (Gaussian 0.5) puts it 10 points below the "
                "text-only model",
                row[noise_at],
                text_only - 0.1,
            ),
        ]
        for kind in TEXT_KINDS:
            value = row[(kind, STRENGTH)]
            out += [
                claims.at_least(
                    f"{name}: with {kind} 0.5 it stays 5 points above the image-alone ceiling",
                    value,
                    image_ceiling + 0.05,
                ),
                claims.at_least(
                    f"{name}: with {kind} 0.5 it stays 10 points above the text-only model",
                    value,
                    noise.loc["text_only", (kind, STRENGTH)] + 0.1,
                ),
            ]
    for name in DROPOUT_MODELS:
        out.append(
            claims.at_most(
                f"modality dropout does not help {name} against Gaussian "
                "noise 0.5 (within 3 points)",
                noise.loc[_dropped(name), noise_at],
                noise.loc[name, noise_at] + 0.03,
            )
        )
    at_half = noise.loc[fusions].T.xs(STRENGTH, level="strength").T  # fusion models, 0.5
    for kind, spread in (at_half.max() - at_half.min()).items():
        out.append(
            claims.below(
                f"with {kind} 0.5 the fusion models stay within 8 points of one another",
                float(spread),
                0.08,
            )
        )
    return out


def _label_claims(labels) -> list[claims.Claim]:
    """Lesson section 3: label noise costs little at 10 %, more at 30 %."""
    lost = labels["accuracy_lost"]
    low, high = float(lost.loc[LABEL_RATES[0]]), float(lost.loc[LABEL_RATES[1]])
    return [
        claims.at_most("10 % flipped labels cost concat fusion at most 3 points", low, 0.03),
        claims.at_least("30 % flipped labels cost concat fusion at least 3 points", high, 0.03),
        claims.at_least("30 % flipped labels cost 2 points more than 10 %", high, low + 0.02),
    ]


def lesson_claims(data, *, models: dict, missing, curves, noise, labels) -> list[claims.Claim]:
    """The claims of lesson 09, from the notebook's numbers (no model is trained here).

    - `data`: the `FusionData` (its Bayes ceilings, and the test split the fusion models of
      `noise` are scored on with the image blanked);
    - `models`: `{name: (model, Evaluation)}` for every row of `noise` (the notebook's
      `noisy_models`), `text_only` included;
    - `missing`: `robustness_lesson.missing_modality_table` (text_only, image_only and
      late_fusion rows at least);
    - `curves`: `robustness_lesson.modality_dropout_curves`' table (concat and tensor fusion at
      rates 0 and `CLAIM_RATE`);
    - `noise`: `robustness_lesson.noise_table` with strength 0.5 (text_only, late fusion, and
      concat and tensor fusion with and without dropout at least);
    - `labels`: `robustness_lesson.label_noise_table` with rates 0.1 and 0.3.

    Returns one `Claim` per sentence; raises `ValueError` when an input lacks a row or column.
    """
    _validate(models, missing, curves, noise, labels)
    return [
        *_missing_claims(data, missing, curves),
        *_noise_claims(data, models, noise),
        *_label_claims(labels),
    ]
