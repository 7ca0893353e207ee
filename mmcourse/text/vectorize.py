"""From strings to token ids: a `TextVectorization` fitted on the train split only.

The vocabulary is something learned from data, so it is fitted (`adapt`) on training texts
and nothing else: fitting it on all texts, as the article's listing 4.1 did with its
`Tokenizer`, lets the test set decide which words exist. Vectorization runs in the `tf.data`
pipeline, never inside a model, so that the models stay backend-agnostic.

The pure-Python helpers (`simple_tokens`, `length_report`, `vocabulary_coverage`) reproduce
the default standardisation (lower case, punctuation stripped, split on whitespace) without
TensorFlow, for quick counts.
"""

from __future__ import annotations

import collections
import re
import string
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from mmcourse.arguments import check_positive_int
from mmcourse.constants import SEQUENCE_LENGTH

PAD, OOV = "", "[UNK]"
_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def simple_tokens(text: str) -> list[str]:
    """Lower-case, strip ASCII punctuation, split on whitespace (TextVectorization's default).

    Exactly as `TextVectorization` does it, also on real tweets: `tf.strings.lower` lowers
    ASCII letters only ("ÉTÉ" becomes "ÉtÉ") and the split is on ASCII whitespace only (a
    no-break space stays inside a token); emoji are kept as tokens.
    """
    stripped = _PUNCTUATION.sub("", str(text).translate(_ASCII_LOWER))
    return [token for token in _ASCII_WHITESPACE.split(stripped) if token]


def _check_texts(texts, what="texts") -> list[str]:
    if isinstance(texts, str):
        raise ValueError(f"{what} must be a sequence of strings, not one string.")
    texts = [str(t) for t in texts]
    if not texts:
        raise ValueError(f"{what} is empty: need at least one text to fit a vocabulary.")
    return texts


def make_vectorizer(
    train_texts: Sequence[str],
    *,
    max_tokens: int | None = None,
    output_sequence_length: int | None = SEQUENCE_LENGTH,
    standardize: str | None = "lower_and_strip_punctuation",
    ngrams: int | None = None,
):
    """A `keras.layers.TextVectorization` adapted on `train_texts` (pass train texts only).

    Index 0 is padding (`""`), index 1 the out-of-vocabulary token (`"[UNK]"`); the rest are
    the training words by decreasing frequency, at most `max_tokens` entries in all.
    Sequences are padded or cut (at the end) to `output_sequence_length` ids.
    """
    import keras

    texts = _check_texts(train_texts, "train_texts")
    if output_sequence_length is not None:
        check_positive_int(output_sequence_length, "output_sequence_length")
    layer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=standardize,
        ngrams=ngrams,
        output_mode="int",
        output_sequence_length=output_sequence_length,
        name="text_vectorizer",
    )
    layer.adapt(np.asarray(texts, dtype=object))
    return layer


def tokenize(dataset, vectorizer, *, keep_image: bool = True):
    """Map a `to_tf_dataset` dataset's `{"text": ...}` to `{"tokens": int ids}`.

    Every other input (`"image"`) passes through untouched, so fusion lessons reuse the same
    pipeline; `keep_image=False` drops it for text-only models.
    """
    import tensorflow as tf

    def convert(inputs, labels):
        if "text" not in inputs:
            raise ValueError(f"Expected a 'text' input. Received: {sorted(inputs)}")
        out = {k: v for k, v in inputs.items() if k != "text" and (keep_image or k != "image")}
        out["tokens"] = tf.cast(vectorizer(inputs["text"]), "int32")
        return out, labels

    return dataset.map(convert, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def text_dataset(
    dataset, vectorizer, *, batch_size: int = 32, shuffle: bool = False, seed: int = 0
):
    """A text-only `tf.data.Dataset` of `({"tokens": ids}, label)` batches (no images read).

    What `tokenize(dataset.to_tf_dataset(...), vectorizer, keep_image=False)` gives, without
    decoding a single image: what the text lessons use. Text models take only `"tokens"`;
    a Keras functional model rejects the extra `"image"` input, so drop it for them.
    """
    import tensorflow as tf

    texts = dataset.frame["text"].astype(str).to_numpy()
    ds = tf.data.Dataset.from_tensor_slices(({"text": texts}, dataset.labels()))
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    return tokenize(ds, vectorizer, keep_image=False).prefetch(tf.data.AUTOTUNE)


def token_ids(vectorizer, texts: Sequence[str]) -> np.ndarray:
    """Token ids of a few texts as a NumPy int32 array (for predictions and widgets)."""
    ids = vectorizer(np.asarray(_check_texts(texts), dtype=object))
    return np.asarray(ids).astype("int32")


def length_report(texts: Iterable[str], *, percentiles=(50, 90, 95, 99, 100)) -> pd.Series:
    """Token counts of `texts` at the given percentiles (how long sequences really are)."""
    lengths = np.array([len(simple_tokens(t)) for t in texts])
    if lengths.size == 0:
        raise ValueError("texts is empty.")
    index = [f"p{p}" for p in percentiles]
    return pd.Series(np.percentile(lengths, percentiles), index=index, name="tokens").round(1)


def truncated_share(texts: Iterable[str], sequence_length: int) -> float:
    """Share of texts longer than `sequence_length` tokens (they would be cut)."""
    lengths = np.array([len(simple_tokens(t)) for t in texts])
    return float((lengths > sequence_length).mean())


def vocabulary_coverage(fit_texts: Iterable[str], eval_texts: Iterable[str]) -> dict[str, int]:
    """Which tokens of `eval_texts` a vocabulary fitted on `fit_texts` knows.

    Returns `vocabulary` (its size), `eval_tokens`, `in_vocabulary`, `oov` (token counts) and
    `oov_types` (distinct unknown words).
    """
    vocabulary = collections.Counter(w for t in fit_texts for w in simple_tokens(t))
    tokens = [w for t in eval_texts for w in simple_tokens(t)]
    unknown = [w for w in tokens if w not in vocabulary]
    return {
        "vocabulary": len(vocabulary),
        "eval_tokens": len(tokens),
        "in_vocabulary": len(tokens) - len(unknown),
        "oov": len(unknown),
        "oov_types": len(set(unknown)),
    }
