"""Training survives an interruption: atomic checkpoints, resume, the same end as no crash.

Runs on TensorFlow in the main suite and again on JAX (`make test-jax`).
"""

import json

import keras
import numpy as np
import pytest

from mmcourse import checkpoint
from mmcourse.train import train

NUM_ROWS, BATCH_SIZE, EPOCHS = 96, 16, 6


def _arrays(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(NUM_ROWS, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=NUM_ROWS) > 0).astype("int32")
    return x, y


def _data(seed=0, *, flipped_validation=False):
    """Train and val pipelines; `flipped_validation`: val labels swapped, so the val loss
    rises as the model learns and early stopping stops the run."""
    import tensorflow as tf

    x, y = _arrays(seed)
    train_ds = checkpoint.epoch_ordered((x, y), NUM_ROWS, batch_size=BATCH_SIZE, seed=seed)
    val_y = 1 - y[:32] if flipped_validation else y[:32]
    val_ds = tf.data.Dataset.from_tensor_slices((x[:32], val_y)).batch(BATCH_SIZE)
    return train_ds, val_ds


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,), name="features")
    x = keras.layers.Dense(16, activation="relu", name="hidden")(inputs)
    x = keras.layers.Dropout(0.3, name="dropout")(x)  # random in training: its state is saved
    outputs = keras.layers.Dense(3, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="small")


def _run(directory, *, stop_after=None, monkeypatch=None, patience=10):
    """Train EPOCHS epochs in `directory`; with `stop_after`, crash after that epoch's save."""
    model = _model()
    train_ds, val_ds = _data(flipped_validation=patience < 10)
    if stop_after is not None:
        save = checkpoint.ResumableTraining.on_epoch_end

        def crash(self, epoch, logs=None):
            save(self, epoch, logs)
            if epoch + 1 == stop_after:
                raise KeyboardInterrupt(f"killed after epoch {epoch + 1}")

        monkeypatch.setattr(checkpoint.ResumableTraining, "on_epoch_end", crash)
    with checkpoint.resumable(directory):
        history = train(
            model,
            train_ds,
            validation_data=val_ds,
            epochs=EPOCHS,
            patience=patience,
            learning_rate=0.05 if patience < 10 else 1e-3,  # fast enough to overfit flipped val
            verbose=0,
        )
    return model, history


def _interrupted_then_resumed(tmp_path, monkeypatch, *, stop_after, patience=10):
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, stop_after=stop_after, monkeypatch=monkeypatch, patience=patience)
    monkeypatch.undo()
    saved = checkpoint.checkpoints(tmp_path / "small")
    expected = [f"epoch-{n:04d}" for n in range(max(1, stop_after - 1), stop_after + 1)]
    assert [p.name for p in saved] == expected  # the last two
    return _run(tmp_path, patience=patience)


def test_a_resumed_run_ends_as_an_uninterrupted_one(tmp_path, monkeypatch):
    reference, reference_history = _run(tmp_path / "reference")
    model, history = _interrupted_then_resumed(tmp_path / "crashed", monkeypatch, stop_after=3)
    for expected, found in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-6)
    assert len(history.history["loss"]) == EPOCHS  # the epochs before the crash, in front
    for key, values in reference_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, atol=1e-6)
    assert not (tmp_path / "crashed" / "small").exists()  # removed once training ended


def test_resume_continues_from_the_last_complete_epoch(tmp_path, monkeypatch):
    fits = []
    fit = keras.Model.fit

    def counting_fit(self, *args, **kwargs):
        callbacks = kwargs["callbacks"]
        history = fit(self, *args, **kwargs)
        fits.append([c.resumed_from for c in callbacks if hasattr(c, "resumed_from")])
        return history

    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, stop_after=4, monkeypatch=monkeypatch)
    monkeypatch.undo()
    monkeypatch.setattr(keras.Model, "fit", counting_fit)
    _, history = _run(tmp_path)
    assert fits == [[4]]
    assert len(history.history["loss"]) == EPOCHS


def test_early_stopping_state_survives_the_restart(tmp_path, monkeypatch):
    reference, reference_history = _run(tmp_path / "reference", patience=1)
    stopped_at = len(reference_history.history["loss"])
    assert stopped_at < EPOCHS, "the reference run should stop early for this test to mean much"
    model, history = _interrupted_then_resumed(
        tmp_path / "crashed", monkeypatch, stop_after=stopped_at - 1, patience=1
    )
    assert len(history.history["loss"]) == stopped_at
    for expected, found in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-6)


def test_a_checkpoint_half_written_is_never_read_back(tmp_path, monkeypatch):
    save_weights = keras.Model.save_weights
    calls = []

    def dies_while_writing(self, filepath, *args, **kwargs):
        calls.append(filepath)
        if len(calls) == 3:  # the third epoch's save: a file begun, then the process dies
            with open(filepath, "wb") as file:
                file.write(b"\x89HDF half a file")
            raise KeyboardInterrupt("killed while writing")
        return save_weights(self, filepath, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "save_weights", dies_while_writing)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path)
    monkeypatch.undo()
    folder = tmp_path / "small"
    assert [p.name for p in checkpoint.checkpoints(folder)] == ["epoch-0001", "epoch-0002"]
    assert len(list(folder.glob("*.partial"))) == 1  # the half-written one, under another name
    resume = checkpoint.ResumableTraining(folder, delete_when_done=False)
    model = _model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    resume.set_model(model)
    resume.on_train_begin()
    assert resume.resumed_from == 2
    assert resume.removed_partial and not list(folder.glob("*.partial"))


def test_a_checkpoint_of_another_model_is_refused(tmp_path, monkeypatch):
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, stop_after=2, monkeypatch=monkeypatch)
    monkeypatch.undo()
    state_file = checkpoint.checkpoints(tmp_path / "small")[-1] / checkpoint.STATE_FILE
    state = json.loads(state_file.read_text())
    state["seeds"].append(state["seeds"][0])
    state_file.write_text(json.dumps(state))
    with pytest.raises(ValueError, match="written by another model"):
        _run(tmp_path)


def test_resumable_refuses_a_bad_keep_and_is_inactive_outside(tmp_path):
    refused = pytest.raises(ValueError, match="Received: keep=0")
    with refused, checkpoint.resumable(tmp_path, keep=0):
        pass
    assert checkpoint.callback_for(_model()) is None
    with checkpoint.resumable(tmp_path) as directory:
        callback = checkpoint.callback_for(_model())
        assert callback.directory == directory / "small"
    assert checkpoint.checkpoints(tmp_path / "missing") == []


def _epoch_rows(dataset, num_epochs):
    rows = [batch[1] for batch in dataset.take(num_epochs * dataset.steps_per_epoch)]
    flat = np.concatenate([np.asarray(r) for r in rows])
    return flat.reshape(num_epochs, -1)


def test_epoch_ordered_draws_a_permutation_per_epoch_that_depends_on_the_epoch_only():
    values = np.arange(10)
    dataset = checkpoint.epoch_ordered((values, values), 10, batch_size=4, seed=3)
    assert dataset.steps_per_epoch == 3  # 4 + 4 + 2
    epochs = _epoch_rows(dataset, 4)
    for epoch in epochs:
        assert sorted(epoch) == list(range(10))
    assert len({tuple(e) for e in epochs}) == 4  # a new order every epoch
    np.testing.assert_array_equal(_epoch_rows(dataset.from_epoch(2), 2), epochs[2:])
    again = checkpoint.epoch_ordered((values, values), 10, batch_size=4, seed=3)
    np.testing.assert_array_equal(_epoch_rows(again, 4), epochs)  # not the iteration count
    other = checkpoint.epoch_ordered((values, values), 10, batch_size=4, seed=4)
    assert not np.array_equal(_epoch_rows(other, 4), epochs)
