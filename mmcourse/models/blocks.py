"""Building blocks shared by the cross-modal models of lessons 05-09.

- Named inputs matching `mmcourse.fusion_data`: `tokens_input`, `image_input`,
  `image_grid_input`, `image_features_input`.
- `token_embedding`: the `{prefix}_embedding` layer, optionally started from pretrained rows.
- `text_sequence`: embedded tokens and a Conv1D over 3 words, one vector per token (what
  attention reads); `text_vector`: TextCNN features pooled over the text (what fusion reads),
  `cnn_features` the same from already embedded tokens.
- `image_vector`: the frozen encoder's pooled features through a Dense layer.
- `softmax_head`: a Dense layer and a float32 softmax named `{prefix}_output`.
- `ModalityDropout`: in training, replaces a whole modality by zeros for some posts, so the
  model learns to cope when a text or an image is missing.

Every helper takes a `prefix` so that layer names say which block they belong to.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from mmcourse.constants import NUM_CLASSES

GRID_SHAPE = (8, 8, 64)
FEATURE_DIM = 64


def tokens_input(name: str = "tokens"):
    return keras.Input(shape=(None,), dtype="int32", name=name)


def image_input(name: str = "image", image_size: int = 64):
    return keras.Input(shape=(image_size, image_size, 3), dtype="float32", name=name)


def image_grid_input(name: str = "image_grid", shape=GRID_SHAPE):
    return keras.Input(shape=shape, dtype="float32", name=name)


def image_features_input(name: str = "image_features", dim: int = FEATURE_DIM):
    return keras.Input(shape=(dim,), dtype="float32", name=name)


def token_embedding(
    tokens,
    *,
    vocabulary_size,
    embedding_dim=32,
    embeddings=None,
    trainable=True,
    mask_zero=False,
    prefix="text",
):
    """Token ids -> (batch, tokens, embedding_dim) through the layer `{prefix}_embedding`.

    `embeddings`, a `(vocabulary_size, dim)` matrix (`mmcourse.text.word_vectors`), sets the
    starting weights (and `embedding_dim` to its `dim`); `trainable=False` freezes them.
    `mask_zero=True` masks the padding id 0 for the layers that follow.
    """
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype="float32")
        if embeddings.shape[0] != vocabulary_size:
            raise ValueError(
                f"embeddings has {embeddings.shape[0]} rows, expected vocabulary_size="
                f"{vocabulary_size}. Received: embeddings.shape={embeddings.shape}"
            )
        embedding_dim = embeddings.shape[1]
    layer = keras.layers.Embedding(
        vocabulary_size,
        embedding_dim,
        mask_zero=mask_zero,
        trainable=trainable,
        name=f"{prefix}_embedding",
    )
    x = layer(tokens)
    if embeddings is not None:
        layer.set_weights([embeddings])  # weights, not an initializer: the config stays small
    return x


def text_sequence(tokens, *, vocabulary_size, embedding_dim=32, units=32, prefix="text"):
    """Token ids -> (batch, tokens, units): embedding, then a Conv1D over 3 words.

    The convolution lets each position see its neighbours ("not sad" as one feature).
    Padding positions are not masked here: their vectors are learned like any other.
    """
    x = token_embedding(
        tokens, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim, prefix=prefix
    )
    return keras.layers.Conv1D(
        units, 3, padding="same", activation="relu", name=f"{prefix}_conv_k3"
    )(x)


def text_vector(
    tokens, *, vocabulary_size, embedding_dim=32, filters=32, kernel_sizes=(2, 3, 4), prefix="text"
):
    """TextCNN features (lesson 03): token ids through `{prefix}_embedding` (see
    `token_embedding`; padding not masked), then `cnn_features`."""
    x = token_embedding(
        tokens, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim, prefix=prefix
    )
    return cnn_features(x, filters=filters, kernel_sizes=kernel_sizes, prefix=prefix)


def cnn_features(x, *, filters=32, kernel_sizes=(2, 3, 4), prefix="text", concat_name=None):
    """Embedded tokens -> parallel Conv1D over 2, 3, 4 words, each max-pooled over time.

    Layers: one `{prefix}_conv_k{size}` and `{prefix}_pool_k{size}` per kernel size and, for
    more than one size, the Concatenate `concat_name` (default `{prefix}_features`).
    """
    branches = []
    for size in kernel_sizes:
        b = keras.layers.Conv1D(
            filters, size, padding="same", activation="relu", name=f"{prefix}_conv_k{size}"
        )(x)
        branches.append(keras.layers.GlobalMaxPooling1D(name=f"{prefix}_pool_k{size}")(b))
    if len(branches) == 1:
        return branches[0]
    return keras.layers.Concatenate(name=concat_name or f"{prefix}_features")(branches)


def image_vector(features, *, units=64, prefix="image"):
    """Frozen encoder features -> a trainable Dense projection with ReLU."""
    return keras.layers.Dense(units, activation="relu", name=f"{prefix}_dense")(features)


def softmax_head(x, *, hidden_units=64, dropout=0.2, num_classes=NUM_CLASSES, prefix="fusion"):
    """Optional Dense and dropout, then a float32 softmax `{prefix}_output` (mixed precision)."""
    if hidden_units:
        x = keras.layers.Dense(hidden_units, activation="relu", name=f"{prefix}_dense")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{prefix}_dropout")(x)
    return keras.layers.Dense(
        num_classes, activation="softmax", dtype="float32", name=f"{prefix}_output"
    )(x)


@keras.saving.register_keras_serializable(package="mmcourse")
class ModalityDropout(keras.layers.Layer):
    """Zero out all of one modality's inputs for a random share of the posts, in training only.

    Called on a list `[text, image]` of tensors (any shapes and dtypes, token ids included:
    dropped ids become 0, the padding id). Apply it to the model's *inputs*, so that a post
    whose modality is missing at test time (all-padding tokens, zero features) looks exactly
    like a dropped one in training. For each post,
    with probability `rate` one of the two modalities (chosen at random) is replaced by zeros;
    never both. At inference (`training=False`) it is the identity. Training this way teaches
    a fusion model to predict from whichever modality is present (lesson 09).
    """

    def __init__(self, rate: float = 0.3, *, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be in [0, 1]. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if len(inputs) != 2:
            raise ValueError(f"Expected [text, image]. Received: {len(inputs)} tensors")
        text, image = inputs
        if not training or self.rate == 0.0:
            return [text, image]
        batch = ops.shape(text)[0]
        draw = keras.random.uniform((batch,), seed=self.seed_generator)
        side = keras.random.uniform((batch,), seed=self.seed_generator)
        drop = ops.cast(draw < self.rate, "float32")
        drop_text = drop * ops.cast(side < 0.5, "float32")
        drop_image = drop - drop_text

        def keep(x, dropped):
            shape = [batch] + [1] * (len(x.shape) - 1)
            return x * ops.cast(ops.reshape(1.0 - dropped, shape), x.dtype)

        return [keep(text, drop_text), keep(image, drop_image)]

    def compute_output_shape(self, input_shape):
        return list(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
