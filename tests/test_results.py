"""The results page: its tables, and lessons saved as JSON."""

import numpy as np
import pytest

from mmcourse import results
from mmcourse.evaluate import Evaluation


def _evaluation(name, accuracy):
    return Evaluation(
        name=name,
        accuracy=accuracy,
        macro_f1=0.5,
        per_phenomenon={p: 0.25 for p in results.PHENOMENA},
        confusion=np.zeros((3, 3)),
        class_names=("negative", "neutral", "positive"),
        report="",
        details={"params": 12345, "train_seconds": 6.4},
    )


def test_lesson_table_has_one_row_per_model_in_percent():
    table = results.lesson_table([_evaluation("a", 0.9051), _evaluation("b", 0.5)])
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("| model | accuracy | macro f1 | aligned |")
    assert lines[2] == "| a | 90.5 | 50.0 | " + "25.0 | " * 6 + "12,345 | 6 |"


def test_ceiling_table_and_page(fusion_data):
    page = results.to_markdown(
        {"07": [_evaluation("concat", 0.9)]},
        fusion_data.ceilings,
        seconds={"07": 12.0},
        header="Made by a test.",
    )
    assert "| text only | 65.5 |" in page and "| both | 97.0 |" in page
    assert "## Lesson 07: CNN fusion (12 s)" in page and "| concat | 90.0 |" in page


def test_unknown_lesson_is_refused():
    with pytest.raises(ValueError, match="Received: number='10'"):
        results.run_lesson("10", None)


def test_every_lesson_module_has_run_experiment():
    import importlib

    for number, (_, module) in results.LESSONS.items():
        function = "train_text_models" if number == "03" else "run_experiment"
        assert callable(getattr(importlib.import_module(module), function)), module


def test_a_saved_lesson_loads_back_with_its_provenance(tmp_path):
    path = tmp_path / "lesson_07.json"
    where = {"mode": "full", "machine": "x86_64, 16 CPU cores, devices: GPU:0", "backend": "jax"}
    results.save_lesson(path, "07", [_evaluation("concat", 0.9)], seconds=3.5, **where)
    record, evaluations = results.load_lesson(path)
    assert record == {"lesson": "07", "seconds": 3.5, **where}
    assert evaluations[0].name == "concat" and evaluations[0].summary()["params"] == 12345
    assert results.lesson_table(evaluations) == results.lesson_table([_evaluation("concat", 0.9)])
