"""`make site`: the course as a static website, built by Sphinx with MyST-NB.

The committed notebooks are rendered as they are, never executed (`nb_execution_mode`
"off"): what the site shows are the published full-mode outputs. Maths is typeset by
MathJax 3 shipped in the venv (`sphinx-mathjax-offline` copies it into `_static/mathjax/`),
search is Sphinx's own (an index in `searchindex.js`), and no page loads anything from
another host: `build_site` checks the built HTML and CSS for outside addresses and fails,
listing each one, if it finds any.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

from mmcourse import paths
from mmcourse.site.offline import outside_requests
from mmcourse.site.pages import DOWNLOADS, plan_pages, stage
from mmcourse.site.widgets import NOTE_CLASS, PICTURE_CLASS

CSS = f"""\
.{NOTE_CLASS} {{
  border-left: 4px solid var(--pst-color-info, #17a2b8);
  padding: 0.3em 0.8em;
  margin-bottom: 0.5em;
  background: var(--pst-color-surface, #f5f5f5);
}}
.{PICTURE_CLASS} table {{
  margin-left: 0;
}}
.{PICTURE_CLASS} td {{
  padding: 0 1.5em 0.3em 0;
  border: none;
}}
"""


class SiteError(RuntimeError):
    """The site could not be built, or the built site would reach outside hosts."""


@dataclasses.dataclass(frozen=True)
class SiteBuild:
    out_dir: Path
    pages: list  # mmcourse.site.pages.Page, in navigation order
    widgets: dict  # {notebook page: widgets shown as static pictures}
    warnings: list[str]
    seconds: float


def sphinx_config(static_dir: Path) -> dict:
    """The Sphinx configuration (there is no conf.py: `Sphinx(confdir=None)` takes this)."""
    return {
        "project": "mmcourse",
        "html_title": "mmcourse",
        "extensions": ["myst_nb", "sphinx-mathjax-offline"],
        "exclude_patterns": [f"{DOWNLOADS}/**", "_build", "**.ipynb_checkpoints"],
        "nb_execution_mode": "off",
        "nb_ipywidgets_js": {},  # widgets are static pictures: no widget manager, no CDN
        "nb_merge_streams": True,
        "myst_enable_extensions": ["dollarmath", "amsmath"],
        "myst_heading_anchors": 3,
        # A page that skips a heading level (BENCHMARKS.md's H2 to H4) renders well all the same.
        "suppress_warnings": ["myst.header"],
        "mathjax_path": "mathjax/tex-chtml.js",
        "html_theme": "sphinx_book_theme",
        "html_theme_options": {
            "use_download_button": True,
            "use_fullscreen_button": False,
            "home_page_in_toc": True,
            "show_toc_level": 2,
        },
        "html_static_path": [str(static_dir)],
        "html_css_files": ["mmcourse-site.css"],
        "html_context": {"default_mode": "auto"},  # else the theme logs a console error
        "html_last_updated_fmt": None,
        "html_show_sphinx": False,
        "language": "en",
    }


def _sphinx(source: Path, out_dir: Path, *, progress, warnings: io.StringIO):
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor

    nocolor()  # warnings are read in a log, not a terminal

    static_dir = source / "_site_static"
    static_dir.mkdir()
    (static_dir / "mmcourse-site.css").write_text(CSS, encoding="utf-8")
    app = Sphinx(
        srcdir=str(source),
        confdir=None,
        outdir=str(out_dir),
        doctreedir=str(source / "_build" / "doctrees"),
        buildername="html",
        confoverrides=sphinx_config(static_dir),
        status=None,
        warning=warnings,
        freshenv=True,
    )
    counts = {"read": 0, "written": 0}
    total = lambda: len(app.env.found_docs)  # noqa: E731

    def read(app_, doctree):
        counts["read"] += 1
        progress(f"[site] read {counts['read']}/{total()} {app_.env.docname}")

    def written(app_, pagename, templatename, context, doctree):
        if doctree is not None:
            counts["written"] += 1
            progress(f"[site] wrote {counts['written']}/{total()} {pagename}.html")

    app.connect("doctree-read", read)
    app.connect("html-page-context", written)
    app.build()
    if app.statuscode:
        raise SiteError(f"Sphinx failed to build the site:\n{warnings.getvalue()}")
    return total()


def _in_checkout(line: str, pages: list, source: Path) -> str:
    """A Sphinx warning naming the page's file in the checkout, not the staged copy."""
    for page in pages:
        line = line.replace(str(source / page.name), paths.display(page.source))
    return line.replace(str(source) + "/", "")


def build_site(*, out_dir="build/site", root=None, lessons=None, progress=None) -> SiteBuild:
    """Build the site into `out_dir` (emptied first) from the checkout at `root` (default:
    `mmcourse.paths.course_root()`). `lessons` keeps only those lesson numbers ("00", "A")
    and their exercises, for a quick build; `progress` gets one line per step (`print`).

    Raises:
        SiteError: when Sphinx fails, or when a built page would load anything from an
            outside host (each one listed).
    """
    say = progress or (lambda line: None)
    started = time.perf_counter()
    root = Path(root) if root is not None else paths.course_root()
    out_dir = Path(out_dir)
    pages = plan_pages(root, lessons=tuple(lessons) if lessons is not None else None)
    warnings = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="mmcourse-site-") as temporary:
        source = Path(temporary) / "source"
        widgets = stage(pages, root=root, folder=source)
        say(
            f"[site] staged {len(pages)} pages ({sum(widgets.values())} widgets as static "
            f"pictures) in {time.perf_counter() - started:.1f} s"
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        num_pages = _sphinx(source, out_dir, progress=say, warnings=warnings)
        lines = [_in_checkout(line, pages, source) for line in warnings.getvalue().splitlines()]
    found = outside_requests(out_dir)
    if found:
        listed = "\n".join(f"  {item.file}: <{item.tag}> {item.url}" for item in found)
        raise SiteError(f"The site must load nothing from outside hosts. Found:\n{listed}")
    say(f"[site] checked {out_dir.name}/: no page loads anything from an outside host")
    seconds = time.perf_counter() - started
    lines = [line for line in lines if line.strip()]
    for line in lines:
        print(line, file=sys.stderr)
    say(
        f"[site] built {num_pages} pages in {seconds:.0f} s ({len(lines)} warnings): "
        f"{paths.display(out_dir)}/index.html"
    )
    return SiteBuild(out_dir, pages, widgets, lines, seconds)
