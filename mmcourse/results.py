"""The course's results table: every model of lessons 03-09 on one page.

    python -m mmcourse.results --out notebooks/RESULTS.md          # full mode: published numbers
    MMCOURSE_FAST=1 python -m mmcourse.results --out /tmp/fast.md  # a quick check
    python -m mmcourse.results --lessons 04 --json-dir build/results  # one lesson, kept as JSON
    python -m mmcourse.results --json-dir build/results --reuse --out notebooks/RESULTS.md

Each lesson of `mmcourse.lessons.experiments()` has `run_experiment(data, *, settings)`, the
comparison its notebook prints (its `LessonResult.evaluations`); this script runs them all on
the same MoodPosts test split and writes one Markdown table per lesson (accuracy, macro-F1,
accuracy per phenomenon, parameters, training time) under the dataset's Bayes ceilings. Each
lesson runs in a fresh Python process (`measure_in_child`), as in a learner's new kernel, with
the oneDNN setting its notebook uses (`mmcourse.lessons.Lesson.onednn`: lesson 04 on). With
`--json-dir`, each lesson's scores are also saved as `lesson_NN.json` (with the machine and
backend that produced them), and `--reuse` takes a lesson from there instead of training it
again: a slow lesson can run on another machine (a GPU, another Keras backend) and join the
page.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from mmcourse import lessons, quiet
from mmcourse.constants import PHENOMENA
from mmcourse.evaluate import Evaluation

COLUMNS = ("accuracy", "macro_f1", *PHENOMENA, "params", "train_seconds")
# What else each lesson measures (from `Evaluation.details`), and how to read its rows.
EXTRA_COLUMNS = {
    "04": ("image_label_accuracy",),
    "05": ("R@5 text->image", "R@5 image->text", "sentiment transfer balanced", "place transfer"),
    "06": ("text_head_accuracy", "image_head_accuracy", "epochs"),
    "07": ("epochs",),
    "08": ("epochs",),
    "09": ("acc_text_missing", "acc_image_missing", "epochs"),
}
READING = {
    "04": "Trained on `image_label`; `image label accuracy` is the accuracy on what they were "
    "trained for, the other columns score the post label.",
    "05": "These percentages score `image_label` (what each image shows), not the post label: "
    "read them against 100 %, not against the ceilings above. "
    "Each model's space is scored by sentiment classifiers on its image embeddings: one "
    "trained on text embeddings and applied unchanged (cross-modal transfer), one trained on "
    "image embeddings (the reference). R@5 is retrieval among the 599 test posts (chance "
    "0.8 %); the transfer columns are class-balanced sentiment and plain place accuracy.",
    "06": "Equal budget: the same initial weights, batches and number of epochs; the multi-task "
    "model's text and image heads are scored on `text_label` and `image_label`.",
    "09": "Trained with modality dropout at the rate in the name; the `acc` columns are test "
    "accuracy with the text or the image blanked.",
}


def run_lesson(number: str, data=None, *, seed: int = 0) -> list[Evaluation]:
    """The evaluations of one lesson's `run_experiment` (its settings for this mode, `seed`)."""
    entry = lessons.lesson(number)
    if not entry.has_experiment:
        numbers = [e.number for e in lessons.experiments()]
        raise ValueError(f"number must be one of {numbers}. Received: number={number!r}")
    module = entry.module
    settings = dataclasses.replace(module.SETTINGS.for_mode(), seed=seed)
    return list(module.run_experiment(data, settings=settings).evaluations)


def measure_lesson(*, number: str, seed: int, path: str) -> None:
    """Run in a fresh process (`measure_in_child`): lesson `number`'s `run_experiment` with its
    notebook's oneDNN setting (`mmcourse.lessons.Lesson.onednn`), its scores saved to `path`."""
    quiet.import_tensorflow(onednn=lessons.lesson(number).onednn)
    from mmcourse import runtime
    from mmcourse.bench.child import report_result
    from mmcourse.fusion_data import prepare_fusion_data

    runtime.seed_everything(seed)
    data = prepare_fusion_data()
    started = time.perf_counter()
    evaluations = run_lesson(number, data, seed=seed)
    seconds = time.perf_counter() - started
    where = {**provenance(), "onednn": quiet.onednn_enabled()}
    save_lesson(Path(path), number, evaluations, seconds=seconds, **where)
    report_result({"seconds": seconds})


def measure_in_child(number: str, *, seed: int, path: Path) -> float:
    """Lesson `number` in a fresh Python (`measure_lesson`), as a learner's new kernel runs it:
    its scores in `path`; returns its seconds. Raises `RuntimeError` with the child's error."""
    from mmcourse.bench.child import run_child

    arguments = {"number": number, "seed": seed, "path": str(path)}
    row = run_child("mmcourse.results:measure_lesson", arguments)
    if "error" in row:
        raise RuntimeError(f"lesson {number} failed in its process: {row['error']}")
    return row["seconds"]


def save_lesson(path: Path, number: str, evaluations: list[Evaluation], **provenance) -> None:
    """Write one lesson's scores (and where they were measured) as JSON."""
    record = {
        "lesson": number,
        **provenance,
        "evaluations": [
            {
                "name": e.name,
                "accuracy": e.accuracy,
                "macro_f1": e.macro_f1,
                "per_phenomenon": e.per_phenomenon,
                "confusion": np.asarray(e.confusion).tolist(),
                "class_names": list(e.class_names),
                "report": e.report,
                "details": e.details,
                "label_column": e.label_column,
            }
            for e in evaluations
        ],
    }
    path.write_text(json.dumps(record, indent=1) + "\n")


def load_lesson(path: Path) -> tuple[dict, list[Evaluation]]:
    """`(provenance, evaluations)` from a file written by `save_lesson`."""
    record = json.loads(Path(path).read_text())
    evaluations = [
        Evaluation(
            name=e["name"],
            accuracy=e["accuracy"],
            macro_f1=e["macro_f1"],
            per_phenomenon=e["per_phenomenon"],
            confusion=np.asarray(e["confusion"], dtype=int),
            class_names=tuple(e["class_names"]),
            report=e["report"],
            details=e["details"],
            label_column=e.get("label_column", "label"),
        )
        for e in record.pop("evaluations")
    ]
    return record, evaluations


def provenance() -> dict:
    """Mode, date, machine and Keras backend of this process."""
    from mmcourse import runtime  # imports Keras: not before `main` has set the environment

    report = runtime.device_report()
    return {
        "mode": "fast" if runtime.is_fast_mode() else "full",
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, "
        f"devices: {', '.join(report['devices'])}",
        "backend": report["backend"],
    }


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column == "params":
        return f"{int(value):,}"
    if column == "train_seconds":
        return f"{value:.0f}"
    if column == "epochs":
        return str(int(value))
    return f"{100 * value:.1f}"


def lesson_table(evaluations: list[Evaluation], extra: tuple[str, ...] = ()) -> str:
    """A Markdown table, one row per evaluation (percentages, parameters, seconds), with the
    `extra` detail columns last."""
    columns = (*COLUMNS, *extra)
    header = "| model | " + " | ".join(c.replace("_", " ") for c in columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    for e in evaluations:
        values = e.summary()
        cells = [_cell(c, values.get(c)) for c in columns]
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


def _scored_on(evaluations: list[Evaluation]) -> str:
    columns = sorted({e.label_column for e in evaluations})
    return "Scored on " + " and ".join(f"`{c}`" for c in columns) + "."


def to_markdown(
    results: dict, ceilings: dict, *, seconds: dict, header: str, where: dict | None = None
) -> str:
    """The whole page: how it was made, the ceilings, then one section per lesson.

    `where` maps a lesson to a line saying where it ran (when not on the header's machine).
    """
    parts = [
        "# Results: every model of lessons 03-09 on the MoodPosts test split",
        header,
        "Accuracy and per-phenomenon accuracy are percentages on the 599 test posts, against the "
        "label each section names (the post `label` unless it says otherwise). "
        "`train seconds` is wall-clock training time on the machine above (measured, not a "
        "target). Columns after `train seconds` are what a lesson measures besides (percentages, "
        "or a count of epochs).",
        "## Bayes ceilings",
        ceiling_table(ceilings),
    ]
    for number, evaluations in results.items():
        entry = lessons.lesson(number)
        title = entry.results_title or entry.title
        parts.append(f"## Lesson {number}: {title} ({seconds[number]:.0f} s)")
        if where and number in where:
            parts.append(where[number])
        parts.append(_scored_on(evaluations))
        if number in READING:
            parts.append(READING[number])
        parts.append(lesson_table(evaluations, EXTRA_COLUMNS.get(number, ())))
    return "\n\n".join(parts) + "\n"


def main(argv=None) -> None:
    quiet.quiet_process()  # make's TensorFlow settings where the environment has none
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="the Markdown file to write")
    parser.add_argument(
        "--lessons",
        nargs="*",
        default=[e.number for e in lessons.experiments()],
        help="e.g. 03 07",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-dir", type=Path, help="save (and with --reuse, read) lessons")
    parser.add_argument("--reuse", action="store_true", help="take saved lessons from --json-dir")
    args = parser.parse_args(argv)
    if args.reuse and not args.json_dir:
        parser.error("--reuse needs --json-dir")
    here = provenance()
    results, seconds, where = {}, {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.json_dir or Path(scratch)
        for number in args.lessons:
            saved = folder / f"lesson_{number}.json"
            if not (args.reuse and saved.exists()):
                folder.mkdir(parents=True, exist_ok=True)
                took = measure_in_child(number, seed=args.seed, path=saved)
                print(f"lesson {number}: {took:.0f} s", flush=True)
            record, results[number] = load_lesson(saved)
            seconds[number] = record["seconds"]
            lines = []
            if any(record[key] != here[key] for key in ("mode", "machine", "backend")):
                lines.append(
                    f"Measured in {record['mode']} mode on {record['date']} on "
                    f"{record['machine']}, Keras backend {record['backend']}."
                )
            if record.get("onednn"):
                lines.append("TensorFlow's oneDNN kernels were on, as its notebook turns them.")
            if lines:
                where[number] = " ".join(lines)
    if args.out:
        from mmcourse.data import load_moodposts

        header = (
            f"Made by `python -m mmcourse.results` in **{here['mode']} mode** on "
            f"{here['date']}, seed {args.seed}, on {here['machine']}, Keras backend "
            f"{here['backend']}."
        )
        ceilings = load_moodposts(verify=False).ceilings
        page = to_markdown(results, ceilings, seconds=seconds, header=header, where=where)
        args.out.write_text(page)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
