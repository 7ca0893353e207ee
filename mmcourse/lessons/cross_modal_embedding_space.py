"""Lesson 05's spaces, read and scored: NumPy and scikit-learn on embeddings, no training.

A space is `{split: (text, image)}` embeddings, one row per post of the split, each modality
embedded on its own (`embed_splits`, for the splits of `EMBEDDED_SPLITS`). The metrics are in
`mmcourse.models.contrastive`; `mmcourse.lessons.cross_modal_embedding_plots` draws a space.

- `embed`, `embed_splits`: a trained model's space (any of the lesson's four kinds of model).
- `scene_keys`, `retrieval_table`: Recall@K of the post's own item and of its scene.
- `transfer_predictions`, `cross_modal_transfer`: a classifier trained on one modality's
  embeddings, applied to the other's (task `sentiment` or `place`, `TASKS`).
- `discriminator_accuracy`: how well the adversarial model's discriminator tells them apart.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from mmcourse.fusion_data import FusionData
from mmcourse.lessons.cross_modal_embedding_inputs import INPUTS, one_modality_at_a_time
from mmcourse.models import contrastive, embedding

EMBEDDED_SPLITS = ("train", "test")  # the probes train on train and are scored on test
TASKS = {"sentiment": ("text_label", "image_label"), "place": ("place", "place")}
KS = (1, 5, 10)  # the K of the Recall@K tables (`cross_modal_embedding.Settings.ks`'s default)


def embed(model, data: FusionData, split: str) -> tuple[np.ndarray, np.ndarray]:
    """`(text_embeddings, image_embeddings)` of one split, each modality embedded ALONE.

    The autoencoder pair gives each modality's own code; the bimodal autoencoder gives the
    shared code with the other modality blanked (all-padding tokens, zero features); the dual
    encoder gives each tower's unit vector.
    """
    part = data.inputs(split, INPUTS)
    tokens, features = part["tokens"], part["image_features"]
    if isinstance(model, (tuple, list)):
        ends = [next(x for x in m.layers if x.name.endswith("_code")) for m in model]
        codes = [keras.Model(m.inputs[0], end.output) for m, end in zip(model, ends)]
        pairs = [(codes[0], tokens), (codes[1], features)]
    elif "bimodal_code" in [layer.name for layer in model.layers]:
        codes = _call(embedding.shared_code_model(model), one_modality_at_a_time(data, split)[0])
        return codes[: len(tokens)], codes[len(tokens) :]
    else:
        pairs = [
            (embedding.text_embedder(model), tokens),
            (embedding.image_embedder(model), features),
        ]
    return tuple(_call(m, x) for m, x in pairs)


def _call(model, inputs):
    """The model called once on all rows (no `predict`: it would retrace for every new model)."""
    outputs = model(inputs, training=False)
    return keras.tree.map_structure(lambda x: np.asarray(keras.ops.convert_to_numpy(x)), outputs)


def embed_splits(model, data: FusionData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """`{"train": (text, image), "test": (text, image)}` embeddings (see `embed`), one per
    split of `EMBEDDED_SPLITS`."""
    return {split: embed(model, data, split) for split in EMBEDDED_SPLITS}


def scene_keys(frame: pd.DataFrame) -> np.ndarray:
    """Place and set of objects of each post ("beach|cake;dog"): what both modalities show."""
    objects = frame["objects"].fillna("").map(lambda s: ";".join(sorted(s.split(";"))))
    return (frame["place"].astype(str) + "|" + objects).to_numpy()


def retrieval_table(space, data: FusionData, *, split: str = "test", ks=None) -> pd.DataFrame:
    """Recall@K text -> image and image -> text for the post's own item and for any post of
    the same scene (place and objects), each next to the recall of a random ranking.

    `ks`: the K of the columns (default `KS`, 1, 5 and 10, as `cross_modal_embedding.SETTINGS`
    in both modes)."""
    ks = KS if ks is None else ks
    keys = scene_keys(data.splits[split].frame)
    same = keys[:, None] == keys[None, :]
    return pd.concat(
        [
            contrastive.retrieval_report(*space[split], ks=ks),
            contrastive.retrieval_report(
                *space[split], ks=ks, relevant=same, suffix=", same scene"
            ),
        ]
    ).round(4)


def _targets(data, split, column):
    if column in ("label", "text_label", "image_label"):
        return data.labels(split, column)
    return data.splits[split].frame[column].to_numpy()


def transfer_predictions(space, data: FusionData, *, task: str = "sentiment") -> dict:
    """Predictions on the test split of two classifiers trained on the train split:

    - `text-trained, on images`: trained on TEXT embeddings (sentiment: `text_label`, what
      the text says), applied unchanged (its scaler too) to IMAGE embeddings;
    - `image-trained, on images`: trained on image embeddings (`image_label`), the reference;
    - `text-trained, on texts`: the first one on the texts it was made for.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}. Received: task={task!r}")
    text_column, image_column = TASKS[task]
    on_text = contrastive.linear_probe(space["train"][0], _targets(data, "train", text_column))
    on_image = contrastive.linear_probe(space["train"][1], _targets(data, "train", image_column))
    text, image = space["test"]
    return {
        "text-trained, on images": on_text.predict(image),
        "image-trained, on images": on_image.predict(image),
        "text-trained, on texts": on_text.predict(text),
    }


def cross_modal_transfer(space, data: FusionData, *, task: str = "sentiment", predictions=None):
    """Accuracies of `transfer_predictions` (computed unless given) and the baselines.

    Images are scored against their own label (`image_label` for sentiment, `place`), texts
    against theirs. `balanced, text-trained on images` is the mean recall over classes, which
    is 1 / num_classes for any classifier that ignores its input (`chance`); `majority class`
    is the accuracy of always answering the test split's most common image class.
    """
    from sklearn.metrics import balanced_accuracy_score

    predictions = predictions or transfer_predictions(space, data, task=task)
    text_column, image_column = TASKS[task]
    truth = _targets(data, "test", image_column)
    text_truth = _targets(data, "test", text_column)
    _, counts = np.unique(truth, return_counts=True)
    transferred = predictions["text-trained, on images"]
    scores = {
        k: float(np.mean(p == (text_truth if k.endswith("texts") else truth)))
        for k, p in predictions.items()
    }
    scores["balanced, text-trained on images"] = balanced_accuracy_score(truth, transferred)
    return {**scores, "majority class": counts.max() / counts.sum(), "chance": 1 / len(counts)}


def discriminator_accuracy(model, data: FusionData, split: str = "test") -> float:
    """How often the adversarial model's own modality discriminator is right (0.5 = fooled)."""
    logits = _call(model, data.inputs(split, INPUTS))["modality_logits"]
    return float(np.mean(np.concatenate([logits[:, 0] < 0, logits[:, 1] > 0])))
