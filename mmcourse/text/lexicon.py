"""A rule-based sentiment baseline: a hand-written lexicon, intensifiers and negation.

No learning at all: each known word has a polarity (+1 or -1), an intensifier just before it
multiplies it by 1.5, and a negator up to three words before it flips it ("not sad" counts
as positive). The sum decides: above zero positive, below zero negative, zero neutral. The
word list is short, general English, written without looking at the course data, which is
what a lexicon is: someone's knowledge, not the data's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mmcourse.constants import CLASS_NAMES
from mmcourse.text.vectorize import simple_tokens

POSITIVE = frozenset(
    (
        "good",
        "great",
        "happy",
        "love",
        "lovely",
        "wonderful",
        "amazing",
        "awesome",
        "excellent",
        "fantastic",
        "fun",
        "nice",
        "perfect",
        "beautiful",
        "brilliant",
        "best",
        "joy",
        "glad",
        "delighted",
        "enjoy",
        "enjoyed",
        "superb",
        "cool",
        "pleasant",
        "cheerful",
    )
)
NEGATIVE = frozenset(
    (
        "bad",
        "sad",
        "awful",
        "terrible",
        "horrible",
        "hate",
        "worst",
        "boring",
        "poor",
        "ugly",
        "miserable",
        "angry",
        "annoying",
        "disappointing",
        "disappointed",
        "dreadful",
        "gloomy",
        "upset",
        "upsetting",
        "depressing",
        "unhappy",
        "disgusting",
    )
)
INTENSIFIERS = frozenset(
    ("very", "really", "so", "super", "truly", "incredibly", "extremely", "too")
)
NEGATORS = frozenset(
    ("not", "no", "never", "nothing", "hardly", "isnt", "wasnt", "dont", "didnt", "cant", "nor")
)
NEGATION_WINDOW = 3


def score(text: str) -> float:
    """The text's polarity score: positive above zero, negative below, zero neutral."""
    tokens = simple_tokens(text)
    total = 0.0
    for i, word in enumerate(tokens):
        polarity = 1.0 if word in POSITIVE else -1.0 if word in NEGATIVE else 0.0
        if not polarity:
            continue
        if i > 0 and tokens[i - 1] in INTENSIFIERS:
            polarity *= 1.5
        before = tokens[max(0, i - NEGATION_WINDOW) : i]
        if any(w in NEGATORS for w in before):
            polarity = -polarity
        total += polarity
    return total


def predict(texts: Sequence[str]) -> np.ndarray:
    """Class indices (0 negative, 1 neutral, 2 positive) for each text."""
    if isinstance(texts, str):
        raise ValueError("texts must be a sequence of strings, not one string.")
    scores = np.array([score(t) for t in texts])
    return (np.sign(scores) + 1).astype("int32")


def predict_proba(texts: Sequence[str]) -> np.ndarray:
    """One-hot "probabilities" (the rules are certain), shape `(len(texts), 3)`."""
    classes = predict(texts)
    probabilities = np.zeros((len(classes), len(CLASS_NAMES)), dtype="float32")
    probabilities[np.arange(len(classes)), classes] = 1.0
    return probabilities
