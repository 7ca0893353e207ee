"""Text models: bag of embeddings (listing 4.1 corrected), TextCNN and a bidirectional LSTM.

Every builder is functional and backend-agnostic (Keras layers only), takes one input named
`"tokens"` (int token ids from `mmcourse.text.vectorize`, any length, 0 = padding), names each
layer after its block (`text_embedding`, `text_conv_k3`, `text_bilstm`, `text_head_dense`,
`text_output`, ...) and ends in a float32 softmax over the three classes, so mixed precision
is safe. Vectorization happens in the `tf.data` pipeline, never inside a model. The input,
the embedding, the TextCNN features and the softmax come from `mmcourse.models.blocks`.

Pass `embeddings=` a `(vocabulary_size, embedding_dim)` matrix (from
`mmcourse.text.word_vectors.embedding_matrix`) to start from pretrained vectors, and
`trainable_embeddings=False` to keep them frozen.
"""

from __future__ import annotations

import keras

from mmcourse.models import blocks

CNN_DROPOUT = 0.3


def _head(x, *, dense_units, dropout=0.0):
    """`text_dropout` (if any), `text_head_dense` (ReLU), then the float32 `text_output`."""
    if dropout:
        x = keras.layers.Dropout(dropout, name="text_dropout")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name="text_head_dense")(x)
    return blocks.softmax_head(x, hidden_units=0, dropout=0.0, prefix="text")


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
    tokens = blocks.tokens_input()
    x = blocks.token_embedding(
        tokens,
        vocabulary_size=vocabulary_size,
        embedding_dim=embedding_dim,
        embeddings=embeddings,
        trainable=trainable_embeddings,
        mask_zero=True,
    )
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
    Branches are named `text_conv_k{size}` and `text_pool_k{size}`, joined by `text_concat`
    (`blocks.text_vector`); dropout 0.3 before the head.
    """
    if not kernel_sizes or min(kernel_sizes) < 1:
        raise ValueError(f"kernel_sizes must be positive. Received: {kernel_sizes}")
    tokens = blocks.tokens_input()
    x = blocks.token_embedding(
        tokens,
        vocabulary_size=vocabulary_size,
        embedding_dim=embedding_dim,
        embeddings=embeddings,
        trainable=trainable_embeddings,
    )
    x = blocks.cnn_features(
        x, filters=filters, kernel_sizes=kernel_sizes, concat_name="text_concat"
    )
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
    tokens = blocks.tokens_input()
    x = blocks.token_embedding(
        tokens,
        vocabulary_size=vocabulary_size,
        embedding_dim=embedding_dim,
        embeddings=embeddings,
        trainable=trainable_embeddings,
        mask_zero=True,
    )
    x = keras.layers.Bidirectional(keras.layers.LSTM(units), name="text_bilstm")(x)
    return keras.Model({"tokens": tokens}, _head(x, dense_units=units, dropout=dropout), name=name)


BUILDERS = {
    "bag_of_embeddings": build_bag_of_embeddings,
    "text_cnn": build_text_cnn,
    "text_bilstm": build_text_bilstm,
}
