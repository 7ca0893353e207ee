"""The multi-task builder: three named float32 softmax heads, loss-weight checks, save/load,
mixed precision, one training step (on the active Keras backend: TensorFlow, and JAX in
`make test-jax`)."""

import keras
import numpy as np
import pytest

from mmcourse.models import multitask

VOCABULARY_SIZE = 30


def _inputs(seed=0, batch=5, length=9):
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, VOCABULARY_SIZE, size=(batch, length))
    ids[:, -3:] = 0  # padding at the end, as TextVectorization pads
    return {
        "tokens": ids.astype("int32"),
        "image_features": rng.random((batch, 64), dtype="float32"),
    }


def _numpy(variable):
    return keras.ops.convert_to_numpy(variable)


def _targets(batch=5):
    return {name: np.arange(batch) % 3 for name in multitask.OUTPUT_NAMES}


def test_three_named_float32_softmax_heads():
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
    assert sorted(model.input) == ["image_features", "tokens"]
    outputs = model(_inputs())
    assert sorted(outputs) == sorted(multitask.OUTPUT_NAMES)
    for name, probabilities in outputs.items():
        assert keras.backend.standardize_dtype(probabilities.dtype) == "float32", name
        probabilities = np.asarray(probabilities)
        assert probabilities.shape == (5, 3), name
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
        assert model.get_layer(name).name == name
    names = {layer.name for layer in model.layers} - {"tokens", "image_features"}
    assert {"text_conv_k3", "image_dense", "fusion_concat", "fusion_head_dense"} <= names
    assert all(n.split("_")[0] in ("text", "image", "fusion") for n in names), names
    assert multitask.HEAD_LABELS.keys() == set(multitask.OUTPUT_NAMES)


def test_auxiliary_heads_read_only_their_own_modality():
    """The text head must not change when only the image changes, and vice versa."""
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
    a, b = _inputs(seed=0), _inputs(seed=1)
    new_image = {"tokens": a["tokens"], "image_features": b["image_features"]}
    new_text = {"tokens": b["tokens"], "image_features": a["image_features"]}
    base, image_changed, text_changed = (model(x) for x in (a, new_image, new_text))
    np.testing.assert_allclose(image_changed["text_output"], base["text_output"], atol=1e-6)
    np.testing.assert_allclose(text_changed["image_output"], base["image_output"], atol=1e-6)
    assert not np.allclose(image_changed["fusion_output"], base["fusion_output"])
    assert not np.allclose(text_changed["fusion_output"], base["fusion_output"])


def test_builder_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Received: vocabulary_size=0"):
        multitask.build_multitask_model(vocabulary_size=0)
    with pytest.raises(ValueError, match="Received: dropout=1.5"):
        multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE, dropout=1.5)


def test_loss_weights_fill_unnamed_heads_with_zero():
    assert multitask.check_loss_weights({"fusion_output": 1}) == {
        "text_output": 0.0,
        "image_output": 0.0,
        "fusion_output": 1.0,
    }
    assert multitask.check_loss_weights(multitask.DEFAULT_LOSS_WEIGHTS) == {
        "text_output": 0.5,
        "image_output": 0.5,
        "fusion_output": 1.0,
    }


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"audio_output": 1.0}, "Unknown heads"),
        ({"fusion": 1.0}, "Unknown heads"),
        ({"fusion_output": 1.0, "text_output": -0.5}, "non-negative"),
        ({"fusion_output": float("nan")}, "finite"),
        ({"fusion_output": 0.0}, "positive"),
        ([0.5, 0.5, 1.0], "dict"),
    ],
)
def test_bad_loss_weights_are_rejected(weights, match):
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
    with pytest.raises(ValueError, match=match) as info:
        multitask.compile_multitask(model, loss_weights=weights)
    assert "Received:" in str(info.value)
    assert not model.compiled


def test_loss_weights_weight_the_losses():
    """Keras' total loss is the weighted sum of the heads' losses (keyword `loss_weights`)."""
    keras.utils.set_random_seed(0)
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE, dropout=0.0)
    weights = {"text_output": 0.25, "image_output": 2.0, "fusion_output": 1.0}
    multitask.compile_multitask(model, loss_weights=weights)
    scores = model.evaluate(_inputs(), _targets(), verbose=0, return_dict=True)
    expected = sum(w * scores[f"{name}_loss"] for name, w in weights.items())
    assert scores["loss"] == pytest.approx(expected, rel=1e-4)


def test_single_task_weights_leave_the_auxiliary_heads_untrained():
    keras.utils.set_random_seed(0)
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
    multitask.compile_multitask(model, loss_weights=multitask.SINGLE_TASK_LOSS_WEIGHTS)
    heads = ["text_head_dense", "text_output", "image_head_dense", "image_output"]
    before = {n: [_numpy(w) for w in model.get_layer(n).weights] for n in heads}
    trunk = _numpy(model.get_layer("text_conv_k3").kernel)
    model.train_on_batch(_inputs(), _targets())
    for name in heads:
        for old, new in zip(before[name], model.get_layer(name).weights):
            np.testing.assert_array_equal(old, _numpy(new))
    assert not np.array_equal(trunk, _numpy(model.get_layer("text_conv_k3").kernel))


def test_save_load_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
    weights = {"text_output": 0.25, "image_output": 0.75, "fusion_output": 1.0}
    multitask.compile_multitask(model, loss_weights=weights)
    model.train_on_batch(_inputs(), _targets())  # builds the optimizer's variables
    path = tmp_path / "multitask.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    expected, got = model.predict(_inputs(), verbose=0), loaded.predict(_inputs(), verbose=0)
    assert sorted(got) == sorted(multitask.OUTPUT_NAMES)
    for name in multitask.OUTPUT_NAMES:
        np.testing.assert_allclose(got[name], expected[name], atol=1e-6)
    assert loaded.compiled
    scores = loaded.evaluate(_inputs(), _targets(), verbose=0, return_dict=True)
    expected = sum(w * scores[f"{name}_loss"] for name, w in weights.items())
    assert scores["loss"] == pytest.approx(expected, rel=1e-4)  # the loss weights came back


def test_mixed_precision_forward_pass():
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
        assert model.get_layer("fusion_head_dense").compute_dtype == "float16"
        for name, output in model(_inputs()).items():
            assert keras.backend.standardize_dtype(output.dtype) == "float32", name
            assert np.isfinite(np.asarray(output)).all()
    finally:
        keras.mixed_precision.set_global_policy(previous)
    assert keras.mixed_precision.global_policy().name == previous


def test_one_training_step():
    keras.utils.set_random_seed(0)
    model = multitask.build_multitask_model(vocabulary_size=VOCABULARY_SIZE)
    multitask.compile_multitask(model)
    before = [_numpy(w) for w in model.trainable_weights]
    scores = model.train_on_batch(_inputs(), _targets(), return_dict=True)
    assert {"loss", *(f"{n}_loss" for n in multitask.OUTPUT_NAMES)} <= set(scores)
    assert all(np.isfinite(v) for v in scores.values())
    assert any(not np.array_equal(a, _numpy(b)) for a, b in zip(before, model.trainable_weights))
    shapes = {name: p.shape for name, p in model.predict(_inputs(), verbose=0).items()}
    assert shapes == {name: (5, 3) for name in multitask.OUTPUT_NAMES}
