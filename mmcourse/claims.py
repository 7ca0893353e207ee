"""A lesson's claims, checked where they are measured: in the notebook.

Each lesson ends with the sentences it teaches ("fusion beats the best single modality by 15
points") and the numbers that back them. A lesson module turns its numbers into `Claim`s with
`at_least`, `at_most`, `below`, `within` and `holds`; the notebook shows them with `check`,
which returns the table and raises `ClaimError` when one fails. So the notebook run under nbval
(fast mode, in CI) fails loudly the day a claim stops holding, and the models are trained once,
not again by a separate test. The notebooks check strictly in full mode too (`make outputs`
stops on a failed claim): a claim that holds only for an under-trained model, or only for one
seed (`mmcourse seeds`), is a wrong claim, and the claim and its text change, not its bound.
`strict=False` (print instead of raise) is for exploring, e.g. on your own data.

    claims.check([claims.at_least("fusion beats text alone", fused, text + 0.1)], lesson="07")
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


class ClaimError(AssertionError):
    """A claim a lesson makes did not hold on the numbers it measured."""


@dataclass(frozen=True)
class Claim:
    """One sentence a lesson teaches, the number measured for it, and whether it held."""

    text: str
    measured: str
    expected: str
    held: bool


def _number(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def at_least(text: str, value, bound) -> Claim:
    """`value >= bound`, e.g. `at_least("beats concat on grounded", 0.92, 0.48 + 0.15)`."""
    return Claim(text, _number(value), f">= {_number(bound)}", bool(value >= bound))


def at_most(text: str, value, bound) -> Claim:
    """`value <= bound`."""
    return Claim(text, _number(value), f"<= {_number(bound)}", bool(value <= bound))


def below(text: str, value, bound) -> Claim:
    """`value < bound`, strictly (`at_most` accepts equality)."""
    return Claim(text, _number(value), f"< {_number(bound)}", bool(value < bound))


def above(text: str, value, bound) -> Claim:
    """`value > bound`, strictly."""
    return Claim(text, _number(value), f"> {_number(bound)}", bool(value > bound))


def within(text: str, value, target, tolerance) -> Claim:
    """`|value - target| <= tolerance` (a gap that should be about zero)."""
    return Claim(
        text,
        _number(value),
        f"{_number(target)} ± {_number(tolerance)}",
        bool(abs(value - target) <= tolerance),
    )


def holds(text: str, held, *, measured="", expected="true") -> Claim:
    """A claim that is a condition rather than one number (`held` is truthy or not)."""
    return Claim(text, _number(measured), expected, bool(held))


def table(claims: list[Claim]) -> pd.DataFrame:
    """The claims as a table: claim, measured, expected, held."""
    frame = pd.DataFrame(
        [(c.text, c.measured, c.expected, c.held) for c in claims],
        columns=["claim", "measured", "expected", "held"],
    )
    return frame.set_index("claim")


def check(claims: list[Claim], *, lesson: str, strict: bool = True) -> pd.DataFrame:
    """The claims' table; raises `ClaimError` naming each claim that did not hold.

    With `strict=False` it prints that message instead and returns the table, whose `held`
    column then shows which claims failed (for exploring a changed setting; the lessons call it
    strict, in fast and full mode alike: a claim that fails in either mode is a wrong claim).
    """
    if not claims:
        raise ValueError(f"Expected at least one claim for lesson {lesson}. Received: claims=[]")
    failed = [c for c in claims if not c.held]
    if failed:
        lines = "\n".join(
            f"  - {c.text}: measured {c.measured}, expected {c.expected}" for c in failed
        )
        message = f"Lesson {lesson}: {len(failed)} of {len(claims)} claims did not hold:\n{lines}"
        if strict:
            raise ClaimError(message)
        print(message)
    return table(claims)
