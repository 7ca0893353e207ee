"""The lessons: one module per notebook, named after it, and the registry that lists them.

`notebooks/07_cnn_fusion.ipynb` has its code in `mmcourse/lessons/cnn_fusion.py` (and, where
one module would be too long, in `cnn_fusion_<part>.py` beside it). Every lesson from 03 on
has the same interface, so the results page, the tests and the benchmarks treat them alike:

- `SETTINGS`: a `mmcourse.settings.ByMode` of the lesson's frozen `Settings` dataclass, its
  fast and full values side by side (`SETTINGS.for_mode()` is this process's);
- `run_experiment(data=None, *, settings=None) -> mmcourse.experiment.LessonResult`: the
  lesson's comparison (the rows of its table in `notebooks/RESULTS.md`) and every number its
  claims are about;
- `lesson_claims(result) -> list[mmcourse.claims.Claim]`: the sentences the lesson teaches,
  each checked against `result` (the notebook's claims cell calls it on what it measured).

`LESSONS` is the registry, in course order; `lesson("07")` finds one, `lesson("07").module`
imports its module.
"""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType


@dataclasses.dataclass(frozen=True)
class Lesson:
    """One notebook of the course and its module in this package."""

    number: str  # "00" ... "09"; a letter for an appendix (A errata, B own data, C scaling)
    name: str  # the module's name, the notebook's name without its number
    title: str
    question: str  # the question the lesson answers (lesson 00's map of the course)
    results_title: str | None = None  # the heading in notebooks/RESULTS.md, if not `title`
    # TensorFlow's oneDNN CPU kernels in its notebook, benchmark and seed sweep
    # (`mmcourse.quiet.import_tensorflow(onednn=...)`): True on; None as the environment says
    # (`make` and the other notebooks: off)
    onednn: bool | None = None

    @property
    def notebook(self) -> str:
        """The notebook's file name in `notebooks/`."""
        prefix = "appendix" if self.number.isalpha() else self.number
        return f"{prefix}_{self.name}.ipynb"

    @property
    def module_name(self) -> str:
        return f"{__name__}.{self.name}"

    @property
    def module(self) -> ModuleType:
        """The lesson's module (imported on first use: lessons import Keras)."""
        return importlib.import_module(self.module_name)

    @property
    def has_experiment(self) -> bool:
        """Lessons 03-09 train models and have `SETTINGS`, `run_experiment`, `lesson_claims`."""
        return self.number.isdigit() and int(self.number) >= 3


LESSONS = (
    Lesson("00", "start_here", "Start here", "how does the course work?"),
    Lesson(
        "01",
        "multimodal_data",
        "Multimodal data",
        "what is in a post, and how well can anyone do?",
    ),
    Lesson(
        "02",
        "text_preprocessing",
        "Text preprocessing and word embeddings",
        "how do words become vectors?",
    ),
    Lesson(
        "03",
        "text_sentiment",
        "Text sentiment",
        "how far does the text alone go? (listing 4.1, corrected)",
    ),
    Lesson(
        "04",
        "image_sentiment",
        "Image sentiment",
        "how far does the image alone go? (listing 4.2, corrected)",
        results_title="Image sentiment (trained on image_label)",
        onednn=True,  # its CNNs train about twice as fast (notebooks/BENCHMARKS.md)
    ),
    Lesson(
        "05",
        "cross_modal_embedding",
        "Cross-modal embedding",
        "can a text and an image live in one space?",
    ),
    Lesson(
        "06",
        "multitask_learning",
        "Multi-task learning",
        "do text and image labels help the post label?",
    ),
    Lesson(
        "07",
        "cnn_fusion",
        "CNN fusion",
        "early, late and intermediate fusion (listing 4.3, corrected)",
    ),
    Lesson(
        "08",
        "attention_fusion",
        "Attention fusion",
        "which words and which image regions decide?",
        results_title="Attention",
    ),
    Lesson("09", "robustness", "Robustness", "missing, noisy data and compute cost"),
    Lesson("A", "errata", "Errata", "what was wrong in the article's three listings?"),
    Lesson("B", "your_own_data", "Your own data", "do the lessons run on data shaped like MVSA?"),
    Lesson("C", "scaling", "Scaling", "from a laptop to many GPUs: precision, data, replicas"),
)


def lesson(number: str) -> Lesson:
    """The lesson numbered `number` ("07"; a letter for an appendix)."""
    for entry in LESSONS:
        if entry.number == number:
            return entry
    raise ValueError(
        f"number must be one of {[entry.number for entry in LESSONS]}. Received: number={number!r}"
    )


def experiments() -> tuple[Lesson, ...]:
    """The lessons with an experiment (03-09), in course order."""
    return tuple(entry for entry in LESSONS if entry.has_experiment)
