"""Grad-CAM: which regions of an image made a CNN predict a class.

Grad-CAM (Selvaraju et al., 2017) weights each channel of a convolutional feature grid by the
average gradient of the class score with respect to it, sums the channels and keeps the
positive part: a coarse heat map (8x8 for the course CNNs) upsampled to the image.

The class score is the logit, *before* the softmax, as in the paper: for a model that ends in
a softmax `Dense` layer (every course classifier), `class_scores` rebuilds that layer without
its activation. The gradient of a probability (or of its log) vanishes as the prediction
becomes certain: at p = 1 in float32 it is lost to rounding, and a confident model's maps
would be noise. Other models fall back to the log-probability.

Supported backends: TensorFlow and JAX (gradients use the backend's own API here, outside
the models). Other backends raise `NotImplementedError`.
"""

from __future__ import annotations

import keras
import numpy as np

SUPPORTED_BACKENDS = ("tensorflow", "jax")


def _contains(model, layer_name):
    return any(
        layer.name == layer_name
        or (isinstance(layer, keras.Model) and _contains(layer, layer_name))
        for layer in model.layers
    )


def _node_tensors(model, operation):
    """The outer-graph input and output tensors of `operation`'s call inside `model`."""
    for nodes in model._nodes_by_depth.values():
        for node in nodes:
            if node.operation is operation:
                return node.input_tensors[0], node.output_tensors[0]
    raise ValueError(f"{operation.name} is not called inside {model.name}.")


def split_at(model: keras.Model, layer_name: str):
    """Two functions: `images -> feature grid` (at `layer_name`) and `grid -> class scores`.

    The layer may sit at the top level or inside nested models (classifier -> encoder ->
    backbone); every part runs in inference mode (`training=False`).
    """
    names = [layer.name for layer in model.layers]
    if layer_name in names:
        tensor = model.get_layer(layer_name).output
        flat_before = keras.Model(model.inputs[0], tensor)
        if tensor is model.outputs[0]:  # the grid is the model's output (a backbone)
            return lambda x: flat_before(x, training=False), lambda grid: grid
        flat_after = keras.Model(tensor, model.outputs[0])
        return (
            lambda x: flat_before(x, training=False),
            lambda grid: flat_after(grid, training=False),
        )
    subs = [s for s in model.layers if isinstance(s, keras.Model) and _contains(s, layer_name)]
    if not subs:
        raise ValueError(f"{model.name} has no layer named {layer_name!r}. Received: {names}")
    sub = subs[0]
    sub_in, sub_out = _node_tensors(model, sub)
    inner_before, inner_after = split_at(sub, layer_name)
    outer_before = None if sub_in is model.inputs[0] else keras.Model(model.inputs[0], sub_in)
    outer_after = keras.Model(sub_out, model.outputs[0])

    def before(x):
        x = x if outer_before is None else outer_before(x, training=False)
        return inner_before(x)

    def after(grid):
        return outer_after(inner_after(grid), training=False)

    return before, after


def class_scores(model: keras.Model):
    """(`model` with its last softmax `Dense` layer's logits as output, True), or
    (`model`, False) when it does not end in one (then scores are log-probabilities)."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    if not isinstance(last, keras.layers.Dense) or activation is not keras.activations.softmax:
        return model, False
    linear = keras.layers.Dense(
        last.units, use_bias=last.use_bias, dtype=last.dtype_policy, name=f"{last.name}_logits"
    )
    logits = linear(last.input)
    linear.set_weights(last.get_weights())
    return keras.Model(model.inputs, logits, name=f"{model.name}_logits"), True


def _gradients(after, grid, one_hot, *, logits=True):
    """Gradient of the chosen classes' scores with respect to the grid: `after(grid)` are
    logits when `logits`, else probabilities (whose log is differentiated)."""

    def score_of(outputs, log):
        return outputs if logits else log(outputs + 1e-7)

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        grid = tf.convert_to_tensor(grid)
        with tf.GradientTape() as tape:
            tape.watch(grid)
            score = tf.reduce_sum(score_of(after(grid), tf.math.log) * one_hot)
        return tape.gradient(score, grid)
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        def score(g):
            return jnp.sum(score_of(after(g), jnp.log) * one_hot)

        return jax.grad(score)(jnp.asarray(grid))
    raise NotImplementedError(
        f"grad_cam supports the {' and '.join(SUPPORTED_BACKENDS)} backends. "
        f"Received: KERAS_BACKEND={backend!r}. Set KERAS_BACKEND before importing keras."
    )


def grad_cam(model: keras.Model, images, *, class_indices=None, layer_name="image_conv4"):
    """Grad-CAM heat maps in [0, 1], one per image, at the images' resolution.

    The channels are weighted by the spatial mean of the gradient of the class's logit
    (see the module doc).

    Args:
        model: a Keras image classifier whose input is the image batch.
        images: float32 array (N, H, W, 3) in the model's input range.
        class_indices: the class to explain per image; default the predicted class.
        layer_name: the conv layer to read (top level, or inside a nested encoder).

    Returns:
        (heatmaps of shape (N, H, W), predicted probabilities of shape (N, num_classes)).
    """
    images = np.asarray(images, dtype="float32")
    before, after = split_at(model, layer_name)
    grid = keras.ops.convert_to_numpy(before(images)).astype("float32")
    probabilities = keras.ops.convert_to_numpy(after(grid)).astype("float32")
    if class_indices is None:
        class_indices = probabilities.argmax(axis=-1)
    class_indices = np.asarray(class_indices, dtype="int32")
    one_hot = np.eye(probabilities.shape[-1], dtype="float32")[class_indices]
    scores_model, logits = class_scores(model)
    _, scores_after = split_at(scores_model, layer_name) if logits else (None, after)
    gradients = keras.ops.convert_to_numpy(_gradients(scores_after, grid, one_hot, logits=logits))
    weights = gradients.mean(axis=(1, 2), keepdims=True)
    cams = np.maximum((weights * grid).sum(axis=-1), 0.0)
    cams = cams / np.maximum(cams.max(axis=(1, 2), keepdims=True), 1e-8)
    size = images.shape[1:3]
    upsampled = keras.ops.image.resize(cams[..., None], size, interpolation="bilinear")
    return keras.ops.convert_to_numpy(upsampled)[..., 0].clip(0, 1), probabilities


def plot_grad_cam(images, heatmaps, *, titles=None, columns=6, alpha=0.45):
    """Each image with its heat map laid over it (jet colours)."""
    import matplotlib.pyplot as plt

    rows = int(np.ceil(len(images) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(2.0 * columns, 2.2 * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(images):
            continue
        axis.imshow(images[index])
        axis.imshow(heatmaps[index], cmap="jet", alpha=alpha, vmin=0, vmax=1)
        if titles is not None:
            axis.set_title(titles[index], fontsize=8)
    figure.tight_layout()
    return figure
