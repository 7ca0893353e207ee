"""Write a dataset in someone else's layout: the article's CSV, or MVSA's folder.

Useful to try `load_csv` and `load_mvsa` without the real data, and to hand MoodPosts to
code written for MVSA.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from mmcourse.data.core import MultimodalDataset


def export_csv(
    dataset: MultimodalDataset,
    folder: str | Path,
    *,
    name: str = "sentiment_data.csv",
    with_split: bool = True,
) -> Path:
    """Write `folder/name` (`text`, `image`, `label`[, `split`]) and `folder/images/`.

    This is the format of the source article's listings: one CSV and a folder of images.
    Returns the CSV's path.
    """
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    frame = dataset.frame
    rows = []
    for _, post in frame.iterrows():
        target = f"images/{Path(post['image']).name}"
        shutil.copyfile(post["image"], folder / target)
        rows.append(
            {"text": post["text"], "image": target, "label": post["label"]}
            | ({"split": post["split"]} if with_split else {})
        )
    path = folder / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def export_mvsa(dataset: MultimodalDataset, root: str | Path) -> Path:
    """Write `root/labelResultAll.txt` and `root/data/<n>.txt|.jpg` as MVSA-Single has them.

    Posts are numbered from 1 in frame order; text and image labels come from the
    dataset's `text_label` and `image_label` columns. Images are saved as JPEG.
    """
    from PIL import Image

    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    pairs = []
    for number, (_, post) in enumerate(dataset.frame.iterrows(), start=1):
        (root / "data" / f"{number}.txt").write_text(str(post["text"]) + "\n", encoding="utf-8")
        with Image.open(post["image"]) as image:
            image.convert("RGB").save(root / "data" / f"{number}.jpg", format="JPEG", quality=92)
        pairs.append((post["text_label"], post["image_label"]))
    write_mvsa_labels(root, pairs)
    return root


def write_mvsa_labels(root: str | Path, pairs) -> Path:
    """Write `root/labelResultAll.txt`: the MVSA-Single header, then one line per post,
    numbered from 1, `"<n>\\t<text label>,<image label>"` for each (text, image) pair."""
    lines = ["ID\ttext,image"]
    lines += [f"{n}\t{text},{image}" for n, (text, image) in enumerate(pairs, start=1)]
    path = Path(root) / "labelResultAll.txt"
    path.write_text("\n".join(lines) + "\n")
    return path
