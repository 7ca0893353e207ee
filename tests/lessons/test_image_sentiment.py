"""Lesson 04's recipes as functions (fit_recipe, learning_curve) on tiny random images, its
settings, and its claims on hand-made learning curves."""

import dataclasses

import numpy as np
import pytest

from mmcourse import claims
from mmcourse.experiment import LessonResult
from mmcourse.lessons import image_sentiment

ONE_EPOCH = dataclasses.replace(
    image_sentiment.SETTINGS.fast, epochs=1, curve_epochs=1, head_epochs=1, fine_tune_epochs=1
)


def _arrays(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 64, 64, 3), dtype="float32"), rng.integers(0, 3, n).astype("int32")


def test_settings_keep_the_lesson_s_numbers():
    fast, full = image_sentiment.SETTINGS.fast, image_sentiment.SETTINGS.full
    assert (fast.epochs, full.epochs) == (3, 10)
    assert (fast.fine_tune_epochs, full.fine_tune_epochs) == (2, 3)
    assert (fast.curve_sizes, full.curve_sizes) == ((100, 200), (100, 200, 1000))
    assert (fast.curve_epochs, full.curve_epochs) == (8, 30)
    for settings in (fast, full):
        assert (settings.learning_rate, settings.patience, settings.curve_patience) == (3e-3, 3, 5)
        assert (settings.head_learning_rate, settings.fine_tune_learning_rate) == (1e-2, 1e-4)
        assert (settings.batch_size, settings.head_epochs, settings.seed) == (64, 60, 0)
    with pytest.raises(ValueError, match="Received: curve_sizes=()"):
        dataclasses.replace(fast, curve_sizes=())
    with pytest.raises(ValueError, match="Received: curve_patience=-1"):
        dataclasses.replace(fast, curve_patience=-1)
    with pytest.raises(ValueError, match="fine_tune_epochs"):
        dataclasses.replace(fast, fine_tune_epochs=0)


def test_unknown_recipe_is_refused():
    with pytest.raises(ValueError, match="Received: recipe='imagenet'"):
        image_sentiment.fit_recipe("imagenet", _arrays(4), _arrays(4), settings=ONE_EPOCH)


@pytest.mark.parametrize("recipe", image_sentiment.RECIPES)
def test_each_recipe_trains_and_keeps_the_encoder_as_specified(recipe):
    model = image_sentiment.fit_recipe(recipe, _arrays(8), _arrays(4, seed=1), settings=ONE_EPOCH)
    assert model.output_shape == (None, 3)
    if recipe != "scratch":
        encoder = model.get_layer("image_encoder")
        assert encoder.trainable == (recipe == "fine-tuned")


def test_learning_curve_scores_every_recipe_at_every_size():
    curve = image_sentiment.learning_curve(
        _arrays(12), _arrays(4, seed=1), _arrays(6, seed=2), settings=ONE_EPOCH, sizes=(4, 12)
    )
    assert list(curve) == list(image_sentiment.RECIPES)
    for scores in curve.values():
        assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)
    table = image_sentiment.curve_table(curve, (4, 12))
    assert list(table.index) == [4, 12] and list(table.columns) == list(image_sentiment.RECIPES)
    with pytest.raises(ValueError, match="Received: recipes=\\('imagenet',\\)"):
        image_sentiment.learning_curve(
            _arrays(4), _arrays(4), _arrays(4), settings=ONE_EPOCH, recipes=("imagenet",)
        )


def _result(scratch=0.576, frozen=0.937, *, sizes=(100, 200)):
    """A learning curve as the notebook measures it in fast mode (200 images: the claim's)."""
    curve = {
        "scratch": [0.564] * (len(sizes) - 1) + [scratch],
        "frozen + linear": [0.908] * (len(sizes) - 1) + [frozen],
        "fine-tuned": [0.91] * len(sizes),
    }
    return LessonResult.of([], learning_curve=image_sentiment.curve_table(curve, sizes))


def test_the_claims_hold_on_the_lesson_s_numbers():
    found = image_sentiment.lesson_claims(_result())
    assert len(found) == 2 and all(c.held for c in found)
    assert all(c.text.startswith("with 200 labelled images") for c in found)
    assert claims.check(found, lesson="04")["held"].all()


@pytest.mark.parametrize(
    ("scratch", "frozen", "failing"),
    [
        (0.80, 0.95, "beats the CNN from scratch"),  # 0.95 is not > 0.80 + 0.15
        (0.50, 0.70, "scores above 80%"),  # 20 points above scratch, but not above 0.8
        (0.60, 0.80, "scores above 80%"),  # strictly above
    ],
)
def test_each_claim_fails_past_its_bound(scratch, frozen, failing):
    found = image_sentiment.lesson_claims(_result(scratch, frozen))
    assert [c.held for c in found if failing in c.text] == [False]
    with pytest.raises(claims.ClaimError, match=failing):
        claims.check(found, lesson="04")


def test_the_claim_reads_the_largest_size_of_at_most_200_images():
    # full mode's curve has no 200: the claim is read at 100 images, the 300 ignored
    curve = {"scratch": [0.56, 0.9, 0.95], "frozen + linear": [0.91, 0.92, 0.96]}
    table = image_sentiment.curve_table(curve, (100, 300, 1000))
    result = LessonResult.of([], learning_curve=table)
    found = image_sentiment.lesson_claims(result)
    assert all(c.text.startswith("with 100 labelled images") and c.held for c in found)
    # a dict {recipe: {size: accuracy}} (DataFrame.to_dict()) reads the same
    as_dict = LessonResult.of([], learning_curve=result.measures["learning_curve"].to_dict())
    assert image_sentiment.lesson_claims(as_dict) == found


def test_bad_learning_curves_are_refused():
    with pytest.raises(ValueError, match="Received: measures=\\[\\]"):
        image_sentiment.lesson_claims(LessonResult.of([]))
    with pytest.raises(ValueError, match="sizes=\\[300, 1000\\]"):
        image_sentiment.lesson_claims(_result(sizes=(300, 1000)))
    curve = _result().measures["learning_curve"].drop(columns="scratch")
    with pytest.raises(ValueError, match="Received: recipes="):
        image_sentiment.lesson_claims(LessonResult.of([], learning_curve=curve))
    lists = {"scratch": [0.5, 0.6], "frozen + linear": [0.9, 0.95]}
    with pytest.raises(ValueError, match="curve_table"):
        image_sentiment.lesson_claims(LessonResult.of([], learning_curve=lists))
    with pytest.raises(ValueError, match="Received: scratch=57.6"):
        image_sentiment.lesson_claims(_result(scratch=57.6, frozen=93.7))
    with pytest.raises(ValueError, match="Received: result of type dict"):
        image_sentiment.lesson_claims({"learning_curve": {}})


def test_run_experiment_gives_each_trained_model_its_own_name(monkeypatch):
    # The progress line and `checkpoint.resumable` name a model's run after the model: two
    # models of one name would share a checkpoint folder (the augmented CNN resuming from the
    # plain one's weights).
    from types import SimpleNamespace

    images, labels = _arrays(8)
    split = {"image": images}
    data = SimpleNamespace(
        arrays={"train": split, "val": split, "test": split},
        labels=lambda split_name, column: labels,
    )
    names = []

    def fake_train(model, *args, **kwargs):
        names.append(model.name)
        return SimpleNamespace(history={"loss": [1.0]}, seconds=0.0)

    monkeypatch.setattr(image_sentiment, "train", fake_train)
    monkeypatch.setattr(image_sentiment, "training_details", lambda *a, **k: {})
    monkeypatch.setattr(image_sentiment, "_score", lambda model, data, name, *a: name)
    monkeypatch.setattr(image_sentiment, "fit_recipe", lambda recipe, *a, **k: recipe)
    monkeypatch.setattr(
        image_sentiment,
        "learning_curve",
        lambda *a, **k: {"scratch": [0.5], "frozen + linear": [0.9]},
    )
    result = image_sentiment.run_experiment(data, settings=ONE_EPOCH)
    assert names == ["listing_4_2", "image_cnn", "image_cnn_augmented"]
    assert result.evaluations[:3] == names
