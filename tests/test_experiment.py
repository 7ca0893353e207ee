"""fit_and_evaluate: the train-and-score loop of the cross-modal lessons."""

import keras
import pytest

from mmcourse import experiment
from mmcourse.evaluate import comparison_table
from mmcourse.models import blocks


def _image_only():
    features = blocks.image_features_input()
    x = blocks.image_vector(features, units=8)
    return keras.Model({"image_features": features}, blocks.softmax_head(x, hidden_units=0),
                       name="tiny_image_only")  # fmt: skip


def test_model_inputs_reads_names_and_rejects_unknown_ones():
    assert experiment.model_inputs(_image_only()) == ("image_features",)
    pixels = keras.Input((4,), name="pixels")
    odd = keras.Model(pixels, keras.layers.Dense(3, activation="softmax")(pixels), name="odd")
    with pytest.raises(ValueError, match=r"inputs \['pixels'\] that FusionData does not provide"):
        experiment.model_inputs(odd)


def test_fit_and_evaluate_reports_scores_and_details(fusion_data):
    keras.utils.set_random_seed(0)
    small = fusion_data.head("train", 600)
    result = experiment.fit_and_evaluate(_image_only(), small, label="image_label", epochs=3)
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
