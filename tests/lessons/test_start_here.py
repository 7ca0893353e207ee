"""Lesson 00's map of the course comes from the registry and the released exercises."""

from mmcourse import lessons
from mmcourse.lessons import start_here


def test_the_map_lists_every_lesson_in_order_with_its_exercise(tmp_path, monkeypatch):
    table = start_here.lesson_map()
    assert list(table.index) == [entry.number for entry in lessons.LESSONS]
    assert table.loc["07", "notebook"] == "07_cnn_fusion.ipynb"
    released = start_here.released_exercises()
    assert released  # the course ships student versions
    for number, folder in released.items():
        assert table.loc[number, "graded exercise"] == folder
    assert table.loc["A", "graded exercise"] == ""


def test_an_exercise_appears_only_when_its_folder_is_released(tmp_path, monkeypatch):
    (tmp_path / "exercises" / "release" / "ex07_cnn_fusion").mkdir(parents=True)
    monkeypatch.setenv("MMCOURSE_ROOT", str(tmp_path))
    assert start_here.released_exercises() == {"07": "ex07_cnn_fusion"}
    table = start_here.lesson_map()
    assert table.loc["07", "graded exercise"] == "ex07_cnn_fusion"
    assert table.loc["01", "graded exercise"] == ""
