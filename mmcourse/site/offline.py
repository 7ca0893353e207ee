"""Proof that the website makes no request to any outside host.

A page loads what its tags point at (a script's `src`, a stylesheet's `href`, an image...) and
what its CSS points at (`url(...)`, `@import`). `outside_requests(folder)` reads every HTML and
CSS file of a built site and lists each such address that is not relative to the site.
Links a reader clicks (`<a href>`) are not requests and are not listed.
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

# (tag, attribute) pairs whose value the browser fetches by itself.
FETCHED = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("track", "src"),
    ("input", "src"),
}
# A link element that names a page rather than loading it.
NOT_LOADED_RELS = {"canonical", "author", "license", "alternate", "help", "next", "prev"}
OUTSIDE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)


@dataclasses.dataclass(frozen=True)
class OutsideRequest:
    file: str  # relative to the site's folder
    tag: str  # "script", "link", "img"..., or "css" for a stylesheet's url()
    url: str


def is_outside(url: str) -> bool:
    """Whether the browser would fetch `url` from another host (http:, https:, //host)."""
    return bool(OUTSIDE.match(url)) and not url.strip().lower().startswith("file:")


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        rels = set(attributes.get("rel", "").lower().split())
        if tag == "link" and rels and rels <= NOT_LOADED_RELS:
            return
        for name, value in attributes.items():
            if (tag, name) in FETCHED:
                urls = [part.split()[0] for part in value.split(",") if part.strip()]
                if name != "srcset":
                    urls = [value]
                self.found += [(tag, url) for url in urls if is_outside(url)]
            if name == "style":
                self.found += [("style", url) for url in _css_urls(value)]

    def handle_data(self, data):
        if self.lasttag == "style":
            self.found += [("style", url) for url in _css_urls(data)]


def _css_urls(text: str) -> list[str]:
    return [url for url in CSS_URL.findall(text) if is_outside(url)]


def outside_urls(page: str) -> list[tuple[str, str]]:
    """`(tag, url)` for each address on another host that the HTML `page` would fetch: its
    scripts, stylesheets, images, media and frames, and `url(...)` in its inline styles."""
    scanner = _Scanner()
    scanner.feed(page)
    return scanner.found


def outside_requests(folder: Path) -> list[OutsideRequest]:
    """Every outside address a page or stylesheet of the site in `folder` would fetch."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.suffix == ".html":
            page = path.read_text(encoding="utf-8", errors="replace")
            found += [OutsideRequest(relative, tag, url) for tag, url in outside_urls(page)]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [OutsideRequest(relative, "css", url) for url in _css_urls(text)]
    return found
