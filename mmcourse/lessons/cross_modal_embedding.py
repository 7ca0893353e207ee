"""Lesson 05's experiment: three ways to embed text and images, and what each space can do.

The notebook spells every step out with these functions and those of the modules beside this
one; `run_experiment` runs them all with the same `Settings` (`SETTINGS`: fast and full mode),
and `lesson_claims` (in `mmcourse.lessons.cross_modal_embedding_claims`) turns the scores into
the sentences the lesson teaches, which the notebook checks with `mmcourse.claims`.

- `train_autoencoders`: two separate autoencoders (text, image), each with its own code.
- `train_bimodal_autoencoder`: one shared code, both reconstructions, modality dropout.
- `train_dual_encoder`: CLIP-style towers and symmetric InfoNCE (optionally with a modality
  adversary, the advanced section). `train_models` trains the four models of `MODELS`.
- What the models read and rebuild (`bag_of_words`, `one_modality_at_a_time`) is in
  `mmcourse.lessons.cross_modal_embedding_inputs`; reading and scoring a space
  (`embed_splits`, `retrieval_table`, `cross_modal_transfer`, ...) is in
  `mmcourse.lessons.cross_modal_embedding_space`; `cross_modal_embedding_plots` draws it.
- `summarize` scores one model's space; `run_experiment` trains and scores all four and
  returns a `LessonResult` with the test split's majority rates (`majority_rates`) as measures.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from mmcourse.arguments import check_positive_int
from mmcourse.evaluate import Evaluation, evaluate
from mmcourse.experiment import LessonResult
from mmcourse.fusion_data import FusionData, prepare_fusion_data
from mmcourse.lessons.cross_modal_embedding_inputs import (
    INPUTS,
    bag_of_words,
    one_modality_at_a_time,
    reconstruction_targets,
)
from mmcourse.lessons.cross_modal_embedding_space import (
    KS,
    cross_modal_transfer,
    discriminator_accuracy,
    embed_splits,
    retrieval_table,
    transfer_predictions,
)
from mmcourse.models import contrastive, embedding
from mmcourse.settings import ByMode, TrainSettings
from mmcourse.train import train, training_details

MODELS = ("autoencoder pair", "bimodal autoencoder", "dual encoder", "dual encoder + adversary")


@dataclasses.dataclass(frozen=True)
class Settings(TrainSettings):
    """Lesson 05's hyper-parameters (`learning_rate` 2e-3 and `seed` for every model).

    `epochs`, `batch_size` are the autoencoders' (at most `epochs`, early stopping on
    validation loss after `patience` epochs); the dual encoders train for at most
    `contrastive_epochs` in batches of `contrastive_batch_size` (each text against the other
    images of its batch). `modality_dropout`: the bimodal autoencoder's (1.0: every training
    post shows one modality and must rebuild both); `adversary_scale`: the gradient reversal's
    λ of the dual encoder + adversary; `ks`: the K of the Recall@K tables (5 must be one).
    """

    contrastive_epochs: int = 40
    contrastive_batch_size: int = 128
    modality_dropout: float = 1.0
    adversary_scale: float = 1.0
    ks: tuple[int, ...] = KS

    def __post_init__(self):
        super().__post_init__()
        for name in ("contrastive_epochs", "contrastive_batch_size"):
            check_positive_int(getattr(self, name), name)
        if not 0.0 <= self.modality_dropout <= 1.0 or 5 not in self.ks:
            raise ValueError(
                "Need 0 <= modality_dropout <= 1 and 5 among ks (the lesson reports R@5). "
                f"Received: modality_dropout={self.modality_dropout}, ks={self.ks}"
            )


# Autoencoders: 4 epochs in fast mode, at most 30 (early stopping) in full mode; dual encoders:
# at most 12 in fast mode, 40 in full mode.
SETTINGS = ByMode(
    fast=Settings(epochs=4, contrastive_epochs=12), full=Settings(epochs=30, contrastive_epochs=40)
)


def _settings(settings: Settings | None) -> Settings:
    return SETTINGS.for_mode() if settings is None else settings


def _fit(model, loss, train_xy, val_xy, settings: Settings, *, contrastive: bool = False):
    """Compile (Adam), then `mmcourse.train.train` (early stopping on validation loss), with
    the autoencoders' epochs and batch size, or the dual encoders' when `contrastive`."""
    import tensorflow as tf  # the input pipeline only; the models stay backend-agnostic

    epochs, batch_size = (
        (settings.contrastive_epochs, settings.contrastive_batch_size)
        if contrastive
        else (settings.epochs, settings.batch_size)
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate), loss=loss)
    rows = len(keras.tree.flatten(train_xy[0])[0])
    train_ds = tf.data.Dataset.from_tensor_slices(train_xy).shuffle(rows, seed=settings.seed)
    val_ds = tf.data.Dataset.from_tensor_slices(val_xy).batch(batch_size)
    return train(
        model,
        train_ds.batch(batch_size),
        validation_data=val_ds,
        epochs=epochs,
        patience=settings.patience,
        verbose=0,
    )


def _pair_details(models, histories) -> dict:
    """`training_details` of two models trained one after the other, as one recipe: both
    parameter counts and both training times summed, the longer training's epochs."""
    parts = [training_details(m, h) for m, h in zip(models, histories)]
    return {
        **training_details(models[0], seconds=sum(h.seconds for h in histories)),
        "params": sum(part["params"] for part in parts),
        "epochs": max(part["epochs"] for part in parts),
    }


def train_autoencoders(data: FusionData, *, settings: Settings | None = None):
    """Two unimodal autoencoders, trained separately; `((text_ae, image_ae), details)`."""
    settings = _settings(settings)
    keras.utils.set_random_seed(settings.seed)
    v = data.vocabulary_size
    models = (
        embedding.build_text_autoencoder(vocabulary_size=v),
        embedding.build_image_autoencoder(),
    )
    t, f = (
        {s: data.inputs(s, INPUTS)[name] for s in ("train", "val")}
        for name in ("tokens", "image_features")
    )
    histories = [
        _fit(
            models[0],
            "binary_crossentropy",
            (t["train"], bag_of_words(t["train"], v)),
            (t["val"], bag_of_words(t["val"], v)),
            settings,
        ),
        _fit(models[1], "mse", (f["train"], f["train"]), (f["val"], f["val"]), settings),
    ]
    return models, _pair_details(models, histories)


def train_bimodal_autoencoder(data: FusionData, *, settings: Settings | None = None):
    """The shared-bottleneck autoencoder (`settings.modality_dropout`); `(model, details)`."""
    settings = _settings(settings)
    keras.utils.set_random_seed(settings.seed)
    model = embedding.build_bimodal_autoencoder(
        vocabulary_size=data.vocabulary_size,
        modality_dropout=settings.modality_dropout,
        seed=settings.seed,
    )
    loss = {"text_reconstruction": "binary_crossentropy", "image_reconstruction": "mse"}
    train_xy = (data.inputs("train", INPUTS), reconstruction_targets(data, "train"))
    history = _fit(model, loss, train_xy, one_modality_at_a_time(data, "val"), settings)
    return model, training_details(model, history)


def train_dual_encoder(
    data: FusionData, *, adversarial: bool = False, settings: Settings | None = None
):
    """The contrastive dual encoder; `(model, details)`. With `adversarial`, a modality
    discriminator behind a gradient reversal of scale `settings.adversary_scale`."""
    settings = _settings(settings)
    keras.utils.set_random_seed(settings.seed)
    model = embedding.build_dual_encoder(vocabulary_size=data.vocabulary_size)
    loss = contrastive.SymmetricInfoNCE()
    if adversarial:
        model = embedding.add_modality_discriminator(model, scale=settings.adversary_scale)
        loss = {"contrastive_logits": loss, "modality_logits": contrastive.ModalityAdversaryLoss()}

    def pairs(split):  # the pairing is the label: the targets are placeholders
        zeros = np.zeros(len(data.labels(split)), "float32")
        return data.inputs(split, INPUTS), {n: zeros for n in loss} if adversarial else zeros

    history = _fit(model, loss, pairs("train"), pairs("val"), settings, contrastive=True)
    return model, training_details(model, history)


def train_models(data: FusionData, *, settings: Settings | None = None) -> dict:
    """`{name: (model, details)}` for the four models of `MODELS`, trained as in the lesson."""
    settings = _settings(settings)
    return {
        MODELS[0]: train_autoencoders(data, settings=settings),
        MODELS[1]: train_bimodal_autoencoder(data, settings=settings),
        MODELS[2]: train_dual_encoder(data, settings=settings),
        MODELS[3]: train_dual_encoder(data, adversarial=True, settings=settings),
    }


def summarize(
    name, model, details, data: FusionData, *, settings: Settings | None = None
) -> tuple[list[Evaluation], dict]:
    """A model's sentiment-transfer `Evaluation`s (text-trained and image-trained, on test
    images, scored on `image_label`) and its measured numbers (retrieval, place transfer,
    modality probe) as a dict, also stored in each `Evaluation.details`."""
    space = embed_splits(model, data)
    table = retrieval_table(space, data, ks=_settings(settings).ks)
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


def majority_rates(data: FusionData, split: str = "test") -> dict[str, float]:
    """The share of `split`'s most common place and of its most common `image_label`: what
    always answering one class scores (the claims' baselines), as `LessonResult` measures.

    Rounded to 4 decimals, as `Evaluation.accuracy` is: a classifier that answers the majority
    class for every post then scores exactly the rate, not 0.5643 against 0.564274."""
    places = data.splits[split].frame["place"].value_counts(normalize=True)
    truth = np.asarray(data.labels(split, "image_label"))
    return {
        "majority_place_rate": round(float(places.max()), 4),
        "majority_image_label_rate": round(float(np.bincount(truth).max() / len(truth)), 4),
    }


def run_experiment(data: FusionData | None = None, *, settings: Settings | None = None):
    """Train the lesson's four models and score each one's space (see `summarize`).

    `data`: default `prepare_fusion_data(with_pixels=False)` (the models read the image
    features); `settings`: default `SETTINGS.for_mode()`. Returns a `LessonResult`: two
    `Evaluation`s per model of `MODELS` (text-trained and image-trained, on test images) and
    the measures of `majority_rates`.
    """
    settings = _settings(settings)
    data = prepare_fusion_data(with_pixels=False) if data is None else data
    evaluations = []
    for name, (model, details) in train_models(data, settings=settings).items():
        evaluations += summarize(name, model, details, data, settings=settings)[0]
    return LessonResult.of(evaluations, settings=settings, **majority_rates(data))


def lesson_claims(result: LessonResult):
    """The lesson's claims on `result` (see `cross_modal_embedding_claims.lesson_claims`)."""
    from mmcourse.lessons import cross_modal_embedding_claims  # it imports this module

    return cross_modal_embedding_claims.lesson_claims(result)
