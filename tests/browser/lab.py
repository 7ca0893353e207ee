"""A JupyterLab server for the browser tests, and what the tests do in its page.

`LabServer` starts `jupyter lab` the way `make lab` does (the course's `mmcourse/jupyter_config`
first on the config path), on a free local port, with a token, on a copy of the course's
folders, so that the tests' saves never touch the checkout. The functions below drive the
page the way a learner does (menus, clicks, typing) and read back what JupyterLab holds
(`window.jupyterapp`, exposed by `--LabApp.expose_app_in_browser`) to wait and to check.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from mmcourse import paths
from mmcourse.widget_static import WIDGET_STATE, WIDGET_VIEW

LOCAL_HOSTS = ("127.0.0.1", "localhost")
WIDGET = ".jp-OutputArea-output .jupyter-widgets"  # a live widget drawn in an output area
# What the test server's user settings start from: no "Would you like to get notified about
# official Jupyter news?" toast over the screenshots, no request for the news feed.
TEST_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"}
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """`jupyter lab` on `root` (fast mode in the kernels), started by `start`, ended by `stop`."""

    def __init__(self, *, root: Path, state_dir: Path, log_path: Path):
        self.root, self.state_dir, self.log_path = root, state_dir, log_path
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.process = None

    def url(self, path: str = "lab") -> str:
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{separator}token={self.token}"

    def _env(self):
        settings = self.state_dir / "user-settings"
        for name, values in TEST_USER_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        config = str(paths.course_root() / "mmcourse" / "jupyter_config")
        return dict(
            os.environ,
            MMCOURSE_FAST="1",
            JUPYTER_CONFIG_PATH=config,
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state_dir / "workspaces"),
            TF_CPP_MIN_LOG_LEVEL="3",
            TF_ENABLE_ONEDNN_OPTS="0",
        )

    def start(self, *, timeout: float = 90):
        command = [
            str(Path(sys.executable).with_name("jupyter")),
            "lab",
            "--no-browser",
            f"--port={self.port}",
            "--port-retries=0",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            # Trusted notebooks in a database of this server's own, as on a fresh clone: not
            # the ones this user's JupyterLab trusted before.
            "--NotebookNotary.db_file=:memory:",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        self.process = subprocess.Popen(command, env=self._env(), stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited at start:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5):
                    return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer in {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


CURRENT = "window.jupyterapp.shell.currentWidget"


def open_notebook(page, server, path: str):
    """Open `path` (relative to the server's root) in a fresh workspace; wait for its kernel."""
    page.goto(server.url(f"lab/tree/{path}?reset"))
    page.wait_for_function(
        f"() => window.jupyterapp && {CURRENT} && {CURRENT}.context"
        f" && {CURRENT}.context.path === {json.dumps(path)}",
        timeout=60_000,
    )
    wait_idle(page)


def wait_idle(page, *, timeout: float = 120_000):
    page.wait_for_function(
        f"() => {CURRENT}.sessionContext.kernelDisplayStatus === 'idle'", timeout=timeout
    )


def notebook_json(page) -> dict:
    """The open notebook as nbformat JSON, as JupyterLab holds it now (unsaved edits too)."""
    return page.evaluate(f"() => {CURRENT}.context.model.toJSON()")


def source(cell) -> str:
    return "".join(cell["source"])


def cell_index(notebook, fragment: str) -> int:
    """The index of the one cell whose source contains `fragment`."""
    found = [i for i, cell in enumerate(notebook["cells"]) if fragment in source(cell)]
    assert len(found) == 1, f"expected one cell containing {fragment!r}, found cells {found}"
    return found[0]


def cell(page, index: int):
    """Cell `index` of the notebook on screen (every cell is in the page: JupyterLab 4's
    default windowing mode only hides the ones out of view)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)


def clear_outputs(page):
    """Edit > Clear Outputs of All Cells: what was stored no longer looks like a result."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(
        f"() => {CURRENT}.context.model.toJSON().cells.every("
        "c => c.cell_type !== 'code' || c.execution_count === null)"
    )


def error_outputs(notebook, *, cells=None) -> list[str]:
    """'cell N: ...' for each error and stderr output of `notebook` (of its cells `cells`)."""
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []) if cells is None or index in cells else []:
            if output["output_type"] == "error":
                problems.append(f"cell {index}: {output['ename']}: {output['evalue']}")
            elif output.get("name") == "stderr":
                problems.append(f"cell {index}: stderr: {''.join(output['text'])[:300]}")
    return problems


def wait_ran(page, indices, *, timeout: float = 600, failing=()):
    """Wait until the cells `indices` carry an execution count and the kernel is idle; fail at
    once, with its message, on the first error or stderr output of one of them not in
    `failing`."""
    deadline = time.monotonic() + timeout
    checked = [index for index in indices if index not in failing]
    while time.monotonic() < deadline:
        notebook = notebook_json(page)
        problems = error_outputs(notebook, cells=checked)
        assert not problems, problems
        ran = all(notebook["cells"][i]["execution_count"] is not None for i in indices)
        status = page.evaluate(f"() => {CURRENT}.sessionContext.kernelDisplayStatus")
        if ran and status == "idle":
            return notebook
        page.wait_for_timeout(500)
    raise AssertionError(f"cells {list(indices)} did not finish in {timeout} s")


def wait_until(page, predicate, *, timeout: float = 60):
    """Poll `predicate()` until it is true (a widget redraws when its kernel has answered)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            condition = inspect.getsource(predicate).strip()
            raise AssertionError(f"still not true after {timeout} s: {condition}")
        page.wait_for_timeout(250)


def run_cells(page, indices, *, timeout: float = 600, failing=()):
    """Click each cell's prompt and press Ctrl+Enter, in order; return the notebook after.
    The cells in `failing` may end in an error."""
    for index in indices:
        target = cell(page, index)
        target.scroll_into_view_if_needed()
        target.locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")
        wait_ran(page, [index], timeout=timeout, failing=failing)
    return notebook_json(page)


def run_widget_cells(page, server, path: str, fragments):
    """Open `path`, clear its outputs, and run the cells that contain `fragments` (one cell
    each, in that order) as `run_cells` does; return the widget the last one shows, waited
    for and scrolled into view."""
    open_notebook(page, server, path)
    clear_outputs(page)
    notebook = notebook_json(page)
    indices = [cell_index(notebook, fragment) for fragment in fragments]
    run_cells(page, indices)
    widget = cell(page, indices[-1]).locator(WIDGET).first
    widget.wait_for()
    widget.scroll_into_view_if_needed()
    return widget


def menu(page, *items: str):
    """Click through the menu bar: `menu(page, "Run", "Run All Cells")`."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{items[0]}$")).click()
    for item in items[1:]:
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def save_shut_down_and_close(page):
    """File > Save Notebook, Kernel > Shut Down Kernel, File > Close Tab: what a learner who
    comes back another day left behind (JupyterLab keeps a kernel running when a tab closes,
    and a new kernel knows none of the old widgets)."""
    menu(page, "File", "Save Notebook")
    page.wait_for_function(f"() => !{CURRENT}.context.model.dirty")
    menu(page, "Kernel", "Shut Down Kernel")
    page.wait_for_function(f"() => !{CURRENT}.sessionContext.session")
    menu(page, "File", "Close Tab")
    page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
    )


def widget_output_ids(notebook) -> set[str]:
    """The model ids the widget outputs of `notebook` show."""
    return {
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    }


def saved_widget_ids(notebook) -> set[str]:
    """The model ids whose state `notebook`'s metadata holds."""
    return set(notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}))


def type_into_cell(page, index: int, text: str):
    """Replace cell `index`'s code by `text`, typed (no auto-indent, no closing brackets)."""
    editor = cell(page, index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
