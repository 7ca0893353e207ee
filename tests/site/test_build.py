"""The built site (one build per session, `site_build` in conftest.py): every page, in lesson
order, offline, widgets as pictures, the student notebooks downloadable."""

import re
from html.parser import HTMLParser

import pytest

from mmcourse import paths
from mmcourse.site.offline import outside_requests
from mmcourse.site.widgets import NOTE_CLASS, WIDGET_VIEW

# The themes still use Sphinx APIs that Sphinx 11 removes; nothing for the course to change.
pytestmark = pytest.mark.filterwarnings("ignore:.*Check CHANGES for Sphinx API modifications")


class _Links(HTMLParser):
    """The hrefs of the sidebar's navigation and every image's src, in page order."""

    def __init__(self):
        super().__init__()
        self.depth, self.navigation, self.images = 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "bd-links" in (attrs.get("class") or ""):
            self.depth = 1
        elif tag == "nav" and self.depth:
            self.depth += 1
        if tag == "a" and self.depth and "reference internal" in (attrs.get("class") or ""):
            self.navigation.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1


def _links(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_is_built_and_the_navigation_is_in_lesson_order(site_build):
    out = site_build.out_dir
    for page in site_build.pages:
        assert (out / f"{page.docname}.html").is_file(), page.name

    navigation = _links(out / "index.html").navigation
    expected = [f"{page.docname}.html" for page in site_build.pages]
    expected.insert(expected.index("exercises/ex01_multimodal_data.html"), "exercises/index.html")
    assert [href for href in navigation if href != "#"] == expected


def test_no_page_loads_anything_from_another_host(site_build):
    assert outside_requests(site_build.out_dir) == []
    for path in site_build.out_dir.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "require.min.js" not in text and "html-manager" not in text, path.name


def test_maths_is_typeset_by_the_mathjax_shipped_with_the_site(site_build):
    out = site_build.out_dir
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    fonts = list((out / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert fonts, "MathJax's fonts must be on the site too"
    page = (out / "02_text_preprocessing.html").read_text(encoding="utf-8")
    assert '<script defer="defer" src="_static/mathjax/tex-chtml.js"></script>' in page
    assert re.search(r'<span class="math notranslate nohighlight">\\\(.+?\\\)</span>', page)


def test_widgets_are_static_pictures_under_a_note(site_build):
    assert site_build.widgets["01_multimodal_data.ipynb"] == 1
    assert site_build.widgets["08_attention_fusion.ipynb"] == 1
    for name in ("01_multimodal_data.html", "08_attention_fusion.html"):
        page = (site_build.out_dir / name).read_text(encoding="utf-8")
        assert page.count(NOTE_CLASS) == 1, name
        assert WIDGET_VIEW not in page and "VBox(children=" not in page, name
        after_note = page[page.index(NOTE_CLASS) :]
        assert "<img" in after_note.split('<div class="cell')[0], "the widget's first plot"


def test_every_image_of_every_page_is_on_the_site(site_build):
    out = site_build.out_dir
    num_images = 0
    for path in out.rglob("*.html"):
        for src in _links(path).images:
            if not src.startswith("data:"):
                assert (path.parent / src).resolve().is_file(), f"{path.name}: {src}"
                num_images += 1
    assert num_images > 30


def test_the_student_notebooks_are_downloadable_unchanged(site_build):
    releases = sorted((paths.exercises_dir() / "release").glob("*/*.ipynb"))
    downloads = {path.name: path for path in (site_build.out_dir / "_downloads").rglob("*.ipynb")}
    assert sorted(downloads) == [path.name for path in releases]
    for release in releases:
        assert downloads[release.name].read_bytes() == release.read_bytes(), release.name
    page = (site_build.out_dir / "exercises" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="reference download internal"') == len(releases)


def test_the_search_index_covers_the_lessons(site_build):
    index = (site_build.out_dir / "searchindex.js").read_text(encoding="utf-8")
    assert "08_attention_fusion" in index and "glossary" in index


def test_the_build_is_clean_and_says_each_step(site_build, site_progress):
    assert site_build.warnings == []
    num_pages = len(site_build.pages) + 2  # the home page and the exercises' page
    assert site_progress[0].startswith(f"[site] staged {len(site_build.pages)} pages")
    assert sum(line.startswith("[site] read ") for line in site_progress) == num_pages
    assert sum(line.startswith("[site] wrote ") for line in site_progress) == num_pages
    assert f"[site] read 1/{num_pages} 00_start_here" in site_progress
    assert site_progress[-1].startswith(f"[site] built {num_pages} pages in ")
