import io
import re

import keras
import numpy as np
import pytest

from mmcourse import progress
from mmcourse.train import train, train_frozen_head

LINE = re.compile(
    r"^training (?P<name>\S+) \(at most (?P<budget>\d+) epochs\) (?P<dots>\.+) "
    r"(?P<epochs>\d+) epochs?(?:, best val_loss (?P<best>\d+\.\d{3}))?, \d+ s$"
)


def _model(name="tiny"):
    inputs = keras.Input((4,), name="features")
    outputs = keras.layers.Dense(2, activation="softmax", name="output")(inputs)
    return keras.Model(inputs, outputs, name=name)


def _data(seed, rows=64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def test_train_prints_one_line_per_model_with_a_dot_per_epoch(capsys):
    keras.utils.set_random_seed(0)
    history = train(_model("first"), _data(0), validation_data=_data(1), epochs=4, verbose=0)
    train(_model("second"), _data(0), epochs=2, verbose=0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    first, second = (LINE.match(line) for line in lines)
    assert first and second, lines
    ran = len(history.history["loss"])
    assert first["name"] == "first" and first["budget"] == "4"
    assert len(first["dots"]) == int(first["epochs"]) == ran
    assert float(first["best"]) == pytest.approx(min(history.history["val_loss"]), abs=5e-4)
    assert second["name"] == "second" and second["epochs"] == "2"
    assert second["best"] is None  # no validation data: nothing to report


def test_no_line_under_keras_progress_bar_or_inside_quiet(capsys):
    with progress.quiet():
        assert not progress.enabled()
        train(_model(), _data(0), epochs=1, verbose=0)
        with progress.quiet():
            pass
        assert not progress.enabled()  # nested blocks: still quiet until the outer one ends
    assert progress.enabled()
    assert capsys.readouterr().out == ""
    train(_model(), _data(0), epochs=1, verbose=2)  # Keras prints its own line per epoch
    assert "training tiny" not in capsys.readouterr().out


def test_frozen_head_line_names_the_model(capsys):
    inputs = keras.Input((4,), name="pixels")
    encoder = keras.Sequential([keras.layers.Dense(3, name="project")], name="image_encoder")
    encoder.trainable = False
    outputs = keras.layers.Dense(2, activation="softmax", name="head")(encoder(inputs))
    model = keras.Model(inputs, outputs, name="frozen")
    train_frozen_head(model, _data(0), validation_data=_data(1), epochs=2)
    out = capsys.readouterr().out
    assert out.startswith("training frozen (head on frozen features) (at most 2 epochs) ")
    assert out.endswith(" s\n") and out.count("\n") == 1


def test_training_line_writes_to_its_stream_and_checks_epochs():
    stream = io.StringIO()
    model = _model("streamed")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = _data(0)
    with progress.quiet():  # only the explicit callback prints, into `stream`
        model.fit(x, y, epochs=3, verbose=0, callbacks=[progress.TrainingLine(stream=stream)])
    assert re.fullmatch(r"training streamed \.\.\. 3 epochs, \d+ s\n", stream.getvalue())
    with pytest.raises(ValueError, match="Received: epochs=0"):
        progress.TrainingLine(epochs=0)
