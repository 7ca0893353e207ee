"""`mmcourse outputs`: notebooks re-executed in place in full mode, stamped, and checked."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mmcourse import cli, paths
from mmcourse.course import CourseBuildError
from mmcourse.outputs import STAMP_KEY, execute_in_place, outputs_digest, stamp_problem
from mmcourse.runtime import FAST_ENV
from mmcourse.widget_static import NOTE, WIDGET_VIEW, widget_states


def write_notebook(path, *cells):
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return path


def test_outputs_runs_in_full_mode_in_place_and_stamps(tmp_path, monkeypatch):
    monkeypatch.setenv(FAST_ENV, "1")  # a learner's shell in fast mode: outputs still run full
    path = write_notebook(
        tmp_path / "01_lesson.ipynb",
        new_markdown_cell("# Lesson"),
        new_code_cell("import os, sys\nprint(os.environ['MMCOURSE_FAST'])"),
        new_code_cell("print('noise', file=sys.stderr)\n6 * 7"),
        new_code_cell("# NBVAL_RAISES_EXCEPTION\nraise ValueError('on purpose')"),
        new_code_cell(f"print({str(paths.course_root() / 'datasets')!r})"),
    )
    lines = []
    seconds = execute_in_place([path], timeout=60, progress=lines.append)
    assert list(seconds) == [path] and seconds[path] > 0
    assert "1 stderr outputs dropped" in lines[1] and lines[-1].endswith("(full mode)")
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[1].outputs[0].text == "0\n"
    assert [o.output_type for o in notebook.cells[2].outputs] == ["execute_result"]
    assert notebook.cells[3].outputs[0].ename == "ValueError"
    assert "tags" not in notebook.cells[3].metadata
    assert notebook.cells[4].outputs[0].text == "datasets\n"  # the checkout's path, relative
    assert notebook.metadata[STAMP_KEY]["mode"] == "full"
    assert stamp_problem(notebook) is None

    # Prose may change; code and outputs may not.
    notebook.cells[0].source = "# Lesson, reworded"
    assert stamp_problem(notebook) is None
    notebook.cells[2].outputs[0]["data"]["text/plain"] = "41"
    assert "changed after" in stamp_problem(notebook)
    notebook.cells[2].outputs[0]["data"]["text/plain"] = "42"
    # An nbval marker is not code: adding or removing one keeps the stamp.
    notebook.cells[1].source = "# NBVAL_CHECK_OUTPUT\n" + notebook.cells[1].source
    assert stamp_problem(notebook) is None
    notebook.cells[1].source += "\nprint('edited')"
    assert "changed after" in stamp_problem(notebook)


def test_a_fast_or_unstamped_notebook_is_reported():
    notebook = new_notebook(cells=[new_code_cell("1")])
    assert "no stamp" in stamp_problem(notebook)
    notebook.metadata[STAMP_KEY] = {"mode": "fast", "outputs_sha256": outputs_digest(notebook)}
    assert "'fast' mode" in stamp_problem(notebook)


def test_a_failing_notebook_is_left_as_it_was(tmp_path):
    path = write_notebook(
        tmp_path / "02_broken.ipynb", new_code_cell("print('ok')"), new_code_cell("1 / 0")
    )
    before = path.read_text()
    with pytest.raises(CourseBuildError, match=r"(?s)cell 2 of 2.*02_broken.ipynb was left"):
        execute_in_place([path], timeout=60)
    assert path.read_text() == before
    with pytest.raises(ValueError, match="Received: notebook="):
        execute_in_place([tmp_path / "missing.ipynb"])


def test_the_command_line_runs_the_named_notebooks(tmp_path, capsys):
    path = write_notebook(tmp_path / "03_small.ipynb", new_code_cell("print(1)"))
    assert cli.main(["outputs", str(path)]) == 0
    assert "03_small.ipynb" in capsys.readouterr().out
    assert stamp_problem(nbformat.read(path, as_version=4)) is None


def test_outputs_store_the_widget_state_and_a_static_rendering(tmp_path):
    path = write_notebook(
        tmp_path / "04_widget.ipynb",
        new_code_cell(
            "import ipywidgets as widgets\n"
            "widgets.VBox([widgets.Dropdown(options=['a', 'b'], value='b', description='pick')])"
        ),
    )
    execute_in_place([path], timeout=60)
    notebook = nbformat.read(path, as_version=4)
    states = widget_states(notebook)
    (output,) = notebook.cells[0].outputs
    model_id = output.data[WIDGET_VIEW]["model_id"]
    assert states[model_id]["model_name"] == "VBoxModel"
    assert "pick <code>b</code>" in output.data["text/html"]
    assert output.data["text/html"].endswith(f"<p><i>{NOTE}</i></p>")
    assert stamp_problem(notebook) is None
