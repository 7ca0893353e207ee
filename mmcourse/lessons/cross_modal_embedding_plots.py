"""Lesson 05's pictures of a shared space: a 2-D map of it, and what a text retrieves in it.

A space is what `mmcourse.lessons.cross_modal_embedding_space.embed_splits` returns,
`{split: (text, image)}` embeddings with one row per post of the split, each modality embedded
on its own.

- `shared_space_map`: a 2-D PCA of a split's texts and images together, as a table of points.
- `plot_shared_space`: those points, one scatter panel per column (modality, sentiment, place).
- `plot_retrieval`: a few texts, each with the images nearest to it in the space.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmcourse.fusion_data import FusionData
from mmcourse.models import contrastive


def shared_space_map(space, data: FusionData, *, split: str = "test") -> pd.DataFrame:
    """2-D PCA of a split's text and image embeddings together, one row per point.

    Columns `x`, `y`, `modality`, `sentiment` (the text's `text_label` for a text point, the
    image's `image_label` for an image point) and `place`.
    """
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    text, image = space[split]
    with threadpool_limits(1):
        points = PCA(n_components=2, random_state=0).fit_transform(np.concatenate([text, image]))
    names, frame = np.asarray(data.class_names), data.splits[split].frame
    labels = np.concatenate([data.labels(split, "text_label"), data.labels(split, "image_label")])
    return pd.DataFrame(
        {
            "x": points[:, 0],
            "y": points[:, 1],
            "modality": np.repeat(["text", "image"], [len(text), len(image)]),
            "sentiment": names[labels],
            "place": np.concatenate([frame["place"], frame["place"]]),
        }
    )


def plot_shared_space(
    points: pd.DataFrame, *, title="", columns=("modality", "sentiment", "place")
):
    """One scatter panel per column of `points`, coloured by that column's values."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(columns), figsize=(4.2 * len(columns), 3.6))
    for axis, column in zip(np.atleast_1d(axes), columns):
        for value, group in points.groupby(column, sort=True):
            axis.scatter(group["x"], group["y"], s=5, alpha=0.5, label=str(value))
        axis.set(title=f"{title} by {column}".strip(), xticks=[], yticks=[])
        axis.legend(markerscale=3, fontsize=8)
    figure.tight_layout()
    return figure


def plot_retrieval(space, data: FusionData, rows, *, k: int = 5, split: str = "test"):
    """For each text of `rows`: the text and its `k` nearest images (its own one framed)."""
    import matplotlib.pyplot as plt

    text, image = space[split]
    ranked = np.argsort(-contrastive.cosine_similarity(text[rows], image), axis=1)[:, :k]
    images, texts = data.splits[split].images(), data.splits[split].frame["text"].to_numpy()
    figure, axes = plt.subplots(
        len(rows),
        k,
        figsize=(1.6 * k, 1.9 * len(rows)),
        squeeze=False,
        gridspec_kw={"wspace": 0.05, "hspace": 0.3},
    )
    for line, (row, found) in enumerate(zip(rows, ranked)):
        axes[line, 0].set_title(texts[row], loc="left", fontsize=9)
        for axis, index in zip(axes[line], found):
            axis.imshow(images[index])
            axis.set(xticks=[], yticks=[])
            for spine in axis.spines.values():
                spine.set(color="red" if index == row else "white", linewidth=3)
    return figure
