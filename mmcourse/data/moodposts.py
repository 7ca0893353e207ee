"""Loader for MoodPosts, the multimodal sentiment dataset shipped with the course."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from mmcourse import paths
from mmcourse.data.core import (
    CLASS_NAMES,
    FRAME_COLUMNS,
    DatasetError,
    MultimodalDataset,
    check_split,
    file_sha256,
)

NAME = "moodposts"
DATA_HOME_ENV = paths.DATA_ENV
REQUIRED_FILES = ("manifest.csv", "metadata.json", "SHA256SUMS")


def default_data_home() -> Path:
    """`$MMCOURSE_DATA` if set, else the `datasets/` folder of the course checkout."""
    return paths.datasets_dir()


@dataclasses.dataclass
class VerifyReport:
    """What `verify_moodposts` found: an empty `problems` list means all is well."""

    root: Path
    num_files: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_moodposts(*, data_home: str | Path | None = None) -> VerifyReport:
    """Check every shipped file of MoodPosts against `SHA256SUMS`."""
    root = Path(data_home or default_data_home()) / NAME
    if not root.is_dir():
        return VerifyReport(root, 0, [f"folder {root} does not exist"])
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    if missing:
        return VerifyReport(root, 0, [f"{root / name} is missing" for name in missing])
    problems = []
    lines = (root / "SHA256SUMS").read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            problems.append(f"{root / 'SHA256SUMS'}, row {number}: expected '<sha256>  <file>'")
            continue
        path = root / name
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif file_sha256(path) != digest:
            problems.append(f"{path} does not match its checksum (changed or corrupt)")
    return VerifyReport(root, len(lines), problems)


def load_moodposts(
    *, split: str | list[str] = "all", data_home: str | Path | None = None, verify: bool = True
) -> MultimodalDataset:
    """Load MoodPosts, the course's multimodal sentiment dataset.

    Args:
        split: "train", "val", "test", "all", or a list of splits.
        data_home: folder holding `moodposts/`; default `default_data_home()`.
        verify: check every file against `SHA256SUMS` first (about a second).

    Returns:
        A `MultimodalDataset` whose `frame` has the manifest columns (image paths made
        absolute), with the Bayes ceilings in `.ceilings` and the rest of `metadata.json`
        in `.metadata`.

    Raises:
        DatasetError: a missing folder or file, a checksum mismatch, or a malformed manifest.
    """
    wanted = check_split(split)
    root = Path(data_home or default_data_home()) / NAME
    if verify:
        report = verify_moodposts(data_home=root.parent)
        if not report.ok:
            shown = "\n  ".join(report.problems[:10])
            more = len(report.problems) - 10
            raise DatasetError(
                f"MoodPosts failed verification ({len(report.problems)} problems):\n  {shown}"
                + (f"\n  ... and {more} more" if more > 0 else "")
                + "\nRestore the files with `git checkout -- datasets/moodposts` or regenerate "
                "them with `mmcourse data generate`.",
                path=root,
            )
    manifest = root / "manifest.csv"
    if not manifest.is_file():
        raise DatasetError("the manifest is missing.", path=manifest)
    frame = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    _check_manifest(frame, manifest)
    frame["label_noise"] = frame["label_noise"] == "True"
    frame["image"] = [str(root / p) for p in frame["image"]]
    metadata = json.loads((root / "metadata.json").read_text())
    frame = frame[frame["split"].isin(wanted)].reset_index(drop=True)
    return MultimodalDataset(
        name=NAME,
        frame=frame,
        class_names=tuple(metadata.get("class_names", CLASS_NAMES)),
        root=root,
        ceilings=metadata["ceilings"],
        metadata=metadata,
    )


def _check_manifest(frame: pd.DataFrame, path: Path) -> None:
    missing = [c for c in (*FRAME_COLUMNS, "label_noise") if c not in frame.columns]
    if missing:
        raise DatasetError(
            f"missing columns {missing}; found {list(frame.columns)}.", path=path, row=1
        )
    for column in ("label", "text_label", "image_label"):
        bad = ~frame[column].isin(CLASS_NAMES)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DatasetError(
                f"unknown {column} {frame[column].iloc[i]!r}; expected one of {CLASS_NAMES}.",
                path=path,
                row=i + 2,
            )
    blank = frame["text"].str.strip() == ""
    if blank.any():
        raise DatasetError("empty text.", path=path, row=int(blank.to_numpy().nonzero()[0][0]) + 2)
