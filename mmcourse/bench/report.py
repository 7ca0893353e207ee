"""`run_all`: the four benchmarks in one run, and their tables (plain text, Markdown, JSON).

`run_all(quick=..., full_lessons=...)` returns a JSON-able dict: `machine` (platform, cores,
memory, backend, devices, versions, load average at the start and the end), then one key per
section, `pipeline`, `throughput`, `growth` and `lesson_times`, each with its `seconds`. A
section that needs TensorFlow where none is installed is `{"skipped": "needs TensorFlow"}`; a
section that fails is `{"error": ...}` and the others still run. `format_tables` renders the
result as plain text (what `mmcourse bench` prints), `format_markdown` as Markdown (for
`notebooks/BENCHMARKS.md`), `write_json` keeps it, and `problems` lists what failed.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import time
from pathlib import Path

SECTIONS = ("pipeline", "throughput", "growth", "lesson_times")
TITLES = {
    "pipeline": "Input pipeline: tf.data against listing 4.2's ImageDataGenerator",
    "throughput": "Training throughput of every lesson model",
    "growth": "Cost growth: one fusion model against the number of posts",
    "lesson_times": "Per-lesson time: run_experiment in a fresh process",
}
_DISTRIBUTIONS = ("keras", "numpy", "tensorflow", "tensorflow-cpu", "jax", "jaxlib")


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def _load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_info() -> dict:
    """What the numbers were measured on (no paths, no host name)."""
    from mmcourse import runtime

    report = runtime.device_report()
    versions = {"python": platform.python_version(), "mmcourse": report["versions"]["mmcourse"]}
    versions.update({d: v for d in _DISTRIBUTIONS if (v := _version(d))})
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cores": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "backend": report["backend"],
        "devices": report["devices"],
        "gpu": report["gpu_available"],
        "versions": versions,
        "feature_cache": "off" if os.environ.get("MMCOURSE_CACHE", "") == "off" else "on",
        "onednn": onednn_setting(report["backend"]),
        "load_average": _load_average(),
    }


def onednn_setting(backend: str) -> str:
    """TensorFlow's oneDNN kernels, which change its CPU speed: `"off"` where
    `TF_ENABLE_ONEDNN_OPTS=0` (`make`'s default; lesson 04 turns them on), else `"on"`."""
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip()
    return "n/a" if backend != "tensorflow" else "off" if setting == "0" else "on"


def _measures(*, quick: bool, full_lessons: bool, progress) -> dict:
    from mmcourse.bench import growth, lesson_times, pipeline, throughput

    return {
        "pipeline": lambda: pipeline.measure_pipelines(quick=quick, progress=progress),
        "throughput": lambda: throughput.measure_throughput(quick=quick, progress=progress),
        "growth": lambda: growth.measure_growth(quick=quick, progress=progress),
        "lesson_times": lambda: lesson_times.measure_lesson_times(
            quick=quick, full_lessons=full_lessons, progress=progress
        ),
    }


def run_all(*, quick: bool = False, full_lessons: bool = False, progress=print) -> dict:
    """Every section, in order (see the module docstring); `quick` for CI (about a minute on
    2 cores), `full_lessons` to time every lesson in full mode too (tens of minutes)."""
    started = time.perf_counter()
    result = {"mode": "quick" if quick else "default", "machine": machine_info()}
    progress(f"[bench] {result['mode']} run on the {result['machine']['backend']} backend")
    measures = _measures(quick=quick, full_lessons=full_lessons, progress=progress)
    for name in SECTIONS:
        section_started = time.perf_counter()
        try:
            section = measures[name]()
        except Exception as error:  # noqa: BLE001 - one failing section must not end the run
            from mmcourse.bench.child import scrub

            section = {"error": scrub(f"{type(error).__name__}: {error}")}
            progress(f"[{name}] failed: {section['error']}")
        section["seconds"] = time.perf_counter() - section_started
        result[name] = section
    result["machine"]["load_average_end"] = _load_average()
    result["seconds"] = time.perf_counter() - started
    progress(f"[bench] done in {result['seconds']:.0f} s")
    return result


def problems(result: dict) -> list[str]:
    """What failed: `"growth: ..."` for a section, `"throughput, text_cnn: ..."` for a row."""
    found = []
    for name in SECTIONS:
        section = result.get(name) or {}
        if "error" in section:
            found.append(f"{name}: {section['error']}")
        for row in section.get("rows", ()):
            if "error" in row:
                what = row.get("model") or row.get("lesson") or row.get("size")
                found.append(f"{name}, {what}: {row['error']}")
    return found


def write_json(result: dict, path: str | Path) -> Path:
    """Write `result` as indented JSON (folders created); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    return path


def _number(value, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _mib(value) -> str:
    return "" if value is None else f"{value / 2**20:,.0f}"


def _pipeline_table(section: dict):
    headers = ("pipeline", "images", "seconds", "samples/s", "x ImageDataGenerator")
    legacy = next(r for r in section["rows"] if r["pipeline"] == "ImageDataGenerator")
    rows = [
        (
            r["pipeline"],
            str(r["images"]),
            _number(r["seconds"], 2),
            _number(r["samples_per_second"]),
            _number(r["samples_per_second"] / legacy["samples_per_second"], 2),
        )
        for r in section["rows"]
    ]
    notes = [f"{section['images']} train images, batches of {section['batch_size']}, one pass"]
    return headers, rows, notes


def _throughput_table(section: dict):
    headers = ("lesson", "model", "policy", "params", "samples/s", "ms/step", "loss", "x float32")
    rows = []
    for r in section["rows"]:
        if "error" in r:
            rows.append((r["lesson"], r["model"], r["policy"], "error", r["error"], "", "", ""))
            continue
        rows.append(
            (
                r["lesson"],
                r["model"],
                r["policy"],
                f"{r['params']:,}",
                _number(r["samples_per_second"]),
                _number(r["ms_per_step"], 1),
                _number(r["loss"], 3) + ("" if r["outputs_float32"] else " (output not float32)"),
                _number(r.get("ratio_to_float32"), 2),
            )
        )
    notes = [f"backend {section['backend']}, batches of {section['batch_size']}, random inputs"]
    return headers, rows, notes + ([section["note"]] if section.get("note") else [])


def _growth_table(section: dict):
    headers = ("posts", "source", "prepare s", "1st epoch s", "s/epoch", "arrays MiB")
    headers += ("pixels MiB", "peak RSS MiB")
    rows = []
    for r in section["rows"]:
        if "error" in r:
            rows.append((f"{r['size']:,}", r["source"], "error", r["error"], "", "", "", ""))
            continue
        rows.append(
            (
                f"{r['size']:,}",
                r["source"],
                _number(r["prepare_seconds"], 1),
                _number(r["first_epoch_seconds"], 2),
                _number(r["seconds_per_epoch"], 2),
                _mib(r["array_bytes"]),
                _mib(r["image_bytes"]),
                _mib(r["peak_rss_kib"] * 1024 if r["peak_rss_kib"] else None),
            )
        )
    notes = [f"{section['model']}, batches of {section['batch_size']}, feature cache off"]
    return headers, rows, notes


def _lesson_table(section: dict):
    headers = ("lesson", "mode", "seconds", "models", "claims held", "peak RSS MiB")
    rows = []
    for r in section["rows"]:
        if "error" in r:
            rows.append((r["lesson"], r["mode"], "error", r["error"], "", ""))
            continue
        rows.append(
            (
                r["lesson"] + (" (oneDNN on)" if r.get("onednn") else ""),
                r["mode"],
                _number(r["seconds"]),
                str(r["models"]),
                f"{r['claims_held']}/{r['claims']}",
                _mib(r["peak_rss_kib"] * 1024 if r["peak_rss_kib"] else None),
            )
        )
    return headers, rows, []


_TABLES = {
    "pipeline": _pipeline_table,
    "throughput": _throughput_table,
    "growth": _growth_table,
    "lesson_times": _lesson_table,
}


def _machine_lines(result: dict) -> list[str]:
    machine = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    load = machine.get("load_average")
    return [
        f"{machine['date']}, {result['mode']} run, {result.get('seconds', 0):.0f} s in all",
        f"{machine['platform']} ({machine['processor']}), {machine['cores']} cores, "
        f"{_mib(machine.get('memory_bytes'))} MiB memory",
        f"backend {machine['backend']} (oneDNN {machine.get('onednn', 'not recorded')}), "
        f"devices: {', '.join(machine['devices'])}",
        f"load average at the start: {' '.join(map(str, load)) if load else 'unknown'}",
        versions,
    ]


def _section(result: dict, name: str):
    """`(headers, rows, notes)` of one section; no table when it was skipped or failed."""
    section = result.get(name)
    if section is None:
        return None, None, ["not measured"]
    for reason in ("skipped", "error"):
        if reason in section:
            return None, None, [f"{reason}: {section[reason]}"]
    return _TABLES[name](section)


def _plain(headers, rows) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]

    def line(cells) -> str:
        return "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths)).rstrip()

    return [line(headers), line("-" * w for w in widths), *(line(r) for r in rows)]


def format_tables(result: dict) -> str:
    """The result as plain-text tables, one per section (what `mmcourse bench` prints)."""
    lines = ["== mmcourse bench", *_machine_lines(result)]
    for name in SECTIONS:
        headers, rows, notes = _section(result, name)
        lines += ["", f"== {TITLES[name]}"]
        lines += _plain(headers, rows) if headers else []
        lines += [f"({note})" for note in notes]
    return "\n".join(lines) + "\n"


def format_markdown(result: dict) -> str:
    """The result as Markdown: the machine, then one table per section."""
    lines = ["## mmcourse bench", "", *(f"- {line}" for line in _machine_lines(result))]
    for name in SECTIONS:
        headers, rows, notes = _section(result, name)
        lines += ["", f"### {TITLES[name]}", ""]
        if headers:
            lines.append("| " + " | ".join(headers) + " |")
            lines.append("|" + "---|" * len(headers))
            lines += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
            lines.append("")
        lines += [f"{note}." if not note.endswith(".") else note for note in notes]
    return "\n".join(lines) + "\n"
