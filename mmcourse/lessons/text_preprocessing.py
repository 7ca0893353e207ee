"""Lesson 02 (`notebooks/02_text_preprocessing.ipynb`): the comparisons its tables show.

- `tokenizer_comparison`: how many distinct words each way of splitting text finds, on a few
  messy posts and on the train split (lower-casing and stripping punctuation merge spellings);
- `coverage_comparison`: how much of the test split a vocabulary fitted on various texts knows
  (fitted on train only, as it must be, against listing 4.1's leak of every text).

The tokenizers and counts come from `mmcourse.text.vectorize`; these functions only lay the
lesson's rows side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from mmcourse.text import vectorize

TOKENIZERS: Mapping[str, Callable[[str], list[str]]] = {
    "split only": str.split,
    "lower case": lambda text: text.lower().split(),
    "lower + strip punctuation": vectorize.simple_tokens,
}


def tokenizer_comparison(messy: Sequence[str], train_texts: Sequence[str]) -> pd.DataFrame:
    """Distinct words each of `TOKENIZERS` finds in `messy` texts and in `train_texts`."""
    rows = {}
    for name, tokenize in TOKENIZERS.items():
        rows[name] = {
            "messy posts": len({w for text in messy for w in tokenize(text)}),
            "train split": len({w for text in train_texts for w in tokenize(text)}),
        }
    return pd.DataFrame(rows).T


def coverage_comparison(
    train_texts: Sequence[str],
    test_texts: Sequence[str],
    all_texts: Sequence[str],
    *,
    few: int = 50,
) -> pd.DataFrame:
    """`vectorize.vocabulary_coverage` of the test texts for four vocabularies: fitted on
    train only (correct), on all texts (listing 4.1's leak), on the first `few` train posts,
    and on those plus every test text (a leak that hides how much a small vocabulary misses)."""
    fits = {
        "train only (correct)": list(train_texts),
        "all texts (listing 4.1)": list(all_texts),
        f"first {few} train posts": list(train_texts[:few]),
        f"first {few} + all test (leaky)": list(train_texts[:few]) + list(test_texts),
    }
    rows = {name: vectorize.vocabulary_coverage(fit, test_texts) for name, fit in fits.items()}
    return pd.DataFrame(rows).T
