"""fit_and_evaluate: the train-and-score loop of the cross-modal lessons."""

import keras
import pytest

from mmcourse import experiment
from mmcourse.evaluate import comparison_table
from mmcourse.models import blocks
from mmcourse.settings import TrainSettings


def _image_only():
    features = blocks.image_features_input()
    x = blocks.image_vector(features, units=8)
    return keras.Model(
        {"image_features": features},
        blocks.softmax_head(x, hidden_units=0),
        name="tiny_image_only",
    )


def test_model_inputs_reads_names_and_rejects_unknown_ones():
    assert experiment.model_inputs(_image_only()) == ("image_features",)
    pixels = keras.Input((4,), name="pixels")
    odd = keras.Model(pixels, keras.layers.Dense(3, activation="softmax")(pixels), name="odd")
    with pytest.raises(ValueError, match=r"inputs \['pixels'\] that FusionData does not provide"):
        experiment.model_inputs(odd)


def test_fit_and_evaluate_reports_scores_and_details(fusion_data):
    keras.utils.set_random_seed(0)
    small = fusion_data.head("train", 600)
    settings = TrainSettings(epochs=3)
    result = experiment.fit_and_evaluate(_image_only(), small, settings, label="image_label")
    assert result.name == "tiny_image_only"
    assert set(result.details) == {"params", "train_seconds", "epochs"}
    assert result.details["params"] == 64 * 8 + 8 + 8 * 3 + 3
    assert 1 <= result.details["epochs"] <= 3
    # the frozen encoder's features tell the image's sentiment: far above the majority rate
    assert result.accuracy > 0.6
    assert 0.0 <= experiment.accuracy_on(_image_only(), fusion_data, rows=[0, 1, 2]) <= 1.0
    table = comparison_table([result], ceilings=fusion_data.ceilings)
    assert list(table.columns[:2]) == ["accuracy", "macro_f1"]
    assert list(table.columns[-3:]) == ["params", "train_seconds", "epochs"]
    assert "ceiling: both" in table.index


def _evaluation(name):
    import numpy as np

    from mmcourse.evaluate import Evaluation

    return Evaluation(name, 0.5, 0.5, {}, np.zeros((3, 3), int), ("a", "b", "c"), "")


def test_lesson_result_holds_evaluations_and_named_measures():
    a, b = _evaluation("a"), _evaluation("b")
    result = experiment.LessonResult.of({"a": ("model a", a), "b": b}, gap=0.1)
    assert [e.name for e in result] == ["a", "b"]
    assert result.evaluation("b") is b and result.measure("gap") == 0.1
    with pytest.raises(KeyError, match=r"No evaluation named 'c'; there are \['a', 'b'\]"):
        result.evaluation("c")
    with pytest.raises(KeyError, match=r"No measure 'shares' in this result; there are \['gap'\]"):
        result.measure("shares")
    assert experiment.LessonResult.of([a]).evaluations == [a]
