import pytest

from mmcourse.synth import design


def test_cases_cover_every_phenomenon_and_sum_to_one():
    cases = design.build_cases()
    assert {c.phenomenon for c in cases} == set(design.PHENOMENA)
    assert sum(c.probability for c in cases) == pytest.approx(1.0)


def test_default_design_meets_the_ceiling_targets():
    ceilings = design.bayes_ceilings(design.build_cases(), noise=0.03)
    assert ceilings["both"]["overall"] >= 0.95
    for view in ("text", "image"):
        assert 0.55 <= ceilings[view]["overall"] <= 0.80, (view, ceilings[view])
    # Each phenomenon needs the modality it is about.
    assert ceilings["text"]["text_neutral"] < 0.1 and ceilings["image"]["text_neutral"] > 0.95
    assert ceilings["image"]["negation"] < 0.1 and ceilings["text"]["negation"] > 0.95
    assert ceilings["text"]["conflict"] < 0.1 and ceilings["image"]["conflict"] > 0.95
    assert ceilings["image"]["grounded"] < 0.6 and ceilings["both"]["grounded"] > 0.95


def test_ceiling_matches_a_hand_computation():
    # Only text-neutral posts: the text is always the same neutral view, so the best text
    # guess is the majority label (positive, 55 %); the image always decides.
    rates = dict.fromkeys(design.PHENOMENA, 0.0) | {"text_neutral": 1.0}
    ceilings = design.bayes_ceilings(design.build_cases(rates), noise=0.0)
    assert ceilings["text"]["overall"] == pytest.approx(0.55)
    assert ceilings["image"]["overall"] == pytest.approx(1.0)
    # With 3 % noise flipped to one of two other classes: 0.55 * 0.97 + 0.45 * 0.015.
    noisy = design.bayes_ceilings(design.build_cases(rates), noise=0.03)
    assert noisy["text"]["overall"] == pytest.approx(0.55 * 0.97 + 0.45 * 0.015, abs=1e-4)


def test_label_distribution_is_mildly_imbalanced():
    shares = design.label_distribution(design.build_cases())
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(shares.values()) < 0.5 and min(shares.values()) > 0.15
    assert len(set(shares.values())) == 3


@pytest.mark.parametrize(
    "rates",
    [{"aligned": 1.0}, dict.fromkeys(design.PHENOMENA, 0.5)],
)
def test_bad_rates_are_rejected(rates):
    with pytest.raises(ValueError, match="phenomenon_rates"):
        design.build_cases(rates)


def test_bad_noise_and_view_are_rejected():
    with pytest.raises(ValueError, match="noise"):
        design.bayes_ceilings(design.build_cases(), noise=0.9)
    with pytest.raises(ValueError, match="view"):
        design.view_of(design.build_cases()[0], "audio")
