"""Fixtures for the website's tests: one build of the site, and a browser to open it.

`site_build` builds the whole site once per session (about 25 s on 2 cores) into a temporary
folder and records its progress lines. The browser tests need Debian's `chromium` on PATH and
the `playwright` package (the `dev` extra); Playwright is pointed at that Chromium, so
`playwright install` is never needed (`chromium_path` and `browser` are in `tests/conftest.py`).
Without them the browser tests are skipped, with the reason; with
`MMCOURSE_BROWSER_TESTS=required` (what `.ci/run` sets) they fail instead.
The site is served from 127.0.0.1, and every request to any other host is blocked and
recorded. Screenshots go to `build/browser/site/`.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from mmcourse import paths

SHOTS = paths.course_root() / "build" / "browser" / "site"


@pytest.fixture(scope="session")
def site_progress():
    """The progress lines of the session's build of the site (`site_build`)."""
    return []


@pytest.fixture(scope="session")
def site_build(tmp_path_factory, site_progress):
    """The whole site, built once: a `mmcourse.site.SiteBuild`."""
    pytest.importorskip("sphinx", reason="the site needs the `dev` extra (Sphinx, MyST-NB)")
    from mmcourse.site import build_site

    out_dir = tmp_path_factory.mktemp("site") / "site"
    return build_site(out_dir=out_dir, progress=site_progress.append)


@pytest.fixture(scope="session")
def site_url(site_build):
    """The built site served on a free port of 127.0.0.1."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site_build.out_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


class Visit:
    """A page of the site in the browser, recording what it must not do: requests to other
    hosts (blocked), console errors, failed loads."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.outside, self.console_errors, self.failed = [], [], []
        self.context = browser.new_context(viewport={"width": 1300, "height": 1000})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _route(self, route):
        if route.request.url.startswith(self.base_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def open(self, name):
        self.page.goto(self.base_url + name, wait_until="load")
        return self.page

    def screenshot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def problems(self):
        return {
            "outside requests": self.outside,
            "console errors": self.console_errors,
            "failed loads": self.failed,
        }


@pytest.fixture
def visit(browser, site_url):
    visit = Visit(browser, site_url)
    yield visit
    visit.context.close()
