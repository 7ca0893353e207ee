import keras
import numpy as np
import pytest

from mmcourse.lessons import text_sentiment_playground
from mmcourse.models import text
from mmcourse.text import lexicon, vectorize


@pytest.fixture(scope="module")
def setup():
    layer = vectorize.make_vectorizer(["happy at the beach", "sad in the park"])
    keras.utils.set_random_seed(0)
    model = text.build_bag_of_embeddings(vocabulary_size=layer.vocabulary_size())
    return {"bag": model, "lexicon": lexicon.predict_proba}, layer


def test_predict_texts_has_a_row_per_text_and_model(setup):
    models, layer = setup
    table = text_sentiment_playground.predict_texts(models, layer, ["so happy", "sad"])
    assert list(table["model"]) == ["bag", "bag", "lexicon", "lexicon"]
    np.testing.assert_allclose(
        table[["negative", "neutral", "positive"]].sum(axis=1), 1, atol=2e-3
    )
    assert table.loc[table.model == "lexicon", "predicted"].tolist() == ["positive", "negative"]
    with pytest.raises(ValueError, match="models is empty"):
        text_sentiment_playground.predict_texts({}, layer, ["x"])


def test_widget_updates_headless_when_the_text_changes(setup):
    models, layer = setup
    box = text_sentiment_playground.sentiment_playground(models, layer, text="happy")
    entry, output = box.children
    assert "lexicon" in output.value and "<b>positive</b>" in output.value
    entry.value = "so sad, not happy"
    assert output.value.count("<tr>") == 3  # header + two models
    assert "<b>negative</b>" in output.value
    entry.value = "  "
    assert "type a post" in output.value
