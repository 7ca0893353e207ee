"""mmcourse.paths: the one place that knows where the course's folders are."""

import pytest

from mmcourse import paths


def test_the_folders_of_the_checkout(monkeypatch):
    monkeypatch.delenv("MMCOURSE_ROOT", raising=False)
    monkeypatch.delenv("MMCOURSE_DATA", raising=False)
    root = paths.course_root()
    assert (root / "mmcourse" / "paths.py").is_file()
    assert paths.datasets_dir(must_exist=True) == root / "datasets"
    assert (paths.exercises_dir(must_exist=True) / "nbgrader_config.py").is_file()
    assert (paths.notebooks_dir(must_exist=True) / "00_start_here.ipynb").is_file()
    assert paths.shipped_dataset("word_vectors").is_dir()


def test_environment_variables_override_and_a_missing_folder_says_what_to_do(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MMCOURSE_DATA", str(tmp_path / "data"))
    assert paths.datasets_dir() == tmp_path / "data"
    with pytest.raises(FileNotFoundError, match="set MMCOURSE_DATA") as info:
        paths.datasets_dir(must_exist=True)
    assert str(tmp_path / "data") in str(info.value)
    monkeypatch.setenv("MMCOURSE_ROOT", str(tmp_path))
    assert paths.course_root() == tmp_path
    with pytest.raises(FileNotFoundError, match="exercises folder"):
        paths.exercises_dir(must_exist=True)


def test_display_shows_paths_inside_the_checkout_relative_to_it(tmp_path, monkeypatch):
    monkeypatch.delenv("MMCOURSE_ROOT", raising=False)
    assert paths.display(paths.course_root() / "datasets" / "moodposts") == "datasets/moodposts"
    assert paths.display(tmp_path) == str(tmp_path)  # elsewhere: the user's own path, as given
