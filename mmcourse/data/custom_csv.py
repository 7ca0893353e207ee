"""Loader for your own data: a CSV of `text`, `image`, `label` columns and a folder of images.

This is the source article's own format (`sentiment_data.csv`):

    text,image,label
    "What a lovely day at the beach!",beach.jpg,positive
    "Stuck in traffic again.",traffic.png,negative

Image paths are relative to `image_dir` (by default the CSV's folder) or absolute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from mmcourse.data._rows import DropLog, RowError, build_frame, check_image
from mmcourse.data.core import (
    CLASS_NAMES,
    SPLITS,
    DatasetError,
    MultimodalDataset,
    assign_splits,
    check_on_error,
    check_split,
    normalise_label,
)

OPTIONAL_LABEL_COLUMNS = ("text_label", "image_label")


def load_csv(
    csv_path: str | Path,
    image_dir: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    split: str | Sequence[str] = "all",
    seed: int = 0,
    on_error: str = "raise",
    class_names: Sequence[str] = CLASS_NAMES,
) -> MultimodalDataset:
    """Load a text + image sentiment dataset described by a CSV file.

    Args:
        csv_path: the CSV file (UTF-8, or Latin-1 as a fallback; comma-separated, one header
            line).
        image_dir: folder that relative image paths start from; default: the CSV's folder.
        columns: your CSV's names for the required columns, by role: e.g.
            `{"text": "caption"}` reads the texts from a `caption` column; the roles not
            named keep their default names `text`, `image` and `label`.
        split: "train", "val", "test", "all", or a list of splits to keep. Rows take their
            split from a `split` column (train/val/test) when the CSV has one; otherwise a
            stratified 80/10/10 split is drawn with `seed`.
        seed: seed of that split (ignored when the CSV has a `split` column).
        on_error: "raise" stops at the first bad row; "skip" leaves bad rows out and lists
            them in `dataset.skipped` (and counts them in `dataset.metadata["drops"]`).
            A missing file or folder, or missing columns, always raise.
        class_names: the allowed labels, lower case; labels in the CSV are matched ignoring
            case and surrounding spaces.

    Optional columns: `id` (else the 0-based row index), `text_label` and `image_label`
    (else missing), `split`.

    Returns:
        A `MultimodalDataset` named after the CSV file, with absolute image paths and
        `phenomenon` "unknown".

    Raises:
        DatasetError: naming the file and row (the header is row 1) of any bad input.
    """
    check_on_error(on_error)
    text_column, image_column, label_column = _column_names(columns)
    wanted = check_split(split)
    class_names = _check_class_names(class_names)
    csv_path = Path(csv_path).expanduser().resolve()
    if not csv_path.is_file():
        raise DatasetError("the CSV file does not exist.", path=csv_path)
    image_dir = csv_path.parent if image_dir is None else Path(image_dir).expanduser().resolve()
    if not image_dir.is_dir():
        raise DatasetError(
            f"the image folder does not exist (image paths in {csv_path.name} are relative "
            "to it; pass image_dir=...).",
            path=image_dir,
        )

    header, records, encoding = _read_records(csv_path)
    columns = {name: i for i, name in enumerate(header)}
    _check_header(header, csv_path, required=(text_column, image_column, label_column))

    log = DropLog(csv_path, on_error=on_error)
    rows: list[dict] = []
    seen_ids: set[str] = set()
    for index, (line, fields) in enumerate(records):
        try:
            if len(fields) != len(header):
                raise RowError(
                    "malformed row",
                    f"expected {len(header)} fields (one per column {header}), "
                    f"found {len(fields)}.",
                )
            values = {name: fields[i] for name, i in columns.items()}
            row = _parse_row(
                values,
                text_column=text_column,
                image_column=image_column,
                label_column=label_column,
                class_names=class_names,
                image_dir=image_dir,
            )
            row["id"] = values["id"].strip() if "id" in values else str(index)
            if not row["id"]:
                raise RowError("missing id", "empty id; expected a unique id for the post.")
            if row["id"] in seen_ids:
                raise RowError(
                    "duplicate id", f"id {row['id']!r} appears twice; ids must be unique."
                )
            check_image(Path(row["image"]), source=csv_path, row=line)
        except RowError as error:
            log.bad_row(line, error)
            continue
        seen_ids.add(row["id"])
        rows.append(row)

    has_split = "split" in columns
    if not has_split:
        splits = assign_splits([r["label"] for r in rows], seed=seed)
        for row, value in zip(rows, splits, strict=True):
            row["split"] = value
    frame = build_frame(rows)
    frame = frame[frame["split"].isin(wanted)].reset_index(drop=True)
    return MultimodalDataset(
        name=csv_path.name,
        frame=frame,
        class_names=class_names,
        root=image_dir,
        metadata={
            "source": str(csv_path),
            "encoding": encoding,
            "num_rows": len(records),
            "split_from": "split column" if has_split else f"assign_splits(seed={seed})",
            "drops": dict(log.counts),
        },
        skipped=log.skipped,
    )


def _column_names(columns: Mapping[str, str] | None) -> tuple[str, str, str]:
    """The CSV's names of the text, image and label columns (defaults for roles not named)."""
    names = {"text": "text", "image": "image", "label": "label"}
    unknown = sorted(set(columns or {}) - set(names))
    if unknown:
        raise ValueError(
            f"columns maps the roles 'text', 'image' and 'label' to your column names. "
            f"Received: columns={dict(columns)!r}"
        )
    names.update(columns or {})
    return names["text"], names["image"], names["label"]


def _parse_row(
    values: dict[str, str],
    *,
    text_column: str,
    image_column: str,
    label_column: str,
    class_names: tuple[str, ...],
    image_dir: Path,
) -> dict[str, str | None]:
    """One CSV row as a frame row (without id); raises `RowError` on bad values."""
    text = values[text_column].strip()
    if not text:
        raise RowError(
            "empty text", f"empty text in column {text_column!r}; expected the post's text."
        )
    row: dict[str, str | None] = {"text": text, "phenomenon": "unknown", "split": None}
    row["label"] = _label(values[label_column], label_column, class_names)
    for column in OPTIONAL_LABEL_COLUMNS:
        raw = values.get(column, "")
        row[column] = _label(raw, column, class_names) if raw.strip() else None
    if "split" in values:
        row["split"] = values["split"].strip().lower()
        if row["split"] not in SPLITS:
            raise RowError(
                "unknown split",
                f"unknown split {values['split']!r} in column 'split'; "
                f"expected one of {list(SPLITS)}.",
            )
    raw_image = values[image_column].strip()
    if not raw_image:
        raise RowError(
            "missing image path",
            f"empty image path in column {image_column!r}; expected a file name relative "
            f"to {str(image_dir)!r} or an absolute path.",
        )
    row["image"] = str(image_dir / raw_image)  # an absolute raw_image replaces image_dir
    return row


def _label(raw: str, column: str, class_names: tuple[str, ...]) -> str:
    label = normalise_label(raw, class_names)
    if label is None:
        raise RowError(
            "unknown label",
            f"unknown label {raw!r} in column {column!r}; expected one of {list(class_names)} "
            "(case and surrounding spaces are ignored).",
        )
    return label


def _read_records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header and `(line number, fields)` of each non-blank record of a CSV file."""
    raw = path.read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        records = []
        last_line = reader.line_num
        for fields in reader:
            line, last_line = last_line + 1, reader.line_num
            if any(field.strip() for field in fields):  # skip blank lines and ",,," rows
                records.append((line, fields))
    except csv.Error as error:
        raise DatasetError(
            f"not a readable CSV file ({error}).", path=path, row=reader.line_num
        ) from error
    return header, records, encoding


def _check_header(header: list[str], path: Path, *, required: Sequence[str]) -> None:
    if not header:
        raise DatasetError(
            f"the file is empty; expected a header line with columns {list(required)}.",
            path=path,
            row=1,
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DatasetError(
            f"duplicated column names {duplicated}; found columns {header}.", path=path, row=1
        )
    missing = [name for name in required if name not in header]
    if missing:
        if len(header) == 1 and any(sep in header[0] for sep in ";\t"):
            hint = " The file seems not to be comma-separated; save it as a comma-separated CSV."
        else:
            hint = (
                ' Rename the columns, or name yours with columns={"text": ..., "image": ..., '
                '"label": ...}.'
            )
        raise DatasetError(
            f"missing columns {missing}; found columns {header}, expected {list(required)} "
            f"(optional: ['id', 'text_label', 'image_label', 'split']).{hint}",
            path=path,
            row=1,
        )


def _check_class_names(class_names: Sequence[str]) -> tuple[str, ...]:
    names = tuple(class_names) if not isinstance(class_names, str) else ()
    if (
        len(names) < 2
        or len(set(names)) != len(names)
        or any(not isinstance(n, str) or n != n.strip().lower() or not n for n in names)
    ):
        raise ValueError(
            "class_names must be at least two distinct, non-empty lower-case strings. "
            f"Received: class_names={class_names!r}"
        )
    return names


__all__ = ["load_csv"]
