"""Fixtures shared by the tests.

The model and layer tests are backend-agnostic: `make test` runs them under TensorFlow with the
rest of the suite, then once more under JAX in a second pytest process (`make test-jax`, with
`KERAS_BACKEND=jax`). A test that can only run on one backend says so with a `skipif` marker.

The browser tests (`tests/browser/`, `tests/site/`) share `chromium_path` and `browser` below:
Debian's `chromium` (or `chromium-browser`) on PATH, driven by the `playwright` package (the
`dev` extra); `playwright install` is never needed. Without them those tests are skipped, with
the reason; with `MMCOURSE_BROWSER_TESTS=required` (what `.ci/run` sets) they fail instead.
"""

import contextlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmcourse.data.core import DatasetError
from tests.scheduling import work_unit


@pytest.fixture
def make_image():
    """`make_image(path, color=..., size=..., corrupt=False)` writes a small image file.

    The format follows the suffix (`.png`, `.jpg`); `corrupt=True` writes random bytes instead,
    under the same name, as a truncated download would leave.
    """
    rng = np.random.default_rng(0)

    def make(path, *, color=(200, 40, 40), size=(8, 8), corrupt=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        if corrupt:
            path.write_bytes(rng.bytes(64))
        else:
            Image.new("RGB", size, color).save(path)
        return path

    return make


@pytest.fixture
def raises_dataset_error():
    """`with raises_dataset_error(path, row=3, match=[...]):` expects a `DatasetError` whose
    message names the file (and row) and contains each fragment of `match`."""

    @contextlib.contextmanager
    def check(path, *, row=None, match=()):
        with pytest.raises(DatasetError) as info:
            yield info
        message = str(info.value)
        assert Path(path).name in message, message
        assert info.value.row == row
        if row is not None:
            assert f", row {row}: " in message, message
        for fragment in match:
            assert fragment in message, message

    return check


@pytest.fixture(scope="session")
def fusion_data():
    """MoodPosts as aligned arrays (tokens, pixels, encoder features), built once per session."""
    from mmcourse.fusion_data import prepare_fusion_data

    return prepare_fusion_data()


BROWSER_TESTS_ENV = "MMCOURSE_BROWSER_TESTS"


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here (`None` when they can)."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return (
            "no Chromium on PATH (`chromium`): install Debian's package "
            "(`apt-get install chromium`, as root), as .ci/run does"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` package is missing: `pip install -e '.[dev]'`"
    return None


@pytest.fixture(scope="session")
def chromium_path():
    """The Chromium on PATH; skips the test (fails it, when required) if it cannot run."""
    reason = _missing_browser()
    if reason is not None:
        if os.environ.get(BROWSER_TESTS_ENV) == "required":
            pytest.fail(f"browser tests required ({BROWSER_TESTS_ENV}=required), but {reason}")
        pytest.skip(reason)
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser(chromium_path):
    """That Chromium, launched by Playwright once per session."""
    import asyncio

    from playwright.sync_api import sync_playwright

    # A test before these (a kernel client patched by nest_asyncio, say) can leave asyncio's
    # "running loop" set in this thread though nothing runs: Playwright's sync API then
    # refuses to start. A synchronous test runs inside no loop, so the mark is cleared here.
    leftover = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        with sync_playwright() as playwright:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=chromium_path, args=args)
            yield browser
            browser.close()
    finally:
        asyncio.events._set_running_loop(leftover)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs on several workers (pytest-xdist, `-n`) unit by unit
    (`tests.scheduling.work_unit`: file by file, `tests/grading/` as one); the units with the
    most tests go first (xdist's `--loadscope-reorder`, on by default)."""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)
