"""MoodPosts written out as real MVSA looks: photos of many sizes and modes, tweets.

`export_mvsa` writes MoodPosts in MVSA-Single's layout, but the files are still MoodPosts':
64x64 RGB images and clean captions. Real MVSA is messier, and `export_real_shaped` writes
that mess into the same layout, deterministically for a given seed:

- every image is upscaled (bicubic) to its own size and aspect ratio, sides between
  `Variety.min_side` and `Variety.max_side` pixels, and saved as a JPEG of random quality;
- some are greyscale JPEGs, some RGBA PNGs saved under the `.jpg` name MVSA gives every image
  (the alpha channel is a vignette; the RGB channels keep the picture);
- every text is decorated as a tweet: sometimes "RT @user:" or an @mention before it, neutral
  #hashtags, a neutral emoji and a `https://t.co/...` link after it. The caption itself, and
  so every sentiment word, is kept verbatim.

`describe_images` lists the size, mode and file format of image files, to look at the result.
"""

from __future__ import annotations

import dataclasses
import string
from pathlib import Path

import numpy as np
import pandas as pd

from mmcourse.arguments import check_positive_int
from mmcourse.data.core import MultimodalDataset
from mmcourse.data.export import write_mvsa_labels

ASPECT_RATIOS = (1.0, 4 / 3, 3 / 4, 3 / 2, 2 / 3, 16 / 9, 9 / 16)  # width / height of photos
IMAGE_KINDS = ("rgb_jpeg", "greyscale_jpeg", "rgba_png")
NEUTRAL_HASHTAGS = ("#tbt", "#photo", "#instadaily", "#friday", "#repost", "#today", "#pic")
NEUTRAL_EMOJI = ("📷", "📸", "📍", "👀", "🎵", "➡️", "🗓️")
HANDLES = ("sam", "jo", "alex", "kim", "lee", "max", "ria", "tom", "ana", "ben")
LINK_PREFIX = "https://t.co/"
LINK_CHARACTERS = string.ascii_letters + string.digits


@dataclasses.dataclass(frozen=True)
class Variety:
    """How messy the export is: image sides in pixels, and the share of each decoration.

    `greyscale_share` and `png_share` are shares of the images (the rest are RGB JPEGs);
    `retweet_share` of the texts start with "RT @user:", `mention_share` of the others with
    an @mention; each text gets 0 to `max_hashtags` hashtags, an emoji with probability
    `emoji_share` and a link with probability `link_share`.
    """

    min_side: int = 160
    max_side: int = 640
    greyscale_share: float = 0.1
    png_share: float = 0.08
    retweet_share: float = 0.15
    mention_share: float = 0.3
    max_hashtags: int = 2
    emoji_share: float = 0.5
    link_share: float = 0.6

    def __post_init__(self):
        check_positive_int(self.min_side, "min_side")
        if self.max_side < self.min_side:
            raise ValueError(
                "max_side must be at least min_side. "
                f"Received: min_side={self.min_side}, max_side={self.max_side}"
            )
        shares = ("greyscale_share", "png_share", "retweet_share", "mention_share")
        for name in (*shares, "emoji_share", "link_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]. Received: {getattr(self, name)}")
        if self.greyscale_share + self.png_share > 1.0:
            raise ValueError(
                "greyscale_share + png_share must be at most 1. Received: "
                f"greyscale_share={self.greyscale_share}, png_share={self.png_share}"
            )
        if self.max_hashtags < 0:
            raise ValueError(f"max_hashtags must be >= 0. Received: {self.max_hashtags}")


def export_real_shaped(
    dataset: MultimodalDataset,
    root: str | Path,
    *,
    num_posts: int | None = None,
    seed: int = 0,
    variety: Variety | None = None,
) -> Path:
    """Write `root/labelResultAll.txt` and `root/data/<n>.txt|.jpg` with real-world variety.

    Args:
        dataset: the posts to export (their `text`, `image`, `text_label`, `image_label`).
        root: the folder to write (created; files already there are overwritten).
        num_posts: export a random sample of this many posts (kept in frame order);
            None exports every post.
        seed: seed of the sample and of every random choice: the same seed, the same files.
        variety: sizes and shares of the decorations (default `Variety()`).

    Returns `root`, ready for `load_mvsa(root)`. Posts are numbered from 1.
    """
    variety = Variety() if variety is None else variety
    frame = sample_posts(dataset.frame, num_posts=num_posts, seed=seed)
    rng = np.random.default_rng(seed)
    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    pairs = []
    for number, post in enumerate(frame.itertuples(index=False), start=1):
        text = tweetify(post.text, rng, variety=variety)
        (root / "data" / f"{number}.txt").write_text(text + "\n", encoding="utf-8")
        _write_image(post.image, root / "data" / f"{number}.jpg", rng, variety=variety)
        pairs.append((post.text_label, post.image_label))
    write_mvsa_labels(root, pairs)
    return root


def sample_posts(frame: pd.DataFrame, *, num_posts: int | None, seed: int) -> pd.DataFrame:
    """The posts `export_real_shaped` writes, in frame order: `num_posts` drawn with `seed`
    (every post when None)."""
    if num_posts is None:
        return frame
    check_positive_int(num_posts, "num_posts")
    if num_posts > len(frame):
        raise ValueError(
            f"num_posts must be at most the dataset's {len(frame)} posts. "
            f"Received: num_posts={num_posts}"
        )
    rows = np.random.default_rng(seed).choice(len(frame), size=num_posts, replace=False)
    return frame.iloc[np.sort(rows)]


def tweetify(text: str, rng: np.random.Generator, *, variety: Variety | None = None) -> str:
    """`text` as a tweet: an optional "RT @user:" or @mention first, then the text verbatim,
    then neutral hashtags, an emoji and a t.co link (each drawn from `rng`)."""
    variety = Variety() if variety is None else variety
    draws = rng.random(4)
    handle = f"@{HANDLES[rng.integers(len(HANDLES))]}{rng.integers(10, 1000)}"
    parts = []
    if draws[0] < variety.retweet_share:
        parts.append(f"RT {handle}:")
    elif draws[1] < variety.mention_share:
        parts.append(handle)
    parts.append(str(text))
    num_tags = int(rng.integers(variety.max_hashtags + 1))
    parts += [str(t) for t in rng.choice(NEUTRAL_HASHTAGS, size=num_tags, replace=False)]
    if draws[2] < variety.emoji_share:
        parts.append(NEUTRAL_EMOJI[rng.integers(len(NEUTRAL_EMOJI))])
    if draws[3] < variety.link_share:
        parts.append(LINK_PREFIX + "".join(rng.choice(list(LINK_CHARACTERS), size=10)))
    return " ".join(parts)


def image_size_for(rng: np.random.Generator, *, variety: Variety | None = None) -> tuple[int, int]:
    """A random (width, height): a photo's aspect ratio, the longer side drawn in
    [min_side, max_side], the shorter one at least min_side."""
    variety = Variety() if variety is None else variety
    ratio = ASPECT_RATIOS[rng.integers(len(ASPECT_RATIOS))]
    longer = int(rng.integers(variety.min_side, variety.max_side + 1))
    shorter = max(variety.min_side, round(longer / max(ratio, 1 / ratio)))
    return (longer, shorter) if ratio >= 1 else (shorter, longer)


def _write_image(source, target: Path, rng: np.random.Generator, *, variety: Variety) -> None:
    from PIL import Image

    size = image_size_for(rng, variety=variety)
    shares = [1.0 - variety.greyscale_share - variety.png_share]
    kind = IMAGE_KINDS[rng.choice(3, p=[*shares, variety.greyscale_share, variety.png_share])]
    quality = int(rng.integers(70, 96))
    with Image.open(source) as image:
        image = image.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    if kind == "rgb_jpeg":
        image.save(target, format="JPEG", quality=quality)
    elif kind == "greyscale_jpeg":
        image.convert("L").save(target, format="JPEG", quality=quality)
    else:  # a PNG under a .jpg name, as some MVSA files are
        image.putalpha(Image.fromarray(_vignette(size)))
        image.save(target, format="PNG")


def _vignette(size: tuple[int, int]) -> np.ndarray:
    """(height, width) uint8 alpha: opaque in the middle, fading to half at the corners."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    distance = np.hypot((x - width / 2) / width, (y - height / 2) / height) / np.hypot(0.5, 0.5)
    return (255 * (1.0 - 0.5 * distance**2)).astype(np.uint8)


def describe_images(paths) -> pd.DataFrame:
    """One row per image file: `width`, `height`, `mode` (RGB, L, RGBA...) and `format`
    (what the file holds, whatever its name says: JPEG, PNG...)."""
    from PIL import Image

    rows = []
    for path in paths:
        with Image.open(path) as image:
            rows.append(
                {
                    "file": Path(path).name,
                    "width": image.width,
                    "height": image.height,
                    "mode": image.mode,
                    "format": image.format,
                }
            )
    return pd.DataFrame(rows, columns=["file", "width", "height", "mode", "format"])


__all__ = [
    "Variety",
    "describe_images",
    "export_real_shaped",
    "image_size_for",
    "sample_posts",
    "tweetify",
]
