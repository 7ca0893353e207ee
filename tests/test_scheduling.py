"""`make test`'s workers get whole files, and the grading tests all together."""

import re

from mmcourse import paths
from tests.scheduling import work_unit


def test_every_cell_of_a_notebook_is_one_unit():
    cells = [f"notebooks/04_image_sentiment.ipynb::Cell {n}" for n in (0, 1, 24, 71)]
    assert {work_unit(cell) for cell in cells} == {"notebooks/04_image_sentiment.ipynb"}
    assert work_unit("notebooks/05_cross_modal_embedding.ipynb::Cell 0") != work_unit(cells[0])


def test_a_test_file_is_one_unit_and_its_parameters_stay_with_it():
    assert work_unit("tests/test_claims.py::test_a") == "tests/test_claims.py"
    assert work_unit("tests/test_claims.py::TestX::test_b[a::b]") == "tests/test_claims.py"
    assert work_unit("tests/models/test_text.py::test_c") != work_unit("tests/test_claims.py::a")


def test_the_grading_tests_are_one_unit_so_the_class_is_graded_once():
    ids = [
        "tests/grading/test_autograde.py::test_grading_prints_a_table",
        "tests/grading/test_feedback.py::test_x",
        "tests/grading/test_report.py::test_y[ex01]",
    ]
    assert {work_unit(nodeid) for nodeid in ids} == {"tests/grading/"}


def test_make_test_runs_both_passes_on_workers_file_by_file():
    makefile = (paths.course_root() / "Makefile").read_text()
    assert re.search(r"^XDIST := -n \$\(TEST_WORKERS\) --dist loadfile$", makefile, re.M)
    recipes = re.findall(r"^\t.*-m pytest.*$", makefile, re.M)
    main, jax = (next(r for r in recipes if key in r) for key in ("--nbval-lax", "KERAS_BACKEND"))
    assert "$(XDIST)" in main and "$(XDIST)" in jax
