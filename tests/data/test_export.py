import pytest

from mmcourse.data import load_csv, load_moodposts, load_mvsa
from mmcourse.data.export import export_csv, export_mvsa
from mmcourse.synth.generate import MoodPostsConfig, write_moodposts


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    home = tmp_path_factory.mktemp("data")
    write_moodposts(home / "moodposts", MoodPostsConfig(num_posts=60, seed=8))
    return load_moodposts(data_home=home)


def test_csv_round_trip_keeps_texts_labels_and_splits(dataset, tmp_path):
    path = export_csv(dataset, tmp_path / "mine")
    assert path.name == "sentiment_data.csv"
    loaded = load_csv(path)
    assert loaded.frame["text"].tolist() == dataset.frame["text"].tolist()
    assert loaded.frame["label"].tolist() == dataset.frame["label"].tolist()
    assert loaded.frame["split"].tolist() == dataset.frame["split"].tolist()


def test_mvsa_round_trip_drops_exactly_the_polar_conflicts(dataset, tmp_path):
    root = export_mvsa(dataset, tmp_path / "MVSA_Single")
    assert (root / "labelResultAll.txt").read_text().startswith("ID\ttext,image\n")
    loaded = load_mvsa(root, variant="single")
    frame = dataset.frame
    polar_clash = ((frame.text_label == "positive") & (frame.image_label == "negative")) | (
        (frame.text_label == "negative") & (frame.image_label == "positive")
    )
    assert len(loaded) == len(frame) - int(polar_clash.sum())
    assert loaded.num_skipped == int(polar_clash.sum())
    kept = frame[~polar_clash]
    assert loaded.frame["text"].tolist() == kept["text"].tolist()
