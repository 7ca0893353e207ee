"""Generate MoodPosts: plan every post from the design table, draw it, write the release.

`generate_posts` returns the manifest as a DataFrame (texts and scene facts, no pixels);
`render_post_image` draws one post's image; `write_moodposts` writes a full release folder
(images, manifest, metadata, dataset card, checksums). Each post has its own random stream,
seeded by (seed, post index), so any single image can be redrawn and checked on its own.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmcourse.data.core import SPLITS, assign_splits, file_sha256
from mmcourse.synth import card, design, scenes, texts

VERSION = "1.0.0"
NAME = "moodposts"
MANIFEST_COLUMNS = (
    "id",
    "split",
    "text",
    "image",
    "label",
    "text_label",
    "image_label",
    "phenomenon",
    "label_noise",
    "place",
    "weather",
    "objects",
    "characters",
    "named_character",
)
_TEXT_STREAM, _IMAGE_STREAM, _NOISE_STREAM, _SPLIT_STREAM = 1, 2, 3, 4


@dataclasses.dataclass(frozen=True)
class MoodPostsConfig:
    """Everything that decides a MoodPosts release. Change it to make variants."""

    num_posts: int = 6000
    seed: int = 2026
    label_noise: float = 0.03
    image_size: int = 64
    phenomenon_rates: tuple[tuple[str, float], ...] = tuple(
        design.DEFAULT_PHENOMENON_RATES.items()
    )

    def __post_init__(self):
        if self.num_posts < 30:
            raise ValueError(
                f"num_posts must be at least 30. Received: num_posts={self.num_posts}"
            )
        if not 0 <= self.label_noise < 0.5:
            raise ValueError(
                f"label_noise must be in [0, 0.5). Received: label_noise={self.label_noise}"
            )
        if self.image_size < 32:
            raise ValueError(f"image_size must be >= 32. Received: image_size={self.image_size}")

    def cases(self) -> list[design.Case]:
        return design.build_cases(dict(self.phenomenon_rates))

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["phenomenon_rates"] = dict(self.phenomenon_rates)
        return out


def _allocate(probabilities: list[float], total: int) -> list[int]:
    """Largest-remainder rounding: integer counts proportional to `probabilities`."""
    raw = [p * total for p in probabilities]
    counts = [int(np.floor(x)) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _stream(config: MoodPostsConfig, kind: int, index: int = 0) -> np.random.Generator:
    return np.random.default_rng([config.seed, kind, index])


def generate_posts(config: MoodPostsConfig | None = None) -> pd.DataFrame:
    """Plan every post: labels, phenomenon, scene, text and split (no images drawn)."""
    config = config or MoodPostsConfig()
    cases = config.cases()
    counts = _allocate([c.probability for c in cases], config.num_posts)
    planned = [case for case, n in zip(cases, counts) for _ in range(n)]
    order = np.argsort(_stream(config, 0).random(len(planned)), kind="stable")
    planned = [planned[i] for i in order]

    rows = []
    for index, case in enumerate(planned):
        rng = _stream(config, _TEXT_STREAM, index)
        if case.phenomenon == "grounded":
            expressions = [case.named_expression, case.other_expression]
            if rng.random() < 0.5:
                expressions.reverse()
            mood = "mixed"
        else:
            mood = case.image_label
            expressions = [mood] * (1 + int(rng.integers(2)))
        scene = scenes.sample_scene(rng, expressions=expressions, mood=mood)
        named = ""
        kind = {"negation": "negated", "grounded": "grounded"}.get(case.phenomenon, "plain")
        if kind == "grounded":
            named = next(
                c.colour for c in scene.characters if c.expression == case.named_expression
            )
        text = texts.make_text(
            kind=kind,
            polarity=case.text_polarity,
            place=scene.place,
            objects=list(scene.objects),
            rng=rng,
            named_colour=named or None,
        )
        post_id = f"mp-{index:05d}"
        rows.append(
            {
                "id": post_id,
                "text": text,
                "image": f"images/{post_id}.png",
                "label": case.label,
                "text_label": case.text_label,
                "image_label": case.image_label,
                "phenomenon": case.phenomenon,
                "label_noise": False,
                "place": scene.place,
                "weather": scene.weather,
                "objects": ";".join(scene.objects),
                "characters": ";".join(f"{c.colour}:{c.expression}" for c in scene.characters),
                "named_character": named,
            }
        )
    frame = pd.DataFrame(rows)

    # Label noise: an exact, recorded number of post labels flipped to another class.
    noise_rng = _stream(config, _NOISE_STREAM)
    num_noisy = int(round(config.label_noise * len(frame)))
    noisy = np.argsort(noise_rng.random(len(frame)), kind="stable")[:num_noisy]
    for i in sorted(noisy.tolist()):
        others = [c for c in design.CLASS_NAMES if c != frame.at[i, "label"]]
        frame.at[i, "label"] = others[int(noise_rng.random() < 0.5)]
        frame.at[i, "label_noise"] = True

    strata = frame["label"] + "/" + frame["phenomenon"]
    frame.insert(1, "split", assign_splits(strata, seed=config.seed + _SPLIT_STREAM))
    return frame[list(MANIFEST_COLUMNS)]


def scene_of(row: pd.Series) -> scenes.Scene:
    """Rebuild a post's `Scene` from its manifest row."""
    characters = tuple(
        scenes.Character(*item.split(":")) for item in str(row["characters"]).split(";") if item
    )
    objects = tuple(o for o in str(row["objects"]).split(";") if o)
    return scenes.Scene(row["place"], row["weather"], objects, characters)


def render_post_image(row: pd.Series, config: MoodPostsConfig | None = None) -> np.ndarray:
    """Draw the image of one manifest row, exactly as the release has it."""
    config = config or MoodPostsConfig()
    index = int(str(row["id"]).split("-")[-1])
    rng = _stream(config, _IMAGE_STREAM, index)
    return scenes.render_scene(scene_of(row), rng, size=config.image_size)


PROGRESS_EVERY = 1000  # images drawn between two progress lines


def write_moodposts(
    out_dir: str | Path, config: MoodPostsConfig | None = None, *, progress=None
) -> Path:
    """Write a complete MoodPosts release to `out_dir` and return that folder. `progress`
    (`print` for the command line) gets a line when the posts are planned, one per
    `PROGRESS_EVERY` images drawn (and after the last), and one when the files are written."""
    from PIL import Image

    say = progress or (lambda line: None)
    config = config or MoodPostsConfig()
    out_dir = Path(out_dir)
    (out_dir / "images").mkdir(parents=True, exist_ok=True)
    frame = generate_posts(config)
    say(f"[data] planned {len(frame)} posts")
    for number, (_, row) in enumerate(frame.iterrows(), start=1):
        pixels = render_post_image(row, config)
        Image.fromarray(pixels).save(out_dir / row["image"], format="PNG", optimize=True)
        if number % PROGRESS_EVERY == 0 or number == len(frame):
            say(f"[data] drew {number}/{len(frame)} images")
    frame.to_csv(out_dir / "manifest.csv", index=False, lineterminator="\n")
    metadata = build_metadata(frame, config)
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    (out_dir / "README.md").write_text(card.render_card(metadata))
    files = ["manifest.csv", "metadata.json", "README.md", *frame["image"]]
    lines = [f"{file_sha256(out_dir / name)}  {name}" for name in files]
    (out_dir / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    say("[data] wrote manifest.csv, metadata.json, README.md and SHA256SUMS")
    return out_dir


def build_metadata(frame: pd.DataFrame, config: MoodPostsConfig) -> dict:
    """Counts, rates and ceilings of a release, as stored in `metadata.json`."""
    cases = config.cases()
    ceilings = design.bayes_ceilings(cases, noise=config.label_noise)

    def count(column: str) -> dict[str, int]:
        return {k: int(v) for k, v in frame[column].value_counts().sort_index().items()}

    by_split = {
        split: {k: int(v) for k, v in part["label"].value_counts().sort_index().items()}
        for split, part in sorted(frame.groupby("split"), key=lambda kv: SPLITS.index(kv[0]))
    }
    agreement = {
        "text_label == image_label": float((frame.text_label == frame.image_label).mean()),
        "text_label == label": float((frame.text_label == frame.label).mean()),
        "image_label == label": float((frame.image_label == frame.label).mean()),
    }
    return {
        "name": NAME,
        "version": VERSION,
        "config": config.to_dict(),
        "class_names": list(design.CLASS_NAMES),
        "num_posts": len(frame),
        "splits": count("split"),
        "labels": count("label"),
        "labels_by_split": by_split,
        "phenomena": count("phenomenon"),
        "label_noise": {"rate": config.label_noise, "num_flipped": int(frame.label_noise.sum())},
        "agreement": {k: round(v, 4) for k, v in agreement.items()},
        "ceilings": ceilings,
    }
