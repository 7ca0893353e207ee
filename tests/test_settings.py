"""ByMode and TrainSettings: hyper-parameters with a fast and a full value."""

import dataclasses

import pytest

from mmcourse.settings import ByMode, TrainSettings


def test_for_mode_follows_the_environment_and_the_argument(monkeypatch):
    settings = ByMode(fast=TrainSettings(epochs=4), full=TrainSettings(epochs=30))
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    assert settings.for_mode().epochs == 4
    monkeypatch.setenv("MMCOURSE_FAST", "0")
    assert settings.for_mode().epochs == 30
    assert settings.for_mode(fast=True) is settings.fast


def test_settings_are_frozen_and_checked():
    settings = TrainSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.epochs = 3
    assert dataclasses.replace(settings, epochs=2).epochs == 2
    with pytest.raises(ValueError, match="Received: epochs=0"):
        TrainSettings(epochs=0)
    with pytest.raises(ValueError, match="Received: batch_size=2.5"):
        TrainSettings(batch_size=2.5)
    with pytest.raises(ValueError, match="patience=-1"):
        TrainSettings(patience=-1)


def test_fast_and_full_must_be_of_one_class():
    @dataclasses.dataclass(frozen=True)
    class Other:
        epochs: int = 1

    with pytest.raises(ValueError, match="fast=TrainSettings, full=Other"):
        ByMode(fast=TrainSettings(), full=Other())
