"""Lesson 05's settings, training bookkeeping and experiment, on untrained models (its inputs,
spaces, plots and claims have test modules of their own: test_cross_modal_embedding_*.py)."""

import dataclasses
from types import SimpleNamespace

import keras
import numpy as np
import pytest

from mmcourse.evaluate import evaluate
from mmcourse.lessons import cross_modal_embedding as lesson
from mmcourse.models import embedding

WAYS = ("text-trained, on images", "image-trained, on images")


def test_settings_in_fast_and_full_mode(monkeypatch):
    fast, full = lesson.SETTINGS.fast, lesson.SETTINGS.full
    assert (fast.epochs, fast.contrastive_epochs) == (4, 12)
    assert (full.epochs, full.contrastive_epochs) == (30, 40)
    for settings in (fast, full):
        assert (settings.batch_size, settings.contrastive_batch_size) == (64, 128)
        assert (settings.learning_rate, settings.patience, settings.seed) == (2e-3, 3, 0)
        assert (settings.modality_dropout, settings.adversary_scale) == (1.0, 1.0)
        assert settings.ks == (1, 5, 10)
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert lesson.SETTINGS.for_mode() is fast
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    assert lesson.SETTINGS.for_mode() is full


def test_settings_reject_bad_values():
    with pytest.raises(ValueError, match="Received: contrastive_batch_size=0"):
        dataclasses.replace(lesson.SETTINGS.fast, contrastive_batch_size=0)
    with pytest.raises(ValueError, match="Received: modality_dropout=1.5"):
        dataclasses.replace(lesson.SETTINGS.fast, modality_dropout=1.5)
    with pytest.raises(ValueError, match="ks=\\(1, 10\\)"):
        dataclasses.replace(lesson.SETTINGS.fast, ks=(1, 10))


def test_pair_details_sum_parameters_and_seconds_and_keep_the_longest_epochs():
    model = embedding.build_image_autoencoder(code_dim=4)
    histories = [
        SimpleNamespace(seconds=1.26, history={"loss": [3.0, 2.0, 1.0]}),
        SimpleNamespace(seconds=2.0, history={"loss": [3.0, 2.0]}),
    ]
    details = lesson._pair_details([model, model], histories)
    assert details == {"params": 2 * model.count_params(), "train_seconds": 3.3, "epochs": 3}
    assert details["params"] > 0


def test_majority_rates_of_the_test_split(fusion_data):
    rates = lesson.majority_rates(fusion_data)
    truth = fusion_data.labels("test", "image_label")
    places = fusion_data.splits["test"].frame["place"]
    assert rates["majority_image_label_rate"] == round(np.bincount(truth).max() / len(truth), 4)
    assert rates["majority_place_rate"] == round(places.value_counts().max() / len(places), 4)
    # On the accuracy's scale: answering the majority class everywhere scores the rate exactly.
    majority = np.full(len(truth), np.bincount(truth).argmax())
    always = evaluate(fusion_data.splits["test"], np.eye(3)[majority], label_column="image_label")
    assert always.accuracy == rates["majority_image_label_rate"]


def test_run_experiment_scores_every_model_with_its_numbers(fusion_data, monkeypatch):
    """`run_experiment` on the four kinds of model, untrained (`train_models` replaced)."""
    keras.utils.set_random_seed(0)
    v = fusion_data.vocabulary_size
    models = (
        (
            embedding.build_text_autoencoder(vocabulary_size=v, code_dim=6),
            embedding.build_image_autoencoder(code_dim=6),
        ),
        embedding.build_bimodal_autoencoder(vocabulary_size=v, code_dim=6),
        embedding.build_dual_encoder(vocabulary_size=v, embedding_dim=6),
        embedding.add_modality_discriminator(
            embedding.build_dual_encoder(vocabulary_size=v, embedding_dim=6), scale=1.0
        ),
    )
    fake = {
        name: (model, {"params": 7, "train_seconds": 0.5, "epochs": 2})
        for name, model in zip(lesson.MODELS, models)
    }
    trained_with = []

    def train_models(data, settings=None):
        trained_with.append(settings)
        return fake

    monkeypatch.setattr(lesson, "train_models", train_models)
    settings = dataclasses.replace(lesson.SETTINGS.fast, seed=3)
    result = lesson.run_experiment(fusion_data, settings=settings)
    assert trained_with == [settings] and result.settings is settings
    assert result.measures == lesson.majority_rates(fusion_data)
    results = {e.name: e for e in result.evaluations}
    assert list(results) == [f"{m}: {w}" for m in lesson.MODELS for w in WAYS]
    for name, evaluation in results.items():
        keys = {
            "params",
            "train_seconds",
            "epochs",
            "R@5 text->image",
            "R@5 image->text",
            "R@5 chance",
            "R@5 same scene text->image",
            "place transfer",
            "sentiment transfer balanced",
            "modality probe",
        }
        assert keys <= set(evaluation.details) and evaluation.details["params"] == 7
        has_discriminator = name.startswith("dual encoder + adversary")
        assert ("discriminator accuracy" in evaluation.details) == has_discriminator
        assert 0.0 <= evaluation.accuracy <= 1.0
    assert results["dual encoder: text-trained, on images"].details["R@5 chance"] == round(
        5 / len(fusion_data.labels("test")), 4
    )
