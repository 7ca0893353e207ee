"""Shared blocks of the cross-modal models, and the ModalityDropout layer."""

import keras
import numpy as np
import pytest

from mmcourse.models import blocks


def _tiny_fusion(rate=0.5):
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    kept_tokens, kept_features = blocks.ModalityDropout(rate, seed=0, name="fusion_drop")(
        [tokens, features]
    )
    text = blocks.text_vector(kept_tokens, vocabulary_size=20, filters=4, kernel_sizes=(2, 3))
    image = blocks.image_vector(kept_features, units=4)
    x = keras.layers.Concatenate(name="fusion_concat")([text, image])
    output = blocks.softmax_head(x, hidden_units=8)
    return keras.Model({"tokens": tokens, "image_features": features}, output, name="tiny")


def test_modality_dropout_drops_at_most_one_modality_per_post():
    layer = blocks.ModalityDropout(1.0, seed=3)
    text = np.arange(1, 201, dtype="int32").reshape(100, 2)
    image = np.ones((100, 2, 2), "float32")
    kept_text, kept_image = (np.asarray(t) for t in layer([text, image], training=True))
    text_gone = (kept_text == 0).all(axis=1)
    image_gone = (kept_image == 0).all(axis=(1, 2))
    assert (text_gone ^ image_gone).all(), "rate 1: exactly one modality dropped per post"
    assert 30 < text_gone.sum() < 70, "which modality is dropped is a coin flip"
    assert kept_text.dtype == np.int32
    np.testing.assert_array_equal(kept_text[~text_gone], text[~text_gone])


def test_modality_dropout_is_identity_at_inference_and_at_rate_zero():
    text, image = np.ones((6, 3), "float32"), np.ones((6, 4), "float32")
    cases = ((blocks.ModalityDropout(0.9), False), (blocks.ModalityDropout(0.0), True))
    for layer, training in cases:
        out = layer([text, image], training=training)
        np.testing.assert_array_equal(np.asarray(out[0]), text)
        np.testing.assert_array_equal(np.asarray(out[1]), image)


def test_modality_dropout_rate_is_checked_and_config_round_trips():
    with pytest.raises(ValueError, match="Received: rate=1.5"):
        blocks.ModalityDropout(1.5)
    with pytest.raises(ValueError, match="Received: 3 tensors"):
        blocks.ModalityDropout(0.1)([np.ones((2, 1))] * 3, training=True)
    layer = blocks.ModalityDropout(0.25, seed=7, name="drop")
    clone = blocks.ModalityDropout.from_config(layer.get_config())
    assert (clone.rate, clone.seed, clone.name) == (0.25, 7, "drop")


def test_blocks_shapes_names_and_keras_round_trip(tmp_path):
    model = _tiny_fusion()
    assert sorted(t.name for t in model.inputs) == ["image_features", "tokens"]
    names = {layer.name for layer in model.layers}
    expected = {"text_embedding", "text_conv_k2", "text_pool_k3", "image_dense", "fusion_output"}
    assert expected <= names
    inputs = {"tokens": np.ones((5, 7), "int32"), "image_features": np.ones((5, 64), "float32")}
    probabilities = model.predict(inputs, verbose=0)
    assert probabilities.shape == (5, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    path = tmp_path / "tiny.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored.predict(inputs, verbose=0), probabilities, rtol=1e-6)


def test_text_sequence_keeps_one_vector_per_token():
    tokens = blocks.tokens_input()
    sequence = blocks.text_sequence(tokens, vocabulary_size=10, units=6, prefix="query")
    model = keras.Model(tokens, sequence)
    assert model.predict(np.ones((2, 9), "int32"), verbose=0).shape == (2, 9, 6)
    assert {layer.name for layer in model.layers} >= {"query_embedding", "query_conv_k3"}


def test_softmax_head_is_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _tiny_fusion()
        output = model({"tokens": np.ones((2, 5), "int32"), "image_features": np.ones((2, 64))})
        assert keras.backend.standardize_dtype(output.dtype) == "float32"
        assert model.get_layer("fusion_dense").compute_dtype == "float16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
