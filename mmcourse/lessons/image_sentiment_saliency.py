"""Lesson 04's Grad-CAM, measured: how much of a map's heat falls on the characters.

A MoodPosts image's sentiment is in its characters' faces (`image_label` is their
expression), so a classifier that reads the image the way the label was made should put its
heat on the characters. `character_cells` finds them in each image from the manifest's
`characters` column (shirt colours, e.g. `"purple:positive;red:positive"`): the 8x8-pixel
regions showing a character's shirt and the region above each, where the face is (the same
rule lesson 08 uses for the named character). `heat_on_characters` then gives, per image, the
share of the map's heat inside those regions next to the share of the image they cover:
heat spread at random would land on the characters as often as their area says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmcourse.lessons.attention_fusion import named_character_cells


def character_colours(characters) -> list[list[str]]:
    """Each post's shirt colours from the manifest's `characters` strings ("colour:expr;...")."""
    colours = []
    for row, text in enumerate(characters):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(
                f"Expected 'colour:expression' pairs separated by ';' in row {row}. "
                f"Received: characters={text!r}"
            )
        colours.append([pair.split(":")[0].strip() for pair in text.split(";")])
    return colours


def character_cells(images, characters) -> np.ndarray:
    """(n, 8, 8) bool: the regions showing any character of each image (shirt and face)."""
    images = np.asarray(images, dtype="float32")
    colours = character_colours(characters)
    if len(colours) != len(images):
        raise ValueError(
            f"Expected one `characters` entry per image. Received: {len(images)} images, "
            f"{len(colours)} entries"
        )
    cells = np.zeros((len(images), 8, 8), dtype=bool)
    for slot in range(max(map(len, colours))):
        rows = [i for i, c in enumerate(colours) if len(c) > slot]
        found = named_character_cells(images[rows], [colours[i][slot] for i in rows])
        cells[rows] |= found
    return cells


def heat_on_characters(heat, cells) -> pd.DataFrame:
    """Per image: `heat_share` (the map's heat inside `cells`, NaN for a map with no heat at
    all), `area_share` (the share of the image `cells` cover) and `no_heat`.

    `heat` is (n, H, W) from `saliency.grad_cam` (H and W multiples of 8), `cells` (n, 8, 8).
    """
    heat = np.asarray(heat, dtype="float64")
    cells = np.asarray(cells, dtype=bool)
    shape_ok = heat.ndim == 3 and cells.shape == (len(heat), 8, 8)
    if not shape_ok or heat.shape[1] % 8 or heat.shape[2] % 8:
        raise ValueError(
            "Expected heat of shape (n, H, W) with H, W multiples of 8 and cells of shape "
            f"(n, 8, 8). Received: heat={heat.shape}, cells={cells.shape}"
        )
    n, h, w = heat.shape
    per_cell = heat.reshape(n, 8, h // 8, 8, w // 8).sum(axis=(2, 4))
    total = per_cell.sum(axis=(1, 2))
    inside = (per_cell * cells).sum(axis=(1, 2))
    no_heat = total <= 0
    share = np.where(no_heat, np.nan, inside / np.where(no_heat, 1.0, total))
    return pd.DataFrame(
        {"heat_share": share, "area_share": cells.mean(axis=(1, 2)), "no_heat": no_heat}
    )


def heat_summary(shares: pd.DataFrame, correct) -> pd.DataFrame:
    """One row for right and one for wrong predictions: how many images, how many maps had no
    heat, the mean heat share on characters (maps with heat) and the mean area share."""
    correct = np.asarray(correct, dtype=bool)
    if len(correct) != len(shares):
        raise ValueError(
            f"Expected one `correct` flag per image. Received: {len(correct)} for "
            f"{len(shares)} images"
        )
    rows = {}
    for name, mask in (("right", correct), ("wrong", ~correct)):
        part = shares[mask]
        rows[name] = {
            "images": int(mask.sum()),
            "maps with no heat": int(part["no_heat"].sum()),
            "heat on characters": float(part["heat_share"].mean()),
            "characters' area": float(part["area_share"].mean()),
        }
    return pd.DataFrame(rows).T
