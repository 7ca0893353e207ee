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
