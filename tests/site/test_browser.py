"""The built site in Chromium, with every request to another host blocked: pages render,
maths is typeset, images load, search answers, a student notebook downloads, and no page
logs a console error or loads anything from outside. Screenshots: build/browser/site/."""

import json
from pathlib import Path

import pytest

from mmcourse import paths

pytestmark = pytest.mark.filterwarnings("ignore:.*Check CHANGES for Sphinx API modifications")

TIMEOUT_MS = 60_000  # pages are large (lesson 05 is 5 MB) and CI has 2 cores
# (page, what it must show, has maths)
PAGES = [
    ("index.html", "Lesson map", False),
    ("01_multimodal_data.html", "Browse the posts yourself", False),
    ("02_text_preprocessing.html", "TextVectorization", True),
    ("05_cross_modal_embedding.html", "InfoNCE", True),
    ("08_attention_fusion.html", "An interactive viewer", True),
    ("appendix_errata.html", "Errata", False),
    ("results.html", "Results", False),
    ("dataset.html", "MoodPosts", False),
    ("glossary.html", "Glossary", False),
    ("exercises/index.html", "Download the student versions", False),
    ("exercises/ex01_multimodal_data.html", "Exercise", False),
]
BROKEN_IMAGES = "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length"
MATHJAX_DONE = "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
RAW_MATHS = "[...document.querySelectorAll('span.math, div.math')].filter(e => "
RAW_MATHS += "!e.querySelector('mjx-container')).length"


def _settle(page):
    page.set_default_timeout(TIMEOUT_MS)
    page.wait_for_selector("article h1")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")


@pytest.mark.parametrize(("name", "shows", "has_maths"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_renders_offline(visit, name, shows, has_maths):
    page = visit.open(name)
    _settle(page)

    assert shows in page.inner_text("main")
    assert page.evaluate(BROKEN_IMAGES) == 0
    if has_maths:
        page.wait_for_function(MATHJAX_DONE)
        page.evaluate("MathJax.startup.promise")
        assert page.evaluate("document.querySelectorAll('mjx-container').length") > 0
        assert page.evaluate(RAW_MATHS) == 0, "every formula is typeset"
    visit.screenshot(name.replace("/", "_").removesuffix(".html"))
    assert visit.problems() == {"outside requests": [], "console errors": [], "failed loads": []}


def test_a_widget_shows_its_first_state_and_says_it_is_interactive(visit):
    page = visit.open("08_attention_fusion.html")
    _settle(page)
    note = page.locator(".mmcourse-widget-note")

    note.scroll_into_view_if_needed()
    assert "Interactive in JupyterLab" in note.inner_text()
    output = page.locator(".cell_output", has=note)
    assert "phenomenon grounded" in output.inner_text()  # the picture: a control, its value
    heat_map = output.locator("img")
    assert heat_map.count() == 1
    assert heat_map.evaluate("i => i.naturalWidth") > 0
    visit.screenshot("08_attention_fusion-widget")
    assert visit.problems() == {"outside requests": [], "console errors": [], "failed loads": []}


def test_search_finds_the_lesson_that_teaches_a_term(visit):
    page = visit.open("search.html?q=gated")
    page.set_default_timeout(TIMEOUT_MS)
    page.wait_for_selector("#search-results ul.search li")

    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "a => a.map(x => x.href)")
    assert any("07_cnn_fusion.html" in href for href in hrefs), hrefs
    visit.screenshot("search")
    assert visit.problems() == {"outside requests": [], "console errors": [], "failed loads": []}


def test_the_navigation_opens_a_lesson(visit):
    page = visit.open("index.html")
    _settle(page)

    page.locator("nav.bd-links a", has_text="08 ·").first.click()
    page.wait_for_url("**/08_attention_fusion.html")
    assert page.locator("article h1").first.inner_text().startswith("08 ·")
    assert visit.problems() == {"outside requests": [], "console errors": [], "failed loads": []}


def test_a_student_notebook_downloads(visit):
    page = visit.open("exercises/index.html")
    _settle(page)
    name = "ex01_multimodal_data.ipynb"
    release = paths.exercises_dir() / "release" / name.removesuffix(".ipynb") / name

    with page.expect_download() as info:
        page.locator("a.download", has_text=name).click()
    download = info.value

    assert download.suggested_filename == name
    data = Path(download.path()).read_bytes()
    assert data == release.read_bytes()
    assert json.loads(data)["nbformat"] == 4
    assert visit.problems() == {"outside requests": [], "console errors": [], "failed loads": []}
