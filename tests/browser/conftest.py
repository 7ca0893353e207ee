"""Browser tests: Playwright drives Chromium in a JupyterLab started for the session.

They need Debian's `chromium` (or `chromium-browser`) on PATH and the `playwright` package
(the `dev` extra); `playwright install` is never needed: Playwright is pointed at that
Chromium (`chromium_path` and `browser`, shared with `tests/site/`, are in `tests/conftest.py`).
Without them the tests are skipped, with the reason, and the summary says so in one line;
with `MMCOURSE_BROWSER_TESTS=required` (what `.ci/run` sets) they fail instead.
Every page blocks and records each request to a host other than this machine, and each test
fails on a browser console error, an error or a stderr output. Screenshots of each step go to
`build/browser/`, with the server's log (`jupyter.log`).
"""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest

from mmcourse import paths
from tests.browser.lab import LOCAL_HOSTS, LabServer

SHOTS = paths.course_root() / "build" / "browser"
EXERCISE = "ex01_multimodal_data"
LEARNER = "browser-test"


@pytest.fixture(scope="session")
def lab_server(chromium_path, tmp_path_factory):
    """JupyterLab on a copy of the course: `notebooks/`, and lesson 01's exercise copied into
    `exercises/work/browser-test/` as exercises/README.md tells a learner to."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(paths.notebooks_dir(), root / "notebooks")
    work = root / "exercises" / "work" / LEARNER
    work.mkdir(parents=True)
    shutil.copy(paths.exercises_dir() / "release" / EXERCISE / f"{EXERCISE}.ipynb", work)
    server = LabServer(
        root=root, state_dir=tmp_path_factory.mktemp("lab"), log_path=SHOTS / "jupyter.log"
    )
    server.start()
    yield server
    server.stop()


class Guard:
    """What a page did that a test must not allow: outside requests, console errors."""

    def __init__(self):
        self.outside_requests, self.console_errors = [], []

    def route(self, route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def page_error(self, error):
        self.console_errors.append(f"uncaught: {error}")


@pytest.fixture
def page(browser, lab_server, request):
    """A fresh browser page on the test server; `page.shot(name)` saves a screenshot to
    `build/browser/<test>-<n>-<name>.png`."""
    guard = Guard()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", guard.route)
    page = context.new_page()
    page.on("console", guard.console)
    page.on("pageerror", guard.page_error)
    SHOTS.mkdir(parents=True, exist_ok=True)
    steps = []

    def shot(name, locator=None):
        steps.append(name)
        path = SHOTS / f"{request.node.name}-{len(steps):02d}-{name}.png"
        (locator or page).screenshot(path=path)
        return path

    page.shot = shot
    yield page
    context.close()
    assert not guard.outside_requests, f"requests to outside hosts: {guard.outside_requests}"
    assert not guard.console_errors, f"browser console errors: {guard.console_errors}"


DURATIONS = {}  # {nodeid: seconds of setup, call and teardown}
OUTCOMES = {}  # {nodeid: "passed" | "failed" | "skipped"}, the first that is not "passed"
SKIP_REASONS = []


def pytest_runtest_logreport(report):
    if not report.nodeid.startswith("tests/browser/"):
        return
    DURATIONS[report.nodeid] = DURATIONS.get(report.nodeid, 0.0) + report.duration
    if OUTCOMES.get(report.nodeid, "passed") == "passed":
        OUTCOMES[report.nodeid] = report.outcome
    if report.skipped and isinstance(report.longrepr, tuple):
        SKIP_REASONS.append(report.longrepr[2])


def pytest_terminal_summary(terminalreporter):
    """One line that says whether the browser tests ran, and how long they took, or why not."""
    if not OUTCOMES:
        return
    outcomes = list(OUTCOMES.values())
    if all(outcome == "skipped" for outcome in outcomes):
        terminalreporter.write_line(
            f"BROWSER TESTS NOT RUN: {len(outcomes)} skipped, "
            f"{SKIP_REASONS[0].removeprefix('Skipped: ')}",
            yellow=True,
            bold=True,
        )
        return
    counts = ", ".join(f"{outcomes.count(o)} {o}" for o in sorted(set(outcomes)))
    terminalreporter.write_line(
        f"browser tests: {counts} in {sum(DURATIONS.values()):.0f} s; "
        f"screenshots in {paths.display(SHOTS)}/",
        bold=True,
    )
