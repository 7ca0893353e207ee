"""Lessons 02-09 open the box: they show the code of what they build, and compute it by hand.

See `tests/lesson_code.py` for what counts as built ("taught") and as shown.
"""

import json

import nbformat
import pytest

from mmcourse import paths
from tests import lesson_code

LESSONS = sorted(paths.notebooks_dir().glob("0[2-9]_*.ipynb"))


def _name(path):
    return path.name


def _names(objects):
    return sorted(lesson_code.name_of(obj) for obj in objects)


def test_the_lessons_that_open_the_box():
    assert [p.name[:2] for p in LESSONS] == ["02", "03", "04", "05", "06", "07", "08", "09"]


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_lesson_shows_every_model_layer_and_loss_it_names(path):
    direct, _ = lesson_code.taught(path)
    missing = _names(direct - lesson_code.shown(path))
    assert not missing, f"{path.name} builds these in its cells but never show()s them: {missing}"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_what_a_lesson_builds_through_the_package_is_shown_in_it_or_before(path):
    _, indirect = lesson_code.taught(path)
    shown_so_far = set().union(*(lesson_code.shown(p) for p in LESSONS if p.name <= path.name))
    missing = _names(indirect - shown_so_far)
    assert not missing, f"{path.name} builds these through its lesson module, unshown: {missing}"


def _code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def _printed(cell):
    return "".join(
        "".join(output.get("text", ""))
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_lesson_computes_its_core_by_hand_and_checks_it_against_the_package(path):
    cells = [c for c in _code_cells(path) if "by_hand.agree(" in "".join(c["source"])]
    assert cells, f"{path.name} never compares a hand computation with the package (agree)"
    for cell in cells:
        source = "".join(cell["source"])
        tags = cell.get("metadata", {}).get("tags", [])
        assert "NBVAL_RAISES_EXCEPTION" not in source and "raises-exception" not in str(tags)
        assert "by hand = package" in _printed(cell), f"{path.name}: run it, store the output"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_shown_code_is_rendered_with_its_file_and_no_machine_path(path):
    cells = [c for c in _code_cells(path) if lesson_code.calls_show("".join(c["source"]))]
    assert cells, f"{path.name} shows no code"
    for cell in cells:
        html = "".join(
            "".join(o["data"]["text/html"])
            for o in cell.get("outputs", [])
            if "text/html" in o.get("data", {})
        )
        assert "(mmcourse/" in html, f"{path.name}: a show() cell with no rendered source stored"
        assert str(paths.course_root()) not in html


# The checker itself, on notebooks made here: it must be able to fail.


def _notebook(tmp_path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "07_fake.ipynb"
    nbformat.write(notebook, path)
    return path


IMPORTS = "from mmcourse import show\nfrom mmcourse.models import fusion, fusion_layers"


def test_checker_finds_a_builder_and_its_layer_that_are_not_shown(tmp_path):
    path = _notebook(tmp_path, IMPORTS, "model = fusion.build_gated_fusion(vocabulary_size=9)")
    direct, indirect = lesson_code.taught(path)
    assert _names(direct) == ["mmcourse.models.fusion.build_gated_fusion"]
    assert "mmcourse.models.fusion_layers.GatedFusion" in _names(indirect)
    assert lesson_code.shown(path) == set()


def test_checker_counts_a_shown_method_as_its_class(tmp_path):
    path = _notebook(
        tmp_path,
        IMPORTS,
        "show(fusion.build_gated_fusion, fusion_layers.GatedFusion.call)",
        "model = fusion.build_gated_fusion(vocabulary_size=9)",
    )
    assert _names(lesson_code.shown(path)) == [
        "mmcourse.models.fusion.build_gated_fusion",
        "mmcourse.models.fusion_layers.GatedFusion",
    ]


def test_checker_expands_a_table_of_builders(tmp_path):
    path = _notebook(tmp_path, IMPORTS, "for build in fusion.BUILDERS.values(): pass")
    direct, _ = lesson_code.taught(path)
    assert len(direct) >= 5 and all(obj.__name__.startswith("build_") for obj in direct)


def test_checker_tells_show_from_plt_show_and_imshow():
    assert lesson_code.calls_show("show(fusion.build_concat_fusion)")
    assert lesson_code.calls_show("import mmcourse\nmmcourse.show(f)")
    assert not lesson_code.calls_show("plt.show()\naxes[0].imshow(image)")


def test_checker_rejects_a_show_it_cannot_resolve(tmp_path):
    path = _notebook(tmp_path, IMPORTS, "show(fusion.no_such_builder)")
    with pytest.raises(ValueError, match="cannot resolve"):
        lesson_code.shown(path)
