import numpy as np
import pytest

from mmcourse.text import lexicon


def test_polarity_intensifiers_and_negation():
    assert lexicon.score("a happy day") == 1.0
    assert lexicon.score("a really happy day") == 1.5
    assert lexicon.score("not sad at all") == 1.0
    assert lexicon.score("happy, not sad") == 2.0
    assert lexicon.score("sad, not happy") == -2.0
    assert lexicon.score("in the park with my dog") == 0.0


def test_predict_and_probabilities():
    classes = lexicon.predict(["so awful", "a cake", "Great!"])
    np.testing.assert_array_equal(classes, [0, 1, 2])
    probabilities = lexicon.predict_proba(["so awful", "a cake"])
    np.testing.assert_array_equal(probabilities, [[1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="not one string"):
        lexicon.predict("happy")
