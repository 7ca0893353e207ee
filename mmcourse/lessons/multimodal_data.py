"""Looking at a multimodal dataset: tables of counts and agreement, a grid of posts, a browser."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from mmcourse.data.core import MultimodalDataset

LABEL_COLOURS = {"negative": "#c0392b", "neutral": "#7f8c8d", "positive": "#27ae60"}


def label_table(dataset: MultimodalDataset) -> pd.DataFrame:
    """Posts per split and label, with totals (rows: splits in train/val/test order)."""
    frame = dataset.frame
    table = pd.crosstab(frame["split"], frame["label"], margins=True, margins_name="all")
    order = [s for s in ("train", "val", "test") if s in table.index] + ["all"]
    return table.reindex(index=order, columns=[*dataset.class_names, "all"], fill_value=0)


def agreement_table(dataset: MultimodalDataset) -> pd.DataFrame:
    """How often text, image and post labels agree, as MVSA's papers report it."""
    frame = dataset.frame.dropna(subset=["text_label", "image_label"])
    pairs = {
        "text_label == image_label": frame.text_label == frame.image_label,
        "text_label == label": frame.text_label == frame.label,
        "image_label == label": frame.image_label == frame.label,
    }
    return pd.DataFrame(
        {
            "posts": [int(v.sum()) for v in pairs.values()],
            "share": [round(float(v.mean()), 3) for v in pairs.values()],
        },
        index=list(pairs),
    )


def phenomenon_table(dataset: MultimodalDataset) -> pd.DataFrame:
    """Posts per phenomenon, their share, and the label mix inside each."""
    frame = dataset.frame
    table = pd.crosstab(frame["phenomenon"], frame["label"])
    table = table.reindex(columns=list(dataset.class_names), fill_value=0)
    table.insert(0, "posts", table.sum(axis=1))
    table.insert(1, "share", (table["posts"] / len(frame)).round(3))
    return table.sort_values("posts", ascending=False)


def ceiling_table(dataset: MultimodalDataset) -> pd.DataFrame:
    """Bayes ceilings as a table: rows text/image/both, columns overall and phenomena."""
    if not dataset.ceilings:
        raise ValueError(f"{dataset.name} has no known ceilings (real data never has).")
    return pd.DataFrame(dataset.ceilings).T.loc[["text", "image", "both"]]


def plot_posts(
    frame: pd.DataFrame,
    *,
    num_posts: int = 8,
    columns: int = 4,
    seed: int = 0,
    title: str | None = None,
):
    """A grid of posts: the image, its text, and its labels (post / text / image)."""
    import matplotlib.pyplot as plt
    from PIL import Image

    if num_posts < 1 or columns < 1:
        raise ValueError(f"num_posts and columns must be >= 1. Received: {num_posts}, {columns}")
    shown = frame.sample(min(num_posts, len(frame)), random_state=seed) if len(frame) else frame
    rows = max(1, int(np.ceil(len(shown) / columns)))
    figure, axes = plt.subplots(
        rows, columns, figsize=(3.1 * columns, 4.0 * rows), squeeze=False, layout="constrained"
    )
    for axis in axes.flat:
        axis.axis("off")
    for axis, (_, post) in zip(axes.flat, shown.iterrows()):
        with Image.open(post["image"]) as image:
            axis.imshow(image.convert("RGB"))
        caption = "\n".join(textwrap.wrap(str(post["text"]), 34)[:3])
        labels = f"post: {post['label']}"
        if isinstance(post.get("text_label"), str):
            labels += f" | text: {post['text_label']} | image: {post['image_label']}"
        phenomenon = post.get("phenomenon", "")
        axis.set_title(
            f"{caption}\n{labels}\n{phenomenon}",
            fontsize=7.5,
            loc="left",
            color=LABEL_COLOURS.get(post["label"], "black"),
        )
    if title:
        figure.suptitle(title)
    return figure


def post_browser(dataset: MultimodalDataset, *, num_posts: int = 8):
    """An ipywidgets browser: filter posts by label and phenomenon, page through them.

    Pages count from 1, in the page box as in the status line; changing a filter goes back to
    page 1. Each control's label takes the width it needs (`description_width: initial`).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    frame = dataset.frame
    style = {"description_width": "initial"}
    label = widgets.Dropdown(
        options=["any", *dataset.class_names], description="label", style=style
    )
    phenomenon = widgets.Dropdown(
        options=["any", *sorted(frame["phenomenon"].dropna().unique())],
        description="phenomenon",
        style=style,
    )
    split = widgets.Dropdown(
        options=["any", "train", "val", "test"], description="split", style=style
    )
    page = widgets.IntText(value=1, description="page", style=style)
    status = widgets.Label()
    output = widgets.Output()

    def selection() -> pd.DataFrame:
        mask = pd.Series(True, index=frame.index)
        for widget, column in ((label, "label"), (phenomenon, "phenomenon"), (split, "split")):
            if widget.value != "any":
                mask &= frame[column] == widget.value
        return frame[mask]

    def redraw(*_):
        chosen = selection()
        pages = max(1, int(np.ceil(len(chosen) / num_posts)))
        if not 1 <= page.value <= pages:
            page.value = min(max(page.value, 1), pages)  # its observer draws that page
            return
        start = (page.value - 1) * num_posts
        status.value = f"{len(chosen)} posts match; page {page.value} of {pages}"
        with output:
            output.clear_output(wait=True)
            if len(chosen):
                figure = plot_posts(chosen.iloc[start : start + num_posts], num_posts=num_posts)
                display(figure)
                plt.close(figure)

    def refilter(*_):
        if page.value == 1:
            redraw()
        else:
            page.value = 1  # its observer draws page 1

    for widget in (label, phenomenon, split):
        widget.observe(refilter, names="value")
    page.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([label, phenomenon, split, page]), status, output])
