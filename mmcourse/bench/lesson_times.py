"""Per-lesson time: each lesson's `run_experiment`, timed in a fresh process, fast and full.

For each lesson with an experiment (`mmcourse.lessons.experiments()`, 03-09) a fresh process
(`mmcourse.bench.child`) imports the lesson's module and times `run_experiment()`, the
comparison its notebook trains, in fast mode (`MMCOURSE_FAST=1`) and, when asked, in full mode
(the published numbers: tens of minutes for the whole course on 2 cores). Each row has the
seconds, the import time, the number of models compared, how many of the lesson's claims held
(`lesson_claims` on what was measured) and the process's peak RSS.

A lesson whose notebook turns oneDNN on (`mmcourse.lessons.Lesson.onednn`, lesson 04) is
timed with it on, other lessons as the environment says (`make`: off).

The feature cache (`mmcourse.feature_cache`) is left as the learner has it: a first run
encodes the 6,000 images once; later runs read them from the cache. Quick mode times lesson 03
in fast mode only.
"""

from __future__ import annotations

import time

QUICK_LESSONS = ("03",)
MODES = ("fast", "full")


def measure_lesson(*, number: str) -> None:
    """Run in the child: time lesson `number`'s `run_experiment` and `report_result` it."""
    started = time.perf_counter()
    from mmcourse import lessons, quiet

    entry = lessons.lesson(number)
    quiet.import_tensorflow(onednn=entry.onednn)  # as its notebook does
    from mmcourse import runtime
    from mmcourse.bench.child import report_result

    module = entry.module
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = module.run_experiment()
    seconds = time.perf_counter() - started
    found = module.lesson_claims(result)
    report_result(
        {
            "lesson": number,
            "mode": "fast" if runtime.is_fast_mode() else "full",
            "seconds": seconds,
            "import_seconds": import_seconds,
            "models": len(result.evaluations),
            "claims_held": sum(bool(claim.held) for claim in found),
            "claims": len(found),
            "onednn": quiet.onednn_enabled(),
        }
    )


def measure_lesson_times(
    *, quick: bool = False, full_lessons: bool = False, numbers=None, progress=print
) -> dict:
    """Rows of `{lesson, mode, seconds, ...}`: every lesson in fast mode (only `QUICK_LESSONS`
    in quick mode), and in full mode too with `full_lessons`. `numbers` picks lessons.

    Needs TensorFlow (the lessons' pipelines are `tf.data`): `{"skipped": ...}` without it.
    """
    import importlib.util

    from mmcourse import lessons
    from mmcourse.bench.child import run_child

    if importlib.util.find_spec("tensorflow") is None:
        return {"skipped": "needs TensorFlow"}
    known = tuple(entry.number for entry in lessons.experiments())
    numbers = tuple(numbers or (QUICK_LESSONS if quick else known))
    unknown = [number for number in numbers if number not in known]
    if unknown:
        raise ValueError(f"numbers must be among {known}. Received: unknown={unknown}")
    modes = MODES if full_lessons else MODES[:1]
    rows = []
    for mode in modes:
        for number in numbers:
            progress(f"[lessons] lesson {number}, {mode} mode: run_experiment, fresh process")
            row = run_child(
                "mmcourse.bench.lesson_times:measure_lesson",
                {"number": number},
                environment={"MMCOURSE_FAST": "1" if mode == "fast" else None},
            )
            row = {"lesson": number, "mode": mode, **row}
            rows.append(row)
            progress(_progress_line(row))
    return {"modes": list(modes), "rows": rows}


def _progress_line(row: dict) -> str:
    where = f"[lessons] lesson {row['lesson']}, {row['mode']} mode"
    if "error" in row:
        return f"{where}: {row['error']}"
    return (
        f"{where}: {row['seconds']:.0f} s, {row['claims_held']}/{row['claims']} claims held, "
        f"peak RSS {(row['peak_rss_kib'] or 0) / 2**10:.0f} MiB"
        + (", oneDNN on" if row.get("onednn") else "")
    )
