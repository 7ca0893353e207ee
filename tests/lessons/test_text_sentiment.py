"""Lesson 03's settings, data handling and claims, on hand-made results (fast; nothing trains)."""

import dataclasses

import numpy as np
import pytest

from mmcourse import claims, constants
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons import text_sentiment


def _evaluation(name, *, negation, text_neutral=0.01, conflict=0.03):
    per_phenomenon = {"negation": negation, "text_neutral": text_neutral, "conflict": conflict}
    return Evaluation(name, 0.6, 0.6, per_phenomenon, np.zeros((3, 3)), constants.CLASS_NAMES, "")


def _result(**changes):
    """A lesson 03 result whose claims hold; `changes` maps a model to its per-phenomenon
    values to replace."""
    scores = {
        "bag_of_embeddings": {"negation": 0.51},
        "text_cnn": {"negation": 0.97},
        "text_bilstm": {"negation": 0.96},
        text_sentiment.PRETRAINED_NAME: {"negation": 0.97},
        "lexicon rules": {"negation": 0.86, "text_neutral": 0.5, "conflict": 0.5},
    }
    for name, values in changes.items():
        scores[name] = {**scores[name], **values}
    return LessonResult.of([_evaluation(name, **values) for name, values in scores.items()])


def test_settings_keep_the_lesson_s_numbers():
    fast, full = text_sentiment.SETTINGS.fast, text_sentiment.SETTINGS.full
    assert (fast.epochs, full.epochs) == (3, 30)
    for settings in (fast, full):
        assert (settings.batch_size, settings.learning_rate, settings.patience) == (64, 5e-3, 3)
        assert settings.seed == 0
    assert text_sentiment.SEQUENCE_LENGTH == constants.SEQUENCE_LENGTH == 24
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.epochs = 4


def test_the_claims_hold_on_the_lesson_s_numbers_and_ignore_other_models():
    found = text_sentiment.lesson_claims(_result())
    assert len(found) == 4 and all(c.held for c in found)
    table = claims.check(found, lesson="03")
    assert table["held"].all()
    assert any("text_cnn" in text and "negation" in text for text in table.index)


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        # 0.64 < 0.51 + 0.15: text_cnn no longer 15 points above the bag on negation
        ({"text_cnn": {"negation": 0.64}}, "text_cnn beats"),
        ({"text_bilstm": {"negation": 0.64}}, "text_bilstm beats"),
        # a better bag of embeddings moves the bound for both
        ({"bag_of_embeddings": {"negation": 0.9}}, "beats bag_of_embeddings on negation"),
        ({"text_bilstm": {"text_neutral": 0.2}}, "text_neutral"),  # below 0.2, strictly
        ({"bag_of_embeddings": {"conflict": 0.35}}, "conflict"),
    ],
)
def test_each_claim_fails_past_its_bound(changes, failing):
    found = text_sentiment.lesson_claims(_result(**changes))
    assert [c.text for c in found if not c.held] and all(
        failing in c.text for c in found if not c.held
    )
    with pytest.raises(claims.ClaimError, match=failing):
        claims.check(found, lesson="03")


def test_the_negation_margin_is_inclusive():
    found = text_sentiment.lesson_claims(_result(text_cnn={"negation": 0.51 + 0.15}))
    assert found[0].held


def test_claims_need_the_three_models_and_their_phenomena():
    result = _result()
    result.evaluations = [e for e in result if e.name != "text_bilstm"]
    with pytest.raises(ValueError, match="lacks \\['text_bilstm'\\]"):
        text_sentiment.lesson_claims(result)
    result = _result()
    result.evaluation("text_cnn").per_phenomenon.pop("conflict")
    with pytest.raises(ValueError, match="Received: per_phenomenon="):
        text_sentiment.lesson_claims(result)
    with pytest.raises(ValueError, match="Received: result of type list"):
        text_sentiment.lesson_claims(list(_result()))


def test_run_experiment_refuses_data_it_cannot_read():
    with pytest.raises(ValueError, match="Received: data of type str"):
        text_sentiment.run_experiment("moodposts.csv")


def test_prepare_takes_the_posts_of_fusion_data_and_of_a_dataset(fusion_data):
    from_fusion = text_sentiment.prepare(fusion_data)
    from_dataset = text_sentiment.prepare(fusion_data.splits["train"])
    for split, posts in zip(constants.SPLITS, from_fusion["splits"]):
        assert posts.frame["id"].tolist() == fusion_data.splits[split].frame["id"].tolist()
    assert from_dataset["splits"][0].frame["split"].eq("train").all()
    assert from_dataset["splits"][1].frame.empty
    vocabulary = from_fusion["vectorizer"].get_vocabulary()
    assert vocabulary == fusion_data.vectorizer.get_vocabulary()
    (tokens, labels) = next(iter(from_fusion["train"]))
    assert tuple(tokens["tokens"].shape) == (64, constants.SEQUENCE_LENGTH)
