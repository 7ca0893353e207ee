"""Loader for MVSA-Single and MVSA-Multiple (Niu et al., MMM 2016), from a copy you downloaded.

Layout of the unpacked archive (this loader never downloads anything):

    root/
        labelResultAll.txt   tab-separated; header "ID<TAB>text,image" (Multiple: "ID" then
                             three "text,image" columns, one per annotator), then lines such
                             as "1<TAB>neutral,negative"
        data/<id>.txt        the tweet's text
        data/<id>.jpg        the tweet's image

Cleaning, as is usual in the MVSA literature: for MVSA-Multiple each modality's label is the
majority vote of the three annotators (posts without a majority are dropped); then the text
and image labels are merged: equal labels stay, a neutral and a polar label give the polar
one, and posts labelled positive in one modality and negative in the other are dropped.
Every drop is listed in `dataset.skipped` and counted in `dataset.metadata["drops"]`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from mmcourse.data._rows import DropLog, RowError, build_frame, check_image
from mmcourse.data.core import (
    CLASS_NAMES,
    DatasetError,
    MultimodalDataset,
    assign_splits,
    check_on_error,
    check_split,
    normalise_label,
)

LABEL_FILE = "labelResultAll.txt"
DATA_FOLDER = "data"
NUM_ANNOTATORS = {"single": 1, "multiple": 3}
NO_MAJORITY = "no annotator majority"
DISAGREE = "text and image disagree (positive vs negative)"


def load_mvsa(
    root: str | Path,
    *,
    variant: str = "single",
    split: str | Sequence[str] = "all",
    seed: int = 0,
    on_error: str = "raise",
) -> MultimodalDataset:
    """Load MVSA-Single or MVSA-Multiple from the folder you unpacked it to.

    Args:
        root: the folder holding `labelResultAll.txt` and `data/`.
        variant: "single" (one annotator per post) or "multiple" (three annotators).
        split: "train", "val", "test", "all", or a list of splits to keep. MVSA has no
            official split: a stratified 80/10/10 split on the merged label is drawn.
        seed: seed of that split.
        on_error: "raise" stops at the first bad line; "skip" leaves bad posts out and lists
            them in `dataset.skipped`. A missing folder or label file, or a wrong header,
            always raise.

    Returns:
        A `MultimodalDataset` named "mvsa-single" or "mvsa-multiple" whose `text_label` and
        `image_label` are the (majority) labels of each modality, `label` the merged label
        and `phenomenon` "aligned", "text_neutral" or "image_neutral".
        `metadata["drops"]` counts what cleaning (and `on_error="skip"`) removed.

    Raises:
        DatasetError: naming the file and line (the header is row 1) of any bad input.
    """
    if variant not in NUM_ANNOTATORS:
        raise ValueError(f"variant must be 'single' or 'multiple'. Received: variant={variant!r}")
    check_on_error(on_error)
    wanted = check_split(split)
    root = Path(root).expanduser().resolve()
    label_file, data_dir = root / LABEL_FILE, root / DATA_FOLDER
    if not root.is_dir():
        raise DatasetError(
            f"the MVSA folder does not exist; expected the unpacked MVSA-{variant.title()} "
            f"archive with {LABEL_FILE} and {DATA_FOLDER}/.",
            path=root,
        )
    if not label_file.is_file():
        raise DatasetError(
            f"the label file is missing; is {str(root)!r} the folder holding {LABEL_FILE}?",
            path=label_file,
        )
    if not data_dir.is_dir():
        raise DatasetError(
            "the data folder is missing; expected <id>.txt and <id>.jpg files in it.",
            path=data_dir,
        )

    lines = _decode(label_file.read_bytes()).splitlines()
    num_annotators = NUM_ANNOTATORS[variant]
    _check_header(lines[0] if lines else "", label_file, variant=variant)

    log = DropLog(label_file, on_error=on_error)
    rows, seen_ids, num_posts = [], set(), 0
    for line_number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        num_posts += 1
        try:
            post_id, text_votes, image_votes = _parse_line(line, num_annotators)
            if post_id in seen_ids:
                raise RowError("duplicate id", f"post ID {post_id} appears twice.")
            seen_ids.add(post_id)
            text_label, image_label = _majority(text_votes), _majority(image_votes)
            if text_label is None or image_label is None:
                log.drop(line_number, NO_MAJORITY)
                continue
            label = _merge(text_label, image_label)
            if label is None:
                log.drop(line_number, DISAGREE)
                continue
            text = _read_text(data_dir / f"{post_id}.txt", post_id)
            image = data_dir / f"{post_id}.jpg"
            check_image(image, source=label_file, row=line_number)
        except RowError as error:
            log.bad_row(line_number, error)
            continue
        rows.append(
            {
                "id": post_id,
                "text": text,
                "image": str(image),
                "label": label,
                "text_label": text_label,
                "image_label": image_label,
                "phenomenon": _phenomenon(text_label, image_label),
            }
        )

    splits = assign_splits([r["label"] for r in rows], seed=seed)
    for row, value in zip(rows, splits, strict=True):
        row["split"] = value
    frame = build_frame(rows)
    frame = frame[frame["split"].isin(wanted)].reset_index(drop=True)
    return MultimodalDataset(
        name=f"mvsa-{variant}",
        frame=frame,
        class_names=CLASS_NAMES,
        root=root,
        metadata={
            "variant": variant,
            "label_file": str(label_file),
            "num_annotators": num_annotators,
            "num_posts_in_file": num_posts,
            "num_kept": len(rows),
            "split_from": f"assign_splits(seed={seed})",
            "drops": dict(log.counts),
        },
        skipped=log.skipped,
    )


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Latin-1 (which decodes any bytes)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _check_header(header: str, path: Path, *, variant: str) -> None:
    fields = [field.strip().lower().replace(" ", "") for field in header.split("\t")]
    expected = ["id"] + ["text,image"] * NUM_ANNOTATORS[variant]
    if fields == expected:
        return
    shown = "\\t".join(["ID"] + ["text,image"] * NUM_ANNOTATORS[variant])
    hint = ""
    for other, count in NUM_ANNOTATORS.items():
        if other != variant and fields == ["id"] + ["text,image"] * count:
            hint = f" This looks like MVSA-{other.title()}: pass variant={other!r}."
    raise DatasetError(
        f"unexpected header {header!r}; expected {shown!r} for MVSA-{variant.title()}.{hint}",
        path=path,
        row=1,
    )


def _parse_line(line: str, num_annotators: int) -> tuple[str, list[str], list[str]]:
    """`"1\\tneutral,negative"` -> `("1", ["neutral"], ["negative"])`."""
    fields = [field.strip() for field in line.split("\t")]
    layout = "an ID, then " + ("one" if num_annotators == 1 else str(num_annotators))
    layout += " tab-separated 'text,image' label pair" + ("s" if num_annotators > 1 else "")
    if len(fields) != 1 + num_annotators:
        raise RowError(
            "malformed line",
            f"expected {layout}; found {len(fields)} tab-separated fields in {line!r}.",
        )
    post_id = fields[0]
    if not post_id.isdigit():
        raise RowError(
            "malformed line", f"expected a numeric post ID first; found {post_id!r} in {line!r}."
        )
    text_votes, image_votes = [], []
    for cell in fields[1:]:
        pair = cell.split(",")
        if len(pair) != 2:
            raise RowError(
                "malformed line",
                f"expected {layout} such as 'positive,neutral'; found {cell!r} in {line!r}.",
            )
        for raw, votes in zip(pair, (text_votes, image_votes), strict=True):
            label = normalise_label(raw, CLASS_NAMES)
            if label is None:
                raise RowError(
                    "unknown label",
                    f"unknown label {raw!r} in {line!r}; expected one of {list(CLASS_NAMES)}.",
                )
            votes.append(label)
    return post_id, text_votes, image_votes


def _majority(votes: list[str]) -> str | None:
    """The label more than half the annotators gave, or None."""
    label, count = Counter(votes).most_common(1)[0]
    return label if 2 * count > len(votes) else None


def _merge(text_label: str, image_label: str) -> str | None:
    """Equal -> that label; neutral + polar -> the polar one; positive + negative -> None."""
    if text_label == image_label:
        return text_label
    if "neutral" in (text_label, image_label):
        return image_label if text_label == "neutral" else text_label
    return None


def _phenomenon(text_label: str, image_label: str) -> str:
    if text_label == image_label:
        return "aligned"
    return "text_neutral" if text_label == "neutral" else "image_neutral"


def _read_text(path: Path, post_id: str) -> str:
    if not path.is_file():
        raise RowError(
            "missing text file", f"text file {str(path)!r} of post {post_id} does not exist."
        )
    text = _decode(path.read_bytes()).strip()
    if not text:
        raise RowError(
            "empty text", f"text file {str(path)!r} of post {post_id} is empty; expected a tweet."
        )
    return text


__all__ = ["load_mvsa"]
