"""What the site holds, in which order, and how it is staged for Sphinx."""

import json

import pytest

from mmcourse import paths
from mmcourse.lessons import LESSONS
from mmcourse.site.pages import REFERENCE, lesson_map, plan_pages, stage
from mmcourse.site.widgets import WIDGET_VIEW

README = """# mmcourse

An open course.

## Lesson map

| # | notebook | what you learn |
|---|---|---|
| 00 | `00_start_here.ipynb` | how it works |
| 07 | `07_cnn_fusion.ipynb` | fusion |

## Fast and full mode

Something else.
"""


def _notebook(*cells, metadata=None):
    return {"cells": list(cells), "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _checkout(root, *, notebooks, exercises=()):
    """A checkout with these lesson notebooks and exercises, and the reference pages."""
    (root / "notebooks").mkdir(parents=True)
    for name in notebooks:
        (root / "notebooks" / name).write_text(json.dumps(_notebook(_markdown(f"# {name}"))))
    for relative, _ in REFERENCE:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(f"# {relative}\n")
    for name in exercises:
        folder = root / "exercises" / "release" / name
        folder.mkdir(parents=True)
        link = _markdown("Lesson: [01](../../../notebooks/01_multimodal_data.ipynb)")
        (folder / f"{name}.ipynb").write_text(json.dumps(_notebook(link)))
    (root / "exercises").mkdir(exist_ok=True)
    (root / "exercises" / "README.md").write_text("# Exercises\n\nHow to work.\n")
    (root / "README.md").write_text(README)
    return root


def test_lessons_come_in_the_registrys_order_then_reference_then_exercises(tmp_path):
    notebooks = ["appendix_errata.ipynb", "07_cnn_fusion.ipynb", "00_start_here.ipynb"]
    root = _checkout(tmp_path, notebooks=notebooks, exercises=["ex01_multimodal_data"])

    pages = plan_pages(root)

    assert [(page.name, page.section) for page in pages] == [
        ("00_start_here.ipynb", "Lessons"),
        ("07_cnn_fusion.ipynb", "Lessons"),
        ("appendix_errata.ipynb", "Appendices"),
        ("results.md", "Reference"),
        ("benchmarks.md", "Reference"),
        ("seeds.md", "Reference"),
        ("dataset.md", "Reference"),
        ("glossary.md", "Reference"),
        ("exercises/ex01_multimodal_data.ipynb", "Exercises"),
    ]


def test_the_courses_own_pages_follow_the_registry():
    pages = plan_pages(paths.course_root())

    lessons = [page.name for page in pages if page.section in ("Lessons", "Appendices")]
    in_registry = [entry.notebook for entry in LESSONS if entry.notebook in lessons]
    assert lessons == in_registry
    assert lessons[:10] == [entry.notebook for entry in LESSONS[:10]]
    assert "appendix_errata.ipynb" in lessons
    exercises = [page.name for page in pages if page.section == "Exercises"]
    assert len(exercises) == len(list((paths.exercises_dir() / "release").glob("*/*.ipynb")))


def test_lessons_keeps_only_those_lessons_and_their_exercises(tmp_path):
    root = _checkout(
        tmp_path,
        notebooks=["00_start_here.ipynb", "01_multimodal_data.ipynb"],
        exercises=["ex01_multimodal_data"],
    )

    names = [page.name for page in plan_pages(root, lessons=("00",))]

    assert "00_start_here.ipynb" in names
    assert "01_multimodal_data.ipynb" not in names
    assert "exercises/ex01_multimodal_data.ipynb" not in names


def test_an_unknown_lesson_number_is_refused(tmp_path):
    root = _checkout(tmp_path, notebooks=["00_start_here.ipynb"])
    with pytest.raises(ValueError, match=r"Received: lessons=\('42',\)"):
        plan_pages(root, lessons=("42",))


def test_a_missing_reference_page_is_named(tmp_path):
    root = _checkout(tmp_path, notebooks=["00_start_here.ipynb"])
    (root / "notebooks" / "GLOSSARY.md").unlink()
    with pytest.raises(ValueError, match="GLOSSARY.md"):
        plan_pages(root)


def test_the_lesson_map_links_the_notebooks_that_are_on_the_site():
    table = lesson_map(README, {"00_start_here.ipynb"})

    assert "[`00_start_here.ipynb`](00_start_here.ipynb)" in table
    assert "| `07_cnn_fusion.ipynb` |" in table
    assert "Something else" not in table


def test_stage_writes_the_home_page_lessons_exercises_and_downloads(tmp_path):
    root = _checkout(
        tmp_path / "course",
        notebooks=["00_start_here.ipynb", "appendix_errata.ipynb"],
        exercises=["ex01_multimodal_data"],
    )
    widget = {
        "output_type": "display_data",
        "metadata": {},
        "data": {WIDGET_VIEW: {"model_id": "x"}},
    }
    lesson = _notebook({"cell_type": "code", "metadata": {}, "source": "w", "outputs": [widget]})
    (root / "notebooks" / "00_start_here.ipynb").write_text(json.dumps(lesson))
    folder = tmp_path / "source"

    widgets = stage(plan_pages(root), root=root, folder=folder)

    assert widgets == {"00_start_here.ipynb": 1, "appendix_errata.ipynb": 0}
    staged = json.loads((folder / "00_start_here.ipynb").read_text())
    assert WIDGET_VIEW not in staged["cells"][0]["outputs"][0]["data"]
    home = (folder / "index.md").read_text()
    assert "[`00_start_here.ipynb`](00_start_here.ipynb)" in home
    navigation = home[home.index("```{toctree}") :]
    order = [":caption: Lessons", "00_start_here", ":caption: Appendices", "appendix_errata"]
    order += [":caption: Reference", "results", "glossary", ":caption: Exercises"]
    order += ["exercises/index", "exercises/ex01_multimodal_data"]
    positions = [navigation.index(word) for word in order]
    assert positions == sorted(positions), navigation
    page = json.loads((folder / "exercises" / "ex01_multimodal_data.ipynb").read_text())
    assert "](../01_multimodal_data.ipynb)" in page["cells"][0]["source"]
    original = (
        root / "exercises" / "release" / "ex01_multimodal_data" / "ex01_multimodal_data.ipynb"
    )
    download = folder / "exercises" / "downloads" / "ex01_multimodal_data.ipynb"
    assert download.read_bytes() == original.read_bytes()
    exercises = (folder / "exercises" / "index.md").read_text()
    assert "How to work." in exercises
    assert (
        "{download}`ex01_multimodal_data.ipynb <downloads/ex01_multimodal_data.ipynb>`"
        in exercises
    )
