"""Training with sensible defaults: one call that every lesson uses from lesson 03 on."""

from __future__ import annotations

import time

import keras

from mmcourse import checkpoint, progress, runtime

ENCODER_NAME = "image_encoder"  # what `train_frozen_head` looks for (build_image_encoder's name)


def compile_classifier(model: keras.Model, *, learning_rate: float = 1e-3) -> keras.Model:
    """Adam, sparse categorical cross-entropy on softmax outputs, accuracy (keywords only)."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def train(
    model: keras.Model,
    train_data,
    *,
    validation_data=None,
    epochs: int | None = None,
    patience: int = 3,
    learning_rate: float = 1e-3,
    verbose: int | str = "auto",
) -> keras.callbacks.History:
    """Compile (unless already compiled) and fit with early stopping on validation loss.

    Args:
        model: a Keras model whose output is a softmax over classes.
        train_data: a `tf.data.Dataset` of (inputs, labels) batches, or an
            `(inputs, labels)` tuple of arrays.
        validation_data: monitored for early stopping; the best weights are restored.
        epochs: at most this many epochs; default 3 in fast mode, 30 in full mode.
        patience: epochs without improvement before stopping.
        verbose: passed to `fit` (the progress bar in notebooks). With `0`, one line per
            model instead (`mmcourse.progress.TrainingLine`), unless inside `progress.quiet()`.

    Inside `mmcourse.checkpoint.resumable(DIR)` the run checkpoints every epoch into
    `DIR/<model name>` and resumes from there after an interruption (the same weights and
    metrics as a run never interrupted); inside `mmcourse.parallel.data_parallel().scope()`
    it trains on every replica.

    Returns:
        The `History`, with `history.seconds` (wall-clock training time) added.
    """
    epochs = _epochs(epochs, patience)
    if not model.compiled:
        compile_classifier(model, learning_rate=learning_rate)
    started = time.perf_counter()
    x, y = train_data if isinstance(train_data, tuple) else (train_data, None)
    stopping = _early_stopping(validation_data, patience)
    callbacks = stopping + _progress(verbose, epochs)
    resume = checkpoint.callback_for(model, early_stopping=(stopping or [None])[0])
    steps = None
    if resume is not None:
        callbacks.append(resume)
        if hasattr(x, "from_epoch"):  # an epoch-ordered pipeline: start where the run stopped
            x = x.from_epoch(resume.next_epoch())
            steps = x.steps_per_epoch
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        steps_per_epoch=steps,
        callbacks=callbacks,
        shuffle=y is not None,  # a tf.data.Dataset shuffles itself (Keras warns otherwise)
        verbose=verbose,
    )
    history.seconds = time.perf_counter() - started
    return history


def _epochs(epochs: int | None, patience: int) -> int:
    """`epochs`, by default 3 in fast mode and 30 in full mode; checked with `patience`."""
    epochs = runtime.fast_or_full(3, 30) if epochs is None else epochs
    if epochs < 1 or patience < 0:
        raise ValueError(f"Need epochs >= 1 and patience >= 0. Received: {epochs=}, {patience=}")
    return epochs


def _progress(verbose, epochs: int, *, name: str | None = None) -> list:
    """A `TrainingLine` when Keras prints nothing (`verbose=0`) and progress is not quieted."""
    if verbose != 0 or not progress.enabled():
        return []
    return [progress.TrainingLine(name=name, epochs=epochs)]


def _early_stopping(validation_data, patience: int) -> list:
    """Early stopping on the validation loss, best weights restored (none without validation)."""
    if validation_data is None:
        return []
    return [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True
        )
    ]


def train_frozen_head(
    model: keras.Model,
    train_data,
    *,
    validation_data=None,
    epochs: int | None = None,
    patience: int = 3,
    learning_rate: float = 1e-3,
    batch_size: int | None = None,
) -> keras.callbacks.History:
    """Train the head of a classifier whose encoder is frozen, on features computed once.

    A frozen encoder called on the raw input (no augmentation before it) turns each image into
    the same features in every epoch, so running it on every batch of every epoch repeats the
    same work: this encodes the training and validation images once, then trains the layers
    after the encoder (they are shared, so `model` itself is trained) with `train`'s early
    stopping. The result is the model `train(model, ...)` would give, at the cost of one pass
    of the encoder (`history.seconds` includes it). `train_data` and `validation_data`:
    `(images, labels)` arrays or a `tf.data.Dataset` of such batches (iterated once, so a
    shuffled one keeps its pairs); `batch_size` is the head's (default Keras's 32). The
    encoder is the layer named `ENCODER_NAME` ("image_encoder", as `build_image_encoder`
    names it).
    """
    encoder_name = ENCODER_NAME
    layers = model.layers
    names = [layer.name for layer in layers]
    if encoder_name not in names:
        raise ValueError(f"{model.name!r} has no layer {encoder_name!r}. Received: layers={names}")
    index = names.index(encoder_name)
    encoder = layers[index]
    if encoder.trainable:
        raise ValueError(
            f"{encoder_name!r} is trainable, so its features change while training: freeze it "
            f"(`{encoder_name}.trainable = False`) or use `train`. Received: trainable=True"
        )
    before = [
        layer.name for layer in layers[:index] if not isinstance(layer, keras.layers.InputLayer)
    ]
    if before:
        raise ValueError(
            f"Layers before {encoder_name!r} change its input in training (augmentation), so "
            f"its features are not fixed: use `train`. Received: {before}"
        )
    features = keras.Input(shape=tuple(encoder.output.shape[1:]), name=f"{encoder_name}_features")
    x = features
    for layer in layers[index + 1 :]:
        x = layer(x)
    head = keras.Model(features, x, name=f"{model.name}_head")
    epochs = _epochs(epochs, patience)
    compile_classifier(head, learning_rate=learning_rate)
    started = time.perf_counter()
    validation = None if validation_data is None else _encoded(encoder, validation_data)
    features, labels = _encoded(encoder, train_data)
    history = head.fit(
        features,
        labels,
        validation_data=validation,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=_early_stopping(validation, patience)
        + _progress(0, epochs, name=f"{model.name} (head on frozen features)"),
        shuffle=True,
        verbose=0,
    )
    history.seconds = time.perf_counter() - started  # encoding included
    return history


def _encoded(encoder: keras.Model, data) -> tuple:
    """`(encoder features, labels)` of `(inputs, labels)` arrays or a dataset of batches."""
    import numpy as np

    if isinstance(data, tuple):
        inputs, labels = data
    else:
        batches = list(data.as_numpy_iterator())
        inputs = np.concatenate([batch[0] for batch in batches])
        labels = np.concatenate([batch[1] for batch in batches])
    return predict_batches(encoder, inputs), np.asarray(labels)


def predict_batches(model: keras.Model, inputs, *, batch_size: int = 256):
    """`model(batch, training=False)` batch by batch, as NumPy: `model.predict`'s numbers
    without compiling a prediction function for each new model.

    A loop that builds a model, trains it and predicts (a learning curve) would otherwise
    trace one `tf.function` per model, and TensorFlow warns about the retracing. `inputs` is
    an array or a dict of arrays (one per model input); the result has the structure of the
    model's outputs (an array, or a dict of arrays for a model with named outputs).
    """
    import numpy as np

    named = isinstance(inputs, dict)
    arrays = {k: np.asarray(v) for k, v in inputs.items()} if named else np.asarray(inputs)
    num_rows = len(next(iter(arrays.values()))) if named else len(arrays)
    if num_rows == 0:
        raise ValueError(f"Nothing to predict. Received: {num_rows} rows")

    def batch(start):
        if named:
            return {k: v[start : start + batch_size] for k, v in arrays.items()}
        return arrays[start : start + batch_size]

    outputs = [model(batch(start), training=False) for start in range(0, num_rows, batch_size)]
    if isinstance(outputs[0], dict):
        return {
            key: np.concatenate([keras.ops.convert_to_numpy(o[key]) for o in outputs])
            for key in outputs[0]
        }
    return np.concatenate([keras.ops.convert_to_numpy(o) for o in outputs])


def training_details(
    model: keras.Model,
    history: keras.callbacks.History | None = None,
    *,
    seconds: float | None = None,
) -> dict:
    """The bookkeeping every lesson reports for a trained model, computed in one place.

    `params`: the model's parameter count; `train_seconds`: `history.seconds` (what `train`
    measured) or `seconds` when a recipe trained in several calls; `epochs`: how many epochs
    ran (early stopping may end before the maximum), when a `history` is given.
    """
    if history is None and seconds is None:
        raise ValueError("Pass the training `history` or its `seconds`. Received neither.")
    details = {
        "params": int(model.count_params()),
        "train_seconds": round(float(history.seconds if seconds is None else seconds), 1),
    }
    if history is not None:
        details["epochs"] = len(history.history["loss"])
    return details


def plot_history(history: keras.callbacks.History, *, metrics=("loss", "accuracy")):
    """Training and validation curves, one panel per metric."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3), squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        if metric not in history.history:
            raise ValueError(
                f"metric {metric!r} is not in the history. Received: {sorted(history.history)}"
            )
        axis.plot(history.history[metric], label="train")
        if f"val_{metric}" in history.history:
            axis.plot(history.history[f"val_{metric}"], label="validation")
        axis.set_xlabel("epoch")
        axis.set_title(metric)
        axis.legend()
    figure.tight_layout()
    return figure
