"""Lesson 07's claims, measured in fast mode on MoodPosts (slow), and the table helpers (fast)."""

import numpy as np
import pytest

from mmcourse import fusion_lesson
from mmcourse.evaluate import Evaluation


def _evaluation(name, accuracy, **per_phenomenon):
    return Evaluation(name, accuracy, accuracy, per_phenomenon, np.zeros((3, 3)), ("a", "b", "c"),
                      "")  # fmt: skip


def test_margin_and_gains_use_the_better_baseline_per_column():
    evaluations = [
        _evaluation("text_only", 0.6, conflict=0.1, negation=0.9),
        _evaluation("image_only", 0.7, conflict=0.9, negation=0.2),
        _evaluation("concat_fusion", 0.85, conflict=0.8, negation=0.95),
    ]
    margin = fusion_lesson.fusion_margin(evaluations)
    assert margin["best_unimodal"] == "image_only"
    assert margin["margin"] == pytest.approx(0.15)
    gains = fusion_lesson.gains_over_best_unimodal(evaluations)
    assert list(gains.index) == ["concat_fusion"]
    assert gains.loc["concat_fusion"].to_dict() == pytest.approx(
        {"overall": 0.15, "conflict": -0.1, "negation": 0.05}
    )
    gains = fusion_lesson.gains_of(evaluations, model="concat_fusion")
    assert list(gains.index) == ["vs text_only", "vs image_only", "vs the better one"]
    assert gains.loc["vs text_only", "conflict"] == pytest.approx(0.7)
    assert gains.loc["vs image_only", "negation"] == pytest.approx(0.75)
    assert gains.loc["vs the better one", "overall"] == pytest.approx(0.15)
    with pytest.raises(ValueError, match="Received"):
        fusion_lesson.fusion_margin(evaluations[1:])
    with pytest.raises(ValueError, match="Received"):
        fusion_lesson.train_model("attention", data=None)


@pytest.fixture(scope="module")
def trained(fusion_data):
    """Every model of the lesson (listing 4.3 too), trained once in fast mode."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MMCOURSE_FAST", "1")
        names = ("listing_4_3", *fusion_lesson.MODELS)
        return fusion_lesson.train_models(fusion_data, names=names, seed=0)


@pytest.mark.slow
def test_fusion_beats_the_best_single_modality_by_a_clear_margin(trained, fusion_data):
    evaluations = [evaluation for _, evaluation in trained.values()]
    for name in ("concat_fusion", "late_fusion", "gated_fusion", "tensor_fusion"):
        margin = fusion_lesson.fusion_margin(evaluations, model=name)
        assert margin["margin"] >= 0.15, margin
    # listing 4.3 (the encoder inside, 3 epochs in fast mode) fuses too
    assert fusion_lesson.fusion_margin(evaluations, model="listing_4_3")["margin"] >= 0.1
    ceilings = fusion_data.ceilings
    best_ceiling = max(ceilings["text"]["overall"], ceilings["image"]["overall"])
    assert trained["listing_4_3"][1].accuracy >= best_ceiling + 0.1


@pytest.mark.slow
def test_precomputed_features_match_listing_4_3_at_a_fraction_of_the_time(trained):
    listing, concat = trained["listing_4_3"][1], trained["concat_fusion"][1]
    assert abs(listing.accuracy - concat.accuracy) < 0.05
    speed = fusion_lesson.seconds_per_epoch([listing, concat])
    assert speed["listing_4_3"] > 2 * speed["concat_fusion"], speed


@pytest.mark.slow
def test_fusion_matches_the_deciding_modality_on_each_phenomenon_but_grounded(trained):
    text, image, concat = (trained[n][1].per_phenomenon
                           for n in ("text_only", "image_only", "concat_fusion"))  # fmt: skip
    for phenomenon in ("conflict", "text_neutral"):  # the image decides
        assert text[phenomenon] < 0.2 and image[phenomenon] > 0.85
        assert concat[phenomenon] >= image[phenomenon] - 0.08, phenomenon
    for phenomenon in ("image_neutral", "negation"):  # the text decides
        assert image[phenomenon] < 0.3 and text[phenomenon] > 0.85
        assert concat[phenomenon] >= text[phenomenon] - 0.08, phenomenon
    gains = fusion_lesson.gains_of([e for _, e in trained.values()], model="concat_fusion")
    assert (gains.loc["vs text_only", ["conflict", "text_neutral"]] > 0.7).all(), gains
    assert (gains.loc["vs image_only", ["image_neutral", "negation"]] > 0.7).all(), gains
    assert (gains.loc["vs the better one"].drop("overall") > -0.08).all(), gains
    # grounded: stays near the image-only ceiling (0.54), far from both views' (0.97)
    for name in ("concat_fusion", "late_fusion", "gated_fusion", "tensor_fusion"):
        assert trained[name][1].per_phenomenon["grounded"] < 0.7, name


@pytest.mark.slow
def test_pooled_fusion_cannot_tell_which_character_the_text_names(trained, fusion_data):
    choices = fusion_lesson.grounded_choices(trained["concat_fusion"][0], fusion_data)
    assert choices["posts"] >= 40
    assert abs(choices["named_character"] - choices["other_character"]) < 0.25, choices


@pytest.mark.slow
def test_early_fusion_loses_word_order(trained):
    early, text = trained["early_fusion"][1], trained["text_only"][1]
    assert early.per_phenomenon["negation"] <= text.per_phenomenon["negation"] - 0.3
    margin = fusion_lesson.fusion_margin([e for _, e in trained.values()], model="early_fusion")
    assert margin["margin"] < 0.15


@pytest.mark.slow
def test_the_gate_leans_to_the_modality_that_decides(trained, fusion_data):
    gates = fusion_lesson.gate_by_phenomenon(trained["gated_fusion"][0], fusion_data)
    assert ((gates["text_share"] > 0) & (gates["text_share"] < 1)).all()
    assert fusion_lesson.gate_contrast(gates) >= 0.05, gates


@pytest.mark.slow
def test_late_fusion_works_because_its_image_branch_abstains(trained, fusion_data):
    confidence = fusion_lesson.branch_confidence(trained["late_fusion"][0], fusion_data)
    image = confidence["image_branch"]
    decides = image[list(fusion_lesson.IMAGE_DECIDES)].mean()
    silent = image[list(fusion_lesson.TEXT_DECIDES)].mean()
    assert decides >= silent + 0.3, confidence
    text = confidence["text_branch"][list(fusion_lesson.IMAGE_DECIDES)]
    assert (text > 0.7).all(), confidence  # the text branch never learned to abstain
    weights = fusion_lesson.late_fusion_weights(trained["late_fusion"][0])
    assert weights["text"] + weights["image"] == pytest.approx(1.0, abs=1e-3)
