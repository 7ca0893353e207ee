"""Execute every lesson notebook headless and publish it as HTML.

`mmcourse course --out build [--fast]` (and `make course`) call
`build_course()`, which runs each `notebooks/*.ipynb` in a fresh kernel,
exactly as a student would with "Restart kernel and run all cells", and
writes the executed notebook, an HTML copy and an `index.html`.
"""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

from mmcourse.runtime import FAST_ENV, is_fast_mode


class CourseBuildError(RuntimeError):
    """A lesson notebook failed to execute.

    Attributes:
        notebook: Path of the source notebook.
        cell_index: 0-based index of the failing cell in `notebook.cells`
            (`None` when the kernel failed before any cell ran).
        partial_path: Where the notebook executed so far was written.
    """

    def __init__(self, message, *, notebook, cell_index, partial_path):
        super().__init__(message)
        self.notebook = notebook
        self.cell_index = cell_index
        self.partial_path = partial_path


def _kernel_env(fast):
    env = dict(os.environ)
    if fast is None:
        is_fast_mode()  # Fail now, not inside every notebook, on a bad value.
    else:
        env[FAST_ENV] = "1" if fast else "0"
    return env


def _title(notebook, default):
    """The first Markdown heading of a notebook, or `default`."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip() or default
    return default


EXPECTED_ERROR_MARKS = ("NBVAL_RAISES_EXCEPTION", "nbval-raises-exception")


def _expects_error(cell):
    """Whether nbval is told (by a comment or a tag) that this cell raises on purpose."""
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.cell_type == "code" and (
        EXPECTED_ERROR_MARKS[1] in tags or EXPECTED_ERROR_MARKS[0] in cell.source
    )


def _allow_expected_errors(notebook):
    """Tag the cells that raise on purpose so that nbclient runs on past them, the way nbval
    does; return those cells so the tag can be taken off again (`raises-exception`)."""
    cells = [
        cell
        for cell in notebook.cells
        if _expects_error(cell) and "raises-exception" not in cell.metadata.get("tags", [])
    ]
    for cell in cells:
        cell.metadata.setdefault("tags", []).append("raises-exception")
    return cells


def _restore_tags(cells):
    for cell in cells:
        cell.metadata.tags.remove("raises-exception")
        if not cell.metadata.tags:
            del cell.metadata["tags"]


def execute(notebook, *, folder, env, timeout, kernel):
    """Run `notebook` in place in a fresh kernel whose working directory is `folder`; the
    cells nbval expects to raise may raise. Returns `None`, or `(cell_index, error)` for the
    cell that failed (`cell_index` is `None` when the kernel failed before any cell ran).

    The widgets' state is stored in the notebook's metadata, and each widget output gets a
    static HTML rendering of it (`widget_static`), shown where no kernel has run the cell."""
    from nbclient import NotebookClient

    from mmcourse.kernels import ipc_kernels
    from mmcourse.widget_static import add_static_renderings

    expected_errors = _allow_expected_errors(notebook)
    current = {"cell_index": None}

    def on_cell_execute(cell, cell_index):
        current["cell_index"] = cell_index

    try:
        with ipc_kernels() as config:  # no TCP ports, no ipykernel warning on the terminal
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name=kernel,
                resources={"metadata": {"path": str(Path(folder).resolve())}},
                on_cell_execute=on_cell_execute,
                store_widget_state=True,
                config=config,
            )
            client.execute(env=env)
    except Exception as error:
        return current["cell_index"], error
    finally:
        _restore_tags(expected_errors)
    add_static_renderings(notebook)
    merge_streams(notebook)
    return None


def merge_streams(notebook) -> None:
    """Join each run of consecutive stream outputs of one cell to the same stream (stdout or
    stderr) into one output, in place. The kernel sends every flushed `print`, such as each dot
    of a training line (`mmcourse.progress`), as an output of its own; JupyterLab shows them as
    one text, but the stored notebook and its HTML copy would hold one block per dot."""
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == output.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged


def _write(notebook, *, name, out_dir, exporter):
    import nbformat

    from mmcourse.course_html import write_html

    ipynb_path = out_dir / f"{name}.ipynb"
    nbformat.write(notebook, ipynb_path)
    html_path = write_html(notebook, html_path=out_dir / f"{name}.html", exporter=exporter)
    return [ipynb_path, html_path]


def _failure_message(source, notebook, cell_index, error, partial_path):
    if cell_index is None:
        where = "before running any cell"
    else:
        first_line = (notebook.cells[cell_index].source.strip().splitlines() or [""])[0]
        where = (
            f"in cell {cell_index + 1} of {len(notebook.cells)} "
            f"(1-based, counting Markdown cells), which starts with: {first_line[:80]!r}"
        )
    if hasattr(error, "ename"):
        reason = f"{error.ename}: {error.evalue}"
    else:
        reason = f"{type(error).__name__}: {error}"
    message = f"Notebook {source} failed {where}.\n{reason}"
    if partial_path is None:
        return message
    return (
        f"{message}\nWhat ran so far, with the traceback, is in {partial_path} "
        f"(and {partial_path.with_suffix('.html').name})."
    )


def _write_index(lessons, out_dir):
    items = "\n".join(
        f'    <li><a href="{html.escape(name)}.html">{html.escape(title)}</a> '
        f'(<a href="{html.escape(name)}.ipynb">notebook</a>)</li>'
        for name, title in lessons
    )
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '  <meta charset="utf-8">\n  <title>mmcourse lessons</title>\n'
        "</head>\n<body>\n  <h1>mmcourse lessons</h1>\n"
        f"  <ol>\n{items}\n  </ol>\n</body>\n</html>\n"
    )
    index_path = out_dir / "index.html"
    index_path.write_text(page, encoding="utf-8")
    return index_path


def build_course(
    *,
    notebooks_dir="notebooks",
    out_dir="build",
    fast=None,
    timeout=1800,
    kernel_name="python3",
    progress=None,
):
    """Execute every `notebooks_dir/*.ipynb` (sorted) and write them to `out_dir`.

    Each notebook runs in a fresh kernel whose working directory is
    `notebooks_dir`. For each notebook, `out_dir/<name>.ipynb` (executed,
    with outputs) and `out_dir/<name>.html` are written; `out_dir/index.html`
    links all of them. The HTML copies read offline (`course_html`): MathJax 3
    is copied into `out_dir/_static/mathjax/`, widgets show as static pictures.

    Args:
        notebooks_dir: Folder holding the lesson notebooks.
        out_dir: Output folder, created if needed.
        fast: `True` runs the kernels with `MMCOURSE_FAST=1`, `False` with
            `MMCOURSE_FAST=0`; `None` keeps the current environment's value.
        timeout: Seconds allowed per cell (`None` for no limit).
        kernel_name: Jupyter kernel to run the notebooks with.
        progress: called with one line per notebook as it starts and ends (with its
            seconds), and with the total at the end (`print` for the command line).

    Returns:
        The written paths: for each notebook its `.ipynb` then its `.html`,
        then `index.html`.

    A cell nbval expects to raise (`# NBVAL_RAISES_EXCEPTION` or the tag
    `nbval-raises-exception`) keeps its traceback as its output and the notebook
    runs on, as under nbval; any other error stops the build.

    Raises:
        CourseBuildError: when a notebook fails, naming the notebook and
            the cell, after writing what it executed so far.
    """
    import nbformat

    from mmcourse.course_html import copy_mathjax, offline_exporter

    notebooks_dir = Path(notebooks_dir)
    out_dir = Path(out_dir)
    if not notebooks_dir.is_dir():
        raise ValueError(
            f"`notebooks_dir` must be an existing folder. Received: notebooks_dir={notebooks_dir}"
        )
    sources = sorted(notebooks_dir.glob("*.ipynb"))
    if not sources:
        raise ValueError(
            f"`notebooks_dir` holds no .ipynb files. Received: notebooks_dir={notebooks_dir}"
        )
    if timeout is not None and (isinstance(timeout, bool) or timeout <= 0):
        raise ValueError(f"`timeout` must be positive or None. Received: timeout={timeout}")
    env = _kernel_env(fast)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = offline_exporter(mathjax_url=copy_mathjax(out_dir))

    say = progress or (lambda line: None)
    paths, lessons = [], []
    started = time.perf_counter()
    for number, source in enumerate(sources, start=1):
        name = source.stem
        say(f"[course] {number}/{len(sources)} {name}: running...")
        notebook_started = time.perf_counter()
        notebook = nbformat.read(source, as_version=4)
        failure = execute(
            notebook, folder=notebooks_dir, env=env, timeout=timeout, kernel=kernel_name
        )
        if failure is not None:
            cell_index, error = failure
            written = _write(notebook, name=name, out_dir=out_dir, exporter=exporter)
            message = _failure_message(source, notebook, cell_index, error, written[0])
            raise CourseBuildError(
                message, notebook=source, cell_index=cell_index, partial_path=written[0]
            ) from error
        paths += _write(notebook, name=name, out_dir=out_dir, exporter=exporter)
        lessons.append((name, _title(notebook, default=name)))
        seconds = time.perf_counter() - notebook_started
        say(f"[course] {number}/{len(sources)} {name}: {seconds:.0f} s")
    paths.append(_write_index(lessons, out_dir))
    mode = "fast" if (is_fast_mode() if fast is None else fast) else "full"
    say(
        f"[course] {len(sources)} notebooks in {time.perf_counter() - started:.0f} s ({mode} mode)"
    )
    return paths
