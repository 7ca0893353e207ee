"""The errata appendix (`notebooks/appendix_errata.ipynb`): the data its corrected listings read.

The article's listings read a CSV and a folder of images per class; the appendix runs their
corrected versions on MoodPosts instead:

- `images_only(part)`: a split as `(image, image_label)` batches, what listing 4.2's image
  model trains on (the article's generator gave the same pairs, read from folders);
- `class_folders(posts, folder)`: copies posts' images into `folder/<image_label>/<id>.png`,
  the layout `ImageDataGenerator.flow_from_directory` (and `image_dataset_from_directory`)
  expects, to show what listing 4.2's generator actually yields.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd


def images_only(part, *, shuffle: bool = False, batch_size: int = 64):
    """A `tf.data.Dataset` of `(image, image_label)` batches of one `MultimodalDataset`."""
    batches = part.to_tf_dataset(
        batch_size=batch_size, shuffle=shuffle, label_column="image_label"
    )
    return batches.map(lambda inputs, label: (inputs["image"], label))


def class_folders(posts: pd.DataFrame, folder: str | Path) -> Path:
    """Copy each post's image to `folder/<image_label>/<id><suffix>`; returns `folder`."""
    folder = Path(folder)
    missing = {"id", "image", "image_label"} - set(posts.columns)
    if missing:
        raise ValueError(
            f"posts need the columns id, image, image_label. Missing: {sorted(missing)}"
        )
    for post in posts.itertuples():
        target = folder / post.image_label
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(post.image, target / f"{post.id}{Path(post.image).suffix}")
    return folder
