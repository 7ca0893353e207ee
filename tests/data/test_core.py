from collections import Counter

import numpy as np
import pandas as pd
import pytest

from mmcourse.data.core import (
    CLASS_NAMES,
    FRAME_COLUMNS,
    DatasetError,
    MultimodalDataset,
    SkippedRow,
    assign_splits,
    check_image_file,
    check_on_error,
    normalise_label,
)


@pytest.fixture
def dataset(tmp_path, make_image):
    """Twelve posts, four per class, 6x6 PNG images whose red channel encodes the post."""
    rows = []
    for i in range(12):
        label = CLASS_NAMES[i % 3]
        image = make_image(tmp_path / f"{i}.png", color=(20 * i, 255, 0), size=(6, 6))
        rows.append(
            {
                "id": f"p{i}",
                "text": f"post {i}",
                "image": str(image),
                "label": label,
                "text_label": label,
                "image_label": None if i == 0 else label,
                "phenomenon": "aligned",
                "split": ["train", "train", "val", "test"][i // 3],
            }
        )
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    return MultimodalDataset(name="toy", frame=frame, root=tmp_path)


def test_dataset_error_names_file_and_row():
    error = DatasetError("unknown label 'x'.", path="data/posts.csv", row=3)
    assert isinstance(error, ValueError)
    assert str(error) == "data/posts.csv, row 3: unknown label 'x'."
    assert (error.path, error.row) == ("data/posts.csv", 3)
    assert str(DatasetError("missing.", path="a.csv")) == "a.csv: missing."
    assert str(DatasetError("bad.")) == "bad."


def test_assign_splits_is_stratified():
    labels = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    splits = assign_splits(labels, seed=0)
    counts = Counter(zip(labels, splits, strict=True))
    for label, total in (("a", 50), ("b", 30), ("c", 20)):
        assert counts[label, "train"] == 0.8 * total
        assert counts[label, "val"] == counts[label, "test"] == 0.1 * total


def test_assign_splits_is_deterministic_per_seed():
    labels = ["a", "b"] * 20
    first = assign_splits(labels, seed=7)
    assert assign_splits(labels, seed=7).tolist() == first.tolist()
    assert assign_splits(labels, seed=8).tolist() != first.tolist()
    assert assign_splits(labels, seed=7, fractions=(0.5, 0.5, 0.0)).tolist().count("test") == 0


@pytest.mark.parametrize("fractions", [(0.8, 0.1), (0.8, 0.3, 0.1), (1.2, -0.1, -0.1)])
def test_assign_splits_rejects_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        assign_splits(["a", "b"], seed=0, fractions=fractions)


def test_normalise_label_and_check_on_error():
    assert normalise_label(" Positive ", CLASS_NAMES) == "positive"
    assert normalise_label("happy", CLASS_NAMES) is None
    assert normalise_label(None, CLASS_NAMES) is None
    assert check_on_error("skip") == "skip"
    with pytest.raises(ValueError, match="Received: on_error='warn'"):
        check_on_error("warn")


def test_check_image_file(tmp_path, make_image):
    check_image_file(make_image(tmp_path / "ok.jpg"), source="posts.csv", row=2)
    with pytest.raises(DatasetError, match=r"posts.csv, row 4: .*gone.jpg.* does not exist"):
        check_image_file(tmp_path / "gone.jpg", source="posts.csv", row=4)
    bad = make_image(tmp_path / "bad.jpg", corrupt=True)
    with pytest.raises(DatasetError, match=r"posts.csv, row 5: .*bad.jpg.* not a readable image"):
        check_image_file(bad, source="posts.csv", row=5)


def test_subset_and_repr(dataset):
    assert len(dataset.subset("train")) == 6
    assert set(dataset.subset(["val", "test"]).frame["split"]) == {"val", "test"}
    assert len(dataset.subset("all")) == 12
    assert dataset.subset("val").frame.index.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="Received: split='dev'"):
        dataset.subset("dev")
    assert "name='toy', num_posts=12" in repr(dataset)
    dataset.skipped.append(SkippedRow(path="x.csv", row=2, reason="empty text"))
    assert dataset.num_skipped == 1


def test_labels(dataset):
    assert dataset.labels().tolist() == [0, 1, 2] * 4
    assert dataset.labels("text_label").dtype == np.int32
    with pytest.raises(ValueError, match="missing values"):
        dataset.labels("image_label")
    with pytest.raises(ValueError, match="Received: column='split'"):
        dataset.labels("split")


def test_images(dataset, make_image, tmp_path):
    images = dataset.images()
    assert images.shape == (12, 6, 6, 3) and images.dtype == np.uint8
    assert images[5, 0, 0].tolist() == [100, 255, 0]
    assert dataset.images(image_size=4).shape == (12, 4, 4, 3)
    dataset.frame.loc[0, "image"] = str(make_image(tmp_path / "big.png", size=(9, 9)))
    with pytest.raises(ValueError, match="image_size"):
        dataset.images()
    assert dataset.subset([]).images(image_size=4).shape == (0, 4, 4, 3)


def test_to_tf_dataset_batches(dataset):
    batches = list(dataset.to_tf_dataset(batch_size=5))
    assert [len(labels) for _, labels in batches] == [5, 5, 2]
    inputs, labels = batches[0]
    assert set(inputs) == {"text", "image"}
    assert inputs["text"].numpy().tolist()[:2] == [b"post 0", b"post 1"]
    assert inputs["image"].dtype.name == "float32" and inputs["image"].shape == (5, 6, 6, 3)
    images = np.concatenate([x["image"].numpy() for x, _ in batches])
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_allclose(images, dataset.images() / 255.0, atol=1e-6)
    assert labels.numpy().tolist() == [0, 1, 2, 0, 1]
    resized = next(iter(dataset.to_tf_dataset(batch_size=2, image_size=3)))[0]["image"]
    assert resized.shape == (2, 3, 3, 3)
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        dataset.to_tf_dataset(batch_size=0)


def test_to_tf_dataset_seeded_shuffle(dataset):
    def order(seed):
        ds = dataset.to_tf_dataset(batch_size=4, shuffle=True, seed=seed)
        return [t.decode() for x, _ in ds for t in x["text"].numpy()]

    first = order(seed=1)
    assert sorted(first) == sorted(dataset.frame["text"])
    assert order(seed=1) == first
    assert order(seed=2) != first
