import csv
from pathlib import Path

import pytest

from mmcourse.data.core import CLASS_NAMES, FRAME_COLUMNS
from mmcourse.data.custom_csv import load_csv

COLORS = {"negative": (30, 30, 200), "neutral": (128, 128, 128), "positive": (230, 180, 20)}


def _rows(num_per_class=10):
    """Rows of a valid `sentiment_data.csv` (text, image, label), as in the source article."""
    rows = []
    for label in CLASS_NAMES:
        for i in range(num_per_class):
            rows.append([f"a {label} post number {i}", f"images/{label}_{i}.jpg", label])
    return rows


@pytest.fixture
def make_csv(tmp_path, make_image):
    """`make_csv(rows, header=...)` writes tmp_path/sentiment_data.csv and the images it names.

    Images are written for every row whose image cell is a relative path ending in .jpg/.png
    (pass `images=False` to skip that).
    """

    def make(rows, header=("text", "image", "label"), *, images=True, name="sentiment_data.csv"):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            if header is not None:
                writer.writerow(header)
            writer.writerows(rows)
        if images and "image" in header:
            column = list(header).index("image")
            for row in rows:
                cell = row[column] if column < len(row) else ""
                if cell.endswith((".jpg", ".png")) and not Path(cell).is_absolute():
                    label = row[list(header).index("label")].strip().lower()
                    make_image(tmp_path / cell, color=COLORS.get(label, (0, 0, 0)))
        return path

    return make


def test_load_source_article_format(make_csv, tmp_path):
    rows = _rows()
    rows[0][2] = "  Negative "  # case and spaces are ignored
    path = make_csv(rows)
    ds = load_csv(path)
    assert ds.name == "sentiment_data.csv"
    assert tuple(ds.frame.columns) == FRAME_COLUMNS
    assert len(ds) == 30 and ds.skipped == [] and ds.metadata["drops"] == {}
    assert ds.frame["label"].iloc[0] == "negative"
    assert ds.frame["id"].tolist() == [str(i) for i in range(30)]
    assert ds.frame["text_label"].isna().all() and ds.frame["image_label"].isna().all()
    assert (ds.frame["phenomenon"] == "unknown").all()
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in ds.frame["image"])
    assert ds.root == tmp_path.resolve()
    counts = ds.frame.groupby(["label", "split"]).size()
    for label in CLASS_NAMES:  # stratified 80/10/10
        assert (counts[label]["train"], counts[label]["val"], counts[label]["test"]) == (8, 1, 1)
    assert ds.labels().tolist()[:10] == [0] * 10


def test_seed_sets_the_split(make_csv):
    path = make_csv(_rows())
    first = load_csv(path, seed=1).frame["split"].tolist()
    assert load_csv(path, seed=1).frame["split"].tolist() == first
    assert load_csv(path, seed=2).frame["split"].tolist() != first


def test_split_argument_filters(make_csv):
    path = make_csv(_rows())
    assert set(load_csv(path, split="val").frame["split"]) == {"val"}
    both = load_csv(path, split=["val", "test"])
    assert len(both) == 6 and set(both.frame["split"]) == {"val", "test"}
    with pytest.raises(ValueError, match="Received: split='training'"):
        load_csv(path, split="training")


def test_optional_columns_are_used(make_csv):
    header = ("id", "text", "image", "label", "text_label", "image_label", "split")
    rows = [
        ["p1", "sunny day", "images/a.jpg", "positive", "neutral", "Positive", "train"],
        ["p2", "rainy day", "images/b.jpg", "negative", "", "", " Test "],
    ]
    ds = load_csv(make_csv(rows, header))
    assert ds.frame["id"].tolist() == ["p1", "p2"]
    assert ds.frame["split"].tolist() == ["train", "test"]
    assert ds.frame["text_label"].iloc[0] == "neutral"
    assert ds.frame["image_label"].iloc[0] == "positive"
    assert ds.frame[["text_label", "image_label"]].iloc[1].isna().all()
    assert ds.metadata["split_from"] == "split column"


def test_image_dir_and_absolute_paths(make_csv, make_image, tmp_path):
    folder = tmp_path / "pictures"
    make_image(folder / "one.png")
    elsewhere = make_image(tmp_path / "other" / "two.jpg")
    path = make_csv([["t1", "one.png", "positive"], ["t2", str(elsewhere), "negative"]])
    ds = load_csv(path, image_dir=folder)
    assert ds.frame["image"].tolist() == [str(folder / "one.png"), str(elsewhere)]


def test_custom_columns_and_class_names(make_csv):
    rows = [["nice", "images/a.jpg", "POS"], ["bad", "images/b.jpg", "neg"]]
    path = make_csv(rows, ("caption", "image", "label"))
    ds = load_csv(path, columns={"text": "caption"}, class_names=("neg", "pos"))
    assert ds.class_names == ("neg", "pos")
    assert ds.labels().tolist() == [1, 0]


def test_blank_lines_and_multiline_text_keep_row_numbers(
    tmp_path, make_image, raises_dataset_error
):
    make_image(tmp_path / "a.jpg")
    path = tmp_path / "posts.csv"
    path.write_text(
        'text,image,label\n"two\nlines",a.jpg,positive\n\n,,\nok,a.jpg,happy\n', encoding="utf-8"
    )
    with raises_dataset_error(path, row=6, match=["'happy'"]):
        load_csv(path)
    ds = load_csv(path, on_error="skip")
    assert ds.frame["text"].tolist() == ["two\nlines"]


def test_latin1_csv_is_read(tmp_path, make_image):
    make_image(tmp_path / "a.jpg")
    path = tmp_path / "posts.csv"
    path.write_bytes("text,image,label\ncafé olé,a.jpg,positive\n".encode("latin-1"))
    ds = load_csv(path)
    assert ds.frame["text"].iloc[0] == "café olé" and ds.metadata["encoding"] == "latin-1"


def test_missing_csv_file(tmp_path, raises_dataset_error):
    with raises_dataset_error(tmp_path / "nothere.csv", match=["does not exist"]):
        load_csv(tmp_path / "nothere.csv", on_error="skip")


def test_missing_image_folder(make_csv, tmp_path, raises_dataset_error):
    path = make_csv(_rows(1))
    with raises_dataset_error(
        tmp_path / "pics", match=["image folder does not exist", "image_dir"]
    ):
        load_csv(path, image_dir=tmp_path / "pics", on_error="skip")


def test_missing_columns_lists_found_and_expected(make_csv, raises_dataset_error):
    path = make_csv([["hi", "images/a.jpg", "positive"]], ("Text", "img", "label"), images=False)
    with raises_dataset_error(
        path, row=1, match=["missing columns ['text', 'image']", "'Text', 'img'"]
    ):
        load_csv(path, on_error="skip")


def test_semicolon_file_gets_a_hint(tmp_path, raises_dataset_error):
    path = tmp_path / "posts.csv"
    path.write_text("text;image;label\nhi;a.jpg;positive\n")
    with raises_dataset_error(path, row=1, match=["not to be comma-separated"]):
        load_csv(path)


def test_empty_file(tmp_path, raises_dataset_error):
    path = tmp_path / "posts.csv"
    path.write_text("")
    with raises_dataset_error(path, row=1, match=["empty", "['text', 'image', 'label']"]):
        load_csv(path)


@pytest.mark.parametrize(
    "bad_row, fragments",
    [
        (["hi", "images/x.jpg", "happy"], ["unknown label 'happy'", str(list(CLASS_NAMES))]),
        (["   ", "images/x.jpg", "positive"], ["empty text in column 'text'"]),
        (["hi", "", "positive"], ["empty image path"]),
        (["hi", "images/absent.jpg", "positive"], ["absent.jpg", "does not exist"]),
        (["hi", "images/x.jpg", "positive", "extra"], ["expected 3 fields", "found 4"]),
    ],
    ids=["unknown-label", "blank-text", "empty-image-path", "missing-image", "extra-field"],
)
def test_bad_row_names_file_and_row(
    make_csv, make_image, tmp_path, bad_row, fragments, raises_dataset_error
):
    make_image(tmp_path / "images" / "x.jpg")
    rows = _rows(1)
    rows.insert(1, bad_row)
    path = make_csv(rows, images=True)
    (tmp_path / "images" / "absent.jpg").unlink(missing_ok=True)
    with raises_dataset_error(path, row=3, match=fragments):
        load_csv(path)


def test_corrupt_image(make_csv, make_image, tmp_path, raises_dataset_error):
    path = make_csv(_rows(1))
    make_image(tmp_path / "images" / "neutral_0.jpg", corrupt=True)
    with raises_dataset_error(path, row=3, match=["neutral_0.jpg", "not a readable image"]):
        load_csv(path)


def test_bad_optional_values(make_csv, raises_dataset_error):
    header = ("id", "text", "image", "label", "text_label", "split")
    rows = [
        ["a", "t", "images/a.jpg", "positive", "positive", "train"],
        ["a", "t", "images/b.jpg", "positive", "positive", "train"],
        ["c", "t", "images/c.jpg", "positive", "meh", "train"],
        ["d", "t", "images/d.jpg", "positive", "", "validation"],
    ]
    path = make_csv(rows, header)
    with raises_dataset_error(path, row=3, match=["id 'a' appears twice"]):
        load_csv(path)
    ds = load_csv(path, on_error="skip")
    assert [(s.row, s.reason.split(";")[0]) for s in ds.skipped] == [
        (3, "id 'a' appears twice"),
        (4, "unknown label 'meh' in column 'text_label'"),
        (5, "unknown split 'validation' in column 'split'"),
    ]


def test_skip_keeps_good_rows_and_records_bad_ones(make_csv, make_image, tmp_path):
    rows = _rows(10)
    rows[3][2] = "happy"
    rows[5][0] = ""
    rows[7][1] = "images/gone.jpg"
    path = make_csv(rows)
    (tmp_path / "images" / "gone.jpg").unlink()
    make_image(tmp_path / "images" / "neutral_0.jpg", corrupt=True)
    ds = load_csv(path, on_error="skip")
    assert len(ds) == 26 and ds.num_skipped == 4
    assert [s.row for s in ds.skipped] == [5, 7, 9, 12]
    assert all(s.path == str(path.resolve()) for s in ds.skipped)
    assert ds.metadata["drops"] == {
        "unknown label": 1,
        "empty text": 1,
        "missing image file": 1,
        "unreadable image": 1,
    }
    assert "3" not in set(ds.frame["id"])  # ids stay the CSV's row indices
    assert ds.metadata["num_rows"] == 30


def test_bad_arguments(make_csv):
    path = make_csv(_rows(1))
    with pytest.raises(ValueError, match="Received: on_error='ignore'"):
        load_csv(path, on_error="ignore")
    with pytest.raises(ValueError, match="class_names"):
        load_csv(path, class_names=("Positive", "negative"))


def test_columns_names_only_the_three_roles(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("text,image,label\nhi,a.png,positive\n")
    with pytest.raises(ValueError, match=r"Received: columns=\{'txt': 'caption'\}"):
        load_csv(path, columns={"txt": "caption"})
