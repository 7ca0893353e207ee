"""Lesson 07's claims (`cnn_fusion_claims.lesson_claims`, also `cnn_fusion.lesson_claims`) on a
hand-made `LessonResult`: fast, nothing trains.

The tables hold the numbers of the notebook's stored fast-mode run, on which every claim holds;
each change moves one number past its bound and the check must name the claim.
"""

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from mmcourse import claims
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons import cnn_fusion_claims


def _evaluation(name, accuracy, **per_phenomenon):
    return Evaluation(
        name, accuracy, accuracy, per_phenomenon, np.zeros((3, 3)), ("a", "b", "c"), ""
    )


# The notebook's stored fast-mode numbers (test accuracy, per phenomenon, training time).
SCORES = """
name          accuracy aligned conflict grounded image_neutral negation text_neutral seconds epochs
listing_4_3      0.902   0.982    0.924    0.528         0.936    0.972        0.987    55.2      3
text_only        0.661   0.982    0.030    0.393         0.974    0.972        0.013    14.6      4
image_only       0.644   0.894    0.939    0.472         0.051    0.111        0.987     8.2      4
early_fusion     0.721   0.968    0.939    0.494         0.180    0.389        0.962     8.6      4
late_fusion      0.906   0.977    0.924    0.551         0.974    0.972        0.974    14.9      4
concat_fusion    0.898   0.982    0.909    0.494         0.962    0.972        0.987    13.2      4
gated_fusion     0.896   0.982    0.939    0.449         0.974    0.972        0.987    18.8      4
tensor_fusion    0.913   0.982    0.939    0.562         0.974    0.972        0.987    19.1      4
"""
PHENOMENA = ["aligned", "conflict", "grounded", "image_neutral", "negation", "text_neutral"]


@pytest.fixture
def lesson():
    """What the notebook holds after training, as plain tables (`lesson_claims`'s inputs)."""
    index = PHENOMENA + ["all posts"]
    return {
        "scores": pd.read_csv(io.StringIO(SCORES), sep=r"\s+", index_col="name"),
        "ceilings": {"text": {"overall": 0.655}, "image": {"overall": 0.667}},
        "choices": {"posts": 89, "named_character": 0.483, "other_character": 0.517},
        "gates": pd.DataFrame(
            {"text_share": [0.683, 0.618, 0.654, 0.773, 0.773, 0.608, 0.684]}, index=index
        ),
        "confidence": pd.DataFrame(
            {
                "text_branch": [0.934, 0.960, 0.679, 0.966, 0.993, 0.883, 0.904],
                "image_branch": [0.752, 0.985, 0.893, 0.480, 0.480, 0.990, 0.761],
            },
            index=index,
        ),
    }


def _result(lesson):
    """A `LessonResult` holding `lesson`'s numbers, as `run_experiment` or the notebook
    builds it (listing 4.3 first)."""
    evaluations = []
    for name, row in lesson["scores"].iterrows():
        evaluations.append(_evaluation(name, row["accuracy"], **row[PHENOMENA].to_dict()))
        evaluations[-1].details.update(train_seconds=row["seconds"], epochs=row["epochs"])
    measures = {key: lesson[key] for key in cnn_fusion_claims.MEASURES}
    return LessonResult.of(evaluations, **measures)


def _lesson_claims(lesson):
    return cnn_fusion_claims.lesson_claims(_result(lesson))


def test_every_claim_holds_on_the_notebooks_numbers(lesson):
    found = _lesson_claims(lesson)
    table = claims.check(found, lesson="07")
    assert len(table) == len(found) == 31
    assert table["held"].all()
    assert table.loc["late fusion beats the best single modality by 0.15", "measured"] == "0.245"


def _set(piece, key, column, value):
    def change(lesson):
        if isinstance(lesson[piece], pd.DataFrame):
            lesson[piece].loc[key, column] = value
        elif column is None:
            lesson[piece][key] = value
        else:
            lesson[piece][key][column] = value

    return change


@pytest.mark.parametrize(
    ("change", "failed", "count"),
    [
        (
            _set("scores", "tensor_fusion", "accuracy", 0.8),
            "tensor fusion beats the best single modality by 0.15",
            1,
        ),
        (
            _set("scores", "listing_4_3", "accuracy", 0.95),
            "listing 4.3 matches concat fusion's accuracy within 0.05",
            1,
        ),
        (
            _set("ceilings", "image", "overall", 0.81),
            "listing 4.3 beats the better single-modality Bayes ceiling by 0.1",
            1,
        ),
        (
            _set("scores", "listing_4_3", "seconds", 18.0),
            "listing 4.3 takes over twice concat fusion's time per epoch",
            1,
        ),
        (
            _set("scores", "image_only", "conflict", 0.84),
            "on conflict posts the image decides: text alone below 0.2, image alone above 0.85",
            1,
        ),
        (
            _set("scores", "text_only", "negation", 0.85),
            "on negation posts the text decides: image alone below 0.3, text alone above 0.85",
            1,
        ),
        (
            _set("scores", "concat_fusion", "text_neutral", 0.9),
            "concat fusion is within 0.08 of image alone on text_neutral posts",
            2,
        ),
        (
            _set("scores", "concat_fusion", "text_neutral", 0.9),
            "concat fusion loses under 0.08 to the better single model on each phenomenon",
            2,
        ),
        (
            _set("scores", "text_only", "conflict", 0.21),
            "concat fusion beats text alone by over 0.7 where the image decides",
            2,
        ),
        (
            _set("scores", "image_only", "negation", 0.29),
            "concat fusion beats image alone by over 0.7 where the text decides",
            1,
        ),
        (
            _set("scores", "gated_fusion", "grounded", 0.7),
            "gated fusion stays below 0.7 on grounded posts",
            1,
        ),
        (
            _set("choices", "posts", None, 39),
            "at least 40 grounded test posts show two different expressions",
            1,
        ),
        (
            _set("choices", "named_character", None, 0.8),
            "concat fusion picks the named character about as often as the other one",
            1,
        ),
        (
            _set("scores", "early_fusion", "negation", 0.7),
            "early fusion loses 0.3 to text alone on negation posts",
            1,
        ),
        (
            _set("scores", "early_fusion", "accuracy", 0.811),
            "early fusion beats the best single modality by less than 0.15",
            1,
        ),
        (
            _set("gates", "aligned", "text_share", 1.0),
            "every mean gate lies strictly between 0 and 1",
            1,
        ),
        (
            _set("gates", "negation", "text_share", 0.55),
            "the gate leans to the modality that decides by 0.05",
            1,
        ),
        (
            _set("confidence", "negation", "image_branch", 0.9),
            "late fusion's image branch is surer by 0.3 where the image decides",
            1,
        ),
        (
            _set("confidence", "text_neutral", "text_branch", 0.7),
            "late fusion's text branch stays confident where the image decides",
            1,
        ),
    ],
)
def test_a_claim_fails_when_its_number_moves_past_the_bound(lesson, change, failed, count):
    change(lesson)
    with pytest.raises(claims.ClaimError) as info:
        claims.check(_lesson_claims(lesson), lesson="07")
    message = str(info.value)
    assert f"  - {failed}: measured" in message, message
    assert message.startswith(f"Lesson 07: {count} of 31 claims did not hold"), message


def test_lesson_claims_needs_every_model_listing_4_3_and_each_measure(lesson):
    lesson["scores"] = lesson["scores"].drop("gated_fusion")
    with pytest.raises(ValueError, match=r"Received: evaluations without \['gated_fusion'\]"):
        _lesson_claims(lesson)
    concat = _evaluation("concat_fusion", 0.9)
    measures = {key: lesson[key] for key in cnn_fusion_claims.MEASURES}
    result = LessonResult.of(
        [dataclasses.replace(concat, name=n) for n in cnn_fusion_claims.MODELS], **measures
    )
    with pytest.raises(ValueError, match=r"without \['listing_4_3'\]"):
        cnn_fusion_claims.lesson_claims(result)
    result.evaluations.append(("model", _evaluation("listing_4_3", 0.9)))  # a train_models pair
    with pytest.raises(ValueError, match="must be Evaluations. Received: tuple"):
        cnn_fusion_claims.lesson_claims(result)
    result.evaluations[-1] = _evaluation("listing_4_3", 0.9)
    del result.measures["gates"]
    with pytest.raises(ValueError, match=r"Received: measures without \['gates'\]"):
        cnn_fusion_claims.lesson_claims(result)
