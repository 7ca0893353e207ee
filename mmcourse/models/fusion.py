"""Fusion models (lesson 07): where and how a text and an image are combined.

Every builder reads the inputs `"tokens"` (int ids) and/or `"image_features"` (the frozen
course encoder's 64-d features, precomputed once by `mmcourse.fusion_data`) and ends in a
float32 softmax over the three classes. Layers are named after their block: `text_*` (the
TextCNN branch), `image_*` (the image branch), `fusion_*` (where the modalities meet).

- `build_text_only`, `build_image_only`: one branch each, the baselines.
- `build_early_fusion`: fuse at the input (mean token embedding + raw image features), one MLP.
- `build_concat_fusion`: intermediate fusion, TextCNN features + image features, concatenated.
- `build_late_fusion`: decision level, each branch has a softmax; `LateFusion` mixes them.
- `build_gated_fusion`: `GatedFusion`, a learned sigmoid gate per feature (text vs image).
- `build_tensor_fusion`: `LowRankFusion`, low-rank multimodal fusion (Liu et al., 2018).
- `build_listing_4_3`: the article's listing 4.3, corrected (raw pixels, encoder inside).

`modality_dropout > 0` puts a `blocks.ModalityDropout` (`fusion_modality_dropout`) right after
the inputs, so a fusion model learns to cope with a missing text or image (lesson 09).
"""

from __future__ import annotations

import numbers

import keras

from mmcourse.arguments import check_positive_int
from mmcourse.models import blocks
from mmcourse.models.fusion_layers import GatedFusion, LateFusion, LowRankFusion
from mmcourse.train import predict_batches


def _check(*, vocabulary_size=None, modality_dropout=0.0, **positive) -> None:
    if vocabulary_size is not None and (
        not isinstance(vocabulary_size, numbers.Integral) or vocabulary_size < 2
    ):
        raise ValueError(
            f"vocabulary_size must be an int >= 2. Received: vocabulary_size={vocabulary_size!r}"
        )
    if not 0.0 <= modality_dropout < 1.0:
        raise ValueError(
            f"modality_dropout must be in [0, 1). Received: modality_dropout={modality_dropout!r}"
        )
    for key, value in positive.items():
        check_positive_int(value, key)


def _inputs(modality_dropout):
    """The two Input layers, and the tensors the branches read (after modality dropout)."""
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    text, image = tokens, features
    if modality_dropout > 0:
        dropout = blocks.ModalityDropout(modality_dropout, name="fusion_modality_dropout")
        text, image = dropout([tokens, features])
    return [tokens, features], text, image


def _branches(text, image, *, vocabulary_size):
    return (
        blocks.text_vector(text, vocabulary_size=vocabulary_size, prefix="text"),
        blocks.image_vector(image, prefix="image"),
    )


def build_text_only(*, vocabulary_size, modality_dropout=0.0, name="text_only") -> keras.Model:
    """The TextCNN branch alone (`modality_dropout` is accepted and ignored)."""
    _check(vocabulary_size=vocabulary_size)
    tokens = blocks.tokens_input()
    x = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, prefix="text")
    return keras.Model([tokens], blocks.softmax_head(x, prefix="text_head"), name=name)


def build_image_only(*, vocabulary_size=None, modality_dropout=0.0, name="image_only"):
    """The image branch alone (`vocabulary_size`, `modality_dropout` accepted and ignored)."""
    features = blocks.image_features_input()
    x = blocks.image_vector(features, prefix="image")
    return keras.Model([features], blocks.softmax_head(x, prefix="image_head"), name=name)


def build_early_fusion(
    *, vocabulary_size, modality_dropout=0.0, embedding_dim=32, name="early_fusion"
) -> keras.Model:
    """Fuse the raw inputs: mean token embedding + image features, then one shared MLP.

    The mean embedding is a bag of words: word order ("not sad") is gone before fusion.
    """
    _check(
        vocabulary_size=vocabulary_size,
        modality_dropout=modality_dropout,
        embedding_dim=embedding_dim,
    )
    inputs, text, image = _inputs(modality_dropout)
    x = blocks.token_embedding(text, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim)
    x = keras.layers.GlobalAveragePooling1D(name="text_mean")(x)
    x = keras.layers.Concatenate(name="fusion_concat")([x, image])
    return keras.Model(inputs, blocks.softmax_head(x, prefix="fusion"), name=name)


def build_concat_fusion(*, vocabulary_size, modality_dropout=0.0, name="concat_fusion"):
    """Intermediate fusion: TextCNN features and image features, concatenated, a head."""
    _check(vocabulary_size=vocabulary_size, modality_dropout=modality_dropout)
    inputs, text, image = _inputs(modality_dropout)
    t, i = _branches(text, image, vocabulary_size=vocabulary_size)
    x = keras.layers.Concatenate(name="fusion_concat")([t, i])
    return keras.Model(inputs, blocks.softmax_head(x, prefix="fusion"), name=name)


def build_late_fusion(
    *, vocabulary_size, modality_dropout=0.0, mode="learned", name="late_fusion"
) -> keras.Model:
    """Each branch predicts on its own (`text_head_output`, `image_head_output`); `fusion_output`
    averages the two probability vectors with learned weights (or equal ones)."""
    _check(vocabulary_size=vocabulary_size, modality_dropout=modality_dropout)
    inputs, text, image = _inputs(modality_dropout)
    t, i = _branches(text, image, vocabulary_size=vocabulary_size)
    p_text = blocks.softmax_head(t, prefix="text_head")
    p_image = blocks.softmax_head(i, prefix="image_head")
    output = LateFusion(mode, dtype="float32", name="fusion_output")([p_text, p_image])
    return keras.Model(inputs, output, name=name)


def build_gated_fusion(*, vocabulary_size, modality_dropout=0.0, units=64, name="gated_fusion"):
    """TextCNN and image branches fused by `GatedFusion` (`fusion_gate`), then a head.

    Read the gate with `gate_values(model, inputs)`.
    """
    _check(vocabulary_size=vocabulary_size, modality_dropout=modality_dropout, units=units)
    inputs, text, image = _inputs(modality_dropout)
    t, i = _branches(text, image, vocabulary_size=vocabulary_size)
    fused, _ = GatedFusion(units, name="fusion_gate")([t, i])
    return keras.Model(inputs, blocks.softmax_head(fused, prefix="fusion"), name=name)


def gate_values(model: keras.Model, inputs, *, batch_size=256):
    """The gate `z` of a gated fusion model, (num_posts, units): 1 = text, 0 = image.

    Called batch by batch (`predict_batches`), not with `predict`: a `predict` on each new
    sub-model traces a `tf.function` of its own, and TensorFlow warns about the retracing."""
    gate = model.get_layer("fusion_gate").output[1]
    return predict_batches(keras.Model(model.inputs, gate), inputs, batch_size=batch_size)


def build_tensor_fusion(
    *, vocabulary_size, modality_dropout=0.0, rank=4, units=64, name="tensor_fusion"
) -> keras.Model:
    """TextCNN and image branches fused by `LowRankFusion` (`fusion_low_rank`), then a head."""
    _check(
        vocabulary_size=vocabulary_size, modality_dropout=modality_dropout, rank=rank, units=units
    )
    inputs, text, image = _inputs(modality_dropout)
    t, i = _branches(text, image, vocabulary_size=vocabulary_size)
    x = LowRankFusion(units, rank, name="fusion_low_rank")([t, i])
    x = keras.layers.Activation("relu", name="fusion_low_rank_relu")(x)
    return keras.Model(inputs, blocks.softmax_head(x, prefix="fusion"), name=name)


def build_listing_4_3(*, vocabulary_size, hidden_units=(1024, 512), name="listing_4_3"):
    """The article's listing 4.3, corrected: two inputs, TextCNN + image CNN, concatenate.

    `"tokens"` and `"image"` (raw 64x64 pixels in [0, 1]) come from the same `FusionData` row,
    so each image stays paired with its own text. The image CNN is the frozen course encoder
    called with `training=False`; the article's Dense(1024) and Dense(512) are kept, and the
    sigmoid becomes a float32 softmax over the three classes.
    """
    from mmcourse.models.image import build_image_encoder

    _check(
        vocabulary_size=vocabulary_size,
        **{f"hidden_units[{k}]": u for k, u in enumerate(hidden_units)},
    )
    tokens, pixels = blocks.tokens_input(), blocks.image_input()
    t = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, prefix="text")
    i = build_image_encoder(weights="course")(pixels, training=False)  # layer `image_encoder`
    x = keras.layers.Concatenate(name="fusion_concat")([t, i])
    for k, units in enumerate(hidden_units, start=1):
        x = keras.layers.Dense(units, activation="relu", name=f"fusion_dense{k}")(x)
    output = blocks.softmax_head(x, hidden_units=0, prefix="fusion")
    return keras.Model([tokens, pixels], output, name=name)


BUILDERS = {
    "text_only": build_text_only,
    "image_only": build_image_only,
    "early_fusion": build_early_fusion,
    "concat_fusion": build_concat_fusion,
    "late_fusion": build_late_fusion,
    "gated_fusion": build_gated_fusion,
    "tensor_fusion": build_tensor_fusion,
}
