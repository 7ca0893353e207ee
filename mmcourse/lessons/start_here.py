"""Lesson 00 (`notebooks/00_start_here.ipynb`): the map of the course, made from the registry.

`lesson_map()` is the table lesson 00 shows: one row per notebook, in course order, with the
question it answers and whether a graded exercise goes with it. It is built from
`mmcourse.lessons.LESSONS` and the `exercises/release/` folder, so it never lists a lesson or
an exercise that is not there.
"""

from __future__ import annotations

import pandas as pd

from mmcourse import paths
from mmcourse.lessons import LESSONS


def released_exercises() -> dict[str, str]:
    """`{lesson number: exercise folder}` for the student versions in `exercises/release/`."""
    release = paths.exercises_dir() / "release"
    found = sorted(p.name for p in release.glob("ex[0-9][0-9]_*") if p.is_dir())
    return {name[2:4]: name for name in found}


def lesson_map() -> pd.DataFrame:
    """The course's lessons in order: notebook, title, question, graded exercise (if any)."""
    exercises = released_exercises()
    rows = [
        {
            "notebook": entry.notebook,
            "lesson": entry.title,
            "the question it answers": entry.question,
            "graded exercise": exercises.get(entry.number, ""),
        }
        for entry in LESSONS
    ]
    return pd.DataFrame(rows, index=pd.Index([e.number for e in LESSONS], name="#"))
