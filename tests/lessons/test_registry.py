"""The registry of lessons: one module per notebook, named after it, and one interface."""

import dataclasses
import inspect

import pytest

from mmcourse import lessons, paths
from mmcourse.settings import ByMode


def test_every_notebook_has_one_lesson_and_every_lesson_a_notebook():
    notebooks = sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb"))
    assert sorted(entry.notebook for entry in lessons.LESSONS) == notebooks


def test_every_lesson_module_is_named_after_its_notebook_and_imports():
    modules = {p.stem for p in (paths.course_root() / "mmcourse" / "lessons").glob("*.py")}
    for entry in lessons.LESSONS:
        assert entry.name in modules, entry
        assert entry.module.__name__ == f"mmcourse.lessons.{entry.name}"
        assert entry.notebook.endswith(f"_{entry.name}.ipynb")
    # every other module of the folder belongs to one lesson: <lesson name>_<part>.py
    names = [entry.name for entry in lessons.LESSONS]
    for module in modules - set(names) - {"__init__"}:
        assert any(module.startswith(f"{name}_") for name in names), module


def test_lesson_finds_by_number_and_refuses_an_unknown_one():
    assert lessons.lesson("07").name == "cnn_fusion"
    assert lessons.lesson("A").notebook == "appendix_errata.ipynb"
    with pytest.raises(ValueError, match="Received: number='10'"):
        lessons.lesson("10")


@pytest.mark.parametrize("entry", lessons.experiments(), ids=lambda e: e.number)
def test_every_lesson_from_03_on_has_the_lesson_interface(entry):
    module = entry.module
    assert isinstance(module.SETTINGS, ByMode), f"{entry.name}.SETTINGS is not a ByMode"
    for settings in (module.SETTINGS.fast, module.SETTINGS.full):
        assert dataclasses.is_dataclass(settings)
        with pytest.raises(dataclasses.FrozenInstanceError):
            settings.seed = 1
    parameters = inspect.signature(module.run_experiment).parameters
    assert list(parameters) == ["data", "settings"]
    assert parameters["data"].default is None
    assert parameters["settings"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["settings"].default is None
    assert list(inspect.signature(module.lesson_claims).parameters) == ["result"]
