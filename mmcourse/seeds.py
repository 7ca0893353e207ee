"""Do a lesson's claims hold for other seeds? `mmcourse seeds` runs a lesson's experiment once
per seed and tabulates every claim (and any `details` you ask for) by seed.

    mmcourse seeds 05 --seeds 0 1 2 3 4 --detail "sentiment transfer balanced"
    MMCOURSE_FAST=1 mmcourse seeds 07 --seeds 0 1      # fast mode: a quick look

A claim that holds for seed 0 only is luck, not a finding: the lessons' claims are meant to
hold for any seed, and a comparison whose order changes from seed to seed is taught as such.
Each run is `run_experiment(settings=dataclasses.replace(SETTINGS.for_mode(), seed=s))`, the
lesson's own data and settings except the seed. Trains as much as the lesson does, per seed.
"""

from __future__ import annotations

import dataclasses
import time

import pandas as pd

from mmcourse.experiment import LessonResult


@dataclasses.dataclass
class SeedSweep:
    """`measured`: one row per claim, one column per seed, the measured value as the claim
    prints it; `held`: the same as booleans; `details`: one row per (evaluation, detail) asked
    for, one column per seed; `seconds`: each seed's run time."""

    measured: pd.DataFrame
    held: pd.DataFrame
    details: pd.DataFrame
    seconds: dict[int, float]

    @property
    def claims(self) -> pd.DataFrame:
        """`measured`, with "✗" after each value whose claim failed."""
        return self.measured.where(self.held, self.measured + " ✗")

    @property
    def all_held(self) -> bool:
        return bool(self.held.to_numpy().all())

    def failures(self) -> list[str]:
        """`"seed S: claim (measured M)"` for every claim that failed."""
        return [
            f"seed {seed}: {text} (measured {self.measured.loc[text, seed]})"
            for seed in self.held.columns
            for text in self.held.index
            if not self.held.loc[text, seed]
        ]


def sweep(module, seeds, *, details=(), data=None, progress=None) -> SeedSweep:
    """Run `module.run_experiment` (a lesson module: `SETTINGS`, `run_experiment`,
    `lesson_claims`) once for each of `seeds` and tabulate its claims.

    `details`: keys of the evaluations' `details` to tabulate too (for every evaluation that
    has them), e.g. `("sentiment transfer balanced",)`. `data` is passed to `run_experiment`
    (default: the lesson's own). `progress(line)` hears one line per seed.
    """
    seeds = [int(seed) for seed in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct and at least one. Received: seeds={seeds}")
    base = module.SETTINGS.for_mode()
    measured, held, found, seconds = {}, {}, {}, {}
    for seed in seeds:
        started = time.perf_counter()
        result = module.run_experiment(data, settings=dataclasses.replace(base, seed=seed))
        if not isinstance(result, LessonResult):
            raise ValueError(
                "run_experiment must return a LessonResult. Received: "
                f"{type(result).__name__} for seed={seed}"
            )
        seconds[seed] = round(time.perf_counter() - started, 1)
        checked = module.lesson_claims(result)
        measured[seed] = {c.text: c.measured for c in checked}
        held[seed] = {c.text: c.held for c in checked}
        found[seed] = {
            (evaluation.name, key): evaluation.details[key]
            for evaluation in result.evaluations
            for key in details
            if key in evaluation.details
        }
        if progress is not None:
            failed = sum(not c.held for c in checked)
            progress(
                f"seed {seed}: {len(checked) - failed}/{len(checked)} claims held "
                f"({seconds[seed]:.0f} s)"
            )
    tabulated = {key for values in found.values() for _, key in values}
    missing = [key for key in details if key not in tabulated]
    if missing:
        raise ValueError(
            f"No evaluation of the lesson has the details {missing}. Received: details={details}"
        )
    table = pd.DataFrame(found)
    if len(table):
        table.index.names = ["evaluation", "detail"]
    return SeedSweep(pd.DataFrame(measured), pd.DataFrame(held), table, seconds)


def format_sweep(result: SeedSweep) -> str:
    """The sweep as text: claims by seed, then the details by seed."""
    lines = ["Claims by seed (measured value; ✗ where the claim failed):"]
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        lines.append(result.claims.to_string())
        if len(result.details):
            lines += ["", "Details by seed:", result.details.round(3).to_string()]
    seconds = ", ".join(f"seed {s}: {t:.0f} s" for s, t in result.seconds.items())
    lines += ["", f"Run time: {seconds}."]
    return "\n".join(lines)
