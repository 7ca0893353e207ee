"""The results page: its tables, lessons saved as JSON, and the committed notebooks/RESULTS.md."""

import dataclasses
import re

import numpy as np
import pytest

from mmcourse import lessons, paths, results
from mmcourse.constants import PHENOMENA
from mmcourse.evaluate import Evaluation

RESULTS_MD = paths.notebooks_dir() / "RESULTS.md"


def _evaluation(name, accuracy):
    return Evaluation(
        name=name,
        accuracy=accuracy,
        macro_f1=0.5,
        per_phenomenon={p: 0.25 for p in PHENOMENA},
        confusion=np.array([[5, 1, 0], [0, 4, 2], [1, 0, 7]]),
        class_names=("negative", "neutral", "positive"),
        report="a report",
        details={"params": 12345, "train_seconds": 6.4},
    )


def test_lesson_table_has_one_row_per_model_in_percent():
    table = results.lesson_table([_evaluation("a", 0.9051), _evaluation("b", 0.5)])
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("| model | accuracy | macro f1 | aligned |")
    assert lines[2] == "| a | 90.5 | 50.0 | " + "25.0 | " * 6 + "12,345 | 6 |"


def test_extra_columns_come_last_and_a_missing_detail_is_blank():
    evaluation = _evaluation("m", 0.5)
    evaluation.details.update({"R@5 text->image": 0.6878, "epochs": 8})
    extra = ("R@5 text->image", "epochs")
    table = results.lesson_table([evaluation, _evaluation("n", 0.4)], extra)
    header, _, first, second = table.splitlines()
    assert header.endswith("| params | train seconds | R@5 text->image | epochs |")
    assert first.endswith("| 12,345 | 6 | 68.8 | 8 |")
    assert second.endswith("| 12,345 | 6 |  |  |")


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


def test_the_page_covers_the_lessons_with_an_experiment():
    assert [e.number for e in lessons.experiments()] == ["03", "04", "05", "06", "07", "08", "09"]
    with pytest.raises(ValueError, match="Received: number='02'"):
        results.run_lesson("02", None)


def test_a_saved_lesson_loads_back_with_its_provenance(tmp_path):
    path = tmp_path / "lesson_07.json"
    where = {"mode": "full", "machine": "x86_64, 16 CPU cores, devices: GPU:0", "backend": "jax"}
    results.save_lesson(path, "07", [_evaluation("concat", 0.9)], seconds=3.5, **where)
    record, evaluations = results.load_lesson(path)
    assert record == {"lesson": "07", "seconds": 3.5, **where}
    assert evaluations[0].name == "concat" and evaluations[0].summary()["params"] == 12345
    # the confusion matrix and the report come back as they were saved, not invented
    assert evaluations[0].confusion.tolist() == [[5, 1, 0], [0, 4, 2], [1, 0, 7]]
    assert evaluations[0].report == "a report" and evaluations[0].class_names == (
        "negative",
        "neutral",
        "positive",
    )
    assert results.lesson_table(evaluations) == results.lesson_table([_evaluation("concat", 0.9)])


def _sections(text):
    """`{lesson number: [model names of its table]}` from a results page."""
    sections = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        found = re.match(r"Lesson (\d\d): ", block)
        if found:
            rows = [line for line in block.splitlines() if line.startswith("| ")]
            sections[found.group(1)] = [row.split(" | ")[0][2:] for row in rows[1:]]
    return sections


def test_committed_results_cover_every_model_of_every_lesson_in_full_mode():
    from mmcourse.lessons import attention_fusion, cnn_fusion, cross_modal_embedding
    from mmcourse.models import text as text_models

    text = RESULTS_MD.read_text()
    assert "in **full mode**" in text, "RESULTS.md must hold the published (full-mode) numbers"
    assert "| both | 97.0 |" in text  # the Bayes ceilings
    sections = _sections(text)
    assert sorted(sections) == [e.number for e in lessons.experiments()]
    expected = {
        "03": [*text_models.BUILDERS, "text_cnn + course word vectors"],
        "05": [f"{m}: text-trained, on images" for m in cross_modal_embedding.MODELS],
        "06": ["single_task", "multitask"],
        "07": ["listing_4_3", *cnn_fusion.MODELS],
        "08": list(attention_fusion.MODEL_NAMES),
    }
    for number, names in expected.items():
        missing = set(names) - set(sections[number])
        assert not missing, f"lesson {number} lacks {sorted(missing)}"
    for number, names in sections.items():
        assert names, f"lesson {number} has no model"


def test_reuse_builds_the_page_from_saved_lessons_and_says_where_each_ran(tmp_path, monkeypatch):
    monkeypatch.delenv("MMCOURSE_FAST", raising=False)  # this process: full mode
    here = results.provenance()
    elsewhere = {
        "mode": "full",
        "date": "2026-11-26",
        "machine": "x86_64, 16 CPU cores, devices: GPU:0",
        "backend": "jax",
    }
    results.save_lesson(
        tmp_path / "lesson_07.json", "07", [_evaluation("concat", 0.9)], seconds=3.5, **elsewhere
    )
    results.save_lesson(
        tmp_path / "lesson_08.json",
        "08",
        [_evaluation("attention", 0.96)],
        seconds=7.0,
        **{**here, "mode": "fast"},
    )
    results.save_lesson(
        tmp_path / "lesson_09.json", "09", [_evaluation("robust", 0.91)], seconds=9.0, **here
    )
    out = tmp_path / "page.md"
    argv = ["--lessons", "07", "08", "09", "--json-dir", str(tmp_path), "--reuse", "--out"]
    results.main([*argv, str(out)])
    page = out.read_text()
    assert "in **full mode**" in page and "| concat | 90.0 |" in page
    assert "Measured in full mode on 2026-11-26 on x86_64, 16 CPU cores" in page
    assert f"Measured in fast mode on {here['date']}" in page  # a fast lesson is marked
    # no "measured elsewhere" line for lesson 09; each section says what it scores
    assert "## Lesson 09: Robustness (9 s)\n\nScored on `label`.\n\nTrained with" in page
    assert "## Lesson 07: CNN fusion (4 s)\n\nMeasured in full mode" in page


def test_each_section_names_the_label_it_scores_and_json_keeps_it(tmp_path):
    image_scored = dataclasses.replace(_evaluation("encoder", 0.99), label_column="image_label")
    results.save_lesson(tmp_path / "lesson_05.json", "05", [image_scored], seconds=1.0)
    _, (loaded,) = results.load_lesson(tmp_path / "lesson_05.json")
    assert loaded.label_column == "image_label"
    row = {"overall": 0.5, **dict.fromkeys(PHENOMENA, 0.5)}
    ceilings = {view: row for view in ("text", "image", "both")}
    page = results.to_markdown({"05": [loaded]}, ceilings, seconds={"05": 1.0}, header="")
    assert "Scored on `image_label`." in page and "not the post label" in page


def test_each_lesson_not_reused_runs_in_a_fresh_process_and_a_onednn_one_says_so(
    tmp_path, monkeypatch
):
    here = results.provenance()
    ran = []

    def fake_child(number, *, seed, path):  # what `measure_lesson` leaves behind
        ran.append((number, seed))
        where = {**here, "onednn": number == "04"}
        results.save_lesson(path, number, [_evaluation(f"m{number}", 0.5)], seconds=2, **where)
        return 2.0

    monkeypatch.setattr(results, "measure_in_child", fake_child)
    results.save_lesson(
        tmp_path / "lesson_03.json", "03", [_evaluation("kept", 0.7)], seconds=1, **here
    )
    out = tmp_path / "page.md"
    argv = ["--lessons", "03", "04", "--seed", "3", "--json-dir", str(tmp_path), "--reuse"]
    results.main([*argv, "--out", str(out)])
    assert ran == [("04", 3)]  # 03 was reused
    page = out.read_text()
    assert "| kept | 70.0 |" in page and "| m04 | 50.0 |" in page
    assert "(trained on image_label) (2 s)\n\nTensorFlow's oneDNN kernels were on" in page
    assert "## Lesson 03: Text sentiment (1 s)\n\nScored on" in page


def test_measure_lesson_imports_tensorflow_with_the_lessons_onednn_setting(monkeypatch):
    asked = []

    class StopError(Exception):
        pass

    def stop(*, onednn=None):
        asked.append(onednn)
        raise StopError  # the lesson would train next: stop here

    monkeypatch.setattr(results.quiet, "import_tensorflow", stop)
    for number in ("03", "04"):
        with pytest.raises(StopError):
            results.measure_lesson(number=number, seed=0, path="unused.json")
    assert asked == [lessons.lesson("03").onednn, True]


@pytest.mark.slow
def test_measure_in_child_saves_a_lessons_scores_from_a_fresh_process(tmp_path, monkeypatch):
    monkeypatch.setenv("MMCOURSE_FAST", "1")
    path = tmp_path / "lesson_03.json"
    seconds = results.measure_in_child("03", seed=0, path=path)
    record, evaluations = results.load_lesson(path)
    assert seconds == record["seconds"] > 0 and record["mode"] == "fast"
    assert [e.name for e in evaluations][:1] == ["bag_of_embeddings"]
    assert record["onednn"] is False  # make's setting, which lesson 03 keeps
