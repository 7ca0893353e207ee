"""Contrastive learning for a shared text-image space: the InfoNCE loss and retrieval metrics.

- `symmetric_infonce(logits)`: CLIP's loss. Row `i` of the (batch, batch) similarity logits
  compares text `i` with every image of the batch; its own image (the diagonal) is the right
  "class". Cross-entropy over rows (text -> image) and over columns (image -> text), averaged.
  `SymmetricInfoNCE` wraps it as a `keras.losses.Loss` (it ignores `y_true`: the pairing is
  the label), so `model.fit` works on any backend.
- `recall_at_k(similarity, k)`: the share of queries whose relevant item is among the `k`
  most similar ones; `chance_recall_at_k` is what random rankings score.
- `cosine_similarity(queries, items)`: the (num_queries, num_items) matrix retrieval ranks;
  `retrieval_report` tabulates Recall@K both ways next to chance.
- `linear_probe` and `modality_probe_accuracy`: what a logistic regression can read from
  embeddings (a class; or whether a vector came from a text or an image).
- `modality_adversary_loss(logits)` (advanced): the discriminator's binary cross-entropy when
  column 0 holds its logits for text embeddings and column 1 for image embeddings
  (`ModalityAdversaryLoss` as a Keras loss).

Everything in the loss uses `keras.ops` only; the metrics are NumPy (they score predictions).
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops


def symmetric_infonce(logits):
    """Mean of the text->image and image->text cross-entropies of square similarity logits.

    Args:
        logits: (batch, batch) tensor, `logits[i, j]` = scaled similarity of text `i` and
            image `j`; pair `i` is (text `i`, image `i`).

    Returns:
        A scalar: `(CE(rows, diagonal) + CE(columns, diagonal)) / 2`.
    """
    logits = ops.cast(logits, "float32")
    if len(logits.shape) != 2:
        raise ValueError(f"logits must be a (batch, batch) matrix. Received: shape={logits.shape}")
    diagonal = ops.diagonal(logits)
    text_to_image = ops.logsumexp(logits, axis=1) - diagonal
    image_to_text = ops.logsumexp(logits, axis=0) - diagonal
    return 0.5 * (ops.mean(text_to_image) + ops.mean(image_to_text))


@keras.saving.register_keras_serializable(package="mmcourse")
class SymmetricInfoNCE(keras.losses.Loss):
    """`symmetric_infonce` as a Keras loss; `y_true` is ignored (pass any array of batch rows)."""

    def __init__(self, name="symmetric_infonce", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return symmetric_infonce(y_pred)


def modality_adversary_loss(logits):
    """Binary cross-entropy of "is an image" logits: column 0 (texts) -> 0, column 1 -> 1."""
    logits = ops.cast(logits, "float32")
    if len(logits.shape) != 2 or logits.shape[1] != 2:
        raise ValueError(f"logits must be a (batch, 2) matrix. Received: shape={logits.shape}")
    return 0.5 * ops.mean(ops.softplus(logits[:, 0]) + ops.softplus(-logits[:, 1]))


@keras.saving.register_keras_serializable(package="mmcourse")
class ModalityAdversaryLoss(keras.losses.Loss):
    """`modality_adversary_loss` as a Keras loss; `y_true` is ignored (the column is the label)."""

    def __init__(self, name="modality_adversary", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return modality_adversary_loss(y_pred)


def cosine_similarity(queries, items) -> np.ndarray:
    """(num_queries, num_items) cosine similarities of two sets of row vectors."""
    queries, items = np.asarray(queries, "float64"), np.asarray(items, "float64")
    if queries.ndim != 2 or items.ndim != 2 or queries.shape[1] != items.shape[1]:
        raise ValueError(
            "queries and items must be (n, d) and (m, d) arrays. "
            f"Received: queries.shape={queries.shape}, items.shape={items.shape}"
        )
    queries = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
    items = items / np.maximum(np.linalg.norm(items, axis=1, keepdims=True), 1e-12)
    return queries @ items.T


def _check_k(k, num_items):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= num_items:
        raise ValueError(f"k must be an integer in [1, {num_items}]. Received: k={k!r}")


def recall_at_k(similarity, k: int, *, relevant=None) -> float:
    """Share of queries (rows) with a relevant item among their `k` highest-scoring items.

    Args:
        similarity: (num_queries, num_items) scores, higher = more similar.
        k: how many of the top items count.
        relevant: (num_queries, num_items) booleans; default: the diagonal (query `i`'s own
            item is item `i`, the standard setting for paired data).

    Ties are broken by item index (a stable sort), so a constant similarity matrix scores
    exactly `k / num_items` with the diagonal as relevant.
    """
    similarity = np.asarray(similarity)
    if similarity.ndim != 2:
        raise ValueError(f"similarity must be a 2-D matrix. Received: shape={similarity.shape}")
    num_queries, num_items = similarity.shape
    _check_k(k, num_items)
    if relevant is None:
        if num_queries != num_items:
            raise ValueError(
                "Without `relevant`, similarity must be square (item i belongs to query i). "
                f"Received: shape={similarity.shape}"
            )
        relevant = np.eye(num_items, dtype=bool)
    relevant = np.asarray(relevant, dtype=bool)
    if relevant.shape != similarity.shape:
        raise ValueError(
            f"relevant must have the shape of similarity {similarity.shape}. "
            f"Received: relevant.shape={relevant.shape}"
        )
    top = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(relevant, top, axis=1).any(axis=1)
    return float(hits.mean())


def chance_recall_at_k(num_items: int, k: int, *, num_relevant=1) -> float:
    """Expected `recall_at_k` of a random ranking: `k / num_items` for one relevant item.

    With `r` relevant items among `num_items`, a random top-`k` misses all of them with
    probability C(num_items - r, k) / C(num_items, k). `num_relevant` may be an array (one
    count per query); the result is then the mean over queries.
    """
    if isinstance(num_items, bool) or not isinstance(num_items, (int, np.integer)):
        raise ValueError(f"num_items must be an integer. Received: num_items={num_items!r}")
    if num_items < 1:
        raise ValueError(f"num_items must be at least 1. Received: num_items={num_items}")
    _check_k(k, num_items)
    counts = np.atleast_1d(np.asarray(num_relevant))
    if counts.size == 0 or (counts < 1).any() or (counts > num_items).any():
        raise ValueError(
            f"num_relevant must be in [1, num_items={num_items}]. Received: {num_relevant!r}"
        )
    total = math.comb(num_items, k)
    miss = [math.comb(num_items - int(r), k) / total for r in counts]
    return float(1.0 - np.mean(miss))


def retrieval_report(text, image, *, ks=(1, 5, 10), relevant=None, suffix=""):
    """A `pandas.DataFrame` of Recall@K (columns `R@k`) for paired text and image vectors.

    Rows: `text -> image`, `image -> text` and `chance` (a random ranking), each name
    followed by `suffix`. `relevant[i, j]` says whether image `j` is a right answer for text
    `i` (default: only its own image); it is transposed for image -> text, and the chance row
    assumes it is symmetric.
    """
    import pandas as pd

    similarity = cosine_similarity(text, image)
    backward = None if relevant is None else np.asarray(relevant).T
    counts = 1 if relevant is None else np.asarray(relevant).sum(axis=1)
    rows = {
        f"text -> image{suffix}": [recall_at_k(similarity, k, relevant=relevant) for k in ks],
        f"image -> text{suffix}": [recall_at_k(similarity.T, k, relevant=backward) for k in ks],
        f"chance{suffix}": [
            chance_recall_at_k(similarity.shape[1], k, num_relevant=counts) for k in ks
        ],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"R@{k}" for k in ks])


def linear_probe(features, targets, *, seed: int = 0):
    """A fitted scikit-learn pipeline: standardise (with `features`' statistics), then a
    logistic regression. BLAS runs on one thread: small fits are 10-50x slower when its
    threads compete with the deep-learning framework's for the same cores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
    with threadpool_limits(1):
        return model.fit(features, targets)


def modality_probe_accuracy(train, test, *, seed: int = 0) -> float:
    """Test accuracy of a `linear_probe` that tells text vectors from image vectors.

    `train` and `test` are `(text, image)` pairs of arrays. 0.5: the modalities overlap;
    1.0: a hyperplane separates them (a "modality gap").
    """
    (train_text, train_image), (test_text, test_image) = train, test
    is_image = np.repeat([0, 1], [len(train_text), len(train_image)])
    probe = linear_probe(np.concatenate([train_text, train_image]), is_image, seed=seed)
    is_image = np.repeat([0, 1], [len(test_text), len(test_image)])
    return float(probe.score(np.concatenate([test_text, test_image]), is_image))
