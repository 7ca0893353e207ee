import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mmcourse.data.core import MultimodalDataset  # noqa: E402
from mmcourse.evaluate import (  # noqa: E402
    comparison_table,
    evaluate,
    plot_confusion,
    predicted_classes,
)


@pytest.fixture
def dataset():
    frame = pd.DataFrame(
        {
            "label": ["negative", "neutral", "positive", "positive", "negative", "neutral"],
            "phenomenon": ["aligned", "aligned", "negation", "negation", "conflict", None],
            "split": ["test"] * 6,
        }
    )
    return MultimodalDataset(name="tiny", frame=frame)


def test_scores_match_a_hand_count(dataset):
    # truth:     0 1 2 2 0 1
    predicted = [0, 1, 2, 0, 2, 1]
    result = evaluate(dataset, predicted, name="m")
    assert result.accuracy == pytest.approx(4 / 6, abs=1e-4)
    # per-class F1: negative 1/2 (P=1/2, R=1/2), neutral 1, positive 1/2 -> mean 2/3
    assert result.macro_f1 == pytest.approx(2 / 3, abs=1e-4)
    assert result.per_phenomenon == {
        "aligned": 1.0,
        "conflict": 0.0,
        "negation": 0.5,
        "unknown": 1.0,
    }
    assert result.confusion.tolist() == [[1, 0, 1], [0, 2, 0], [1, 0, 1]]
    assert "negative" in result.report
    assert result.label_column == "label"


def test_an_evaluation_records_the_label_it_scores(dataset):
    dataset.frame["image_label"] = ["positive"] * 6
    result = evaluate(dataset, [2] * 6, label_column="image_label")
    assert (result.label_column, result.accuracy) == ("image_label", 1.0)


def test_probabilities_are_turned_into_classes(dataset):
    probabilities = np.eye(3)[[0, 1, 2, 2, 0, 1]] * 0.8 + 0.05
    assert evaluate(dataset, probabilities).accuracy == 1.0
    with pytest.raises(ValueError, match="shape"):
        predicted_classes(np.zeros(3))


def test_wrong_number_of_predictions_is_rejected(dataset):
    with pytest.raises(ValueError, match="one prediction per post"):
        evaluate(dataset, [0, 1])


def test_comparison_table_puts_models_then_ceilings(dataset):
    first = evaluate(dataset, [0, 1, 2, 2, 0, 1], name="perfect")
    second = evaluate(dataset, [2, 2, 2, 2, 2, 2], name="always positive")
    ceilings = {"text": {"overall": 0.655, "aligned": 0.97}, "image": {"overall": 0.667}}
    table = comparison_table([first, second], ceilings=ceilings, views=("text",))
    assert list(table.index) == ["perfect", "always positive", "ceiling: text"]
    assert table.loc["always positive", "accuracy"] == pytest.approx(2 / 6, abs=1e-3)
    assert table.loc["ceiling: text", "aligned"] == 0.97
    assert list(table.columns[:2]) == ["accuracy", "macro_f1"]
    with pytest.raises(ValueError, match="at least one"):
        comparison_table([])


def test_plot_confusion_annotates_each_cell(dataset):
    axis = plot_confusion(evaluate(dataset, [0, 1, 2, 0, 2, 1], name="m"))
    assert len(axis.texts) == 9 and axis.get_title() == "m"
