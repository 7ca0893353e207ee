"""Text model builders: shapes, layer names, save/load, mixed precision, one training step (on
the active Keras backend: TensorFlow, and JAX in `make test-jax`)."""

import keras
import numpy as np
import pytest

from mmcourse.models import text

VOCABULARY_SIZE = 30
BUILDERS = [
    (text.build_bag_of_embeddings, ["text_embedding", "text_pool", "text_head_dense"]),
    (text.build_text_cnn, ["text_conv_k2", "text_conv_k3", "text_conv_k4", "text_concat"]),
    (text.build_text_bilstm, ["text_embedding", "text_bilstm", "text_head_dense"]),
]
IDS = [b.__name__ for b, _ in BUILDERS]


def _tokens(seed=0, batch=5, length=9):
    ids = np.random.default_rng(seed).integers(2, VOCABULARY_SIZE, size=(batch, length))
    ids[:, -3:] = 0  # padding at the end, as TextVectorization pads
    return {"tokens": ids.astype("int32")}


@pytest.mark.parametrize(("builder", "layers"), BUILDERS, ids=IDS)
def test_shapes_names_and_softmax(builder, layers):
    model = builder(vocabulary_size=VOCABULARY_SIZE)
    assert list(model.input) == ["tokens"]
    probabilities = np.asarray(model(_tokens()))
    assert probabilities.shape == (5, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    names = {layer.name for layer in model.layers}
    assert {"text_embedding", "text_output", *layers} <= names
    assert all(n == "tokens" or n.startswith("text_") for n in names), names
    assert np.asarray(model(_tokens(length=4))).shape == (5, 3)  # any length


@pytest.mark.parametrize(("builder", "layers"), BUILDERS, ids=IDS)
def test_save_load_round_trip(builder, layers, tmp_path):
    keras.utils.set_random_seed(0)
    model = builder(vocabulary_size=VOCABULARY_SIZE)
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(_tokens(), verbose=0), model.predict(_tokens(), verbose=0), atol=1e-6
    )


@pytest.mark.parametrize(("builder", "layers"), BUILDERS, ids=IDS)
def test_mixed_precision_forward_pass(builder, layers):
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = builder(vocabulary_size=VOCABULARY_SIZE)
        assert model.get_layer("text_head_dense").compute_dtype == "float16"
        output = model(_tokens())
        assert keras.backend.standardize_dtype(output.dtype) == "float32"
        assert np.isfinite(np.asarray(output)).all()
    finally:
        keras.mixed_precision.set_global_policy(previous)


def test_pretrained_embeddings_are_used_and_can_be_frozen():
    matrix = np.random.default_rng(1).normal(size=(VOCABULARY_SIZE, 6)).astype("float32")
    for builder, _ in BUILDERS:
        model = builder(
            vocabulary_size=VOCABULARY_SIZE, embeddings=matrix, trainable_embeddings=False
        )
        layer = model.get_layer("text_embedding")
        np.testing.assert_array_equal(np.asarray(layer.embeddings), matrix)
        assert not layer.trainable and layer.output_dim == 6
    with pytest.raises(ValueError, match="expected vocabulary_size=31"):
        text.build_text_cnn(vocabulary_size=31, embeddings=matrix)


def test_one_training_step():
    y = np.array([0, 1, 2, 1, 0])
    for builder, _ in BUILDERS:
        keras.utils.set_random_seed(0)
        model = builder(vocabulary_size=VOCABULARY_SIZE)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
        before = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
        loss = model.train_on_batch(_tokens(), y)
        assert np.isfinite(loss)
        after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
        assert any(not np.array_equal(a, b) for a, b in zip(before, after))


def test_one_compiled_training_step_with_pretrained_embeddings():
    """The compiled train step (a `tf.function` on TensorFlow, `jax.jit` on JAX) of every
    registered builder, started from given embeddings."""
    ids = np.random.default_rng(0).integers(0, VOCABULARY_SIZE, size=(6, 8)).astype("int32")
    y = np.array([0, 1, 2, 0, 1, 2])
    losses = {}
    for builder in text.BUILDERS.values():
        model = builder(
            vocabulary_size=VOCABULARY_SIZE, embeddings=np.ones((VOCABULARY_SIZE, 8), "float32")
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        losses[model.name] = float(model.train_on_batch({"tokens": ids}, y))
        assert model.predict({"tokens": ids}, verbose=0).shape == (6, 3)
    assert set(losses) == {"bag_of_embeddings", "text_cnn", "text_bilstm"}
    assert all(np.isfinite(v) for v in losses.values()), losses


def test_bad_arguments():
    with pytest.raises(ValueError, match="kernel_sizes"):
        text.build_text_cnn(vocabulary_size=10, kernel_sizes=())
