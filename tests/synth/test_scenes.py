import numpy as np
import pytest

from mmcourse.synth import scenes


def _render(seed, expressions, mood):
    rng = np.random.default_rng(seed)
    scene = scenes.sample_scene(rng, expressions=expressions, mood=mood)
    return scene, scenes.render_scene(scene, rng)


def test_render_is_deterministic_and_well_formed():
    scene, first = _render(3, ["positive"], "positive")
    _, second = _render(3, ["positive"], "positive")
    assert first.shape == (64, 64, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, second)
    assert len(scene.characters) == 1 and 1 <= len(scene.objects) <= 2


def test_expression_changes_the_pixels_of_the_face():
    # Same random stream, only the expression differs: the images must differ, a little.
    _, happy = _render(11, ["positive"], "neutral")
    _, sad = _render(11, ["negative"], "neutral")
    changed = np.any(happy != sad, axis=-1).sum()
    assert 3 < changed < 200


def test_weather_follows_mood_only_loosely():
    weathers = {"positive": [], "negative": []}
    for mood in weathers:
        for seed in range(300):
            rng = np.random.default_rng(seed)
            weathers[mood].append(scenes.sample_scene(rng, expressions=[mood], mood=mood).weather)
    assert "rainy" not in weathers["positive"] and "sunny" not in weathers["negative"]
    assert 0.15 < weathers["positive"].count("cloudy") / 300 < 0.45


def test_characters_get_distinct_shirt_colours():
    rng = np.random.default_rng(0)
    scene = scenes.sample_scene(rng, expressions=["positive", "negative"], mood="mixed")
    assert len({c.colour for c in scene.characters}) == 2


def test_unknown_object_is_rejected():
    canvas_scene = scenes.Scene("park", "sunny", ("unicorn",), ())
    with pytest.raises(ValueError, match="unicorn"):
        scenes.render_scene(canvas_scene, np.random.default_rng(0))
