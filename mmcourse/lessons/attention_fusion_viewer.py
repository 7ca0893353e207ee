"""Seeing attention: word weights, region heat maps over the image, and an ipywidgets viewer.

- `explain_posts` runs a model's attention probe on some posts and returns, per post, the
  prediction, the words with their weights, and the 8x8 region weights upsampled to 64x64.
- `plot_attention` draws posts side by side: each image with its region heat map, the words
  underneath coloured by their weights.
- `attention_viewer` wraps both in widgets: pick a post (optionally a phenomenon first),
  see the prediction, word weights and region heat map. It builds without a display, and its
  `update()` can be called directly (the tests do).
"""

from __future__ import annotations

import html

import numpy as np

from mmcourse.experiment import predict
from mmcourse.fusion_data import FusionData
from mmcourse.models import attention


def upsample_regions(weights, *, size: int = 64) -> np.ndarray:
    """(n, 64) or (n, 8, 8) region weights -> (n, size, size) maps, each scaled to max 1.

    Each region becomes a block of size/8 pixels (nearest neighbour: no blur pretends to a
    resolution the 8x8 grid does not have).
    """
    weights = np.asarray(weights, dtype="float32")
    if weights.ndim == 2 and weights.shape[1] == 64:
        weights = weights.reshape(-1, 8, 8)
    if weights.ndim != 3 or weights.shape[1:] != (8, 8) or size % 8:
        raise ValueError(
            f"Expected (n, 64) or (n, 8, 8) weights and a size divisible by 8. "
            f"Received: weights={weights.shape}, size={size}"
        )
    block = size // 8
    maps = weights.repeat(block, axis=1).repeat(block, axis=2)
    return maps / np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12)


def explain_posts(model, data: FusionData, split: str = "test", rows=None) -> list[dict]:
    """What an attention model of `mmcourse.models.attention` did on some posts.

    Per post: `row`, `text`, `phenomenon`, `label`, `predicted`, `probabilities`, `words` and
    `word_weights` (real words only, padding dropped), `image`; for cross-modal models also
    `region_weights` (64,), `region_map` (64x64, max 1) and `region_word_weights` (64
    regions x words: each region's attention over the words, `attention.region_word_weights`),
    else `None`.
    """
    rows = np.arange(len(data.labels(split))) if rows is None else np.atleast_1d(rows)
    outputs = predict(attention.attention_probe(model), data, split, rows=rows)
    vocabulary = data.vectorizer.get_vocabulary()
    tokens = data.arrays[split]["tokens"][rows]
    names, frame = data.class_names, data.splits[split].frame
    region_maps = reading = None
    if "region_weights" in outputs:
        region_maps = upsample_regions(outputs["region_weights"])
        reading = attention.region_word_weights(
            model, outputs["word_vectors"], outputs["region_keys"], tokens
        )
    posts = []
    for i, row in enumerate(rows):
        real = tokens[i] != 0
        probabilities = np.asarray(outputs["probabilities"][i], dtype="float64")
        posts.append(
            {
                "row": int(row),
                "text": frame["text"].iloc[row],
                "phenomenon": frame["phenomenon"].iloc[row],
                "label": names[int(data.labels(split)[row])],
                "predicted": names[int(probabilities.argmax())],
                "probabilities": dict(zip(names, probabilities.round(3).tolist())),
                "words": [vocabulary[t] for t in tokens[i][real]],
                "word_weights": np.asarray(outputs["word_weights"][i])[real],
                "region_weights": None if reading is None else outputs["region_weights"][i],
                "region_map": None if region_maps is None else region_maps[i],
                "region_word_weights": None if reading is None else reading[i][:, real],
                "image": data.arrays[split]["image"][row]
                if "image" in data.arrays[split]
                else None,
            }
        )
    return posts


def plot_word_weights(words, weights, *, axis, chars_per_line: int = 34):
    """The words of a text, in reading order, each on a background as dark as its weight."""
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype="float64")
    scaled = weights / max(weights.max(), 1e-12) if len(weights) else weights
    places, column, line = [], 0, 0
    for word in words:
        if column and column + len(word) > chars_per_line:
            column, line = 0, line + 1
        places.append((column, line))
        column += len(word) + 2
    lines = max(line + 1, 3)
    axis.axis("off")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    for word, value, (column, line) in zip(words, scaled, places):
        axis.text(
            column / chars_per_line,
            1 - (line + 0.5) / lines,
            word,
            ha="left",
            va="center",
            fontsize=8,
            bbox={"facecolor": plt.cm.Oranges(0.85 * value), "edgecolor": "none", "pad": 1.5},
        )
    return axis


def plot_attention(posts: list[dict], *, columns: int = 4, alpha: float = 0.75):
    """Each post: its image with the region heat map (cyan to magenta, colours no shirt has,
    more opaque where the weight is larger, up to `alpha`), the prediction as a title, and
    its words shaded by their weights underneath."""
    import matplotlib.pyplot as plt

    if not posts:
        raise ValueError("posts is empty: pass at least one post from explain_posts.")
    columns = min(columns, len(posts))
    rows = int(np.ceil(len(posts) / columns))
    figure, axes = plt.subplots(
        2 * rows,
        columns,
        figsize=(2.6 * columns, 3.6 * rows),
        gridspec_kw={"height_ratios": [2.2, 1] * rows},
        squeeze=False,
    )
    for axis in axes.flat:
        axis.axis("off")
    for index, post in enumerate(posts):
        row, column = divmod(index, columns)
        top, bottom = axes[2 * row, column], axes[2 * row + 1, column]
        if post["image"] is not None:
            top.imshow(post["image"])
        if post["region_map"] is not None:
            top.imshow(
                post["region_map"], cmap="cool", alpha=alpha * post["region_map"], vmin=0, vmax=1
            )
        top.set_title(f"predicted {post['predicted']}\n(label {post['label']})", fontsize=8)
        plot_word_weights(post["words"], post["word_weights"], axis=bottom)
    figure.tight_layout()
    return figure


def _summary_html(post: dict) -> str:
    bars = "".join(
        f"<td style='padding:2px 8px'>{name} {p:.2f} <span style='display:inline-block;"
        f"width:{int(60 * p)}px;height:8px;background:#4c72b0'></span></td>"
        for name, p in post["probabilities"].items()
    )
    return (
        f"<p>{html.escape(post['text'])}</p><p>phenomenon: <b>{post['phenomenon']}</b>, "
        f"label: <b>{post['label']}</b>, predicted: <b>{post['predicted']}</b></p>"
        f"<table><tr>{bars}</tr></table>"
    )


def attention_viewer(model, data: FusionData, *, split: str = "test", phenomenon: str = "any"):
    """A `VBox`: a phenomenon filter, a post slider, the prediction (`HTML`) and a figure of the
    region heat map and word weights (`Output`). `viewer.update()` redraws; `viewer.post`
    holds what is shown (the `explain_posts` record)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    frame = data.splits[split].frame
    choices = ["any", *sorted(frame["phenomenon"].dropna().unique())]
    if phenomenon not in choices:
        raise ValueError(f"phenomenon must be one of {choices}. Received: {phenomenon!r}")
    style = {"description_width": "initial"}  # the whole label, not "phenome..."
    kind = widgets.Dropdown(
        options=choices, value=phenomenon, description="phenomenon", style=style
    )
    index = widgets.IntSlider(value=0, min=0, max=0, description="post", style=style)
    summary, output = widgets.HTML(), widgets.Output()
    box = widgets.VBox([widgets.HBox([kind, index]), summary, output])

    def candidates():
        if kind.value == "any":
            return np.arange(len(frame))
        return np.flatnonzero(frame["phenomenon"].to_numpy() == kind.value)

    def update(*_):
        rows = candidates()
        index.max = max(len(rows) - 1, 0)
        box.post = explain_posts(model, data, split, rows[min(index.value, index.max)])[0]
        summary.value = _summary_html(box.post)
        with output:
            output.clear_output(wait=True)
            figure = plot_attention([box.post], columns=1)
            display(figure)
            plt.close(figure)

    kind.observe(update, names="value")
    index.observe(update, names="value")
    box.update = update
    update()
    return box
