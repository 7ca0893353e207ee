"""Type a post, see what each text model thinks: an ipywidgets playground.

`predict_texts` does the work (it runs headless and is tested); `sentiment_playground` wraps
it in a text box and an HTML table that updates as you type.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import keras
import numpy as np
import pandas as pd

from mmcourse.constants import CLASS_NAMES
from mmcourse.text.vectorize import token_ids


def predict_texts(
    models: Mapping[str, object], vectorizer, texts: Sequence[str], *, class_names=CLASS_NAMES
) -> pd.DataFrame:
    """Class probabilities of each model for each text, one row per (text, model).

    `models` maps a name to a Keras model (fed `{"tokens": ids}` from `vectorizer`) or to a
    plain function `texts -> (len(texts), num_classes) probabilities` (the lexicon).
    """
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    if not models:
        raise ValueError("models is empty: pass at least one {name: model}.")
    ids = token_ids(vectorizer, texts) if texts else None
    rows = []
    for name, model in models.items():
        if hasattr(model, "predict"):
            # a direct call, not `predict`: no tf.function retraced for each new text
            probabilities = keras.ops.convert_to_numpy(model({"tokens": ids}, training=False))
        elif isinstance(model, Callable):
            probabilities = np.asarray(model(texts))
        else:
            raise ValueError(f"{name!r} is neither a Keras model nor a function.")
        for text, p in zip(texts, probabilities):
            rows.append(
                {
                    "text": text,
                    "model": name,
                    **{c: round(float(v), 3) for c, v in zip(class_names, p)},
                    "predicted": class_names[int(np.argmax(p))],
                }
            )
    return pd.DataFrame(rows)


def _as_html(table: pd.DataFrame, class_names) -> str:
    cells = []
    for _, row in table.iterrows():
        bars = "".join(
            f"<td style='padding:2px 8px'>{row[c]:.2f} "
            f"<span style='display:inline-block;width:{int(60 * row[c])}px;height:8px;"
            f"background:#4c72b0'></span></td>"
            for c in class_names
        )
        cells.append(
            f"<tr><td style='padding:2px 8px'>{html.escape(row['model'])}</td>{bars}"
            f"<td><b>{html.escape(row['predicted'])}</b></td></tr>"
        )
    head = "".join(f"<th>{c}</th>" for c in ("model", *class_names, "predicted"))
    return f"<table><tr>{head}</tr>{''.join(cells)}</table>"


def sentiment_playground(
    models: Mapping[str, object],
    vectorizer,
    *,
    text: str = "so happy in the park, not sad",
    class_names=CLASS_NAMES,
):
    """A `VBox`: a text box (`.children[0]`) and each model's probabilities (`.children[1]`,
    an `HTML` widget, updated whenever the text changes)."""
    import ipywidgets as widgets

    box = widgets.Text(
        value=text,
        description="post:",
        continuous_update=False,
        layout=widgets.Layout(width="520px"),
    )
    output = widgets.HTML()

    def update(change=None):
        if not box.value.strip():
            output.value = "<i>type a post</i>"
            return
        table = predict_texts(models, vectorizer, [box.value], class_names=class_names)
        output.value = _as_html(table, class_names)

    box.observe(update, names="value")
    update()
    return widgets.VBox([box, output])
