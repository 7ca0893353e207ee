"""The article's joint multi-task network (section 3.4), built so that every task is trained.

One model, three heads over a shared trunk:

- the text branch (`blocks.text_vector`, TextCNN over `tokens`) feeds `text_output`, trained on
  `text_label` (what the text alone says);
- the image branch (`blocks.image_vector` over the frozen encoder's `image_features`) feeds
  `image_output`, trained on `image_label` (what the image alone shows);
- both branches, concatenated and passed through `fusion_dense`, feed `fusion_output`, trained
  on the post's `label`.

The branches are shared: the auxiliary heads' gradients shape the same text and image features
the fusion head reads. That extra supervision is what multi-task learning buys. Each auxiliary
head reads only its own modality, so its output is interpretable ("what does the text say?").

`compile_multitask` sets one loss per head and the loss weights, by keyword (in Keras 3 the
third positional argument of `compile` is `loss_weights`). A head left out of `loss_weights`
gets weight 0: `compile_multitask(model, loss_weights={"fusion_output": 1.0})` is the
single-task model with exactly the same architecture, parameters and budget.
"""

from __future__ import annotations

import math

import keras

from mmcourse.arguments import check_positive_int
from mmcourse.models import blocks

OUTPUT_NAMES = ("text_output", "image_output", "fusion_output")
HEAD_LABELS = {
    "text_output": "text_label",
    "image_output": "image_label",
    "fusion_output": "label",
}
"""Each head's label column (the `label=` mapping of `fusion_data.fusion_dataset`)."""
DEFAULT_LOSS_WEIGHTS = {"text_output": 0.5, "image_output": 0.5, "fusion_output": 1.0}
SINGLE_TASK_LOSS_WEIGHTS = {"fusion_output": 1.0}


def build_multitask_model(
    *,
    vocabulary_size: int,
    text_filters: int = 32,
    image_units: int = 64,
    hidden_units: int = 64,
    dropout: float = 0.2,
    name: str = "multitask",
) -> keras.Model:
    """Shared text and image branches, three softmax heads (dict outputs, see module docstring).

    Args:
        vocabulary_size: size of the vectorizer's vocabulary (`FusionData.vocabulary_size`).
        text_filters: filters per TextCNN kernel size (2, 3 and 4 words).
        image_units: units of the image branch's Dense projection.
        hidden_units: units of each head's hidden Dense layer.
        dropout: dropout before each head's softmax.
        name: the model's name (it names the row of the comparison table).

    Returns:
        A `keras.Model` with inputs `tokens` and `image_features` and outputs
        `{"text_output", "image_output", "fusion_output"}`, each a float32 softmax over 3 classes.
    """
    check_positive_int(vocabulary_size, "vocabulary_size")
    check_positive_int(text_filters, "text_filters")
    check_positive_int(image_units, "image_units")
    check_positive_int(hidden_units, "hidden_units")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1). Received: dropout={dropout}")
    tokens = blocks.tokens_input()
    features = blocks.image_features_input()
    text = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, filters=text_filters)
    image = blocks.image_vector(features, units=image_units)
    joint = keras.layers.Concatenate(name="fusion_concat")([text, image])
    outputs = {
        f"{prefix}_output": _head(x, hidden_units=hidden_units, dropout=dropout, prefix=prefix)
        for prefix, x in [("text", text), ("image", image), ("fusion", joint)]
    }
    return keras.Model({"tokens": tokens, "image_features": features}, outputs, name=name)


def _head(x, *, hidden_units, dropout, prefix):
    """`{prefix}_head_dense` (ReLU), then `blocks.softmax_head`'s dropout and float32 softmax."""
    x = keras.layers.Dense(hidden_units, activation="relu", name=f"{prefix}_head_dense")(x)
    return blocks.softmax_head(x, hidden_units=0, dropout=dropout, prefix=prefix)


def check_loss_weights(loss_weights: dict) -> dict[str, float]:
    """All three heads' weights: named ones as given, the others 0.0.

    Raises:
        ValueError: for an unknown head name, a negative or non-finite weight, or all zeros.
    """
    if not isinstance(loss_weights, dict):
        raise ValueError(
            f"loss_weights must be a dict keyed by {OUTPUT_NAMES}. Received: {loss_weights!r}"
        )
    unknown = [k for k in loss_weights if k not in OUTPUT_NAMES]
    if unknown:
        raise ValueError(
            f"Unknown heads in loss_weights; the heads are {OUTPUT_NAMES}. Received: {unknown}"
        )
    weights = {name: float(loss_weights.get(name, 0.0)) for name in OUTPUT_NAMES}
    bad = {k: v for k, v in weights.items() if not math.isfinite(v) or v < 0.0}
    if bad:
        raise ValueError(f"Loss weights must be finite and non-negative. Received: {bad}")
    if not any(weights.values()):
        raise ValueError(f"At least one loss weight must be positive. Received: {loss_weights}")
    return weights


def compile_multitask(
    model: keras.Model, *, loss_weights: dict | None = None, learning_rate: float = 2e-3
) -> keras.Model:
    """Adam, one sparse cross-entropy per head, weighted; accuracy per head (keywords only).

    `loss_weights` defaults to `DEFAULT_LOSS_WEIGHTS` (auxiliary heads at half weight); a head
    it does not name gets weight 0 (its loss is computed and reported, never trained).
    """
    weights = check_loss_weights(DEFAULT_LOSS_WEIGHTS if loss_weights is None else loss_weights)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss={name: keras.losses.SparseCategoricalCrossentropy() for name in OUTPUT_NAMES},
        loss_weights=weights,
        metrics={
            name: [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
            for name in OUTPUT_NAMES
        },
    )
    return model
