"""Skip-gram with negative sampling (word2vec), in NumPy and Keras.

A word is known by the company it keeps: for every (target, context) pair of words that occur
within `window_size` of each other, the model learns to score the true context above
`num_negatives` random words ("negatives") drawn from the unigram distribution raised to
0.75. The target embedding it learns is a word vector.
"""

from __future__ import annotations

import keras
import numpy as np

RESERVED = 2  # ids 0 (padding) and 1 ([UNK]) are never targets, contexts or negatives


def skipgram_pairs(
    sequences,
    *,
    vocabulary_size: int,
    window_size: int = 2,
    num_negatives: int = 4,
    seed: int = 0,
):
    """Training examples for skip-gram with negative sampling, a pure function of `seed`.

    Args:
        sequences: int token ids, shape `(num_texts, length)` (0 = padding, 1 = unknown).
        vocabulary_size: number of ids (negatives are drawn from `2 .. vocabulary_size - 1`).

    Returns:
        `(targets, contexts, labels)`: `targets` int32 `(N,)`; `contexts` int32
        `(N, 1 + num_negatives)`, the true context first; `labels` float32 of the same shape,
        `1` then `num_negatives` zeros.
    """
    sequences = np.asarray(sequences)
    if sequences.ndim != 2:
        raise ValueError(f"sequences must be 2-D (texts, length). Received: {sequences.shape}")
    if window_size < 1 or num_negatives < 1:
        raise ValueError(
            f"Need window_size, num_negatives >= 1. Received: {window_size}, {num_negatives}"
        )
    if vocabulary_size <= RESERVED or sequences.max(initial=0) >= vocabulary_size:
        raise ValueError(f"Token ids must be < vocabulary_size={vocabulary_size}.")
    targets, positives = [], []
    for row in sequences:
        ids = row[row >= RESERVED]
        for i, target in enumerate(ids):
            low, high = max(0, i - window_size), min(len(ids), i + window_size + 1)
            for j in range(low, high):
                if j != i:
                    targets.append(target)
                    positives.append(ids[j])
    if not targets:
        raise ValueError("No (target, context) pairs: are the texts empty?")
    targets = np.asarray(targets, dtype="int32")
    positives = np.asarray(positives, dtype="int32")
    counts = np.bincount(sequences[sequences >= RESERVED], minlength=vocabulary_size)
    counts = counts.astype("float64") ** 0.75
    counts[:RESERVED] = 0.0
    rng = np.random.default_rng(seed)
    negatives = rng.choice(
        vocabulary_size, size=(len(targets), num_negatives), p=counts / counts.sum()
    ).astype("int32")
    contexts = np.concatenate([positives[:, None], negatives], axis=1)
    labels = np.zeros(contexts.shape, dtype="float32")
    labels[:, 0] = 1.0
    order = rng.permutation(len(targets))
    return targets[order], contexts[order], labels[order]


def build_skipgram(*, vocabulary_size: int, embedding_dim: int = 32, name: str = "skipgram"):
    """Skip-gram scorer: `{"target": (B,), "context": (B, K)}` -> logits `(B, K)`.

    The dot product of the target's vector (`skipgram_target_embedding`, the word vectors we
    keep) with each context word's vector (`skipgram_context_embedding`). Train it with
    `BinaryCrossentropy(from_logits=True)` against the labels of `skipgram_pairs`.
    """
    target = keras.Input(shape=(), dtype="int32", name="target")
    context = keras.Input(shape=(None,), dtype="int32", name="context")
    t = keras.layers.Embedding(vocabulary_size, embedding_dim, name="skipgram_target_embedding")(
        target
    )
    c = keras.layers.Embedding(vocabulary_size, embedding_dim, name="skipgram_context_embedding")(
        context
    )
    logits = keras.layers.Dot(axes=(2, 1), name="skipgram_dot", dtype="float32")([c, t])
    return keras.Model({"target": target, "context": context}, logits, name=name)


def train_skipgram(
    sequences,
    *,
    vocabulary_size: int,
    embedding_dim: int = 32,
    epochs: int = 5,
    batch_size: int = 512,
    seed: int = 0,
    verbose=0,
):
    """Make pairs, train a skip-gram model, return `(model, word_vectors, history)`.

    `word_vectors` is the target embedding matrix, shape `(vocabulary_size, embedding_dim)`.
    """
    targets, contexts, labels = skipgram_pairs(
        sequences, vocabulary_size=vocabulary_size, seed=seed
    )
    keras.utils.set_random_seed(seed)
    model = build_skipgram(vocabulary_size=vocabulary_size, embedding_dim=embedding_dim)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")],
    )
    history = model.fit(
        {"target": targets, "context": contexts},
        labels,
        epochs=epochs,
        batch_size=batch_size,
        verbose=verbose,
    )
    vectors = np.asarray(model.get_layer("skipgram_target_embedding").embeddings)
    return model, vectors.astype("float32"), history
