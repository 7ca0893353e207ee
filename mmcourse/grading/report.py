"""Grades as records and tables: what `mmcourse grade` prints and writes.

`Submission` (one notebook handed in), `Result` (its points per question) and `Report` (all
results of a run) are what `mmcourse.grading.autograde.grade_submissions` returns;
`format_table` prints them students x questions, `write_csv` writes one row per submission.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

NOT_GRADED = "to grade"  # a written answer waiting for a person


@dataclasses.dataclass(frozen=True)
class Submission:
    """One notebook handed in: whose it is and which exercise it answers."""

    path: Path
    student: str
    exercise: str
    notebook: str


@dataclasses.dataclass
class Result:
    """The grades of one submission.

    Attributes:
        scores: points per question (grade cell id), in notebook order; `None` for a
            written answer that needs a person.
        max_scores: the most points of each question.
        written: ids of the questions graded by a person.
        error: why the submission could not be graded at all (`None` if it was).
    """

    submission: Submission
    scores: dict[str, float | None] = dataclasses.field(default_factory=dict)
    max_scores: dict[str, float] = dataclasses.field(default_factory=dict)
    written: frozenset[str] = frozenset()
    error: str | None = None

    @property
    def auto_score(self) -> float:
        return sum(v or 0.0 for k, v in self.scores.items() if k not in self.written)

    @property
    def auto_max_score(self) -> float:
        return sum(v for k, v in self.max_scores.items() if k not in self.written)


@dataclasses.dataclass
class Report:
    """Everything `grade_submissions` found, and how long autograding took."""

    results: list[Result]
    seconds: float  # wall-clock time of the whole grading, all processes together
    jobs: int = 1  # grading processes

    @property
    def seconds_per_submission(self) -> float:
        return self.seconds / max(1, len(self.results))

    @property
    def submissions_per_minute(self) -> float:
        return 60.0 * len(self.results) / max(self.seconds, 1e-9)


def format_table(report: Report) -> str:
    """Students x questions, one block per exercise, with the autograded total."""
    lines = []
    for name in dict.fromkeys(r.submission.exercise for r in report.results):
        results = [r for r in report.results if r.submission.exercise == name]
        graded = next((r for r in results if r.error is None), None)
        questions = list(graded.max_scores) if graded else []
        short = {q: q.split("_")[0] if re.fullmatch(r"q\d+_.*", q) else q for q in questions}
        lines.append(f"{name}: {len(results)} submission(s)")
        for q in questions:
            kind = "written, graded by a person" if q in graded.written else "autograded"
            points = _points(graded.max_scores[q])
            unit = "point" if points == "1" else "points"
            lines.append(f"  {short[q]:<4} {q:<28} {points} {unit}, {kind}")
        width = max([7, *(len(r.submission.student) for r in results)])
        auto = [q for q in questions if q not in graded.written] if graded else []
        written = [q for q in questions if graded and q in graded.written]
        header = [short[q] for q in auto] + ["auto"] + [short[q] for q in written]
        lines.append(f"  {'student':<{width}} " + " ".join(f"{h:>8}" for h in header))
        for r in results:
            row = "NOT GRADED: " + (r.error or "").split("\n")[0]
            if r.error is None:
                cells = [_points(r.scores[q]) for q in auto]
                cells.append(f"{_points(r.auto_score)}/{_points(r.auto_max_score)}")
                cells += [
                    NOT_GRADED if r.scores[q] is None else _points(r.scores[q]) for q in written
                ]
                row = " ".join(f"{c:>8}" for c in cells)
            lines.append(f"  {r.submission.student:<{width}} {row}")
    processes = "1 process" if report.jobs == 1 else f"{report.jobs} processes"
    lines.append(
        f"autograding took {report.seconds:.1f} s with {processes}, "
        f"{report.seconds_per_submission:.1f} s per submission "
        f"({report.submissions_per_minute:.1f} per minute)"
    )
    return "\n".join(lines)


def write_csv(report: Report, path: str | Path) -> Path:
    """One row per submission: exercise, student, file, points per question, totals, error.

    A written answer waiting for a person is an empty cell.
    """
    questions = list(dict.fromkeys(q for r in report.results for q in r.max_scores))
    fields = ["exercise", "student", "file", *questions, "auto_score", "auto_max_score", "error"]
    path = Path(path)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for r in report.results:
            row = {
                "exercise": r.submission.exercise,
                "student": r.submission.student,
                "file": str(r.submission.path),
                "error": r.error or "",
            }
            row |= {q: "" if v is None else _points(v) for q, v in r.scores.items()}
            if r.error is None:
                row |= {
                    "auto_score": _points(r.auto_score),
                    "auto_max_score": _points(r.auto_max_score),
                }
            writer.writerow(row)
    return path


def _points(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
