import shutil

import pytest

from mmcourse.data import DatasetError, load_moodposts, verify_moodposts
from mmcourse.synth.generate import MoodPostsConfig, write_moodposts


@pytest.fixture(scope="module")
def small_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("data")
    write_moodposts(home / "moodposts", MoodPostsConfig(num_posts=60, seed=5))
    return home


@pytest.fixture
def home_copy(small_home, tmp_path):
    shutil.copytree(small_home / "moodposts", tmp_path / "moodposts")
    return tmp_path


def test_shipped_dataset_loads_with_metadata():
    dataset = load_moodposts()
    assert len(dataset) == 6000
    assert dataset.class_names == ("negative", "neutral", "positive")
    assert dataset.ceilings["both"]["overall"] >= 0.95
    assert set(dataset.frame["split"]) == {"train", "val", "test"}
    assert dataset.frame["image"].map(lambda p: p.endswith(".png")).all()
    assert dataset.frame["label_noise"].dtype == bool


def test_split_selects_rows(small_home):
    test = load_moodposts(split="test", data_home=small_home)
    both = load_moodposts(split=["train", "val"], data_home=small_home)
    assert set(test.frame.split) == {"test"} and len(test) + len(both) == 60
    with pytest.raises(ValueError, match="split"):
        load_moodposts(split="dev", data_home=small_home)


def test_verify_reports_a_changed_file(home_copy):
    assert verify_moodposts(data_home=home_copy).ok
    image = home_copy / "moodposts" / "images" / "mp-00003.png"
    image.write_bytes(image.read_bytes()[:-10])
    report = verify_moodposts(data_home=home_copy)
    assert not report.ok and "mp-00003.png" in report.problems[0]
    with pytest.raises(DatasetError, match="mp-00003.png"):
        load_moodposts(data_home=home_copy)


def test_verify_reports_a_missing_file_and_folder(home_copy, tmp_path):
    (home_copy / "moodposts" / "images" / "mp-00007.png").unlink()
    with pytest.raises(DatasetError, match="mp-00007.png is missing"):
        load_moodposts(data_home=home_copy)
    with pytest.raises(DatasetError, match="does not exist"):
        load_moodposts(data_home=tmp_path / "nowhere")


def test_bad_label_in_manifest_names_the_row(home_copy):
    manifest = home_copy / "moodposts" / "manifest.csv"
    lines = manifest.read_text().splitlines()
    lines[4] = lines[4].replace(",negative,", ",grumpy,", 1).replace(",positive,", ",grumpy,", 1)
    lines[4] = lines[4].replace(",neutral,", ",grumpy,", 1)
    manifest.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"manifest.csv, row 5: unknown \w+ 'grumpy'"):
        load_moodposts(data_home=home_copy, verify=False)


def test_missing_column_is_reported(home_copy):
    manifest = home_copy / "moodposts" / "manifest.csv"
    text = manifest.read_text().replace("text_label", "txt_label", 1)
    manifest.write_text(text)
    with pytest.raises(DatasetError, match=r"missing columns \['text_label'\]"):
        load_moodposts(data_home=home_copy, verify=False)
