"""The course's results table: every model of lessons 03-09 on one page.

    python -m mmcourse.results --out notebooks/RESULTS.md          # full mode: published numbers
    MMCOURSE_FAST=1 python -m mmcourse.results --out /tmp/fast.md  # a quick check

Each lesson module exposes `run_experiment(data, *, seed=0) -> list[Evaluation]`, the
comparison its notebook prints; this script runs them all on the same MoodPosts test split and
writes one Markdown table per lesson (accuracy, macro-F1, accuracy per phenomenon, parameters,
training time) under the dataset's Bayes ceilings.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import time
from pathlib import Path

from mmcourse import runtime
from mmcourse.evaluate import Evaluation

LESSONS = {
    "03": ("Text sentiment", "mmcourse.text_lesson"),
    "04": ("Image sentiment (trained on image_label)", "mmcourse.image_lesson"),
    "05": ("Cross-modal embedding", "mmcourse.embedding_lesson"),
    "06": ("Multi-task learning", "mmcourse.multitask_lesson"),
    "07": ("CNN fusion", "mmcourse.fusion_lesson"),
    "08": ("Attention", "mmcourse.attention_lesson"),
    "09": ("Robustness", "mmcourse.robustness_lesson"),
}
PHENOMENA = ("aligned", "text_neutral", "image_neutral", "negation", "conflict", "grounded")
COLUMNS = ("accuracy", "macro_f1", *PHENOMENA, "params", "train_seconds")


def run_lesson(number: str, data, *, seed: int = 0) -> list[Evaluation]:
    """The evaluations of one lesson's `run_experiment` (lesson 03 builds its own pipeline)."""
    if number not in LESSONS:
        raise ValueError(f"number must be one of {sorted(LESSONS)}. Received: number={number!r}")
    module = importlib.import_module(LESSONS[number][1])
    if number == "03":
        results = list(module.train_text_models(seed=seed).values())
        pretrained = module.train_text_models(seed=seed, names=("text_cnn",), pretrained=True)
        pretrained["text_cnn"].name = "text_cnn + course word vectors"
        return results + [pretrained["text_cnn"]]
    return list(module.run_experiment(data, seed=seed))


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column == "params":
        return f"{int(value):,}"
    if column == "train_seconds":
        return f"{value:.0f}"
    return f"{100 * value:.1f}"


def lesson_table(evaluations: list[Evaluation]) -> str:
    """A Markdown table, one row per evaluation (percentages, parameters, seconds)."""
    header = "| model | " + " | ".join(c.replace("_", " ") for c in COLUMNS) + " |"
    lines = [header, "|---" * (len(COLUMNS) + 1) + "|"]
    for e in evaluations:
        values = e.summary()
        cells = [_cell(c, values.get(c)) for c in COLUMNS]
        lines.append(f"| {e.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ceiling_table(ceilings: dict) -> str:
    """The Bayes ceilings (text only, image only, both) as a Markdown table."""
    lines = ["| view | overall | " + " | ".join(PHENOMENA) + " |", "|---" * 8 + "|"]
    for view in ("text", "image", "both"):
        row = ceilings[view]
        cells = [f"{100 * row[p]:.1f}" for p in ("overall", *PHENOMENA)]
        name = "both" if view == "both" else f"{view} only"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def to_markdown(results: dict, ceilings: dict, *, seconds: dict, header: str) -> str:
    """The whole page: how it was made, the ceilings, then one section per lesson."""
    parts = [
        "# Results: every model of lessons 03-09 on the MoodPosts test split",
        header,
        "Accuracy and per-phenomenon accuracy are percentages on the 599 test posts' `label`. "
        "`train seconds` is wall-clock training time on the machine above (measured, not a "
        "target). Lesson 04's image models were trained on `image_label` and are scored here "
        "on the post label; their image-label accuracy is in lesson 04.",
        "## Bayes ceilings",
        ceiling_table(ceilings),
    ]
    for number, evaluations in results.items():
        title = LESSONS[number][0]
        parts.append(f"## Lesson {number}: {title} ({seconds[number]:.0f} s)")
        parts.append(lesson_table(evaluations))
    return "\n\n".join(parts) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the Markdown file to write")
    parser.add_argument("--lessons", nargs="*", default=sorted(LESSONS), help="e.g. 03 07")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from mmcourse.fusion_data import prepare_fusion_data

    runtime.seed_everything(args.seed)
    data = prepare_fusion_data()
    results, seconds = {}, {}
    for number in args.lessons:
        started = time.perf_counter()
        results[number] = run_lesson(number, data, seed=args.seed)
        seconds[number] = time.perf_counter() - started
        print(f"lesson {number}: {seconds[number]:.0f} s", flush=True)
    mode = "fast" if runtime.is_fast_mode() else "full"
    report = runtime.device_report()
    header = (
        f"Made by `python -m mmcourse.results --out {args.out}` in **{mode} mode** on "
        f"{datetime.date.today().isoformat()}, seed {args.seed}, on {platform.machine()} with "
        f"{os.cpu_count()} CPU cores (devices: {', '.join(report['devices'])}), Keras backend "
        f"{report['backend']}."
    )
    args.out.write_text(to_markdown(results, data.ceilings, seconds=seconds, header=header))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
