"""Appendix B (`notebooks/appendix_your_own_data.ipynb`): the lessons on data shaped like MVSA.

The appendix exports MoodPosts posts into MVSA-Single's layout with real-world variety
(`mmcourse.data.real_shaped`), loads them back with `load_mvsa` as one would load the real
MVSA, and runs lessons 03, 07 and 08's comparisons on what it loaded:

- `SETTINGS`: how many posts to export (600 in fast mode, 3,000 in full mode) and the seed;
- `export_and_load`: the export and the load, `post_counts` what came back and what the
  loader dropped, `image_census` the sizes, modes and formats of the files;
- `run_lesson`: one lesson's comparison on the loaded data, with the lesson's own settings;
- `results_table`: every lesson's models on one table, next to MoodPosts' published accuracy
  (`published_accuracy` reads `notebooks/RESULTS.md`);
- `lesson_claims`: what the appendix claims, from what it measured.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd

from mmcourse import claims, paths
from mmcourse.arguments import check_positive_int
from mmcourse.data.core import MultimodalDataset
from mmcourse.data.mvsa import load_mvsa
from mmcourse.data.real_shaped import describe_images, export_real_shaped, sample_posts
from mmcourse.experiment import LessonResult
from mmcourse.fusion_data import IMAGE_SIZE, FusionData
from mmcourse.settings import ByMode
from mmcourse.text import vectorize

LESSON_NUMBERS = ("03", "07", "08")
TEXT_BASELINE = "text_only"  # lesson 07's TextCNN alone: what every fusion must beat
FUSION_MARGIN = 0.08  # how far the best fusion model of lessons 07 and 08 beats it, at least
IMAGE_DECIDES = "text_neutral"  # a neutral text: only the image tells the sentiment
IMAGE_DECIDES_BOUND = 0.5  # every text-only model gets fewer than half of those posts


@dataclasses.dataclass(frozen=True)
class Settings:
    """How many MoodPosts posts the appendix exports, and the seed of the sample and of
    every random choice of the export."""

    num_posts: int = 3000
    seed: int = 0

    def __post_init__(self):
        check_positive_int(self.num_posts, "num_posts")


SETTINGS = ByMode(fast=Settings(num_posts=600), full=Settings(num_posts=3000))


def export_and_load(
    dataset: MultimodalDataset, folder: str | Path, *, settings: Settings | None = None
) -> tuple[pd.DataFrame, MultimodalDataset]:
    """Export `settings.num_posts` posts of `dataset` into `folder` with real-world variety,
    then load the folder with `load_mvsa`. Returns `(the exported posts, the loaded dataset)`."""
    settings = SETTINGS.for_mode() if settings is None else settings
    sample = sample_posts(dataset.frame, num_posts=settings.num_posts, seed=settings.seed)
    root = export_real_shaped(dataset, folder, num_posts=settings.num_posts, seed=settings.seed)
    return sample, load_mvsa(root, variant="single", seed=settings.seed)


def post_counts(sample: pd.DataFrame, loaded: MultimodalDataset) -> dict[str, int]:
    """How many posts were exported, loaded, and dropped; and how many of the exported ones
    pair a positive text with a negative image or the reverse (MVSA's cleaning drops those)."""
    polar = {("positive", "negative"), ("negative", "positive")}
    pairs = zip(sample["text_label"], sample["image_label"], strict=True)
    return {
        "exported": len(sample),
        "loaded": len(loaded),
        "dropped": loaded.num_skipped,
        "polar_clashes": sum(pair in polar for pair in pairs),
    }


def image_census(dataset: MultimodalDataset) -> dict:
    """The image files of `dataset`: how many, how many distinct sizes, the smallest and
    largest side, and how many of each mode (RGB, L, RGBA) and file format (JPEG, PNG)."""
    files = describe_images(dataset.frame["image"])
    sides = pd.concat([files["width"], files["height"]])
    return {
        "images": len(files),
        "sizes": int(files[["width", "height"]].drop_duplicates().shape[0]),
        "min_side": int(sides.min()),
        "max_side": int(sides.max()),
        "modes": files["mode"].value_counts().to_dict(),
        "formats": files["format"].value_counts().to_dict(),
    }


def vocabulary_sources(texts) -> dict[str, int]:
    """Distinct tokens (as the vectorizer standardises them) of `texts`, by where they come
    from: `links` (a `https://` word), `handles` (an `@user` word), `words` (all the others)
    and `vocabulary` (all distinct tokens). A token found both ways counts as a word."""
    sources: dict[str, set[str]] = {"links": set(), "handles": set(), "words": set()}
    for text in texts:
        for word in str(text).split():
            kind = "links" if word.startswith(("http://", "https://")) else "words"
            kind = "handles" if word.startswith("@") else kind
            sources[kind].update(vectorize.simple_tokens(word))
    sources["links"] -= sources["words"]
    sources["handles"] -= sources["words"] | sources["links"]
    counts = {kind: len(tokens) for kind, tokens in sources.items()}
    return counts | {"vocabulary": sum(counts.values())}


def _module(number: str):
    from mmcourse.lessons import attention_fusion, cnn_fusion, text_sentiment

    modules = {"03": text_sentiment, "07": cnn_fusion, "08": attention_fusion}
    if number not in modules:
        raise ValueError(f"number must be one of {LESSON_NUMBERS}. Received: number={number!r}")
    return modules[number]


def run_lesson(number: str, data: FusionData, *, settings=None) -> LessonResult:
    """Lesson `number`'s comparison on `data`: the models its `run_experiment` trains, in the
    same order, with its settings (default: its full-mode `SETTINGS.full`, in both modes).

    Full-mode settings in fast mode too: the epochs are a maximum (early stopping), and fast
    mode already shrinks the data (600 posts), so the models still train to convergence at
    less cost than the lesson's own fast mode on MoodPosts' 4,800 training posts.

    Each is the lesson's own `run_experiment`: lessons 07 and 08 leave out what they measure
    on grounded posts (which character the text names), since an MVSA folder has no scene
    metadata (`cnn_fusion.has_scene_metadata`).
    """
    module = _module(number)
    settings = module.SETTINGS.full if settings is None else settings
    return module.run_experiment(data, settings=settings)


def published_accuracy(path: str | Path | None = None) -> dict[str, dict[str, float]]:
    """`{lesson: {model: accuracy}}` on MoodPosts' test split, read from the results page
    (`notebooks/RESULTS.md`, written by `mmcourse.results` in full mode)."""
    path = Path(path) if path is not None else paths.notebooks_dir() / "RESULTS.md"
    found: dict[str, dict[str, float]] = {}
    lesson = None
    for line in path.read_text().splitlines():
        heading = re.match(r"## Lesson (\d+):", line)
        if heading:
            lesson = heading.group(1)
            found[lesson] = {}
        elif lesson and line.startswith("| ") and not line.startswith("| model |"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            found[lesson][cells[0]] = round(float(cells[1]) / 100, 3)
    if not found:
        raise ValueError(f"Expected '## Lesson NN:' sections with tables in {path}.")
    return found


def results_table(
    results: dict[str, LessonResult], *, published: dict[str, dict[str, float]] | None = None
) -> pd.DataFrame:
    """One row per lesson and model: accuracy and macro-F1 on the loaded data's test split,
    accuracy per phenomenon, and (with `published`) the model's accuracy on MoodPosts."""
    rows = {}
    for number, result in results.items():
        for evaluation in result.evaluations:
            row = {"accuracy": evaluation.accuracy, "macro_f1": evaluation.macro_f1}
            row |= evaluation.per_phenomenon
            if published is not None:
                row["moodposts_accuracy"] = published.get(number, {}).get(evaluation.name)
            rows[(number, evaluation.name)] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = table.index.set_names(["lesson", "model"])
    return table.round(3)


def best_fusion(result: LessonResult) -> tuple[str, float]:
    """The name and test accuracy of the best model of `result` that reads both modalities
    (every model but the unimodal baselines)."""
    fused = [e for e in result.evaluations if e.name not in (TEXT_BASELINE, "image_only")]
    if not fused:
        raise ValueError("Expected at least one fusion model. Received: only baselines")
    best = max(fused, key=lambda e: e.accuracy)
    return best.name, best.accuracy


def lesson_claims(
    *,
    posts: dict[str, int],
    image_shapes: list[tuple],
    vocabulary: dict[str, int],
    results: dict[str, LessonResult],
    published: dict[str, dict[str, float]],
) -> list[claims.Claim]:
    """The appendix's claims:

    1. no post is lost: every exported post is loaded, except those whose text and image
       labels clash (positive against negative), which MVSA's cleaning drops;
    2. every image, whatever its size and mode, reaches the models as IMAGE_SIZE x
       IMAGE_SIZE x 3 (`image_shapes`: the shape of each split's pixel array);
    3. most of the train vocabulary (`vocabulary_sources`) is links and @handles;
    4. no text-only model (lesson 03's, lesson 07's `text_only`) gets half of the
       `text_neutral` posts, where only the image tells;
    5. lesson 07's `text_only` scores higher here than on MoodPosts (`published`, from
       `published_accuracy`): the sarcastic posts, where the text misleads, were dropped;
    6. in lessons 07 and 08 the best fusion model beats lesson 07's text-only baseline by
       at least `FUSION_MARGIN` (8 points).
    """
    expected_loaded = posts["exported"] - posts["polar_clashes"]
    tweet_tokens = vocabulary["links"] + vocabulary["handles"]
    text_models = [*results["03"].evaluations, results["07"].evaluation(TEXT_BASELINE)]
    absent = [e.name for e in text_models if IMAGE_DECIDES not in e.per_phenomenon]
    if absent:
        raise ValueError(
            f"The test split has no {IMAGE_DECIDES} posts to score the text models on: export "
            f"more posts. Received: no {IMAGE_DECIDES} accuracy for {absent}"
        )
    found = [
        claims.holds(
            "every exported post is loaded, except the positive-vs-negative clashes",
            posts["loaded"] == expected_loaded and posts["dropped"] == posts["polar_clashes"],
            measured=f"{posts['loaded']} loaded, {posts['dropped']} dropped",
            expected=f"{expected_loaded} loaded, {posts['polar_clashes']} dropped",
        ),
        claims.holds(
            f"every image reaches the models as {IMAGE_SIZE}x{IMAGE_SIZE}x3",
            all(tuple(shape[1:]) == (IMAGE_SIZE, IMAGE_SIZE, 3) for shape in image_shapes),
            measured=", ".join(str(tuple(shape)) for shape in image_shapes),
            expected=f"(n, {IMAGE_SIZE}, {IMAGE_SIZE}, 3)",
        ),
        claims.above(
            "links and @handles are most of the train vocabulary (share)",
            round(tweet_tokens / vocabulary["vocabulary"], 3),
            0.5,
        ),
        claims.below(
            f"no text-only model gets half the {IMAGE_DECIDES} posts: the best of "
            + ", ".join(e.name for e in text_models),
            max(e.per_phenomenon[IMAGE_DECIDES] for e in text_models),
            IMAGE_DECIDES_BOUND,
        ),
    ]
    text_only = results["07"].evaluation(TEXT_BASELINE).accuracy
    found.append(
        claims.above(
            f"lesson 07's {TEXT_BASELINE} scores higher here than on MoodPosts",
            text_only,
            published["07"][TEXT_BASELINE],
        )
    )
    for number in ("07", "08"):
        name, accuracy = best_fusion(results[number])
        found.append(
            claims.at_least(
                f"lesson {number}'s best fusion model ({name}) beats lesson 07's "
                f"{TEXT_BASELINE} by at least {100 * FUSION_MARGIN:.0f} points",
                accuracy,
                round(text_only + FUSION_MARGIN, 4),
            )
        )
    return found
