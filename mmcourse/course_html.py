"""The HTML copies `make course` writes next to each executed notebook, readable offline.

nbconvert's "lab" template loads MathJax 2, require.js and the widget manager from CDNs: without
the network the maths stays raw `$...$` and the widgets are empty. Here the page loads MathJax 3
from `_static/mathjax/` in the output folder (copied from the `sphinx-mathjax-offline` package, as
`make site` does), shows each widget as the static picture `widget_static` stored next to its view
(the view and the widgets' state are left out of the page, so no widget manager is loaded), and
`write_html` fails if a page would still fetch anything from another host.
"""

from __future__ import annotations

import copy
import importlib.util
import shutil
from pathlib import Path

from mmcourse.site.offline import outside_urls
from mmcourse.widget_static import WIDGET_VIEW

MATHJAX_PACKAGE = "sphinx-mathjax-offline"
MATHJAX_FOLDER = "_static/mathjax"
MATHJAX_ENTRY = "tex-chtml.js"  # MathJax 3: TeX input, CommonHTML output, fonts in output/chtml

# The lab template without require.js, the widget manager and mermaid.js (all from CDNs), and
# with MathJax 3 configured for the notebook's `$...$` and `$$...$$` (the lab template's
# configuration is MathJax 2's `MathJax.Hub.Config`, which MathJax 3 ignores).
TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams"
  }
};
</script>
<script id="MathJax-script" src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def mathjax_source() -> Path:
    """The MathJax 3 folder `sphinx-mathjax-offline` ships (the `dev` extra installs it)."""
    spec = importlib.util.find_spec(MATHJAX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            f"Expected the Python package `{MATHJAX_PACKAGE}` (it ships MathJax 3 for the HTML "
            f"copies to show maths offline; `pip install -e '.[dev]'` installs it). "
            f"Received: no package {MATHJAX_PACKAGE!r} importable"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (folder / MATHJAX_ENTRY).is_file():
        raise ValueError(
            f"Expected {MATHJAX_ENTRY} in the MathJax folder of `{MATHJAX_PACKAGE}`. "
            f"Received: folder={folder}"
        )
    return folder


def copy_mathjax(out_dir) -> str:
    """Copy MathJax 3 into `out_dir/_static/mathjax/`; return the entry's URL relative to
    `out_dir` (where the HTML copies are)."""
    shutil.copytree(mathjax_source(), Path(out_dir) / MATHJAX_FOLDER, dirs_exist_ok=True)
    return f"{MATHJAX_FOLDER}/{MATHJAX_ENTRY}"


def offline_exporter(*, mathjax_url):
    """nbconvert's HTMLExporter with the template above, loading MathJax from `mathjax_url`."""
    from nbconvert import HTMLExporter

    return HTMLExporter(raw_template=TEMPLATE, mathjax_url=mathjax_url)


def static_copy(notebook):
    """A copy of `notebook` without the widget views and the widgets' state: each widget
    output shows its static picture (`widget_static`), or its text when it has none."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return notebook


def write_html(notebook, *, html_path, exporter):
    """Write the HTML copy of `notebook` to `html_path`; raise `ValueError` (after writing)
    if the page would fetch anything from another host."""
    body, _ = exporter.from_notebook_node(static_copy(notebook))
    html_path = Path(html_path)
    html_path.write_text(body, encoding="utf-8")
    found = outside_urls(body)
    if found:
        raise ValueError(
            f"Expected the HTML copy {html_path} to load nothing from another host. "
            f"Received: {', '.join(f'<{tag}> {url}' for tag, url in found)}"
        )
    return html_path
