"""Attention models for cross-modal sentiment (lesson 08), built from the layers of
`mmcourse.models.attention_layers` (`PaddingMask`, `AttentionPooling`, `CrossModalAttention`,
each returning its attention weights next to its output, so lessons can show them).

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

`attention_probe` returns the weights the lesson plots; `attention_steps` every input and
output of a cross-modal model's attention, for lesson 08's computation by hand.

Everything is backend-agnostic (`keras.ops` only); softmaxes run in float32 so that
`mixed_float16` is safe.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from mmcourse.models import blocks
from mmcourse.models.attention_layers import (
    NEG_INF,
    AttentionPooling,
    CrossModalAttention,
    PaddingMask,
)

COMBINE_MODES = ("features", "weights")
NUM_REGIONS = 64


def _word_attention(tokens, *, vocabulary_size, units, contextual, prefix="text"):
    """Word vectors, the padding mask, and their attention pooling (one text vector).

    `contextual=True`: embedding + Conv1D over 3 words (`blocks.text_sequence`), so "not sad"
    can be one feature; `False`: the embedding alone, so a colour word stays itself.
    """
    if contextual:
        words = blocks.text_sequence(
            tokens, vocabulary_size=vocabulary_size, units=units, prefix=prefix
        )
    else:
        words = blocks.token_embedding(
            tokens, vocabulary_size=vocabulary_size, embedding_dim=units, prefix=prefix
        )
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


def build_word_attention_fusion(
    *, vocabulary_size, units=32, image_units=64, name="word_attention_fusion"
) -> keras.Model:
    """Attention pooling over words + the pooled image features -> softmax.

    Outputs `fusion_output` (class probabilities) only; read the word weights from the layer
    `text_attention_pool` (its second output).
    """
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    _, _, text, _ = _word_attention(
        tokens, vocabulary_size=vocabulary_size, units=units, contextual=True
    )
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
    words, mask, text_query, _ = _word_attention(
        tokens, vocabulary_size=vocabulary_size, units=units, contextual=False
    )
    keys = _region_keys(image, units=units)
    # the article's version never uses what the regions hold: no value layer to train
    uses_values = combine == "features" or regions_attend_to_words
    values = _region_values(grid, units=region_units) if uses_values else keys
    query = keras.layers.Reshape((1, units), name="text_query")(text_query)
    attended, region_weights = CrossModalAttention(
        units, scale=scale, name="text_to_image_attention"
    )([query, keys, values])
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
        both = keras.layers.Dense(region_units, activation="relu", name="image_to_text_dense")(
            both
        )
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


def attention_steps(model: keras.Model) -> keras.Model:
    """A model with the same inputs that returns each step of a cross-modal model's attention,
    so that a lesson can redo it by hand.

    Outputs: what the query pools, `word_vectors` (b, words, units) and `word_mask`
    (b, words), and its pooling's `word_weights` (b, words); what `text_to_image_attention`
    reads, `queries` (b, 1, units), `keys` (b, 64, units) and `values` (b, 64, dv) (the keys
    in the article's version, which has no value layer), and what it returns, `attended`
    (b, 1, dv) and `region_weights` (b, 1, 64).
    """
    names = [layer.name for layer in model.layers]
    if "text_to_image_attention" not in names:
        raise ValueError(
            "attention_steps needs a cross-modal model (a `text_to_image_attention` layer). "
            f"Received: model={model.name!r}"
        )
    attend = model.get_layer("text_to_image_attention")
    values = "region_values" if "region_values" in names else "region_keys"
    outputs = {
        "word_vectors": model.get_layer("text_embedding").output,
        "word_mask": model.get_layer("text_padding_mask").output,
        "word_weights": model.get_layer("text_attention_pool").output[1],
        "queries": model.get_layer("text_query").output,
        "keys": model.get_layer("region_keys").output,
        "values": model.get_layer(values).output,
        "attended": attend.output[0],
        "region_weights": attend.output[1],
    }
    return keras.Model(model.inputs, outputs, name=f"{model.name}_steps")


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
    scores = np.where((np.asarray(tokens) != 0)[:, :, None], scores, NEG_INF)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (weights / weights.sum(axis=1, keepdims=True)).transpose(0, 2, 1)


BUILDERS = {
    "word_attention_fusion": build_word_attention_fusion,
    "cross_modal_attention": build_cross_modal_attention,
}
