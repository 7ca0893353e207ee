"""Embedding builders and layers: shapes, names, save/load, mixed precision, get_config round
trips, the gradient reversal's gradient, and one training step (on the active Keras backend:
TensorFlow, and JAX in `make test-jax`)."""

import math

import keras
import numpy as np
import pytest

from mmcourse.models import contrastive, embedding

VOCABULARY_SIZE = 30


def _inputs(batch=6, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(2, VOCABULARY_SIZE, size=(batch, 9)).astype("int32")
    tokens[:, -3:] = 0
    features = rng.random((batch, 64), dtype="float32") * 3
    return {"tokens": tokens, "image_features": features}


def _dual():
    return embedding.build_dual_encoder(
        vocabulary_size=VOCABULARY_SIZE, embedding_dim=16, hidden_units=24
    )


BUILDERS = {
    "text_autoencoder": lambda: embedding.build_text_autoencoder(vocabulary_size=VOCABULARY_SIZE),
    "image_autoencoder": lambda: embedding.build_image_autoencoder(code_dim=8),
    "bimodal_autoencoder": lambda: embedding.build_bimodal_autoencoder(
        vocabulary_size=VOCABULARY_SIZE, code_dim=8, seed=1
    ),
    "dual_encoder": _dual,
    "adversarial_dual_encoder": lambda: embedding.add_modality_discriminator(_dual(), scale=0.5),
}
EXPECTED_LAYERS = {
    "text_autoencoder": {
        "tokens",
        "text_embedding",
        "text_conv_k3",
        "text_features",
        "text_code",
        "text_reconstruction",
    },
    "image_autoencoder": {
        "image_features",
        "image_dense",
        "image_code",
        "image_decoder_dense",
        "image_reconstruction",
    },
    "bimodal_autoencoder": {
        "modality_dropout",
        "text_features",
        "image_dense",
        "bimodal_concat",
        "bimodal_code",
        "text_decoder_dense",
        "image_decoder_dense",
        "text_reconstruction",
        "image_reconstruction",
    },
    "dual_encoder": {
        "text_projection",
        "text_l2norm",
        "image_dense",
        "image_projection",
        "image_l2norm",
        "contrastive_logits",
    },
    "adversarial_dual_encoder": {
        "text_l2norm",
        "image_l2norm",
        "contrastive_logits",
        "gradient_reversal",
        "discriminator_dense",
        "discriminator_logit",
        "modality_logits",
    },
}
OUTPUT_SHAPES = {
    "text_autoencoder": (6, VOCABULARY_SIZE),
    "image_autoencoder": (6, 64),
    "bimodal_autoencoder": {
        "text_reconstruction": (6, VOCABULARY_SIZE),
        "image_reconstruction": (6, 64),
    },
    "dual_encoder": (6, 6),
    "adversarial_dual_encoder": {"contrastive_logits": (6, 6), "modality_logits": (6, 2)},
}


def _feed(model, inputs):
    names = [t.name for t in model.inputs]
    return inputs[names[0]] if len(names) == 1 else {n: inputs[n] for n in names}


def _numpy(outputs):
    return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)


@pytest.mark.parametrize("name", BUILDERS)
def test_shapes_and_layer_names(name):
    model = BUILDERS[name]()
    assert model.name == name
    outputs = _numpy(model(_feed(model, _inputs()), training=False))
    shapes = keras.tree.map_structure(lambda x: x.shape, outputs)
    assert shapes == OUTPUT_SHAPES[name]
    names = {layer.name for layer in model.layers}
    assert EXPECTED_LAYERS[name] <= names, EXPECTED_LAYERS[name] - names
    generic = ("input_layer", "dense", "dropout", "concatenate", "conv1d", "unit_normalization")
    assert not [n for n in names if n.startswith(generic)]


def test_dual_encoder_logits_are_scaled_cosines():
    model = _dual()
    inputs = _inputs()
    text = keras.ops.convert_to_numpy(embedding.text_embedder(model)(inputs["tokens"]))
    image = keras.ops.convert_to_numpy(embedding.image_embedder(model)(inputs["image_features"]))
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(image, axis=1), 1.0, rtol=1e-5)
    logits = keras.ops.convert_to_numpy(model(inputs))
    np.testing.assert_allclose(logits, text @ image.T / 0.07, rtol=1e-4, atol=1e-4)
    assert model.get_layer("contrastive_logits").temperature == pytest.approx(0.07)


def test_bimodal_code_model_and_modality_dropout_only_in_training():
    model = BUILDERS["bimodal_autoencoder"]()
    code = embedding.shared_code_model(model)
    inputs = _inputs()
    assert keras.ops.convert_to_numpy(code(inputs)).shape == (6, 8)
    first, second = (_numpy(model(inputs, training=False)) for _ in range(2))
    np.testing.assert_array_equal(first["image_reconstruction"], second["image_reconstruction"])
    assert model.get_layer("modality_dropout").rate == 0.5


@pytest.mark.parametrize("name", BUILDERS)
def test_keras_save_load_round_trip(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = BUILDERS[name]()
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    inputs = _feed(model, _inputs())
    expected, got = _numpy(model(inputs)), _numpy(loaded(inputs))
    for a, b in zip(keras.tree.flatten(expected), keras.tree.flatten(got)):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_mixed_precision_forward_pass():
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        for name, build in BUILDERS.items():
            model = build()
            outputs = keras.tree.flatten(model(_feed(model, _inputs())))
            for output in outputs:
                assert keras.backend.standardize_dtype(output.dtype) == "float32", name
                assert np.isfinite(keras.ops.convert_to_numpy(output)).all(), name
        dense = _dual().get_layer("text_projection")
        assert dense.compute_dtype == "float16"
    finally:
        keras.mixed_precision.set_global_policy(previous)


def test_custom_layers_get_config_round_trip():
    logits = embedding.ContrastiveLogits(0.1, max_scale=50.0, name="contrastive_logits")
    clone = embedding.ContrastiveLogits.from_config(logits.get_config())
    assert (clone.initial_temperature, clone.max_scale, clone.name) == (0.1, 50.0, logits.name)
    assert clone.temperature == pytest.approx(0.1)
    reverse = embedding.GradientReversal(0.3, name="gradient_reversal")
    assert embedding.GradientReversal.from_config(reverse.get_config()).scale == 0.3
    for layer in (embedding.ContrastiveLogits, embedding.GradientReversal):
        assert keras.saving.get_registered_name(layer) == f"mmcourse>{layer.__name__}"


def test_temperature_is_capped():
    layer = embedding.ContrastiveLogits(0.07, max_scale=20.0)
    layer.log_scale.assign(math.log(50.0))  # as if training had pushed the scale past 20
    x = np.eye(2, dtype="float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([x, x])), 20.0 * x, rtol=1e-6)
    assert layer.temperature == pytest.approx(1 / 20)


def _gradient(function, x):
    """d sum(function(x)) / dx on the active backend, as NumPy."""
    if keras.backend.backend() == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: keras.ops.sum(function(v)))(x))
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        v = tf.Variable(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(function(v))
        return tape.gradient(loss, v).numpy()
    pytest.skip(f"no gradient helper for the {keras.backend.backend()!r} backend in this test")


def test_gradient_reversal_is_identity_forward_and_minus_scale_backward():
    layer = embedding.GradientReversal(0.7)
    x = np.array([[1.5, -2.0, 3.0]], "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    weights = np.array([1.0, 2.0, 3.0], "float32")
    grad = _gradient(lambda v: layer(v) * weights, x)
    np.testing.assert_allclose(grad, [[-0.7, -1.4, -2.1]], rtol=1e-6)


def _losses():
    return {
        "text_autoencoder": "binary_crossentropy",
        "image_autoencoder": "mse",
        "bimodal_autoencoder": {
            "text_reconstruction": "binary_crossentropy",
            "image_reconstruction": "mse",
        },
        "dual_encoder": contrastive.SymmetricInfoNCE(),
        "adversarial_dual_encoder": {
            "contrastive_logits": contrastive.SymmetricInfoNCE(),
            "modality_logits": contrastive.ModalityAdversaryLoss(),
        },
    }


def _targets(name, inputs):
    rng = np.random.default_rng(1)
    bag = (rng.random((6, VOCABULARY_SIZE)) < 0.2).astype("float32")
    zeros = np.zeros(6, "float32")
    return {
        "text_autoencoder": bag,
        "image_autoencoder": inputs["image_features"],
        "bimodal_autoencoder": {
            "text_reconstruction": bag,
            "image_reconstruction": inputs["image_features"],
        },
        "dual_encoder": zeros,
        "adversarial_dual_encoder": {"contrastive_logits": zeros, "modality_logits": zeros},
    }[name]


@pytest.mark.parametrize("name", BUILDERS)
def test_one_training_step(name):
    keras.utils.set_random_seed(0)
    model = BUILDERS[name]()
    model.compile(optimizer="adam", loss=_losses()[name])
    before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    inputs = _inputs()
    loss = model.train_on_batch(_feed(model, inputs), _targets(name, inputs), return_dict=True)
    assert np.isfinite(loss["loss"])
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    assert any(not np.array_equal(a, b) for a, b in zip(after, before)), name
    predictions = model.predict(_feed(model, inputs), batch_size=6, verbose=0)
    shapes = keras.tree.map_structure(lambda x: x.shape, predictions)
    assert shapes == OUTPUT_SHAPES[name]


def test_learnable_temperature_and_gradient_reversal_are_trained():
    keras.utils.set_random_seed(0)
    model = BUILDERS["adversarial_dual_encoder"]()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=_losses()["adversarial_dual_encoder"])
    log_scale = model.get_layer("contrastive_logits").log_scale
    start = float(keras.ops.convert_to_numpy(log_scale))
    inputs = _inputs()
    model.train_on_batch(inputs, _targets("adversarial_dual_encoder", inputs))
    assert float(keras.ops.convert_to_numpy(log_scale)) != start
    assert start == pytest.approx(math.log(1 / 0.07))


@pytest.mark.parametrize(
    "call",
    [
        lambda: embedding.build_text_autoencoder(vocabulary_size=0),
        lambda: embedding.build_image_autoencoder(code_dim=2.5),
        lambda: embedding.build_bimodal_autoencoder(vocabulary_size=10, modality_dropout=1.5),
        lambda: embedding.build_dual_encoder(vocabulary_size=10, embedding_dim=0),
        lambda: embedding.build_dual_encoder(vocabulary_size=10, temperature=0.0),
        lambda: embedding.ContrastiveLogits(0.07, max_scale=2.0),
        lambda: embedding.GradientReversal(-1.0),
        lambda: embedding.add_modality_discriminator(_dual(), hidden_units=0),
    ],
)
def test_bad_arguments_raise_value_errors_that_say_what_was_received(call):
    with pytest.raises(ValueError, match="Received:"):
        call()
