import dataclasses
import types

import numpy as np
import pytest

from mmcourse import claims, cli, seeds
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.settings import ByMode


@dataclasses.dataclass(frozen=True)
class FakeSettings:
    seed: int = 0
    epochs: int = 1


def _evaluation(name, accuracy, **details):
    return Evaluation(name, accuracy, accuracy, {}, np.zeros((3, 3)), ("a", "b", "c"), "", details)


def _fake_lesson(seen):
    """A lesson whose "model" scores 0.5 + seed / 10 and claims it scores above 0.55."""

    def run_experiment(data=None, *, settings=None):
        seen.append(settings)
        score = 0.5 + settings.seed / 10
        return LessonResult(
            [_evaluation("model", score, transfer=score - 0.1), _evaluation("other", 0.4)]
        )

    def lesson_claims(result):
        score = result.evaluation("model").accuracy
        return [
            claims.above("the model scores above 0.55", score, 0.55),
            claims.at_least("the model scores 0.4 or more", score, 0.4),
        ]

    return types.SimpleNamespace(
        SETTINGS=ByMode(fast=FakeSettings(epochs=1), full=FakeSettings(epochs=5)),
        run_experiment=run_experiment,
        lesson_claims=lesson_claims,
    )


def test_sweep_runs_once_per_seed_and_marks_the_claims_that_fail():
    seen, lines = [], []
    lesson = _fake_lesson(seen)
    result = seeds.sweep(lesson, [0, 1, 2], details=("transfer",), progress=lines.append)
    assert [s.seed for s in seen] == [0, 1, 2]
    assert {s.epochs for s in seen} == {lesson.SETTINGS.for_mode().epochs}  # only the seed
    assert list(result.held.columns) == [0, 1, 2]
    assert result.held.loc["the model scores above 0.55"].tolist() == [False, True, True]
    assert result.held.loc["the model scores 0.4 or more"].all()
    assert result.claims.loc["the model scores above 0.55", 0] == "0.500 ✗"
    assert result.claims.loc["the model scores above 0.55", 2] == "0.700"
    assert not result.all_held
    assert result.failures() == ["seed 0: the model scores above 0.55 (measured 0.500)"]
    assert result.details.loc[("model", "transfer")].round(3).tolist() == [0.4, 0.5, 0.6]
    assert ("other", "transfer") not in result.details.index  # only where it was measured
    assert lines[0].startswith("seed 0: 1/2 claims held")
    text = seeds.format_sweep(result)
    assert "0.500 ✗" in text and "transfer" in text and "Run time: seed 0:" in text


def test_sweep_all_held_when_every_seed_passes():
    result = seeds.sweep(_fake_lesson([]), [1, 3])
    assert result.all_held and result.failures() == []
    assert result.details.empty


@pytest.mark.parametrize(
    ("seed_list", "details", "message"),
    [([], (), "at least one"), ([1, 1], (), "distinct"), ([1], ("nope",), "nope")],
)
def test_sweep_rejects_bad_arguments(seed_list, details, message):
    with pytest.raises(ValueError, match=message):
        seeds.sweep(_fake_lesson([]), seed_list, details=details)


def test_sweep_rejects_a_run_experiment_that_returns_something_else():
    module = _fake_lesson([])
    module.run_experiment = lambda data=None, *, settings=None: {"accuracy": 1.0}
    with pytest.raises(ValueError, match="LessonResult"):
        seeds.sweep(module, [0])


def test_cli_seeds_prints_the_table_and_fails_when_a_claim_fails(monkeypatch, capsys):
    from mmcourse import lessons

    fake = _fake_lesson([])
    monkeypatch.setattr(lessons.Lesson, "module", property(lambda self: fake))
    assert cli.main(["seeds", "07", "--seeds", "0", "2", "--detail", "transfer"]) == 1
    printed = capsys.readouterr().out
    assert "FAILED: seed 0: the model scores above 0.55" in printed and "transfer" in printed
    assert cli.main(["seeds", "07", "--seeds", "1", "2"]) == 0
    with pytest.raises(SystemExit, match="trains no models"):
        cli.main(["seeds", "01"])
