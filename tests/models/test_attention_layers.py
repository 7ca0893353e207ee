"""The attention layers of lesson 08: masking, weights that sum to one, temperature, configs."""

import keras
import numpy as np
import pytest

from mmcourse.models import attention_layers


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_attention_pooling_masks_padding_and_weights_sum_to_one():
    sequence = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]], bool)
    layer = attention_layers.AttentionPooling(4)
    pooled, weights = layer(sequence, mask=mask)
    pooled, weights = _numpy(pooled), _numpy(weights)
    assert pooled.shape == (3, 5) and weights.shape == (3, 6)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(weights[~mask] == 0.0)
    np.testing.assert_allclose(pooled, np.einsum("bt,btd->bd", weights, sequence), rtol=1e-5)
    np.testing.assert_allclose(pooled[2], sequence[2, 0], rtol=1e-5)  # one word: itself
    _, unmasked = layer(sequence)
    assert np.all(_numpy(unmasked) > 0)


def test_cross_modal_attention_weights_sum_to_one_over_keys():
    rng = np.random.default_rng(1)
    queries = rng.normal(size=(2, 3, 4)).astype("float32")
    keys = rng.normal(size=(2, 7, 5)).astype("float32")
    values = rng.normal(size=(2, 7, 6)).astype("float32")
    key_mask = np.ones((2, 7), bool)
    key_mask[1, 4:] = False
    layer = attention_layers.CrossModalAttention(8, scale=2.0)
    attended, weights = (_numpy(x) for x in layer([queries, keys, values], key_mask=key_mask))
    assert attended.shape == (2, 3, 6) and weights.shape == (2, 3, 7)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)
    assert np.all(weights[1, :, 4:] == 0.0)
    np.testing.assert_allclose(attended, np.einsum("bqn,bnd->bqd", weights, values), rtol=1e-5)
    assert layer.compute_output_shape([q.shape for q in (queries, keys, values)]) == [
        (2, 3, 6),
        (2, 3, 7),
    ]


def test_cross_modal_attention_temperature_sharpens_weights():
    rng = np.random.default_rng(2)
    inputs = [
        rng.normal(size=(1, 1, 4)).astype("float32"),
        rng.normal(size=(1, 10, 4)).astype("float32"),
        rng.normal(size=(1, 10, 3)).astype("float32"),
    ]
    layer = attention_layers.CrossModalAttention(4)
    _, soft = layer(inputs)
    layer.log_temperature.assign(np.log(1 / 20.0))  # a temperature below 1: sharper
    _, sharp = layer(inputs)
    assert _numpy(sharp).max() > _numpy(soft).max()


def test_cross_modal_attention_divides_logits_by_its_temperature():
    rng = np.random.default_rng(3)
    queries, keys = rng.normal(size=(2, 1, 4)), rng.normal(size=(2, 5, 4))
    layer = attention_layers.CrossModalAttention(4, scale=3.0)
    layer([queries, keys, rng.normal(size=(2, 5, 2))])
    assert float(np.exp(_numpy(layer.log_temperature))) == pytest.approx(1 / 3.0)  # 1 / scale
    layer.log_temperature.assign(np.log(0.5))
    wq, bq = layer.query_dense.get_weights()
    wk, bk = layer.key_dense.get_weights()
    dots = np.einsum("bqd,bnd->bqn", queries @ wq + bq, keys @ wk + bk)
    expected = dots / (0.5 * np.sqrt(4))
    np.testing.assert_allclose(_numpy(layer.scores(queries, keys)), expected, rtol=1e-5, atol=1e-5)


def test_padding_mask():
    mask = attention_layers.PaddingMask()(np.array([[5, 3, 0, 0]], "int32"))
    np.testing.assert_array_equal(_numpy(mask), [[True, True, False, False]])


@pytest.mark.parametrize(
    "layer",
    [
        attention_layers.PaddingMask(padding_id=1, name="mask"),
        attention_layers.AttentionPooling(7, name="pool"),
        attention_layers.CrossModalAttention(5, scale=3.0, name="cross"),
    ],
)
def test_layer_configs_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def test_bad_arguments():
    with pytest.raises(ValueError, match="units"):
        attention_layers.AttentionPooling(0)
    with pytest.raises(ValueError, match="scale"):
        attention_layers.CrossModalAttention(4, scale=0.0)
