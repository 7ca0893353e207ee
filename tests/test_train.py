import keras
import numpy as np
import pytest

from mmcourse.train import (
    compile_classifier,
    plot_history,
    predict_batches,
    train,
    train_frozen_head,
    training_details,
)


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


def _frozen_classifier(*, augment=False, dropout=0.0):
    inputs = keras.Input((4,), name="image")
    encoder = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(6, activation="relu")], name="image_encoder"
    )
    x = inputs
    if augment:
        x = keras.layers.GaussianNoise(0.1, name="image_augment")(x)
    x = encoder(x, training=False)
    x = keras.layers.Dropout(dropout, name="image_head_dropout")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="image_output")(x)
    encoder.trainable = False
    return keras.Model(inputs, outputs, name="frozen")


def test_train_frozen_head_gives_the_model_train_gives():
    """Training the head on features computed once gives the same weights, the same
    predictions and the same early-stopping epoch as training the whole classifier."""
    results = []
    for fit in ("train", "train_frozen_head"):
        keras.utils.set_random_seed(0)
        model = _frozen_classifier()
        encoder_weights = [w.copy() for w in model.get_layer("image_encoder").get_weights()]
        arguments = dict(validation_data=_data(1), epochs=6, patience=2, learning_rate=0.05)
        keras.utils.set_random_seed(1)
        if fit == "train":
            compile_classifier(model, learning_rate=0.05)
            history = train(model, _data(0), verbose=0, **arguments)
        else:
            history = train_frozen_head(model, _data(0), **arguments)
        for before, after in zip(encoder_weights, model.get_layer("image_encoder").get_weights()):
            np.testing.assert_array_equal(before, after)  # the encoder did not move
        results.append((model.predict(_data(2)[0], verbose=0), history.history["val_loss"]))
    np.testing.assert_allclose(results[0][0], results[1][0], atol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4)


def test_train_frozen_head_reads_a_dataset_once_and_keeps_its_pairs():
    import tensorflow as tf

    x, y = _data(0)
    shuffled = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(120, seed=3).batch(16)
    accuracy = {}
    for name, data in (("arrays", (x, y)), ("dataset", shuffled)):
        keras.utils.set_random_seed(0)
        model = _frozen_classifier()
        history = train_frozen_head(model, data, epochs=30, learning_rate=0.05)
        assert history.seconds > 0
        accuracy[name] = float(np.mean(model.predict(x, verbose=0).argmax(-1) == y))
    # Scrambled pairs would leave the majority class (45 %); kept pairs learn as arrays do.
    assert accuracy["arrays"] > 0.7
    assert accuracy["dataset"] > accuracy["arrays"] - 0.05, accuracy


def test_train_frozen_head_refuses_what_would_change_the_features():
    trainable = _frozen_classifier()
    trainable.get_layer("image_encoder").trainable = True
    with pytest.raises(ValueError, match="is trainable"):
        train_frozen_head(trainable, _data(0))
    with pytest.raises(ValueError, match="augmentation"):
        train_frozen_head(_frozen_classifier(augment=True), _data(0))
    with pytest.raises(ValueError, match="no layer 'image_encoder'"):
        train_frozen_head(_model(), _data(0))


def test_predict_batches_gives_predict_s_numbers():
    keras.utils.set_random_seed(0)
    model = _model()
    x = _data(0)[0]
    np.testing.assert_allclose(
        predict_batches(model, x, batch_size=7), model.predict(x, verbose=0), atol=1e-6
    )
    with pytest.raises(ValueError, match="Nothing to predict"):
        predict_batches(model, x[:0])


def test_predict_batches_takes_named_inputs_and_gives_named_outputs():
    keras.utils.set_random_seed(0)
    text = keras.Input((3,), name="text")
    image = keras.Input((2,), name="image")
    joined = keras.layers.Concatenate()([text, image])
    outputs = {
        "a": keras.layers.Dense(2, name="a")(joined),
        "b": keras.layers.Dense(1, name="b")(joined),
    }
    model = keras.Model({"text": text, "image": image}, outputs)
    rng = np.random.default_rng(0)
    inputs = {"text": rng.normal(size=(10, 3)), "image": rng.normal(size=(10, 2))}
    found = predict_batches(model, inputs, batch_size=4)
    expected = model.predict(inputs, verbose=0)
    assert sorted(found) == ["a", "b"] and found["a"].shape == (10, 2)
    for key in ("a", "b"):
        np.testing.assert_allclose(found[key], expected[key], atol=1e-6)
    with pytest.raises(ValueError, match="Nothing to predict"):
        predict_batches(model, {"text": inputs["text"][:0], "image": inputs["image"][:0]})
