"""The check that no page of the site loads anything from another host."""

from mmcourse.site.offline import is_outside, outside_requests

PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="_static/theme.css">
<link rel="stylesheet" href="https://cdn.example.org/theme.css">
<link rel="canonical" href="https://course.example.org/index.html">
<script src="_static/mathjax/tex-chtml.js"></script>
<script src="//cdn.example.org/require.js"></script>
<style>body { background: url("https://img.example.org/bg.png"); }</style>
</head><body>
<a href="https://arxiv.org/abs/1706.03762">a paper</a>
<img src="_images/plot.png"><img src="http://img.example.org/plot.png">
<img src="data:image/png;base64,iVBORw0KGgo=">
<img srcset="_images/a.png 1x, https://img.example.org/a2.png 2x">
<div style="background-image: url(https://img.example.org/tile.png)"></div>
<iframe src="https://www.youtube.com/embed/x"></iframe>
</body></html>
"""


def test_every_fetched_outside_address_is_listed_and_nothing_else(tmp_path):
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "theme.css").write_text(
        "@import 'https://fonts.example.org/font.css';\n"
        ".a { src: url(fonts/local.woff2); }\n"
        ".b { background: url('https://x.example.org/b.png') }"
    )

    found = outside_requests(tmp_path)

    assert sorted((item.file, item.tag, item.url) for item in found) == sorted(
        [
            ("index.html", "link", "https://cdn.example.org/theme.css"),
            ("index.html", "script", "//cdn.example.org/require.js"),
            ("index.html", "style", "https://img.example.org/bg.png"),
            ("index.html", "img", "http://img.example.org/plot.png"),
            ("index.html", "img", "https://img.example.org/a2.png"),
            ("index.html", "style", "https://img.example.org/tile.png"),
            ("index.html", "iframe", "https://www.youtube.com/embed/x"),
            ("_static/theme.css", "css", "https://fonts.example.org/font.css"),
            ("_static/theme.css", "css", "https://x.example.org/b.png"),
        ]
    )


def test_a_site_of_local_files_has_no_outside_request(tmp_path):
    (tmp_path / "index.html").write_text(
        '<script src="_static/a.js"></script><img src="../_images/b.png">'
        '<a href="https://example.org">link</a>'
    )
    assert outside_requests(tmp_path) == []


def test_is_outside():
    assert is_outside("https://cdn.example.org/x.js")
    assert is_outside("HTTP://cdn.example.org/x.js")
    assert is_outside("//cdn.example.org/x.js")
    assert not is_outside("_static/x.js")
    assert not is_outside("/_static/x.js")
    assert not is_outside("data:image/png;base64,AAAA")
