"""Row-by-row loading shared by the CSV and MVSA loaders: raise on a bad row, or skip it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from mmcourse.data.core import (
    FRAME_COLUMNS,
    DatasetError,
    SkippedRow,
    check_image_file,
    check_on_error,
)


class RowError(Exception):
    """One bad row: `kind` is a short category ("empty text"), `message` the full sentence."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class DropLog:
    """Where a loader sends bad rows and cleaning drops.

    With `on_error="raise"`, `bad_row()` raises a `DatasetError` naming `path` and the row;
    with `"skip"` it records a `SkippedRow`. `drop()` always records (a documented cleaning
    rule, not an error). `counts` maps each kind of drop to how many rows it removed.
    """

    def __init__(self, path: Path, *, on_error: str):
        self.path = path
        self.on_error = check_on_error(on_error)
        self.skipped: list[SkippedRow] = []
        self.counts: Counter[str] = Counter()

    def drop(self, row: int | None, reason: str, *, kind: str | None = None) -> None:
        self.skipped.append(SkippedRow(path=str(self.path), row=row, reason=reason))
        self.counts[kind or reason] += 1

    def bad_row(self, row: int | None, error: RowError) -> None:
        if self.on_error == "raise":
            raise DatasetError(error.message, path=self.path, row=row) from error.__cause__
        self.drop(row, error.message, kind=error.kind)


def check_image(path: Path, *, source: Path, row: int | None) -> None:
    """`check_image_file`, reporting a missing or unreadable image as a `RowError`."""
    try:
        check_image_file(path, source=source, row=row)
    except DatasetError as error:
        kind = "unreadable image" if path.is_file() else "missing image file"
        raise RowError(kind, error.reason) from error


def build_frame(rows: list[dict[str, str | None]]) -> pd.DataFrame:
    """A frame with exactly `FRAME_COLUMNS`, all string columns (None becomes missing)."""
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype="str") for c in FRAME_COLUMNS})
