"""The design of MoodPosts: which kinds of post exist, how often, and the Bayes ceilings.

Every post is drawn from one *case*: a phenomenon, the post's label, what a reader of the
text alone and a viewer of the image alone would say, and what each modality lets an
ideal observer see (its *view*). Because the generator samples from this table, the
best accuracy any model can reach from the text alone, the image alone or both (the Bayes
ceiling) is computed exactly here, before a single pixel is drawn.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Hashable

from mmcourse.constants import CLASS_NAMES, PHENOMENA

VIEWS = ("text", "image", "both")
OPPOSITE = {"positive": "negative", "negative": "positive"}

DEFAULT_PHENOMENON_RATES = {
    "aligned": 0.36,
    "text_neutral": 0.13,
    "image_neutral": 0.13,
    "negation": 0.12,
    "conflict": 0.11,
    "grounded": 0.15,
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One kind of post and its probability.

    `text_view`, `image_view` and `both_view` are what an ideal observer of that modality can
    tell apart: two cases with equal views look the same to it.
    """

    phenomenon: str
    probability: float
    label: str
    text_label: str
    image_label: str
    text_view: Hashable
    image_view: Hashable
    both_view: Hashable
    named_expression: str | None = None
    other_expression: str | None = None
    text_polarity: str | None = None  # the literal sentiment the text's words carry


def _weighted(weights: dict[str, float]) -> list[tuple[str, float]]:
    return list(weights.items())


def build_cases(phenomenon_rates: dict[str, float] | None = None) -> list[Case]:
    """The full table of cases; probabilities sum to 1."""
    rates = dict(DEFAULT_PHENOMENON_RATES if phenomenon_rates is None else phenomenon_rates)
    if set(rates) != set(PHENOMENA):
        raise ValueError(
            f"phenomenon_rates must give a rate for each of {PHENOMENA}. Received: {sorted(rates)}"
        )
    if any(r < 0 for r in rates.values()) or abs(sum(rates.values()) - 1) > 1e-9:
        raise ValueError(f"phenomenon_rates must be >= 0 and sum to 1. Received: {rates}")

    cases: list[Case] = []

    def add(phenomenon, p, label, text_label, image_label, text_view, image_view, **kw):
        both_view = kw.pop("both_view", (text_view, image_view))
        cases.append(
            Case(
                phenomenon,
                p,
                label,
                text_label,
                image_label,
                text_view,
                image_view,
                both_view,
                **kw,
            )
        )

    # Aligned: both modalities say what the post says (neutral posts included).
    for s, w in _weighted({"negative": 0.22, "neutral": 0.45, "positive": 0.33}):
        add(
            "aligned", rates["aligned"] * w, s, s, s, ("plain", s), ("uniform", s), text_polarity=s
        )
    # Text-neutral: the text describes the scene without sentiment; the image decides.
    for s, w in _weighted({"negative": 0.45, "positive": 0.55}):
        add(
            "text_neutral",
            rates["text_neutral"] * w,
            s,
            "neutral",
            s,
            ("plain", "neutral"),
            ("uniform", s),
            text_polarity="neutral",
        )
    # Image-neutral: the image is neutral; the text decides.
    for s, w in _weighted({"negative": 0.45, "positive": 0.55}):
        add(
            "image_neutral",
            rates["image_neutral"] * w,
            s,
            s,
            "neutral",
            ("plain", s),
            ("uniform", "neutral"),
            text_polarity=s,
        )
    # Negation: "happy, not sad" vs "sad, not happy": the same bag of words, opposite labels.
    for s, w in _weighted({"negative": 0.5, "positive": 0.5}):
        add(
            "negation",
            rates["negation"] * w,
            s,
            s,
            "neutral",
            ("negated", s),
            ("uniform", "neutral"),
            text_polarity=s,
        )
    # Conflict: the literal text contradicts the image; the rule says the image wins
    # (sarcasm: "great weather for a picnic" under a storm).
    for text_s, w in _weighted({"positive": 0.6, "negative": 0.4}):
        image_s = OPPOSITE[text_s]
        add(
            "conflict",
            rates["conflict"] * w,
            image_s,
            text_s,
            image_s,
            ("plain", text_s),
            ("uniform", image_s),
            text_polarity=text_s,
        )
    # Grounded: two characters with different expressions; the text names one, which decides.
    for named, w in _weighted({"negative": 0.3, "neutral": 0.3, "positive": 0.4}):
        others = [e for e in CLASS_NAMES if e != named]
        for other in others:
            pair = tuple(sorted((named, other)))
            add(
                "grounded",
                rates["grounded"] * w / len(others),
                named,
                "neutral",
                "neutral",
                ("grounded",),
                ("mixed", pair),
                both_view=("grounded", named),
                named_expression=named,
                other_expression=other,
                text_polarity="neutral",
            )
    return [c for c in cases if c.probability > 0]


def _noisy_probability(case: Case, y: str, noise: float) -> float:
    """P(observed label = y | case) when labels flip to another class with prob `noise`."""
    return 1 - noise if y == case.label else noise / (len(CLASS_NAMES) - 1)


def view_of(case: Case, view: str) -> Hashable:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}. Received: view={view!r}")
    return {"text": case.text_view, "image": case.image_view, "both": case.both_view}[view]


def bayes_rule(cases: list[Case], view: str, noise: float) -> dict[Hashable, str]:
    """The Bayes-optimal prediction for each observable view value."""
    mass: dict[Hashable, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CLASS_NAMES, 0.0))
    for case in cases:
        for y in CLASS_NAMES:
            mass[view_of(case, view)][y] += case.probability * _noisy_probability(case, y, noise)
    # Ties broken by class order, so the rule is deterministic.
    return {
        v: max(CLASS_NAMES, key=lambda y, m=m: (round(m[y], 12), -CLASS_NAMES.index(y)))
        for v, m in mass.items()
    }


def bayes_ceilings(cases: list[Case], *, noise: float) -> dict[str, dict[str, float]]:
    """Best expected accuracy per view, overall and per phenomenon, under label noise."""
    if not 0 <= noise < 2 / 3:
        raise ValueError(f"noise must be in [0, 2/3). Received: noise={noise}")
    ceilings: dict[str, dict[str, float]] = {}
    for view in VIEWS:
        rule = bayes_rule(cases, view, noise)
        correct: dict[str, float] = defaultdict(float)
        total: dict[str, float] = defaultdict(float)
        for case in cases:
            hit = case.probability * _noisy_probability(case, rule[view_of(case, view)], noise)
            for key in ("overall", case.phenomenon):
                correct[key] += hit
                total[key] += case.probability
        ceilings[view] = {
            key: round(correct[key] / total[key], 4)
            for key in ("overall", *PHENOMENA)
            if total[key] > 0
        }
    return ceilings


def label_distribution(cases: list[Case]) -> dict[str, float]:
    """Expected share of each post label (before label noise)."""
    shares = dict.fromkeys(CLASS_NAMES, 0.0)
    for case in cases:
        shares[case.label] += case.probability
    return {k: round(v, 4) for k, v in shares.items()}


def views_from_frame(frame) -> list[tuple[Hashable, Hashable, Hashable]]:
    """What each modality shows of every post of a MoodPosts manifest: (text, image, both).

    Uses the scene columns (`characters`, `named_character`), which a model never sees: this
    is the oracle behind the ceilings, for checking them on data.
    """
    views = []
    for row in frame.itertuples():
        if row.phenomenon == "grounded":
            expressions = dict(item.split(":") for item in row.characters.split(";"))
            pair = tuple(sorted(expressions.values()))
            named = expressions[row.named_character]
            views.append((("grounded",), ("mixed", pair), ("grounded", named)))
            continue
        kind = "negated" if row.phenomenon == "negation" else "plain"
        text_view, image_view = (kind, row.text_label), ("uniform", row.image_label)
        views.append((text_view, image_view, (text_view, image_view)))
    return views


def oracle_predictions(frame, view: str, *, noise: float, cases: list[Case] | None = None):
    """The Bayes-optimal prediction of every post from one view (a list of class names)."""
    rule = bayes_rule(cases or build_cases(), view, noise)
    position = VIEWS.index(view)
    return [rule[v[position]] for v in views_from_frame(frame)]
