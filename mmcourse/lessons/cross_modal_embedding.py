"""Lesson 05's experiment: three ways to embed text and images, and what each space can do.

The notebook spells every step out with these functions; `run_experiment` runs them all with
the same settings, and `mmcourse.lessons.cross_modal_embedding_claims` turns the scores into the sentences the
lesson teaches, which the notebook checks with `mmcourse.claims`.

- `train_autoencoders`: two separate autoencoders (text, image), each with its own code.
- `train_bimodal_autoencoder`: one shared code, both reconstructions, modality dropout.
- `train_dual_encoder`: CLIP-style towers and symmetric InfoNCE (optionally with a modality
  adversary, the advanced section).
- `embed_splits` maps each split's texts and images into a model's space, each modality on
  its own; `retrieval_table` and `cross_modal_transfer` read those embeddings (NumPy and
  scikit-learn, no training; the metrics are in `mmcourse.models.contrastive`), and
  `mmcourse.lessons.cross_modal_embedding_plots` draws them.
- `summarize` scores one model's space; `run_experiment` trains and scores all four.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from mmcourse import runtime
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.fusion_data import FusionData
from mmcourse.models import contrastive, embedding
from mmcourse.train import train

LEARNING_RATE = 2e-3
BATCH_SIZE = 64  # autoencoders
CONTRASTIVE_BATCH_SIZE = 128  # each text against the 127 other images of its batch
MODALITY_DROPOUT = 1.0  # every training post shows one modality and must rebuild both
ADVERSARY_SCALE = 1.0
KS = (1, 5, 10)
SPLITS = ("train", "test")
TASKS = {"sentiment": ("text_label", "image_label"), "place": ("place", "place")}


def epochs() -> int:
    """Autoencoders: 4 in fast mode, at most 30 (early stopping) in full mode."""
    return runtime.fast_or_full(4, 30)


def contrastive_epochs() -> int:
    """Dual encoders: at most 12 in fast mode, 40 in full mode (early stopping)."""
    return runtime.fast_or_full(12, 40)


def bag_of_words(tokens, vocabulary_size: int) -> np.ndarray:
    """Multi-hot (num_texts, vocabulary_size) float32: which words a text uses.

    Ids 0 (padding) and 1 (out of vocabulary) are left out: they say nothing about the text.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or (tokens.size and (tokens.min() < 0 or tokens.max() >= vocabulary_size)):
        raise ValueError(
            f"tokens must be (num_texts, length) ids in [0, {vocabulary_size}). "
            f"Received: shape={tokens.shape}"
        )
    words = np.zeros((len(tokens), vocabulary_size), "float32")
    words[np.repeat(np.arange(len(tokens)), tokens.shape[1]), tokens.ravel()] = 1.0
    words[:, :2] = 0.0
    return words


def _fit(model, loss, train_xy, val_xy, *, num_epochs, batch_size, seed):
    """Compile (Adam), then `mmcourse.train.train` (early stopping on validation loss)."""
    import tensorflow as tf  # the input pipeline only; the models stay backend-agnostic

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), loss=loss)
    rows = len(keras.tree.flatten(train_xy[0])[0])
    train_ds = tf.data.Dataset.from_tensor_slices(train_xy).shuffle(rows, seed=seed)
    val_ds = tf.data.Dataset.from_tensor_slices(val_xy).batch(batch_size)
    return train(model, train_ds.batch(batch_size), validation_data=val_ds, epochs=num_epochs,
                 verbose=0)  # fmt: skip


def _details(models, histories):
    return {
        "params": int(sum(m.count_params() for m in models)),
        "train_seconds": round(sum(h.seconds for h in histories), 1),
        "epochs": max(len(h.history["loss"]) for h in histories),
    }


def _pairs(data, split):
    return data.inputs(split, ("tokens", "image_features"))


def train_autoencoders(data: FusionData, *, seed: int = 0, num_epochs: int | None = None):
    """Two unimodal autoencoders, trained separately; `((text_ae, image_ae), details)`."""
    keras.utils.set_random_seed(seed)
    v, settings = data.vocabulary_size, dict(num_epochs=num_epochs or epochs(),
                                             batch_size=BATCH_SIZE, seed=seed)  # fmt: skip
    models = (embedding.build_text_autoencoder(vocabulary_size=v),
              embedding.build_image_autoencoder())  # fmt: skip
    t, f = ({s: _pairs(data, s)[name] for s in ("train", "val")}
            for name in ("tokens", "image_features"))  # fmt: skip
    histories = [
        _fit(models[0], "binary_crossentropy", (t["train"], bag_of_words(t["train"], v)),
             (t["val"], bag_of_words(t["val"], v)), **settings),
        _fit(models[1], "mse", (f["train"], f["train"]), (f["val"], f["val"]), **settings),
    ]  # fmt: skip
    return models, _details(models, histories)


def _reconstruction_targets(data, split):
    part = _pairs(data, split)
    return {
        "text_reconstruction": bag_of_words(part["tokens"], data.vocabulary_size),
        "image_reconstruction": part["image_features"],
    }


def one_modality_at_a_time(data: FusionData, split: str) -> tuple[dict, dict]:
    """Inputs and reconstruction targets with every post twice: text alone, image alone.

    What the bimodal autoencoder is validated on: the way it is used (one modality in, both
    out), not on both inputs at once, which it never sees when `modality_dropout=1.0`.
    """
    part, targets = _pairs(data, split), _reconstruction_targets(data, split)
    blank = {name: np.zeros_like(array) for name, array in part.items()}
    inputs = {
        name: np.concatenate([part[name], blank[name]] if name == "tokens" else
                             [blank[name], part[name]])
        for name in part
    }  # fmt: skip
    return inputs, {name: np.concatenate([t, t]) for name, t in targets.items()}


def train_bimodal_autoencoder(data: FusionData, *, modality_dropout: float = MODALITY_DROPOUT,
                              seed: int = 0, num_epochs: int | None = None):  # fmt: skip
    """The shared-bottleneck autoencoder; `(model, details)`."""
    keras.utils.set_random_seed(seed)
    model = embedding.build_bimodal_autoencoder(
        vocabulary_size=data.vocabulary_size, modality_dropout=modality_dropout, seed=seed
    )
    loss = {"text_reconstruction": "binary_crossentropy", "image_reconstruction": "mse"}
    history = _fit(model, loss, (_pairs(data, "train"), _reconstruction_targets(data, "train")),
                   one_modality_at_a_time(data, "val"), num_epochs=num_epochs or epochs(),
                   batch_size=BATCH_SIZE, seed=seed)  # fmt: skip
    return model, _details([model], [history])


def train_dual_encoder(data: FusionData, *, adversary_scale: float | None = None, seed: int = 0,
                       num_epochs: int | None = None):  # fmt: skip
    """The contrastive dual encoder (with a modality adversary if `adversary_scale`)."""
    keras.utils.set_random_seed(seed)
    model = embedding.build_dual_encoder(vocabulary_size=data.vocabulary_size)
    loss = contrastive.SymmetricInfoNCE()
    if adversary_scale is not None:
        model = embedding.add_modality_discriminator(model, scale=adversary_scale)
        loss = {"contrastive_logits": loss, "modality_logits": contrastive.ModalityAdversaryLoss()}

    def pairs(split):  # the pairing is the label: the targets are placeholders
        zeros = np.zeros(len(data.labels(split)), "float32")
        return _pairs(data, split), zeros if adversary_scale is None else {n: zeros for n in loss}

    history = _fit(model, loss, pairs("train"), pairs("val"),
                   num_epochs=num_epochs or contrastive_epochs(),
                   batch_size=CONTRASTIVE_BATCH_SIZE, seed=seed)  # fmt: skip
    return model, _details([model], [history])


def embed(model, data: FusionData, split: str) -> tuple[np.ndarray, np.ndarray]:
    """`(text_embeddings, image_embeddings)` of one split, each modality embedded ALONE.

    The autoencoder pair gives each modality's own code; the bimodal autoencoder gives the
    shared code with the other modality blanked (all-padding tokens, zero features); the dual
    encoder gives each tower's unit vector.
    """
    part = _pairs(data, split)
    tokens, features = part["tokens"], part["image_features"]
    if isinstance(model, (tuple, list)):
        ends = [next(x for x in m.layers if x.name.endswith("_code")) for m in model]
        codes = [keras.Model(m.inputs[0], end.output) for m, end in zip(model, ends)]
        pairs = [(codes[0], tokens), (codes[1], features)]
    elif "bimodal_code" in [layer.name for layer in model.layers]:
        codes = _call(embedding.shared_code_model(model), one_modality_at_a_time(data, split)[0])
        return codes[: len(tokens)], codes[len(tokens) :]
    else:
        pairs = [(embedding.text_embedder(model), tokens),
                 (embedding.image_embedder(model), features)]  # fmt: skip
    return tuple(_call(m, x) for m, x in pairs)


def _call(model, inputs):
    """The model called once on all rows (no `predict`: it would retrace for every new model)."""
    outputs = model(inputs, training=False)
    return keras.tree.map_structure(lambda x: np.asarray(keras.ops.convert_to_numpy(x)), outputs)


def embed_splits(model, data: FusionData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """`{"train": (text, image), "test": (text, image)}` embeddings (see `embed`)."""
    return {split: embed(model, data, split) for split in SPLITS}


def scene_keys(frame: pd.DataFrame) -> np.ndarray:
    """Place and set of objects of each post ("beach|cake;dog"): what both modalities show."""
    objects = frame["objects"].fillna("").map(lambda s: ";".join(sorted(s.split(";"))))
    return (frame["place"].astype(str) + "|" + objects).to_numpy()


def retrieval_table(space, data: FusionData, *, split: str = "test", ks=KS) -> pd.DataFrame:
    """Recall@K text -> image and image -> text for the post's own item and for any post of
    the same scene (place and objects), each next to the recall of a random ranking."""
    keys = scene_keys(data.splits[split].frame)
    same = keys[:, None] == keys[None, :]
    return pd.concat([
        contrastive.retrieval_report(*space[split], ks=ks),
        contrastive.retrieval_report(*space[split], ks=ks, relevant=same, suffix=", same scene"),
    ]).round(4)  # fmt: skip


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
    scores = {k: float(np.mean(p == (text_truth if k.endswith("texts") else truth)))
              for k, p in predictions.items()}  # fmt: skip
    scores["balanced, text-trained on images"] = balanced_accuracy_score(truth, transferred)
    return {**scores, "majority class": counts.max() / counts.sum(), "chance": 1 / len(counts)}


def discriminator_accuracy(model, data: FusionData, split: str = "test") -> float:
    """How often the adversarial model's own modality discriminator is right (0.5 = fooled)."""
    logits = _call(model, _pairs(data, split))["modality_logits"]
    return float(np.mean(np.concatenate([logits[:, 0] < 0, logits[:, 1] > 0])))


MODELS = ("autoencoder pair", "bimodal autoencoder", "dual encoder", "dual encoder + adversary")


def train_models(data: FusionData, *, seed: int = 0) -> dict:
    """`{name: (model, details)}` for the four models of `MODELS`, trained as in the lesson."""
    return {
        MODELS[0]: train_autoencoders(data, seed=seed),
        MODELS[1]: train_bimodal_autoencoder(data, seed=seed),
        MODELS[2]: train_dual_encoder(data, seed=seed),
        MODELS[3]: train_dual_encoder(data, adversary_scale=ADVERSARY_SCALE, seed=seed),
    }


def summarize(name, model, details, data: FusionData) -> tuple[list[Evaluation], dict]:
    """A model's sentiment-transfer `Evaluation`s (text-trained and image-trained, on test
    images, scored on `image_label`) and its measured numbers (retrieval, place transfer,
    modality probe) as a dict, also stored in each `Evaluation.details`."""
    space = embed_splits(model, data)
    table = retrieval_table(space, data)
    predictions = transfer_predictions(space, data, task="sentiment")
    sentiment = cross_modal_transfer(space, data, task="sentiment", predictions=predictions)
    place = cross_modal_transfer(space, data, task="place")
    numbers = {
        "R@5 text->image": table.loc["text -> image", "R@5"],
        "R@5 image->text": table.loc["image -> text", "R@5"],
        "R@5 chance": table.loc["chance", "R@5"],
        "R@5 same scene text->image": table.loc["text -> image, same scene", "R@5"],
        "place transfer": place["text-trained, on images"],
        "sentiment transfer balanced": sentiment["balanced, text-trained on images"],
        "modality probe": contrastive.modality_probe_accuracy(space["train"], space["test"]),
    }
    if not isinstance(model, (tuple, list)) and "modality_logits" in model.output_names:
        numbers["discriminator accuracy"] = discriminator_accuracy(model, data)
    test = data.splits["test"]
    evaluations = [
        evaluate(test, predictions[how], name=f"{name}: {how}", label_column="image_label")
        for how in ("text-trained, on images", "image-trained, on images")
    ]
    for e in evaluations:
        e.details = {**details, **{k: round(float(v), 4) for k, v in numbers.items()}}
    return evaluations, numbers


def run_experiment(data: FusionData, *, seed: int = 0) -> list[Evaluation]:
    """Train the lesson's four models and score each one's space (see `summarize`)."""
    results = []
    for name, (model, details) in train_models(data, seed=seed).items():
        results += summarize(name, model, details, data)[0]
    return results
