"""Lesson 04's Grad-CAM measurement: the share of a map's heat that falls on the characters."""

import numpy as np
import pytest

from mmcourse.data import load_moodposts
from mmcourse.lessons import image_sentiment_saliency as saliency_share


@pytest.fixture(scope="module")
def posts():
    test = load_moodposts(verify=False).subset("test").head(6)
    return test.images().astype("float32") / 255.0, test.frame["characters"].tolist()


def test_characters_are_found_where_their_shirts_are(posts):
    images, characters = posts
    cells = saliency_share.character_cells(images, characters)
    assert cells.shape == (6, 8, 8) and cells.dtype == bool
    # every image has at least one character, and characters cover part of the image only
    assert cells.any(axis=(1, 2)).all() and (cells.mean(axis=(1, 2)) < 0.6).all()
    two = [i for i, c in enumerate(characters) if ";" in c]
    one = [i for i, c in enumerate(characters) if ";" not in c]
    if two and one:  # two characters cover more than one, on average
        assert cells[two].mean() > cells[one].mean()


def test_heat_share_is_one_on_the_cells_area_when_uniform_and_nan_without_heat(posts):
    images, characters = posts
    cells = saliency_share.character_cells(images, characters)
    on_cells = np.kron(cells.astype("float32"), np.ones((8, 8)))  # (6, 64, 64)
    shares = saliency_share.heat_on_characters(on_cells, cells)
    np.testing.assert_allclose(shares["heat_share"], 1.0)
    uniform = saliency_share.heat_on_characters(np.ones((6, 64, 64)), cells)
    np.testing.assert_allclose(uniform["heat_share"], uniform["area_share"])
    np.testing.assert_allclose(uniform["area_share"], cells.mean(axis=(1, 2)))
    cold = np.ones((6, 64, 64))
    cold[2] = 0.0
    shares = saliency_share.heat_on_characters(cold, cells)
    assert shares["no_heat"].tolist() == [False, False, True, False, False, False]
    assert np.isnan(shares["heat_share"][2])


def test_summary_splits_right_from_wrong():
    cells = np.zeros((4, 8, 8), dtype=bool)
    cells[:, :4] = True  # the top half
    heat = np.zeros((4, 16, 16))
    heat[0, :8] = 1.0  # all on the characters
    heat[1, 8:] = 1.0  # all off
    heat[2] = 1.0  # uniform: half
    summary = saliency_share.heat_summary(
        saliency_share.heat_on_characters(heat, cells), [True, True, False, False]
    )
    assert summary.loc["right", "images"] == 2 and summary.loc["wrong", "maps with no heat"] == 1
    assert summary.loc["right", "heat on characters"] == pytest.approx(0.5)
    assert summary.loc["wrong", "heat on characters"] == pytest.approx(0.5)  # the map with heat
    assert summary.loc["wrong", "characters' area"] == pytest.approx(0.5)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="row 1"):
        saliency_share.character_colours(["red:positive", ""])
    with pytest.raises(ValueError, match="Received: heat="):
        saliency_share.heat_on_characters(np.ones((2, 60, 64)), np.zeros((2, 8, 8), bool))
    with pytest.raises(ValueError, match="one `correct` flag"):
        saliency_share.heat_summary(
            saliency_share.heat_on_characters(np.ones((2, 8, 8)), np.zeros((2, 8, 8), bool)),
            [True],
        )
