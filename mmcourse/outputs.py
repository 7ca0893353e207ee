"""The committed notebooks carry full-mode outputs: `mmcourse outputs` (`make outputs`)
re-executes them in place and stamps each one, and `stamp_problem` tells whether a notebook's
outputs are still the ones that run produced.

The stamp is `metadata["mmcourse"] = {"mode": "full", "outputs_sha256": ...}`: the mode the
kernel ran in, and a digest of every code cell's source and outputs. A notebook run in fast mode
and saved from JupyterLab, or a code cell edited after the run, no longer matches its digest,
so `tests/test_notebooks.py` fails until `make outputs` is run again. Markdown cells are not in
the digest: prose can be edited without re-running.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from mmcourse import paths
from mmcourse.course import CourseBuildError, _failure_message, execute
from mmcourse.runtime import FAST_ENV

STAMP_KEY = "mmcourse"


def _code(source: str) -> str:
    """A cell's source without nbval's marker comments (`# NBVAL_CHECK_OUTPUT`, ...): they
    tell the test runner how to compare, not the kernel what to run, so adding, removing or
    moving one to a cell tag keeps the outputs valid."""
    return "\n".join(line for line in source.splitlines() if not line.startswith("# NBVAL_"))


def outputs_digest(notebook) -> str:
    """sha256 of every code cell's code (`_code`), execution count and outputs, in order."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        record = [_code(cell.source), cell.get("execution_count"), cell.get("outputs", [])]
        digest.update(json.dumps(record, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def stamp_problem(notebook) -> str | None:
    """Why `notebook`'s outputs are not a stamped full-mode run (`None` when they are)."""
    stamp = notebook.metadata.get(STAMP_KEY)
    if not isinstance(stamp, dict) or "outputs_sha256" not in stamp:
        return "it carries no stamp of `make outputs`"
    if stamp.get("mode") != "full":
        return f"its outputs were made in {stamp.get('mode')!r} mode, not 'full'"
    if stamp["outputs_sha256"] != outputs_digest(notebook):
        return "a code cell or an output changed after `make outputs` ran"
    return None


def _relative(text: str, root: str) -> str:
    return text.replace(root, "")


def _clean(notebook):
    """Drop stderr outputs and per-cell timing metadata, and make the checkout's paths in
    outputs relative (a traceback names `.venv/lib/...`, not this machine's folders); return
    how many stderr outputs were dropped."""
    root = str(paths.course_root().resolve()) + "/"
    num_removed = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        num_removed += len(cell.outputs) - len(kept)
        for output in kept:
            if output.output_type == "stream":
                output.text = _relative(output.text, root)
            elif output.output_type == "error":
                output.traceback = [_relative(line, root) for line in output.traceback]
            elif "text/plain" in output.get("data", {}):
                output.data["text/plain"] = _relative(output.data["text/plain"], root)
        cell.outputs = kept
        cell.metadata.pop("execution", None)
    return num_removed


def execute_in_place(notebooks=None, *, timeout=1800, kernel_name="python3", progress=None):
    """Run each notebook top to bottom in a fresh full-mode kernel and save it with its
    outputs and stamp. A notebook that fails is left as it was (`CourseBuildError`).

    Args:
        notebooks: paths of `.ipynb` files; default: every `notebooks/*.ipynb` of the course.
        timeout: seconds allowed per cell.
        kernel_name: the Jupyter kernel to run them with.
        progress: called with one line per notebook (`print` on the command line); stderr
            outputs are dropped from what is saved, and counted in that line.

    Returns:
        {path: seconds} of the notebooks executed.
    """
    import os

    import nbformat

    if notebooks is None:
        notebooks = sorted((paths.course_root() / "notebooks").glob("*.ipynb"))
    notebooks = [Path(p) for p in notebooks]
    for path in notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"Expected an existing .ipynb file. Received: notebook={path}")
    say = progress or (lambda line: None)
    env = dict(os.environ, **{FAST_ENV: "0"})
    seconds = {}
    for number, path in enumerate(notebooks, start=1):
        say(f"[outputs] {number}/{len(notebooks)} {path.name}: running in full mode...")
        started = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        failure = execute(
            notebook, folder=path.parent, env=env, timeout=timeout, kernel=kernel_name
        )
        if failure is not None:
            cell_index, error = failure
            message = _failure_message(path, notebook, cell_index, error, None)
            raise CourseBuildError(
                f"{message}\n{path.name} was left as it was.",
                notebook=path,
                cell_index=cell_index,
                partial_path=None,
            ) from error
        num_stderr = _clean(notebook)
        notebook.metadata[STAMP_KEY] = {"mode": "full", "outputs_sha256": outputs_digest(notebook)}
        nbformat.write(notebook, path)
        seconds[path] = time.perf_counter() - started
        dropped = f", {num_stderr} stderr outputs dropped" if num_stderr else ""
        say(f"[outputs] {number}/{len(notebooks)} {path.name}: {seconds[path]:.0f} s{dropped}")
    say(f"[outputs] {len(notebooks)} notebooks in {sum(seconds.values()):.0f} s (full mode)")
    return seconds
