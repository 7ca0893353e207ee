import keras
import numpy as np
import pytest

from mmcourse.train import compile_classifier, plot_history, train, training_details


def _model():
    inputs = keras.Input((4,), name="features")
    outputs = keras.layers.Dense(3, activation="softmax", name="output")(inputs)
    return keras.Model(inputs, outputs, name="tiny")


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(120, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32") + (x[:, 1] > 1).astype("int32")


def test_train_compiles_fits_and_times(monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    keras.utils.set_random_seed(0)
    model = _model()
    history = train(model, _data(0), validation_data=_data(1), verbose=0)
    assert model.compiled and model.loss is not None
    assert len(history.history["loss"]) == 3  # fast mode: 3 epochs
    assert {"accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert history.seconds > 0


def test_early_stopping_restores_the_best_epoch():
    keras.utils.set_random_seed(0)
    model = compile_classifier(_model(), learning_rate=0.5)  # too high: validation loss rises
    history = train(model, _data(0), validation_data=_data(1), epochs=30, patience=1, verbose=0)
    assert len(history.history["loss"]) < 30


def test_bad_arguments_and_plot():
    with pytest.raises(ValueError, match="epochs"):
        train(_model(), _data(0), epochs=0)
    history = train(_model(), _data(0), validation_data=_data(1), epochs=2, verbose=0)
    figure = plot_history(history)
    assert len(figure.axes) == 2
    with pytest.raises(ValueError, match="not in the history"):
        plot_history(history, metrics=("f1",))


def test_training_details_come_from_the_model_and_its_history():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.5, 0.4]}
    history.seconds = 2.345
    assert training_details(model, history) == {
        "params": 8,
        "train_seconds": 2.3,
        "epochs": 3,
    }
    assert training_details(model, seconds=7.06) == {"params": 8, "train_seconds": 7.1}
    with pytest.raises(ValueError, match="Received neither"):
        training_details(model)
