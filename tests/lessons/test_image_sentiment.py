"""Lesson 04's recipes as functions: fit_recipe, learning_curve, run_experiment's scoring."""

import numpy as np
import pytest

from mmcourse.lessons import image_sentiment


def _arrays(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 64, 64, 3), dtype="float32"), rng.integers(0, 3, n).astype("int32")


def test_unknown_recipe_is_refused():
    with pytest.raises(ValueError, match="Received: recipe='imagenet'"):
        image_sentiment.fit_recipe("imagenet", _arrays(4), _arrays(4), epochs=1)


@pytest.mark.parametrize("recipe", image_sentiment.RECIPES)
def test_each_recipe_trains_and_keeps_the_encoder_as_specified(recipe):
    model = image_sentiment.fit_recipe(recipe, _arrays(8), _arrays(4, seed=1), epochs=1)
    assert model.output_shape == (None, 3)
    if recipe != "scratch":
        encoder = model.get_layer("image_encoder")
        assert encoder.trainable == (recipe == "fine-tuned")


def test_learning_curve_scores_every_recipe_at_every_size():
    curve = image_sentiment.learning_curve(
        _arrays(12), _arrays(4, seed=1), _arrays(6, seed=2), sizes=(4, 12), epochs=1
    )
    assert list(curve) == list(image_sentiment.RECIPES)
    for scores in curve.values():
        assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)
