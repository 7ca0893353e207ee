import pytest

from mmcourse import claims


def test_comparisons_record_the_number_the_bound_and_the_outcome():
    claim = claims.at_least("attention beats concat on grounded posts", 0.921, 0.483 + 0.15)
    assert (claim.measured, claim.expected, claim.held) == ("0.921", ">= 0.633", True)
    assert not claims.at_least("x", 0.6, 0.633).held
    assert claims.at_least("equal counts", 4, 4).held
    assert claims.at_most("concat stays near the image ceiling", 0.483, 0.65).held
    assert not claims.at_most("x", 0.7, 0.65).held
    assert claims.below("strict", 0.49, 0.5).held and not claims.below("x", 0.5, 0.5).held
    assert claims.below("x", 0.49, 0.5).expected == "< 0.500"
    assert claims.above("strict", 0.51, 0.5).held and not claims.above("x", 0.5, 0.5).held
    assert claims.above("x", 0.51, 0.5).expected == "> 0.500"
    assert claims.within("the gap is gone", -0.008, 0.0, 0.025).held
    assert not claims.within("x", 0.03, 0.0, 0.025).held
    assert claims.within("x", 0.03, 0.0, 0.025).expected == "0.000 ± 0.025"
    flag = claims.holds("every gate is between 0 and 1", [1], measured="0.61-0.77")
    assert (flag.measured, flag.expected, flag.held) == ("0.61-0.77", "true", True)
    assert not claims.holds("x", []).held


def test_check_returns_the_table_when_every_claim_holds():
    table = claims.check(
        [claims.at_least("a", 0.9, 0.5), claims.at_most("b", 0.1, 0.2)], lesson="07"
    )
    assert list(table.index) == ["a", "b"]
    assert list(table.columns) == ["measured", "expected", "held"]
    assert table["held"].all()


def test_check_names_every_claim_that_did_not_hold():
    with pytest.raises(claims.ClaimError) as info:
        claims.check(
            [
                claims.at_least("fusion beats text", 0.6, 0.76),
                claims.at_least("holds", 1.0, 0.5),
                claims.at_most("concat stays low", 0.9, 0.65),
            ],
            lesson="07",
        )
    message = str(info.value)
    assert message.startswith("Lesson 07: 2 of 3 claims did not hold")
    assert "fusion beats text: measured 0.600, expected >= 0.760" in message
    assert "concat stays low: measured 0.900, expected <= 0.650" in message
    assert "holds:" not in message
    assert isinstance(info.value, AssertionError)


def test_check_needs_a_claim():
    with pytest.raises(ValueError, match="Received: claims"):
        claims.check([], lesson="05")


def test_check_without_strict_prints_the_failures_and_returns_the_table(capsys):
    table = claims.check(
        [claims.at_least("fusion beats text", 0.6, 0.76), claims.at_least("holds", 1.0, 0.5)],
        lesson="07",
        strict=False,
    )
    assert table["held"].tolist() == [False, True]
    printed = capsys.readouterr().out
    assert printed.startswith("Lesson 07: 1 of 2 claims did not hold")
    assert "fusion beats text: measured 0.600" in printed
    claims.check([claims.at_least("holds", 1.0, 0.5)], lesson="07", strict=False)
    assert capsys.readouterr().out == ""
