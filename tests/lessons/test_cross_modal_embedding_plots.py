"""Lesson 05's pictures of a shared space, on hand-made embeddings."""

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba

from mmcourse.lessons import cross_modal_embedding_plots

matplotlib.use("Agg")


def test_shared_space_map_has_one_point_per_text_and_per_image(fusion_data):
    rng = np.random.default_rng(0)
    n = len(fusion_data.labels("test"))
    text, image = rng.normal(size=(n, 6)), rng.normal(size=(n, 6)) + 5.0
    points = cross_modal_embedding_plots.shared_space_map({"test": (text, image)}, fusion_data)
    assert list(points.columns) == ["x", "y", "modality", "sentiment", "place"]
    assert len(points) == 2 * n and list(points["modality"][[0, n]]) == ["text", "image"]
    names = np.asarray(fusion_data.class_names)
    np.testing.assert_array_equal(
        points["sentiment"][n:], names[fusion_data.labels("test", "image_label")]
    )
    np.testing.assert_array_equal(
        points["place"][:n], fusion_data.splits["test"].frame["place"].to_numpy()
    )
    by_modality = points.groupby("modality")["x"].mean()  # the shift is the main axis
    assert abs(by_modality["text"] - by_modality["image"]) > 5.0


def test_plot_shared_space_draws_one_panel_per_column():
    points = pd.DataFrame(
        {
            "x": [0.0, 1.0, 2.0],
            "y": [1.0, 0.0, 1.0],
            "modality": ["text", "image", "text"],
            "place": ["park", "beach", "beach"],
        }
    )
    figure = cross_modal_embedding_plots.plot_shared_space(
        points, title="toy", columns=("modality", "place")
    )
    axes = figure.axes
    assert [axis.get_title() for axis in axes] == ["toy by modality", "toy by place"]
    labels = [text.get_text() for text in axes[1].get_legend().get_texts()]
    assert labels == ["beach", "park"]
    matplotlib.pyplot.close(figure)


def test_plot_retrieval_frames_the_posts_own_image(fusion_data):
    rng = np.random.default_rng(0)
    same = rng.normal(size=(len(fusion_data.labels("test")), 8))
    rows = [0, 3]
    figure = cross_modal_embedding_plots.plot_retrieval(
        {"test": (same, same)}, fusion_data, rows, k=3
    )
    axes = np.reshape(figure.axes, (2, 3))
    texts = fusion_data.splits["test"].frame["text"].to_numpy()
    for line, row in enumerate(rows):
        assert axes[line, 0].get_title(loc="left") == texts[row]
        frames = [axis.spines["top"].get_edgecolor() for axis in axes[line]]
        assert frames[0] == to_rgba("red")  # its own image comes first
        assert all(frame == to_rgba("white") for frame in frames[1:])
    matplotlib.pyplot.close(figure)
