"""Measure in a fresh Python process: what the cost-growth and per-lesson benchmarks run in.

A fresh process starts with nothing imported, nothing cached in memory and its own peak
memory, so its numbers are what a learner's new kernel would see. `run_child("module:function",
arguments, environment=...)` runs `function(**arguments)` in `sys.executable` with the
environment changed as asked; the function ends with `report_result(result)`, which prints
the result as one JSON line (with the process's peak RSS added), and `run_child` returns it.
A child that fails returns `{"error": ...}` with the last lines it wrote to stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RESULT_PREFIX = "MMCOURSE_BENCH_RESULT "
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3"}


def peak_rss_kib() -> int | None:
    """This process's peak resident memory in KiB (`getrusage`; None where unavailable)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024 if sys.platform == "darwin" else peak)  # macOS counts bytes


def report_result(result: dict) -> None:
    """Print `result` and `peak_rss_kib` as the line `run_child` reads back."""
    record = {**result, "peak_rss_kib": peak_rss_kib()}
    print(RESULT_PREFIX + json.dumps(record), flush=True)


def scrub(text: str) -> str:
    """`text` without this machine's paths: the checkout as `.`, the home folder as `~`."""
    from mmcourse import paths

    text = text.replace(str(paths.course_root().resolve()), ".")
    return text.replace(str(Path.home()), "~")


def run_child(
    target: str, arguments: dict, *, environment: dict | None = None, timeout: float | None = None
) -> dict:
    """`target(**arguments)` in a fresh `sys.executable`; its `report_result` dict.

    `target` is `"package.module:function"`; `arguments` must be JSON-able. `environment`
    sets variables (a value of None removes one) on top of this process's.
    """
    module, separator, function = target.partition(":")
    if not separator or not module or not function.isidentifier():
        raise ValueError(f"target must be 'module:function'. Received: target={target!r}")
    env = {**os.environ, **QUIET_TENSORFLOW}
    for name, value in (environment or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    code = (
        f"import json, sys; from {module} import {function}; {function}(**json.loads(sys.argv[1]))"
    )
    try:
        completed = subprocess.run(
            [sys.executable, "-c", code, json.dumps(arguments)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = "\n".join(completed.stderr.strip().splitlines()[-6:])
    return {"error": scrub(f"exit status {completed.returncode}: {tail}")}
