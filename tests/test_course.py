import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mmcourse import course_html
from mmcourse.course import CourseBuildError, build_course, merge_streams
from mmcourse.course_html import offline_exporter, outside_urls, write_html
from mmcourse.runtime import FAST_ENV
from mmcourse.widget_static import NOTE, WIDGET_STATE, WIDGET_VIEW

PROBE = "import os\nprint(os.getcwd())\nprint(os.environ.get('MMCOURSE_FAST', 'unset'))"


def write_notebook(path, *cells):
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return path


DOTS = (
    "import time\n"
    "for _ in range(3):\n"
    "    print('.', end='', flush=True)\n"
    "    time.sleep(0.2)\n"
    "print(' done')"
)


def stdout_of(cell):
    return "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "data.txt").write_text("read relative to the notebook\n")
    return folder


def test_build_course_executes_notebooks_in_order_into_ipynb_html_and_index(
    tmp_path, notebooks, monkeypatch
):
    monkeypatch.delenv(FAST_ENV, raising=False)
    write_notebook(
        notebooks / "02_second.ipynb",
        new_markdown_cell("# Lesson two\n\nText."),
        new_code_cell(PROBE),
    )
    write_notebook(
        notebooks / "01_first.ipynb",
        new_code_cell("text = open('data.txt').read().strip()"),
        new_code_cell("print(text.upper())\n6 * 7"),
        new_code_cell(DOTS),
    )
    out = tmp_path / "build" / "site"
    lines = []
    paths = build_course(
        notebooks_dir=notebooks, out_dir=out, fast=True, timeout=60, progress=lines.append
    )
    assert [line.split(":")[0] for line in lines[:4]] == [
        "[course] 1/2 01_first",
        "[course] 1/2 01_first",
        "[course] 2/2 02_second",
        "[course] 2/2 02_second",
    ]
    assert lines[1].endswith(" s") and lines[-1].endswith("(fast mode)"), lines

    assert [path.name for path in paths] == [
        "01_first.ipynb",
        "01_first.html",
        "02_second.ipynb",
        "02_second.html",
        "index.html",
    ]
    assert all(path.parent == out and path.is_file() for path in paths)
    first = nbformat.read(out / "01_first.ipynb", as_version=4)
    assert stdout_of(first.cells[1]) == "READ RELATIVE TO THE NOTEBOOK\n"
    assert first.cells[1].outputs[-1]["data"]["text/plain"] == "42"
    # flushed prints arrive one message each; the stored cell holds them as one text
    assert [(o.output_type, o.text) for o in first.cells[2].outputs] == [("stream", "... done\n")]
    second = nbformat.read(out / "02_second.ipynb", as_version=4)
    cwd, fast = stdout_of(second.cells[1]).splitlines()
    assert cwd == str(notebooks.resolve())
    assert fast == "1"
    html = (out / "01_first.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "READ RELATIVE TO THE NOTEBOOK" in html
    index = (out / "index.html").read_text()
    assert index.index('href="01_first.html"') < index.index('href="02_second.html"')
    assert ">Lesson two</a>" in index and ">01_first</a>" in index
    # The sources are left untouched.
    source = json.loads((notebooks / "01_first.ipynb").read_text())
    assert all(not cell.get("outputs") for cell in source["cells"])


@pytest.mark.parametrize(
    ("fast", "environment", "expected"),
    [(False, "1", "0"), (None, "yes", "yes"), (None, None, "unset")],
)
def test_build_course_passes_fast_mode_to_the_kernel(
    tmp_path, notebooks, monkeypatch, fast, environment, expected
):
    if environment is None:
        monkeypatch.delenv(FAST_ENV, raising=False)
    else:
        monkeypatch.setenv(FAST_ENV, environment)
    write_notebook(notebooks / "lesson.ipynb", new_code_cell(PROBE))
    build_course(notebooks_dir=notebooks, out_dir=tmp_path / "out", fast=fast, timeout=60)
    executed = nbformat.read(tmp_path / "out" / "lesson.ipynb", as_version=4)
    assert stdout_of(executed.cells[0]).splitlines()[1] == expected


def test_build_course_names_the_failing_notebook_and_cell(tmp_path, notebooks):
    write_notebook(notebooks / "01_ok.ipynb", new_code_cell("print('fine')"))
    write_notebook(
        notebooks / "02_broken.ipynb",
        new_markdown_cell("# Broken"),
        new_code_cell("print('before the error')"),
        new_code_cell("x = 1\nraise KeyError('no such column')"),
        new_code_cell("print('never runs')"),
    )
    out = tmp_path / "out"
    with pytest.raises(CourseBuildError) as info:
        build_course(notebooks_dir=notebooks, out_dir=out, timeout=60)

    error = info.value
    message = str(error)
    assert "02_broken.ipynb" in message
    assert "cell 3 of 4" in message
    assert "x = 1" in message
    assert "KeyError" in message and "no such column" in message
    assert error.cell_index == 2
    assert error.partial_path == out / "02_broken.ipynb"
    partial = nbformat.read(out / "02_broken.ipynb", as_version=4)
    assert stdout_of(partial.cells[1]) == "before the error\n"
    assert partial.cells[2].outputs[-1].output_type == "error"
    assert partial.cells[3].outputs == []
    assert (out / "02_broken.html").is_file()
    assert (out / "01_ok.ipynb").is_file()
    assert not (out / "index.html").exists()


def test_build_course_runs_past_the_errors_nbval_expects(tmp_path, notebooks):
    tagged = new_code_cell("raise ValueError('shown on purpose')")
    tagged.metadata["tags"] = ["nbval-raises-exception"]
    write_notebook(
        notebooks / "01_errata.ipynb",
        new_code_cell("# NBVAL_RAISES_EXCEPTION\n1 / 0"),
        tagged,
        new_code_cell("print('after both')"),
    )
    out = tmp_path / "out"
    build_course(notebooks_dir=notebooks, out_dir=out, timeout=60)
    executed = nbformat.read(out / "01_errata.ipynb", as_version=4)
    assert executed.cells[0].outputs[-1].ename == "ZeroDivisionError"
    assert executed.cells[1].outputs[-1].evalue == "shown on purpose"
    assert stdout_of(executed.cells[2]) == "after both\n"
    assert "tags" not in executed.cells[0].metadata  # nbclient's tag is not left behind
    assert executed.cells[1].metadata.tags == ["nbval-raises-exception"]
    # Any other error still stops the build.
    write_notebook(notebooks / "02_broken.ipynb", new_code_cell("1 / 0"))
    with pytest.raises(CourseBuildError, match="02_broken.ipynb"):
        build_course(notebooks_dir=notebooks, out_dir=out, timeout=60)


def test_build_course_rejects_bad_arguments(tmp_path, notebooks, monkeypatch):
    with pytest.raises(ValueError, match="Received: notebooks_dir="):
        build_course(notebooks_dir=tmp_path / "missing", out_dir=tmp_path / "out")
    with pytest.raises(ValueError, match="holds no .ipynb files"):
        build_course(notebooks_dir=notebooks, out_dir=tmp_path / "out")
    write_notebook(notebooks / "lesson.ipynb", new_code_cell("1"))
    with pytest.raises(ValueError, match="Received: timeout=0"):
        build_course(notebooks_dir=notebooks, out_dir=tmp_path / "out", timeout=0)
    monkeypatch.setenv(FAST_ENV, "maybe")
    with pytest.raises(ValueError, match="MMCOURSE_FAST='maybe'"):
        build_course(notebooks_dir=notebooks, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_build_course_writes_html_copies_that_read_offline(tmp_path, notebooks):
    write_notebook(
        notebooks / "lesson.ipynb",
        new_markdown_cell("# Maths\n\nThe square $x^2$ is shown."),
        new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=3, description='size')"),
    )
    out = tmp_path / "out"
    build_course(notebooks_dir=notebooks, out_dir=out, timeout=60)
    page = (out / "lesson.html").read_text()
    # MathJax 3 from the output folder, configured for `$...$`; no MathJax 2 configuration.
    sources = re.findall(r'<script[^>]*\bsrc="([^"]*)"', page)
    assert sources == ["_static/mathjax/tex-chtml.js"]
    assert (out / sources[0]).is_file()
    assert list((out / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert '["$", "$"]' in page and "MathJax.Hub" not in page
    assert "$x^2$" in page
    # Nothing fetched from another host: no script, stylesheet or image, no widget manager.
    assert outside_urls(page) == []
    assert "unpkg.com" not in page and "cdnjs" not in page and "require.min.js" not in page
    # The widget shows as its static picture, without its view or the widgets' state.
    assert WIDGET_VIEW not in page and WIDGET_STATE not in page
    assert "size <code>3</code>" in page and NOTE in page
    # The executed notebook keeps the live widget for JupyterLab.
    executed = nbformat.read(out / "lesson.ipynb", as_version=4)
    assert WIDGET_VIEW in executed.cells[1].outputs[0]["data"]
    assert WIDGET_STATE in executed.metadata["widgets"]


def test_write_html_rejects_a_page_that_would_load_from_another_host(tmp_path):
    notebook = new_notebook(cells=[new_markdown_cell("$x$")])
    exporter = offline_exporter(mathjax_url="https://cdn.example.org/mathjax/tex-chtml.js")
    html_path = tmp_path / "lesson.html"
    with pytest.raises(ValueError, match=r"<script> https://cdn\.example\.org/mathjax/tex-chtml"):
        write_html(notebook, html_path=html_path, exporter=exporter)
    assert html_path.is_file()


def test_mathjax_source_names_the_package_when_it_is_missing(monkeypatch):
    monkeypatch.setattr(course_html, "MATHJAX_PACKAGE", "no-such-mathjax-package")
    with pytest.raises(ValueError, match="`no-such-mathjax-package`"):
        course_html.mathjax_source()


def test_merge_streams_joins_each_run_of_one_stream_and_keeps_the_rest_in_order():
    def stream(name, text):
        return new_output("stream", name=name, text=text)

    cell = new_code_cell("run()")
    cell.outputs = [
        stream("stdout", "training "),
        stream("stdout", "."),
        stream("stdout", ".\n"),
        stream("stderr", "warning\n"),
        stream("stdout", "after\n"),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
        stream("stdout", "a"),
        stream("stdout", "b"),
    ]
    notebook = new_notebook(cells=[new_markdown_cell("# Title"), cell])
    merge_streams(notebook)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs] == [
        ("stream", "stdout", "training ..\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "after\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "ab"),
    ]
    assert "outputs" not in notebook.cells[0]
