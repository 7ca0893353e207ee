"""Attention layers and builders: shapes, weights that sum to 1 (padding masked), configs,
names, save/load, mixed precision, one training step (on the active Keras backend: TensorFlow,
and JAX in `make test-jax`)."""

import keras
import numpy as np
import pytest

from mmcourse.models import attention

VOCABULARY_SIZE = 30
BUILDERS = {
    "word_attention_fusion": lambda: attention.build_word_attention_fusion(
        vocabulary_size=VOCABULARY_SIZE
    ),
    "cross_modal_attention": lambda: attention.build_cross_modal_attention(
        vocabulary_size=VOCABULARY_SIZE
    ),
    "article_attention": lambda: attention.build_cross_modal_attention(
        vocabulary_size=VOCABULARY_SIZE, combine="weights"
    ),
    "bidirectional": lambda: attention.build_cross_modal_attention(
        vocabulary_size=VOCABULARY_SIZE, regions_attend_to_words=True, name="bidirectional"
    ),
}


def _inputs(model, batch=4, length=9, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(2, VOCABULARY_SIZE, size=(batch, length)).astype("int32")
    tokens[:, -3:] = 0  # padding at the end, as TextVectorization pads
    tokens[0, 2:] = 0  # a short text
    arrays = {
        "tokens": tokens,
        "image": rng.random((batch, 64, 64, 3), dtype="float32"),
        "image_grid": rng.random((batch, 8, 8, 64), dtype="float32"),
        "image_features": rng.random((batch, 64), dtype="float32"),
    }
    return {t.name: arrays[t.name] for t in model.inputs}


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_shapes_and_names(name):
    model = BUILDERS[name]()
    assert model.name == name
    probabilities = _numpy(model(_inputs(model)))
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.get_layer("fusion_output").dtype_policy.compute_dtype == "float32"
    generic = (
        "input_layer",
        "conv",
        "dense",
        "dropout",
        "concatenate",
        "reshape",
        "flatten",
        "lambda",
        "global_",
        "max_pooling",
        "average_pooling",
    )
    for layer in model.layers:
        assert not layer.name.startswith(generic), layer.name


def test_cross_modal_attention_layers_and_probe():
    model = BUILDERS["bidirectional"]()
    names = {layer.name for layer in model.layers}
    assert {
        "text_attention_pool",
        "text_padding_mask",
        "region_keys",
        "region_values",
        "text_to_image_attention",
        "image_to_text_attention",
        "text_cnn_features",
        "image_pool",
        "fusion_concat",
    } <= names
    x = _inputs(model)
    outputs = {k: _numpy(v) for k, v in attention.attention_probe(model)(x).items()}
    assert outputs["word_weights"].shape == (4, 9)
    np.testing.assert_allclose(outputs["word_weights"].sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(outputs["word_weights"][x["tokens"] == 0] == 0.0)
    assert outputs["region_weights"].shape == (4, 64)
    np.testing.assert_allclose(outputs["region_weights"].sum(axis=1), 1.0, rtol=1e-5)
    assert outputs["region_word_weights"].shape == (4, 64, 9)
    np.testing.assert_allclose(outputs["region_word_weights"].sum(axis=-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(outputs["probabilities"], _numpy(model(x)), rtol=1e-5)


def test_word_region_scores_decompose_the_text_to_image_logits():
    """The pooled query is a weighted average of word vectors and its projection is linear,
    so the text's region weights are the softmax of the word-weighted affinity rows."""
    keras.utils.set_random_seed(3)
    model = BUILDERS["cross_modal_attention"]()
    x = _inputs(model)
    outputs = {k: _numpy(v) for k, v in attention.attention_probe(model)(x).items()}
    scores = attention.word_region_scores(model, outputs["word_vectors"], outputs["region_keys"])
    assert scores.shape == (4, 9, 64)
    logits = np.einsum("bt,btn->bn", outputs["word_weights"], scores)
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(outputs["region_weights"], expected, rtol=1e-4, atol=1e-6)
    reading = attention.region_word_weights(
        model, outputs["word_vectors"], outputs["region_keys"], x["tokens"]
    )
    assert reading.shape == (4, 64, 9)
    np.testing.assert_allclose(reading.sum(axis=-1), 1.0, rtol=1e-6)
    assert np.all(reading[0, :, 2:] == 0.0)  # padding is never read


@pytest.mark.parametrize("name", ["cross_modal_attention", "article_attention"])
def test_attention_steps_return_what_the_attention_reads_and_returns(name):
    keras.utils.set_random_seed(4)
    model = BUILDERS[name]()
    x = _inputs(model)
    steps = {k: _numpy(v) for k, v in attention.attention_steps(model)(x).items()}
    probe = {k: _numpy(v) for k, v in attention.attention_probe(model)(x).items()}
    assert steps["word_vectors"].shape == (4, 9, 32)
    np.testing.assert_array_equal(steps["word_mask"], x["tokens"] != 0)
    np.testing.assert_allclose(steps["word_weights"], probe["word_weights"], rtol=1e-6)
    pooled = np.einsum("bt,btd->bd", steps["word_weights"], steps["word_vectors"])
    np.testing.assert_allclose(steps["queries"][:, 0], pooled, rtol=1e-5, atol=1e-6)
    assert steps["keys"].shape == (4, 64, 32)
    assert steps["values"].shape == (4, 64, 64 if name == "cross_modal_attention" else 32)
    assert steps["region_weights"].shape == (4, 1, 64)
    np.testing.assert_allclose(steps["region_weights"][:, 0], probe["region_weights"], rtol=1e-6)
    attended = np.einsum("bqn,bnd->bqd", steps["region_weights"], steps["values"])
    np.testing.assert_allclose(steps["attended"], attended, rtol=1e-5, atol=1e-6)


def test_attention_steps_need_a_cross_modal_model():
    with pytest.raises(ValueError, match="text_to_image_attention"):
        attention.attention_steps(BUILDERS["word_attention_fusion"]())


def test_article_version_feeds_the_weights_not_the_features():
    right = BUILDERS["cross_modal_attention"]()
    article = BUILDERS["article_attention"]()
    assert right.get_layer("text_to_image_features").output.shape == (None, 64)
    assert article.get_layer("text_to_image_weights").output.shape == (None, 64)
    article_layers = {layer.name for layer in article.layers}
    assert "text_to_image_features" not in article_layers
    assert "region_values" not in article_layers  # what the regions hold is never used


@pytest.mark.parametrize("name", BUILDERS)
def test_save_load_round_trip(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = BUILDERS[name]()
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = _inputs(model)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )


@pytest.mark.parametrize("name", ["word_attention_fusion", "bidirectional"])
def test_mixed_precision_forward_pass(name):
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = BUILDERS[name]()
        assert model.get_layer("fusion_dense").compute_dtype == "float16"
        x = _inputs(model)
        output = model(x)
        assert keras.backend.standardize_dtype(output.dtype) == "float32"
        assert np.isfinite(_numpy(output)).all()
        weights = attention.attention_probe(model)(x)["word_weights"]
        np.testing.assert_allclose(_numpy(weights).sum(axis=1), 1.0, rtol=1e-3)
    finally:
        keras.mixed_precision.set_global_policy(previous)


def test_one_training_step():
    keras.utils.set_random_seed(0)
    model = BUILDERS["bidirectional"]()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    before = [_numpy(w) for w in model.trainable_weights]
    loss = model.train_on_batch(_inputs(model), np.array([0, 1, 2, 1]))
    assert np.isfinite(loss)
    changed = {
        w.path for a, w in zip(before, model.trainable_weights) if not np.array_equal(a, _numpy(w))
    }
    assert any("log_temperature" in p for p in changed), changed


@pytest.mark.parametrize("name", ["word_attention_fusion", "bidirectional"])
def test_one_compiled_training_step_keeps_the_word_weights_masked(name):
    """The compiled train step (a `tf.function` on TensorFlow, `jax.jit` on JAX), then the
    probe's word weights: a distribution over the words, zero on the padding."""
    model = BUILDERS[name]()
    x = _inputs(model, batch=6, length=8)
    x["tokens"][:, 5:] = 0
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert np.isfinite(model.train_on_batch(x, np.array([0, 1, 2, 0, 1, 2])))
    weights = attention.attention_probe(model).predict(x, verbose=0)["word_weights"]
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(weights[x["tokens"] == 0] == 0.0)
    assert np.all(weights[:, 5:] == 0.0)


def test_a_builder_refuses_an_unknown_combine_mode():
    with pytest.raises(ValueError, match="combine"):
        attention.build_cross_modal_attention(vocabulary_size=10, combine="sum")
