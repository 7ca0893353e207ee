"""Training with sensible defaults: one call that every lesson uses from lesson 03 on."""

from __future__ import annotations

import time

import keras

from mmcourse import runtime


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
        verbose: passed to `fit` (the progress bar in notebooks).

    Returns:
        The `History`, with `history.seconds` (wall-clock training time) added.
    """
    if epochs is None:
        epochs = runtime.fast_or_full(3, 30)
    if epochs < 1 or patience < 0:
        raise ValueError(f"Need epochs >= 1 and patience >= 0. Received: {epochs=}, {patience=}")
    if not model.compiled:
        compile_classifier(model, learning_rate=learning_rate)
    callbacks = []
    if validation_data is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=patience, restore_best_weights=True
            )
        )
    started = time.perf_counter()
    x, y = train_data if isinstance(train_data, tuple) else (train_data, None)
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        callbacks=callbacks,
        shuffle=y is not None,  # a tf.data.Dataset shuffles itself (Keras warns otherwise)
        verbose=verbose,
    )
    history.seconds = time.perf_counter() - started
    return history


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
