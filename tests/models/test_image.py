"""Image model builders: shapes, names, save/load, mixed precision, one training step and
Grad-CAM on the active Keras backend (TensorFlow, and JAX in `make test-jax`), ImageNet
offline."""

import keras
import numpy as np
import pytest

from mmcourse.models import image, saliency

BUILDERS = {
    "cnn": lambda: image.build_image_cnn(augment=True),
    "frozen": lambda: image.build_image_classifier(image.build_image_encoder(weights=None)),
    "finetune": lambda: image.build_image_classifier(
        image.build_image_encoder(weights=None, trainable=True), augment=False, hidden_units=16
    ),
    "listing_4_2": lambda: image.build_listing_4_2(weights=None),
}


def _images(n=4, seed=0):
    return np.random.default_rng(seed).random((n, 64, 64, 3), dtype="float32")


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_give_softmax_over_three_classes(name):
    model = BUILDERS[name]()
    assert model.layers[0].name == "image"
    assert model.input_shape == (None, 64, 64, 3)
    probabilities = keras.ops.convert_to_numpy(model(_images(), training=False))
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert model.get_layer("image_output").dtype_policy.compute_dtype == "float32"


def test_layers_are_named_after_their_blocks():
    cnn = image.build_image_cnn(augment=True)
    names = {layer.name for layer in cnn.layers}
    assert {
        "image",
        "image_augment",
        "image_conv1",
        "image_pool1",
        "image_conv4",
        "image_global_pool",
        "image_head_dropout",
        "image_output",
    } <= names
    augment = cnn.get_layer("image_augment")
    assert [layer.name for layer in augment.layers[1:]] == [
        "image_augment_flip",
        "image_augment_translate",
        "image_augment_zoom",
        "image_augment_out",
    ]
    listing = image.build_listing_4_2(weights=None)
    assert "image_head_dense" in {layer.name for layer in listing.layers}
    encoder = listing.get_layer("image_encoder")
    assert [layer.name for layer in encoder.layers] == [
        "image",
        "image_rescale",
        "course_backbone",
        "image_encoder_pool",
    ]
    generic = ("input_layer", "conv2d", "dense", "dropout", "max_pooling", "global_", "random")
    for model in (cnn, listing, encoder):
        for layer in model.layers:
            assert not layer.name.startswith(generic), layer.name


def test_augmentation_is_identity_at_inference_and_random_in_training():
    augment = image.build_augmentation(seed=1)
    x = _images(2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(augment(x, training=False)), x)
    assert not np.allclose(keras.ops.convert_to_numpy(augment(x, training=True)), x)


def test_encoder_rescales_to_minus_one_one_and_can_be_spatial():
    encoder = image.build_image_encoder(weights=None)
    assert encoder.output_shape == (None, 64)
    assert not encoder.trainable
    grid = image.build_image_encoder(weights=None, spatial=True)
    assert grid.output_shape == (None, 8, 8, 64)
    rescale = encoder.get_layer("image_rescale")
    out = keras.ops.convert_to_numpy(rescale(np.array([[0.0, 0.5, 1.0]], "float32")))
    np.testing.assert_allclose(out, [[-1.0, 0.0, 1.0]])


def test_frozen_classifier_only_trains_its_head():
    model = BUILDERS["frozen"]()
    assert len(model.trainable_weights) == 2  # the softmax layer's kernel and bias
    assert len(BUILDERS["finetune"]().trainable_weights) == 2 * 4 + 2 * 2


def test_encoder_is_called_with_training_false():
    model = BUILDERS["frozen"]()
    node = next(
        n for n in model._nodes_by_depth.values() for n in n if n.operation.name == "image_encoder"
    )
    assert node.arguments.kwargs.get("training") is False


@pytest.mark.parametrize("name", BUILDERS)
def test_keras_save_load_round_trip(name, tmp_path):
    model = BUILDERS[name]()
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = _images()
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )


def test_mixed_precision_forward_pass():
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        for name, build in BUILDERS.items():
            out = build()(_images(2))
            assert keras.backend.standardize_dtype(out.dtype) == "float32", name
    finally:
        keras.mixed_precision.set_global_policy(previous)


def test_one_training_step():
    x, y = _images(8), np.arange(8) % 3
    for name, build in BUILDERS.items():
        model = build()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
        before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
        loss = model.train_on_batch(x, y)
        assert np.isfinite(loss), name
        after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
        assert any(not np.allclose(a, b) for a, b in zip(after, before)), name


def test_course_encoder_classifier_trains_and_gives_a_grad_cam():
    """The shipped course weights load on the active backend, the classifier over them takes a
    (non-eager) training step, and Grad-CAM reaches inside the nested encoder."""
    x, y = _images(8), np.arange(8) % 3
    model = image.build_image_classifier(image.build_image_encoder(weights="course"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=False)
    assert np.isfinite(model.train_on_batch(x, y))
    heat, probabilities = saliency.grad_cam(model, x[:2], layer_name="encoder_conv4")
    assert heat.shape == (2, 64, 64) and probabilities.shape == (2, 3)
    assert np.isfinite(heat).all() and heat.min() >= 0 and heat.max() <= 1


def test_imagenet_weights_fail_with_a_clear_message_offline(monkeypatch):
    from keras.src.utils import file_utils

    def no_network(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(file_utils, "get_file", no_network)
    with pytest.raises(RuntimeError, match=r'weights="course".*offline'):
        image.build_image_encoder(weights="imagenet")


def test_unknown_weights_are_refused():
    with pytest.raises(ValueError, match="weights must be"):
        image.build_image_encoder(weights="places365")
