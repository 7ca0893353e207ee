"""The exercises as an nbgrader course: release in sync with source, stubs that raise, no
solution or hidden test leaks, every question tested, and each exercise uses its lesson."""

import ast
import importlib
import re
import subprocess
import sys

import nbformat
import pytest

from mmcourse.grading.exercises import release_exercises
from tests.grading.exercise_helpers import (
    EXERCISES,
    HIDDEN,
    ROOT,
    SOLUTION,
    autograded,
    nbgrader_cells,
    release_path,
    secret_lines,
    source_path,
)


@pytest.mark.parametrize("name", EXERCISES)
def test_release_stubs_raise_not_implemented_error(name):
    notebook = nbformat.read(release_path(name), 4)
    answers = [
        c
        for c in nbgrader_cells(notebook).values()
        if c.cell_type == "code" and c.metadata.nbgrader["solution"]
    ]
    assert answers
    for cell in answers:
        namespace = {}
        exec("import keras\nimport numpy as np\nimport pandas as pd", namespace)
        given = set(namespace)
        exec(compile(cell.source, cell.id, "exec"), namespace)  # defines the stub
        (answer,) = [v for k, v in namespace.items() if k not in given and callable(v)]
        if isinstance(answer, type):  # a layer the learner writes: constructing it raises
            num_args = answer.__init__.__code__.co_argcount - 1
        else:
            num_args = answer.__code__.co_argcount
        with pytest.raises(NotImplementedError):
            answer(*[None] * num_args)


@pytest.mark.slow
def test_release_is_in_sync_with_source(tmp_path):
    written = release_exercises(out_dir=tmp_path)
    assert sorted(p.parent.name for p in written) == EXERCISES
    for path in written:
        fresh, committed = nbformat.read(path, 4), nbformat.read(release_path(path.stem), 4)
        assert [(c.cell_type, c.source) for c in fresh.cells] == [
            (c.cell_type, c.source) for c in committed.cells
        ], f"{release_path(path.stem)} is stale: run `mmcourse release`"
        for a, b in zip(fresh.cells, committed.cells):
            assert a.metadata.get("nbgrader") == b.metadata.get("nbgrader"), a.id


@pytest.mark.parametrize("name", EXERCISES)
def test_no_solution_or_hidden_test_leaks_into_release(name):
    source = nbformat.read(source_path(name), 4)
    release = nbformat.read(release_path(name), 4)
    text = "\n".join(c.source for c in release.cells)
    for marker in (*HIDDEN, *SOLUTION, "BEGIN MARK SCHEME", "Rubric", "Model answer"):
        assert marker not in text, marker
    for markers in (SOLUTION, HIDDEN):
        leaked = [line for line in secret_lines(source, markers) if line in text]
        assert not leaked, leaked[:3]
    written = [
        c
        for c in nbgrader_cells(source).values()
        if c.cell_type == "markdown" and c.metadata.nbgrader["solution"]
    ]
    for cell in written:  # a written answer (model answer and rubric) is replaced whole
        for line in cell.source.splitlines():
            assert len(line) < 12 or line not in text, line
    assert all(not c.get("outputs") for c in release.cells)


@pytest.mark.parametrize("name", EXERCISES)
def test_every_question_has_visible_and_hidden_tests(name):
    for grade_id, cell in nbgrader_cells(nbformat.read(source_path(name), 4)).items():
        if grade_id in autograded(nbformat.read(source_path(name), 4)):
            visible = cell.source.split(HIDDEN[0])[0]
            assert HIDDEN[0] in cell.source, f"{grade_id} has no hidden test"
            assert "check_" in visible and "visible tests passed" in visible, grade_id
            assert "assert " not in cell.source, f"{grade_id}: use the mmcourse.grading checks"


def mmcourse_imports(notebook):
    """(module, name) of every `from mmcourse... import name` and `import mmcourse...`."""
    found = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mmcourse"):
                found |= {(node.module, alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {(a.name, None) for a in node.names if a.name.startswith("mmcourse")}
    return found


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_uses_what_its_lesson_teaches(name):
    number = re.fullmatch(r"ex(\d\d)_.*", name).group(1)
    (lesson_path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    lesson = nbformat.read(lesson_path, 4)
    lesson_code = "\n".join(c.source for c in lesson.cells if c.cell_type == "code")
    exercise = nbformat.read(source_path(name), 4)
    imports = mmcourse_imports(exercise)
    assert imports
    for module, attribute in imports:
        imported = importlib.import_module(module)
        if attribute is not None and not hasattr(imported, attribute):  # maybe a submodule
            importlib.import_module(f"{module}.{attribute}")
        if module == "mmcourse.grading":  # the exercise's own test helpers, not lesson content
            continue
        assert re.search(rf"\b{attribute or module}\b", lesson_code), (
            f"{name} imports {attribute or module} from {module}; {lesson_path.name} never uses it"
        )
    exercise_code = "\n".join(c.source for c in exercise.cells if c.cell_type == "code")
    for attribute in set(re.findall(r"\bdataset\.(\w+)", exercise_code)):
        assert f".{attribute}" in lesson_code, f"dataset.{attribute} is not in {lesson_path.name}"


@pytest.mark.slow
def test_nbval_does_not_collect_the_exercises():
    # The Makefile runs `pytest --nbval-lax` without paths: only testpaths are collected.
    testpaths = re.search(r"testpaths\s*=\s*\[(.*?)\]", (ROOT / "pyproject.toml").read_text())
    assert "exercises" not in testpaths.group(1)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "exercises",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "no tests collected" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("name", EXERCISES)
def test_lesson_link_works_from_the_release_and_from_a_learners_copy(name):
    # exercises/README.md has learners copy an exercise to exercises/work/<id>/: as deep as
    # release/<exercise>/, so one relative link serves both (and the source).
    links = re.findall(
        r"\]\(([^)]+\.ipynb)\)", nbformat.read(release_path(name), 4).cells[0].source
    )
    number = name[2:4]
    assert links and all(re.search(rf"notebooks/{number}_\w+\.ipynb$", link) for link in links)
    readme = (ROOT / "exercises" / "README.md").read_text()
    assert "exercises/work/<your-id>" in readme and "~/" not in readme
    assert "exercises/work/" in (ROOT / ".gitignore").read_text().splitlines()
    for folder in (release_path(name).parent, source_path(name).parent, ROOT / "exercises/work/x"):
        for link in links:
            assert (folder / link).resolve().is_file(), f"{link} from {folder.relative_to(ROOT)}"


@pytest.mark.parametrize("name", EXERCISES)
def test_readmes_list_every_exercise_with_its_points(name):
    notebook = nbformat.read(source_path(name), 4)
    points = autograded(notebook)
    written = [
        c
        for c in nbgrader_cells(notebook).values()
        if c.metadata.nbgrader["grade"] and c.metadata.nbgrader["solution"]
    ]
    row = (
        f"| `{name}` | `notebooks/{name[2:]}.ipynb` | {len(points)} autograded + "
        f"{len(written)} written | {sum(points.values()):g} + "
        f"{sum(c.metadata.nbgrader['points'] for c in written):g} |"
    )
    assert row in (ROOT / "exercises" / "README.md").read_text(), row
    assert f"`{name}`" in (ROOT / "README.md").read_text()
    lesson_00 = (ROOT / "notebooks" / "00_start_here.ipynb").read_text()
    assert name in lesson_00, "re-run lesson 00: its course map lists the exercises"
    for readme in ("README.md", "exercises/README.md", "exercises/INSTRUCTORS.md"):
        assert "to come" not in (ROOT / readme).read_text().lower(), readme
