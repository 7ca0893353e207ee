"""Text models: bag of embeddings (listing 4.1 corrected), TextCNN and a bidirectional LSTM.

Every builder is functional and backend-agnostic (Keras layers only), takes one input named
`"tokens"` (int token ids from `mmcourse.text.vectorize`, any length, 0 = padding), names each
layer after its block (`text_embedding`, `text_conv_k3`, `text_bilstm`, `text_head_dense`,
`text_output`, ...) and ends in a float32 softmax over the three classes, so mixed precision
is safe. Vectorization happens in the `tf.data` pipeline, never inside a model.

Pass `embeddings=` a `(vocabulary_size, embedding_dim)` matrix (from
`mmcourse.text.word_vectors.embedding_matrix`) to start from pretrained vectors, and
`trainable_embeddings=False` to keep them frozen.
"""

from __future__ import annotations

import keras
import numpy as np

NUM_CLASSES = 3  # negative, neutral, positive (MoodPosts and MVSA)
CNN_DROPOUT = 0.3


def _tokens_input():
    return keras.Input(shape=(None,), dtype="int32", name="tokens")


def _embedding(tokens, *, vocabulary_size, embedding_dim, embeddings, trainable, mask_zero):
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype="float32")
        if embeddings.shape[0] != vocabulary_size:
            raise ValueError(
                f"embeddings has {embeddings.shape[0]} rows, expected vocabulary_size="
                f"{vocabulary_size}. Received: embeddings.shape={embeddings.shape}"
            )
        embedding_dim = embeddings.shape[1]
    layer = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=mask_zero,
                                   trainable=trainable, name="text_embedding")  # fmt: skip
    x = layer(tokens)
    if embeddings is not None:
        layer.set_weights([embeddings])  # weights, not an initializer: the config stays small
    return x


def _head(x, *, dense_units, dropout=0.0):
    if dropout:
        x = keras.layers.Dropout(dropout, name="text_dropout")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name="text_head_dense")(x)
    return keras.layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32",
                              name="text_output")(x)  # fmt: skip


def build_bag_of_embeddings(
    *,
    vocabulary_size: int,
    embedding_dim: int = 16,
    dense_units: int = 24,
    dropout: float = 0.0,
    embeddings=None,
    trainable_embeddings: bool = True,
    name: str = "bag_of_embeddings",
) -> keras.Model:
    """Listing 4.1 corrected: Embedding, average over tokens, Dense(24), softmax over 3 classes.

    The average ignores padding (`mask_zero=True`). Word order is lost: "happy, not sad" and
    "sad, not happy" get the same representation.
    """
    tokens = _tokens_input()
    x = _embedding(tokens, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
                   embeddings=embeddings, trainable=trainable_embeddings,
                   mask_zero=True)  # fmt: skip
    x = keras.layers.GlobalAveragePooling1D(name="text_pool")(x)
    return keras.Model(
        {"tokens": tokens}, _head(x, dense_units=dense_units, dropout=dropout), name=name
    )


def build_text_cnn(
    *,
    vocabulary_size: int,
    embedding_dim: int = 32,
    kernel_sizes=(2, 3, 4),
    filters: int = 32,
    embeddings=None,
    trainable_embeddings: bool = True,
    name: str = "text_cnn",
) -> keras.Model:
    """TextCNN (Kim, 2014): parallel Conv1D over 2, 3, 4 consecutive words, max over time.

    A kernel of size 2 sees "not sad" as one feature, so word order within the window counts.
    Branches are named `text_conv_k{size}` and `text_pool_k{size}`; dropout 0.3 before the head.
    """
    if not kernel_sizes or min(kernel_sizes) < 1:
        raise ValueError(f"kernel_sizes must be positive. Received: {kernel_sizes}")
    tokens = _tokens_input()
    x = _embedding(tokens, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
                   embeddings=embeddings, trainable=trainable_embeddings,
                   mask_zero=False)  # fmt: skip
    branches = []
    for size in kernel_sizes:
        b = keras.layers.Conv1D(filters, size, padding="same", activation="relu",
                                name=f"text_conv_k{size}")(x)  # fmt: skip
        branches.append(keras.layers.GlobalMaxPooling1D(name=f"text_pool_k{size}")(b))
    if len(branches) > 1:
        x = keras.layers.Concatenate(name="text_concat")(branches)
    else:
        x = branches[0]
    return keras.Model(
        {"tokens": tokens}, _head(x, dense_units=filters, dropout=CNN_DROPOUT), name=name
    )


def build_text_bilstm(
    *,
    vocabulary_size: int,
    embedding_dim: int = 32,
    units: int = 32,
    dropout: float = 0.2,
    embeddings=None,
    trainable_embeddings: bool = True,
    name: str = "text_bilstm",
) -> keras.Model:
    """Embedding (padding masked), a bidirectional LSTM (`text_bilstm`), Dense head, softmax."""
    tokens = _tokens_input()
    x = _embedding(tokens, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
                   embeddings=embeddings, trainable=trainable_embeddings,
                   mask_zero=True)  # fmt: skip
    x = keras.layers.Bidirectional(keras.layers.LSTM(units), name="text_bilstm")(x)
    return keras.Model({"tokens": tokens}, _head(x, dense_units=units, dropout=dropout), name=name)


BUILDERS = {
    "bag_of_embeddings": build_bag_of_embeddings,
    "text_cnn": build_text_cnn,
    "text_bilstm": build_text_bilstm,
}
