"""Grad-CAM: shapes, range, nested encoders, and where the heat goes."""

import keras
import numpy as np
import pytest

from mmcourse.models import image, saliency


def _images(n=3):
    return np.random.default_rng(0).random((n, 64, 64, 3), dtype="float32")


def test_grad_cam_on_a_flat_cnn():
    model = image.build_image_cnn(augment=True)
    heat, probabilities = saliency.grad_cam(model, _images())
    assert heat.shape == (3, 64, 64)
    assert probabilities.shape == (3, 3)
    assert heat.min() >= 0 and heat.max() <= 1
    np.testing.assert_allclose(probabilities, model.predict(_images(), verbose=0), atol=1e-5)


def test_grad_cam_inside_a_nested_encoder():
    model = image.build_image_classifier(image.build_image_encoder(weights=None))
    heat, probabilities = saliency.grad_cam(
        model, _images(2), layer_name="encoder_conv4", class_indices=[0, 2]
    )
    assert heat.shape == (2, 64, 64)
    np.testing.assert_allclose(probabilities, model.predict(_images(2), verbose=0), atol=1e-5)


def test_grad_cam_puts_the_heat_where_the_evidence_is():
    """Only the top-left quarter has content, and the class score grows with it."""
    image_in = keras.Input((64, 64, 3), name="image")
    conv = keras.layers.Conv2D(
        4,
        8,
        strides=8,
        use_bias=False,
        activation="relu",
        kernel_initializer="ones",
        name="image_conv4",
    )
    grid = conv(image_in)
    pooled = keras.layers.GlobalAveragePooling2D()(grid)
    kernel = keras.initializers.Constant(np.array([[0.01, 0.0, 0.0]] * 4, "float32"))
    output = keras.layers.Dense(3, activation="softmax", kernel_initializer=kernel)(pooled)
    images = np.zeros((2, 64, 64, 3), "float32")
    images[:, :32, :32] = _images(2)[:, :32, :32]
    heat, _ = saliency.grad_cam(keras.Model(image_in, output), images, class_indices=[0, 0])
    assert heat[:, :32, :32].mean() > 0.3
    assert heat[:, 40:, 40:].max() == 0.0


def test_unknown_layer_is_named_in_the_error():
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        saliency.grad_cam(image.build_image_cnn(), _images(1), layer_name="nope")


def test_other_backends_are_refused(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(NotImplementedError, match="tensorflow and jax"):
        saliency._gradients(None, np.zeros((1, 2, 2, 1), "float32"), np.ones((1, 3)))


def test_plot_grad_cam_draws_one_panel_per_image():
    import matplotlib

    matplotlib.use("Agg")
    figure = saliency.plot_grad_cam(
        _images(4), np.zeros((4, 64, 64)), titles=list("abcd"), columns=3
    )
    assert sum(axis.has_data() for axis in figure.axes) == 4


def _max_pool_classifier(scale):
    """conv grid -> global max pooling -> softmax Dense whose logits grow with `scale`."""
    image_in = keras.Input((64, 64, 3), name="image")
    grid = keras.layers.Conv2D(6, 8, strides=8, activation="relu", name="image_conv4")(image_in)
    pooled = keras.layers.GlobalMaxPooling2D()(grid)
    output = keras.layers.Dense(3, activation="softmax", name="image_output")(pooled)
    model = keras.Model(image_in, output)
    kernel, bias = model.get_layer("image_output").get_weights()
    model.get_layer("image_output").set_weights([kernel * scale, bias])
    return model


@pytest.mark.parametrize("scale", [1.0, 400.0])
def test_grad_cam_differentiates_the_logit_even_when_the_softmax_saturates(scale):
    keras.utils.set_random_seed(0)
    model = _max_pool_classifier(scale)
    images = _images(2)
    heat, probabilities = saliency.grad_cam(model, images, class_indices=[0, 0])
    if scale > 1:
        assert probabilities.max(axis=1).min() == 1.0  # float32 certainty: d p / d z == 0
    # With global max pooling, d logit_0 / d A[i, j, k] is W[k, 0] at channel k's maximum,
    # 0 elsewhere: the spatial mean is W[k, 0] / (H * W), so the map is relu(A @ W[:, 0]).
    grid = keras.Model(model.inputs, model.get_layer("image_conv4").output).predict(
        images, verbose=0
    )
    kernel = model.get_layer("image_output").get_weights()[0]
    cam = np.maximum(grid @ kernel[:, 0], 0.0)
    cam = cam / np.maximum(cam.max(axis=(1, 2), keepdims=True), 1e-8)
    expected = keras.ops.convert_to_numpy(
        keras.ops.image.resize(cam[..., None], (64, 64), interpolation="bilinear")
    )[..., 0].clip(0, 1)
    np.testing.assert_allclose(heat, expected, atol=1e-5)


def test_class_scores_rebuilds_the_softmax_layer_as_logits():
    model = _max_pool_classifier(1.0)
    scores_model, logits = saliency.class_scores(model)
    assert logits and scores_model.layers[-1].activation is keras.activations.linear
    images = _images(2)
    probabilities = model.predict(images, verbose=0)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(keras.ops.softmax(scores_model.predict(images, verbose=0))),
        probabilities,
        atol=1e-6,
    )
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert saliency.class_scores(plain) == (plain, False)
