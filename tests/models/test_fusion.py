"""Fusion model builders and layers: shapes, names, save/load, mixed precision, config round
trips, the maths of each fusion layer against NumPy, one training step (on the active Keras
backend: TensorFlow, and JAX in `make test-jax`)."""

import keras
import numpy as np
import pytest

from mmcourse.models import fusion

VOCABULARY_SIZE = 30
NAMES = [*fusion.BUILDERS, "listing_4_3"]
FUSION = ["early_fusion", "concat_fusion", "late_fusion", "gated_fusion", "tensor_fusion"]
INPUTS = {
    "text_only": ["tokens"],
    "image_only": ["image_features"],
    **{name: ["tokens", "image_features"] for name in FUSION},
    "listing_4_3": ["tokens", "image"],
}
CUSTOM_LAYERS = {
    "late_fusion": ("fusion_output", fusion.LateFusion),
    "gated_fusion": ("fusion_gate", fusion.GatedFusion),
    "tensor_fusion": ("fusion_low_rank", fusion.LowRankFusion),
}


def _build(builder, **kwargs):
    if builder == "listing_4_3":
        return fusion.build_listing_4_3(vocabulary_size=VOCABULARY_SIZE, **kwargs)
    return fusion.BUILDERS[builder](vocabulary_size=VOCABULARY_SIZE, **kwargs)


def _inputs(names, batch=5, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(2, VOCABULARY_SIZE, size=(batch, 24)).astype("int32")
    tokens[:, -6:] = 0  # padding at the end, as TextVectorization pads
    arrays = {
        "tokens": tokens,
        "image_features": rng.random((batch, 64), dtype="float32") * 3,
        "image": rng.random((batch, 64, 64, 3), dtype="float32"),
    }
    return {n: arrays[n] for n in names}


@pytest.mark.parametrize("name", NAMES)
def test_inputs_softmax_and_layer_names(name):
    model = _build(name, name=f"my_{name}")
    assert model.name == f"my_{name}"
    assert [t.name for t in model.inputs] == INPUTS[name]
    probabilities = keras.ops.convert_to_numpy(model(_inputs(INPUTS[name]), training=False))
    assert probabilities.shape == (5, 3)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert (probabilities >= 0).all()
    for layer in model.layers:
        assert layer.name in INPUTS[name] or layer.name.startswith(("text_", "image_", "fusion_"))
    assert model.layers[-1].name.endswith("output")


def test_each_fusion_model_has_its_block():
    expected = {
        "early_fusion": ["text_mean", "fusion_concat"],
        "concat_fusion": ["text_features", "image_dense", "fusion_concat"],
        "late_fusion": ["text_head_output", "image_head_output", "fusion_output"],
        "gated_fusion": ["fusion_gate"],
        "tensor_fusion": ["fusion_low_rank"],
        "listing_4_3": ["text_conv_k3", "image_encoder", "fusion_dense1", "fusion_dense2"],
    }
    for name, layers in expected.items():
        names = {layer.name for layer in _build(name).layers}
        assert set(layers) <= names, (name, names)


def test_listing_4_3_uses_the_frozen_course_encoder_with_training_false():
    model = _build("listing_4_3")
    encoder = model.get_layer("image_encoder")
    assert not encoder.trainable
    node = next(
        n
        for nodes in model._nodes_by_depth.values()
        for n in nodes
        if n.operation.name == "image_encoder"
    )
    assert node.arguments.kwargs.get("training") is False
    assert model.output_shape == (None, 3)


@pytest.mark.parametrize("name", FUSION)
def test_modality_dropout_follows_the_inputs(name):
    assert "fusion_modality_dropout" not in {layer.name for layer in _build(name).layers}
    model = _build(name, modality_dropout=0.5)
    layer = model.get_layer("fusion_modality_dropout")
    assert layer.rate == 0.5
    assert [t.name for t in layer.input] == ["tokens", "image_features"]
    x = _inputs(INPUTS[name], batch=64)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("name", NAMES)
def test_keras_save_load_round_trip(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = _build(name)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = _inputs(INPUTS[name])
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )


@pytest.mark.parametrize("name", NAMES)
def test_mixed_precision_forward_pass(name):
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _build(name)
        output = model(_inputs(INPUTS[name]), training=False)
        assert keras.backend.standardize_dtype(output.dtype) == "float32"
        probabilities = keras.ops.convert_to_numpy(output)
        assert np.isfinite(probabilities).all()
        np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, atol=1e-2)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    assert keras.mixed_precision.global_policy().name == previous


@pytest.mark.parametrize("name", sorted(CUSTOM_LAYERS))
def test_custom_layer_config_round_trip(name):
    layer_name, cls = CUSTOM_LAYERS[name]
    layer = _build(name).get_layer(layer_name)
    assert isinstance(layer, cls)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    revived = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(revived) is cls and revived.get_config() == config


def test_gate_values_of_a_gated_model():
    model = _build("gated_fusion", units=8)
    gate = fusion.gate_values(model, _inputs(INPUTS["gated_fusion"], batch=7))
    assert gate.shape == (7, 8)
    assert ((gate > 0) & (gate < 1)).all()


def test_late_fusion_average_mode_from_the_builder():
    model = fusion.build_late_fusion(vocabulary_size=VOCABULARY_SIZE, mode="average")
    assert model.get_layer("fusion_output").mode == "average"


def test_unimodal_builders_accept_the_uniform_call():
    for name in ("text_only", "image_only"):
        model = fusion.BUILDERS[name](
            vocabulary_size=VOCABULARY_SIZE, modality_dropout=0.3, name=name
        )
        assert "fusion_modality_dropout" not in {layer.name for layer in model.layers}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fusion.build_concat_fusion(vocabulary_size=1), "vocabulary_size=1"),
        (lambda: fusion.build_text_only(vocabulary_size="30"), "vocabulary_size='30'"),
        (
            lambda: fusion.build_gated_fusion(vocabulary_size=30, modality_dropout=1.0),
            "modality_dropout=1.0",
        ),
        (
            lambda: fusion.build_early_fusion(vocabulary_size=30, modality_dropout=-0.1),
            "modality_dropout=-0.1",
        ),
        (lambda: fusion.build_tensor_fusion(vocabulary_size=30, rank=0), "rank=0"),
        (lambda: fusion.build_gated_fusion(vocabulary_size=30, units=0), "units=0"),
        (lambda: fusion.build_late_fusion(vocabulary_size=30, mode="max"), "mode='max'"),
        (lambda: fusion.build_listing_4_3(vocabulary_size=30, hidden_units=(8, 0)), "=0"),
        (lambda: fusion.LowRankFusion(units=4, rank=2)([np.ones((2, 3), "float32")]), "1"),
        (lambda: fusion.GatedFusion(units=4)([np.ones((2, 3), "float32")] * 3), "3 tensors"),
    ],
)
def test_bad_arguments_raise_value_error(call, match):
    with pytest.raises(ValueError, match="Received") as info:
        call()
    assert match in str(info.value)


def test_one_training_step():
    y = np.array([0, 1, 2, 1, 0])
    for name in NAMES:
        keras.utils.set_random_seed(0)
        model = _build(name)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
        before = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
        loss = model.train_on_batch(_inputs(INPUTS[name]), y)
        assert np.isfinite(loss), name
        changed = [
            not np.array_equal(a, keras.ops.convert_to_numpy(b))
            for a, b in zip(before, model.trainable_weights)
        ]
        assert all(changed) if name == "listing_4_3" else any(changed), name


@pytest.mark.parametrize("name", ["concat_fusion", "gated_fusion"])
def test_one_training_step_with_modality_dropout(name):
    """The modality dropout's random branch traced into a (non-eager) train step."""
    model = _build(name, modality_dropout=0.3, name=name)
    x = _inputs(INPUTS[name], batch=6)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=False)
    assert np.isfinite(model.train_on_batch(x, np.array([0, 1, 2, 0, 1, 2])))
    assert model.predict(x, verbose=0).shape == (6, 3)
