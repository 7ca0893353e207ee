"""The attention viewer: region maps, explained posts, plots, and the widget built headless."""

import matplotlib
import numpy as np
import pytest

from mmcourse.lessons import attention_fusion, attention_fusion_viewer
from tests.lessons.test_attention_fusion import tiny_fusion_data

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def setup():
    import keras

    data = tiny_fusion_data()
    keras.utils.set_random_seed(0)
    model = attention_fusion.build_model(
        "cross_modal_attention", vocabulary_size=data.vocabulary_size
    )
    return model, data


def test_upsample_regions_keeps_blocks_and_scales_to_one():
    weights = np.zeros((2, 64), "float32")
    weights[0, 9] = 0.5  # region (1, 1)
    weights[1] = 1 / 64
    maps = attention_fusion_viewer.upsample_regions(weights)
    assert maps.shape == (2, 64, 64)
    assert maps[0, 8:16, 8:16].min() == 1.0 and maps[0].sum() == 64
    np.testing.assert_allclose(maps[1], 1.0)
    small = attention_fusion_viewer.upsample_regions(weights.reshape(2, 8, 8), size=16)
    assert small.shape == (2, 16, 16)
    with pytest.raises(ValueError, match="Expected"):
        attention_fusion_viewer.upsample_regions(np.zeros((2, 10)))


def test_explain_posts_gives_words_weights_and_maps(setup):
    model, data = setup
    posts = attention_fusion_viewer.explain_posts(model, data, "test", [0, 3])
    assert [p["row"] for p in posts] == [0, 3]
    first = posts[0]
    assert first["words"] == ["look", "at", "the", "one", "in", "orange"]
    assert first["word_weights"].shape == (6,)
    np.testing.assert_allclose(first["word_weights"].sum(), 1.0, rtol=1e-5)
    assert first["region_map"].shape == (64, 64) and first["region_map"].max() == 1.0
    assert first["region_word_weights"].shape == (64, 6)
    np.testing.assert_allclose(first["region_word_weights"].sum(axis=1), 1.0, rtol=1e-6)
    assert first["label"] == "positive" and first["predicted"] in data.class_names
    assert sum(first["probabilities"].values()) == pytest.approx(1.0, abs=2e-3)
    assert posts[1]["phenomenon"] == "aligned"


def test_explain_posts_without_region_attention():
    data = tiny_fusion_data()
    model = attention_fusion.build_model(
        "word_attention_fusion", vocabulary_size=data.vocabulary_size
    )
    post = attention_fusion_viewer.explain_posts(model, data, "test", 1)[0]
    assert post["region_map"] is None and post["region_word_weights"] is None
    assert len(post["words"]) == len(post["word_weights"])
    figure = attention_fusion_viewer.plot_attention([post])
    assert len(figure.axes) == 2
    matplotlib.pyplot.close(figure)


def test_plot_attention_draws_image_and_words(setup):
    model, data = setup
    posts = attention_fusion_viewer.explain_posts(model, data, "test")
    figure = attention_fusion_viewer.plot_attention(posts, columns=2)
    assert len(figure.axes) == 8  # two rows of posts, each an image row and a words row
    assert figure.axes[0].get_title().startswith("predicted")
    assert [t.get_text() for t in figure.axes[2].texts][-1] == "orange"
    matplotlib.pyplot.close(figure)
    with pytest.raises(ValueError, match="posts is empty"):
        attention_fusion_viewer.plot_attention([])


def test_viewer_builds_headless_and_updates(setup):
    model, data = setup
    viewer = attention_fusion_viewer.attention_viewer(model, data, phenomenon="grounded")
    kind, index = viewer.children[0].children
    summary = viewer.children[1]
    for control in (kind, index):  # the whole label shows ("phenomenon", not "phenome...")
        assert control.style.description_width == "initial"
    assert index.max == 2 and viewer.post["row"] == 0
    assert "look at the one in orange" in summary.value and "predicted" in summary.value
    index.value = 1
    assert viewer.post["row"] == 1 and "the one in blue" in summary.value
    kind.value = "aligned"
    assert index.max == 0 and viewer.post["row"] == 3
    viewer.update()
    assert viewer.post["phenomenon"] == "aligned"
    with pytest.raises(ValueError, match="phenomenon must be one of"):
        attention_fusion_viewer.attention_viewer(model, data, phenomenon="sarcasm")
