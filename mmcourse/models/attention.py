"""Attention for cross-modal sentiment (lesson 08): custom layers and model builders.

Layers (each returns its attention weights next to its output, so lessons can show them):

- `PaddingMask`: token ids -> a boolean mask, `True` on real words, `False` on padding.
- `AttentionPooling`: one learned score per position, a softmax over positions, the weighted
  sum of the position vectors; returns `[pooled, weights]` ("which words matter").
- `CrossModalAttention`: scaled dot-product attention of queries from one modality over
  keys and values from the other, with a learnable temperature; returns
  `[attended, weights]`. Text attends to image regions, or regions attend to words.

Builders (inputs named as in `mmcourse.fusion_data`):

- `build_word_attention_fusion`: attention pooling over words, concatenated with the pooled
  image features (attention inside one modality only).
- `build_cross_modal_attention`: the text, pooled by attention into one query, attends to the
  64 regions of the frozen encoder's 8x8 grid. The query pools word *embeddings* (no
  convolution), so that a colour word is not blurred with its neighbours. A region's key is
  learned from its colours (what a text can name: "the one in orange"), its value from its
  grid features and those of its neighbours (a face sits above its shirt). The
  attention-weighted region features are concatenated with TextCNN features and the pooled
  image features.
  `combine="weights"` builds the source article's version instead: the attention weights
  themselves go into the classifier, so it learns *where* the model looked, not *what* it saw.
  `regions_attend_to_words=True` adds a separate layer for the other direction: each
  region reads the words, and what it read, with its features, is max-pooled over the
  image. Without it, `word_region_scores` reads image-to-text attention off the trained
  text-to-image layer (a softmax over words instead of over regions).

Everything is backend-agnostic (`keras.ops` only); softmaxes run in float32 so that
`mixed_float16` is safe.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from mmcourse.models import blocks

COMBINE_MODES = ("features", "weights")
NUM_REGIONS = 64
_NEG_INF = -1e9


@keras.saving.register_keras_serializable(package="mmcourse")
class PaddingMask(keras.layers.Layer):
    """Token ids (batch, length) -> bool (batch, length): `True` where the id is not padding."""

    def __init__(self, padding_id: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.padding_id = int(padding_id)

    def call(self, tokens):
        return ops.not_equal(tokens, self.padding_id)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, tokens):
        return keras.KerasTensor(tokens.shape, dtype="bool")

    def get_config(self):
        return {**super().get_config(), "padding_id": self.padding_id}


def _masked_softmax(scores, mask):
    """Softmax over the last axis in float32; masked positions get zero weight."""
    scores = ops.cast(scores, "float32")
    if mask is not None:
        scores = ops.where(mask, scores, ops.full_like(scores, _NEG_INF))
    return ops.softmax(scores, axis=-1)


@keras.saving.register_keras_serializable(package="mmcourse")
class AttentionPooling(keras.layers.Layer):
    """Attention pooling over a sequence: `[pooled (batch, dim), weights (batch, length)]`.

    score_t = v . tanh(W x_t + b); weights = softmax over t (padding masked out when `mask`
    is given); pooled = sum_t weights_t x_t. The weights sum to 1 over the real positions.
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        if units < 1:
            raise ValueError(f"units must be positive. Received: units={units}")
        self.units = int(units)

    def build(self, input_shape):
        self.projection = keras.layers.Dense(self.units, activation="tanh", name="projection",
                                             dtype=self.dtype_policy)  # fmt: skip
        self.projection.build(input_shape)
        self.score = keras.layers.Dense(1, use_bias=False, name="score", dtype=self.dtype_policy)
        self.score.build((*input_shape[:-1], self.units))

    def call(self, sequence, mask=None):
        scores = ops.squeeze(self.score(self.projection(sequence)), axis=-1)
        weights = _masked_softmax(scores, mask)
        pooled = ops.einsum("bt,btd->bd", weights, ops.cast(sequence, "float32"))
        return [ops.cast(pooled, self.compute_dtype), weights]

    def compute_mask(self, sequence, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], input_shape[-1]), tuple(input_shape[:-1])]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="mmcourse")
class CrossModalAttention(keras.layers.Layer):
    """Queries from one modality attend to keys and values from the other.

    Called on `[queries (b, q, dq), keys (b, n, dk), values (b, n, dv)]`, optionally with
    `key_mask` (b, n) to ignore padding. Queries and keys are projected to `units`; the
    weights are softmax_n(exp(s) * scale * q.k / sqrt(units)), where `s` is a learnable
    log-temperature (0 at the start); `scale` > 1 starts with sharper attention. Returns
    `[attended (b, q, dv), weights (b, q, n)]`: attention-weighted *values*, then where
    each query looked. The weights sum to 1 over the n keys.
    """

    def __init__(self, units: int = 32, *, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if units < 1 or scale <= 0:
            raise ValueError(f"units and scale must be positive. Received: {units=}, {scale=}")
        self.units = int(units)
        self.scale = float(scale)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"Expected [queries, keys, values]. Received: {input_shape}")
        query_shape, key_shape, _ = input_shape
        self.query_dense = keras.layers.Dense(self.units, name="query", dtype=self.dtype_policy)
        self.query_dense.build(query_shape)
        self.key_dense = keras.layers.Dense(self.units, name="key", dtype=self.dtype_policy)
        self.key_dense.build(key_shape)
        self.log_temperature = self.add_weight(name="log_temperature", shape=(),
                                               initializer="zeros", dtype="float32")  # fmt: skip

    def scores(self, queries, keys):
        """The scaled logits (b, q, n) in float32, before the softmax: the affinity of each
        query with each key."""
        scores = ops.einsum("bqd,bnd->bqn", self.query_dense(queries), self.key_dense(keys))
        temperature = ops.exp(ops.cast(self.log_temperature, "float32"))
        return ops.cast(scores, "float32") * (temperature * self.scale / math.sqrt(self.units))

    def call(self, inputs, key_mask=None):
        queries, keys, values = inputs
        mask = None if key_mask is None else ops.expand_dims(key_mask, 1)
        weights = _masked_softmax(self.scores(queries, keys), mask)
        attended = ops.einsum("bqn,bnd->bqd", weights, ops.cast(values, "float32"))
        return [ops.cast(attended, self.compute_dtype), weights]

    def compute_output_shape(self, input_shape):
        query_shape, key_shape, value_shape = input_shape
        return [(query_shape[0], query_shape[1], value_shape[-1]),
                (query_shape[0], query_shape[1], key_shape[1])]  # fmt: skip

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}


def _word_attention(tokens, *, vocabulary_size, units, contextual, prefix="text"):
    """Word vectors, the padding mask, and their attention pooling (one text vector).

    `contextual=True`: embedding + Conv1D over 3 words (`blocks.text_sequence`), so "not sad"
    can be one feature; `False`: the embedding alone, so a colour word stays itself.
    """
    if contextual:
        words = blocks.text_sequence(tokens, vocabulary_size=vocabulary_size, units=units,
                                     prefix=prefix)  # fmt: skip
    else:
        words = keras.layers.Embedding(vocabulary_size, units, name=f"{prefix}_embedding")(tokens)
    mask = PaddingMask(name=f"{prefix}_padding_mask")(tokens)
    pooled, word_weights = AttentionPooling(units, name=f"{prefix}_attention_pool")(
        words, mask=mask
    )
    return words, mask, pooled, word_weights


def _region_keys(image, *, units):
    """Per-region colour features: the mean colours of 4x4-pixel patches through a small MLP
    (the same for every patch), then the max over the 2x2 patches of each 8x8 region, so a
    region keeps a shirt colour that fills only part of it."""
    x = keras.layers.AveragePooling2D(4, name="region_mean_colour")(image)
    x = keras.layers.Dense(units, activation="relu", name="region_colour_dense1")(x)
    x = keras.layers.Dense(units, activation="relu", name="region_colour_dense2")(x)
    x = keras.layers.MaxPooling2D(2, name="region_colour_pool")(x)
    return keras.layers.Reshape((NUM_REGIONS, units), name="region_keys")(x)


def _region_values(grid, *, units):
    """Grid features seen with their 3x3 neighbourhood (the face above a shirt)."""
    x = keras.layers.Conv2D(units, 3, padding="same", activation="relu", name="region_conv")(grid)
    return keras.layers.Reshape((NUM_REGIONS, units), name="region_values")(x)


def build_word_attention_fusion(*, vocabulary_size, units=32, image_units=64,
                                name="word_attention_fusion") -> keras.Model:  # fmt: skip
    """Attention pooling over words + the pooled image features -> softmax.

    Outputs `fusion_output` (class probabilities) only; read the word weights from the layer
    `text_attention_pool` (its second output).
    """
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    _, _, text, _ = _word_attention(tokens, vocabulary_size=vocabulary_size, units=units,
                                    contextual=True)  # fmt: skip
    image = blocks.image_vector(features, units=image_units)
    x = keras.layers.Concatenate(name="fusion_concat")([text, image])
    return keras.Model([tokens, features], blocks.softmax_head(x), name=name)


def build_cross_modal_attention(
    *,
    vocabulary_size,
    units=32,
    region_units=64,
    scale=3.0,
    combine="features",
    regions_attend_to_words=False,
    name=None,
) -> keras.Model:
    """Text attends to image regions (and optionally regions to words); see the module doc.

    Args:
        vocabulary_size: token ids are in [0, vocabulary_size).
        units: width of word vectors, queries and keys.
        region_units: width of the region values (what attention returns).
        scale: initial sharpness of the text-to-region attention (learned from there on).
        combine: `"features"` concatenates the attention-weighted region features (right);
            `"weights"` concatenates the 64 attention weights instead (the article's mistake;
            the region values are then never used, so that model has no value layer).
        regions_attend_to_words: add image-to-text attention and its max-pooled features.
        name: default `cross_modal_attention`, or `article_attention` for `combine="weights"`.

    Inputs `tokens`, `image` (pixels, for the region colours) and `image_grid`; output
    `fusion_output`. Attention weights: layers `text_attention_pool` (words),
    `text_to_image_attention` (regions) and `image_to_text_attention` (words per region).
    """
    if combine not in COMBINE_MODES:
        raise ValueError(f"combine must be one of {COMBINE_MODES}. Received: combine={combine!r}")
    if name is None:
        name = "cross_modal_attention" if combine == "features" else "article_attention"
    tokens, image, grid = blocks.tokens_input(), blocks.image_input(), blocks.image_grid_input()
    words, mask, text_query, _ = _word_attention(tokens, vocabulary_size=vocabulary_size,
                                                 units=units, contextual=False)  # fmt: skip
    keys = _region_keys(image, units=units)
    # the article's version never uses what the regions hold: no value layer to train
    uses_values = combine == "features" or regions_attend_to_words
    values = _region_values(grid, units=region_units) if uses_values else keys
    query = keras.layers.Reshape((1, units), name="text_query")(text_query)
    attended, region_weights = CrossModalAttention(units, scale=scale,
                                                   name="text_to_image_attention")(
        [query, keys, values]
    )  # fmt: skip
    if combine == "features":
        seen = keras.layers.Flatten(name="text_to_image_features")(attended)
    else:
        seen = keras.layers.Flatten(name="text_to_image_weights")(region_weights)
    text = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, prefix="text_cnn")
    pooled = keras.layers.GlobalMaxPooling2D(name="image_pool")(grid)
    parts = [text, blocks.image_vector(pooled, units=region_units), seen]
    if regions_attend_to_words:
        read, _ = CrossModalAttention(units, name="image_to_text_attention")(
            [keys, words, words], key_mask=mask
        )
        both = keras.layers.Concatenate(name="image_to_text_concat")([values, read])
        both = keras.layers.Dense(region_units, activation="relu",
                                  name="image_to_text_dense")(both)  # fmt: skip
        parts.append(keras.layers.GlobalMaxPooling1D(name="image_to_text_pool")(both))
    x = keras.layers.Concatenate(name="fusion_concat")(parts)
    return keras.Model([tokens, image, grid], blocks.softmax_head(x), name=name)


def attention_probe(model: keras.Model) -> keras.Model:
    """A model with the same inputs that returns what the lesson plots and the viewer shows.

    Outputs: `probabilities`, `word_weights` (b, words); for cross-modal models also
    `region_weights` (b, 64), and the `word_vectors` and `region_keys` that
    `word_region_scores` compares; `region_word_weights` (b, 64, words) when the model has
    its own image-to-text attention layer.
    """
    outputs = {"probabilities": model.output}
    outputs["word_weights"] = model.get_layer("text_attention_pool").output[1]
    names = [layer.name for layer in model.layers]
    if "text_to_image_attention" in names:
        weights = model.get_layer("text_to_image_attention").output[1]
        flat = keras.layers.Reshape((NUM_REGIONS,), name="probe_regions")
        outputs["region_weights"] = flat(weights)
        outputs["word_vectors"] = model.get_layer("text_embedding").output
        outputs["region_keys"] = model.get_layer("region_keys").output
    if "image_to_text_attention" in names:
        outputs["region_word_weights"] = model.get_layer("image_to_text_attention").output[1]
    return keras.Model(model.inputs, outputs, name=f"{model.name}_probe")


def word_region_scores(model: keras.Model, word_vectors, region_keys):
    """The affinity (n, words, 64) of every word with every region, from a cross-modal model's
    `text_to_image_attention` layer (inputs: the probe's `word_vectors` and `region_keys`).

    The text's query is the word vectors averaged under the word weights, and the query
    projection is linear, so the text's logit for region i is the word-weighted average of
    these rows: text-to-image attention is a softmax over regions of that average. Read along
    the other axis, a softmax over the words for one region is image-to-text attention: which
    word "mentions" that region (co-attention's affinity matrix).
    """
    layer = model.get_layer("text_to_image_attention")
    return ops.convert_to_numpy(layer.scores(word_vectors, region_keys))


def region_word_weights(model: keras.Model, word_vectors, region_keys, tokens) -> np.ndarray:
    """(n, 64, words): each region's attention over its post's words, a softmax over the
    words of `word_region_scores` with padding (token id 0) masked out."""
    scores = word_region_scores(model, word_vectors, region_keys).astype("float64")
    scores = np.where((np.asarray(tokens) != 0)[:, :, None], scores, _NEG_INF)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (weights / weights.sum(axis=1, keepdims=True)).transpose(0, 2, 1)


BUILDERS = {
    "word_attention_fusion": build_word_attention_fusion,
    "cross_modal_attention": build_cross_modal_attention,
}
