from pathlib import Path

import pytest

from mmcourse.data.core import FRAME_COLUMNS
from mmcourse.data.mvsa import DISAGREE, NO_MAJORITY, load_mvsa

SINGLE_HEADER = "ID\ttext,image"
MULTIPLE_HEADER = "ID\ttext,image\ttext,image\ttext,image"
LABEL_FILE = "labelResultAll.txt"

# MVSA-Single lines: every merge case, one dropped post (positive vs negative).
SINGLE_LINES = [
    "1\tpositive,positive",
    "2\tnegative,negative",
    "3\tneutral,neutral",
    "4\tneutral,positive",  # text neutral -> positive
    "5\tnegative,neutral",  # image neutral -> negative
    "6\tpositive,negative",  # dropped
    "7\tneutral,negative",
]


@pytest.fixture
def make_mvsa(tmp_path, make_image):
    """`make_mvsa(lines, header=...)` writes an MVSA tree in the real layout under tmp_path/MVSA.

    root/labelResultAll.txt, root/data/<id>.txt and root/data/<id>.jpg for every line's ID.
    """

    def make(lines, header=SINGLE_HEADER, *, newline="\n"):
        root = tmp_path / "MVSA"
        (root / "data").mkdir(parents=True, exist_ok=True)
        (root / LABEL_FILE).write_text(newline.join([header, *lines]) + newline)
        for line in lines:
            post_id = line.split("\t")[0].strip()
            if post_id.isdigit():
                (root / "data" / f"{post_id}.txt").write_text(f"tweet number {post_id} #mvsa")
                make_image(root / "data" / f"{post_id}.jpg", color=(int(post_id) % 256, 0, 0))
        return root

    return make


def test_single_merges_labels_and_drops_disagreements(make_mvsa):
    root = make_mvsa(SINGLE_LINES)
    ds = load_mvsa(root)
    assert ds.name == "mvsa-single" and ds.root == root.resolve()
    assert tuple(ds.frame.columns) == FRAME_COLUMNS
    frame = ds.frame.set_index("id")
    assert frame.index.tolist() == ["1", "2", "3", "4", "5", "7"]
    assert frame["label"].tolist() == [
        "positive",
        "negative",
        "neutral",
        "positive",
        "negative",
        "negative",
    ]
    assert (
        frame.loc["4", "text_label"] == "neutral" and frame.loc["4", "image_label"] == "positive"
    )
    assert frame["phenomenon"].tolist() == [
        "aligned",
        "aligned",
        "aligned",
        "text_neutral",
        "image_neutral",
        "text_neutral",
    ]
    assert frame.loc["1", "text"] == "tweet number 1 #mvsa"
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in frame["image"])
    assert Path(frame.loc["2", "image"]).name == "2.jpg"
    assert set(frame["split"]) <= {"train", "val", "test"}
    assert ds.metadata["drops"] == {DISAGREE: 1}
    assert ds.metadata["num_posts_in_file"] == 7
    [skipped] = ds.skipped
    assert (Path(skipped.path).name, skipped.row, skipped.reason) == (LABEL_FILE, 7, DISAGREE)


def test_multiple_majority_vote(make_mvsa):
    lines = [
        # text votes: positive x2; image votes: neutral x2 -> positive, text polar
        "1\tpositive,neutral\tpositive,neutral\tnegative,positive",
        "2\tnegative,negative\tnegative,negative\tneutral,negative",
        "3\tpositive,neutral\tnegative,neutral\tneutral,neutral",  # text: no majority
        "4\tneutral,positive\tneutral,negative\tneutral,neutral",  # image: no majority
        "5\tpositive,negative\tpositive,negative\tneutral,neutral",  # disagree after votes
        "6\tneutral,positive\tneutral,positive\tneutral,positive",
    ]
    ds = load_mvsa(make_mvsa(lines, MULTIPLE_HEADER), variant="multiple")
    assert ds.name == "mvsa-multiple"
    frame = ds.frame.set_index("id")
    assert frame.index.tolist() == ["1", "2", "6"]
    assert frame.loc["1", ["text_label", "image_label", "label", "phenomenon"]].tolist() == [
        "positive",
        "neutral",
        "positive",
        "image_neutral",
    ]
    assert frame.loc["2", "phenomenon"] == "aligned"
    assert frame.loc["6", "label"] == "positive"
    assert ds.metadata["drops"] == {NO_MAJORITY: 2, DISAGREE: 1}
    assert [(s.row, s.reason) for s in ds.skipped] == [
        (4, NO_MAJORITY),
        (5, NO_MAJORITY),
        (6, DISAGREE),
    ]


def test_splits_are_stratified_seeded_and_filtered(make_mvsa):
    lines = [f"{i}\t{['positive', 'neutral', 'negative'][i % 3]},neutral" for i in range(1, 31)]
    root = make_mvsa(lines)
    ds = load_mvsa(root, seed=3)
    counts = ds.frame.groupby("label")["split"].value_counts()
    for label in ("positive", "neutral", "negative"):
        assert (counts[label]["train"], counts[label]["val"], counts[label]["test"]) == (8, 1, 1)
    assert load_mvsa(root, seed=3).frame["split"].tolist() == ds.frame["split"].tolist()
    assert load_mvsa(root, seed=4).frame["split"].tolist() != ds.frame["split"].tolist()
    test = load_mvsa(root, seed=3, split="test")
    assert len(test) == 3 and set(test.frame["split"]) == {"test"}


def test_text_encodings_crlf_and_trailing_blank_lines(make_mvsa):
    root = make_mvsa(["1\tpositive,positive", "2\tnegative,negative", ""], newline="\r\n")
    (root / "data" / "1.txt").write_bytes("caf\xe9 ol\xe9 \n".encode("latin-1"))
    (root / "data" / "2.txt").write_text("so happy 😀\n", encoding="utf-8")
    ds = load_mvsa(root)
    assert ds.frame["text"].tolist() == ["café olé", "so happy 😀"]


def test_missing_root(tmp_path, raises_dataset_error):
    with raises_dataset_error(tmp_path / "MVSA_Single", match=["does not exist"]):
        load_mvsa(tmp_path / "MVSA_Single", on_error="skip")


def test_missing_label_file(make_mvsa, raises_dataset_error):
    root = make_mvsa(SINGLE_LINES)
    (root / LABEL_FILE).unlink()
    with raises_dataset_error(root / LABEL_FILE, match=["label file is missing"]):
        load_mvsa(root, on_error="skip")


def test_missing_data_folder(tmp_path, raises_dataset_error):
    root = tmp_path / "MVSA"
    root.mkdir()
    (root / LABEL_FILE).write_text(SINGLE_HEADER + "\n")
    with raises_dataset_error(root / "data", match=["data folder is missing"]):
        load_mvsa(root, on_error="skip")


@pytest.mark.parametrize(
    "header, variant, fragments",
    [
        (MULTIPLE_HEADER, "single", ["unexpected header", "pass variant='multiple'"]),
        (SINGLE_HEADER, "multiple", ["unexpected header", "pass variant='single'"]),
        ("id,text,image", "single", ["expected 'ID\\\\ttext,image'"]),
        ("", "single", ["unexpected header ''"]),
    ],
)
def test_wrong_header(make_mvsa, raises_dataset_error, header, variant, fragments):
    root = make_mvsa([], header)
    with raises_dataset_error(root / LABEL_FILE, row=1, match=fragments):
        load_mvsa(root, variant=variant, on_error="skip")


@pytest.mark.parametrize(
    "bad_line, fragments",
    [
        ("9\tpositive,positive\tneutral,neutral", ["found 3 tab-separated fields"]),
        ("9 positive,positive", ["found 1 tab-separated fields"]),
        ("9\tpositive", ["expected an ID, then one", "found 'positive'"]),
        ("x9\tpositive,positive", ["numeric post ID", "'x9'"]),
        ("9\thappy,positive", ["unknown label 'happy'", "['negative', 'neutral', 'positive']"]),
        ("1\tpositive,positive", ["post ID 1 appears twice"]),
    ],
    ids=["extra-field", "spaces", "no-comma", "bad-id", "unknown-label", "duplicate-id"],
)
def test_malformed_line_names_file_and_row(make_mvsa, raises_dataset_error, bad_line, fragments):
    root = make_mvsa([*SINGLE_LINES[:2], bad_line, *SINGLE_LINES[2:]])
    with raises_dataset_error(root / LABEL_FILE, row=4, match=fragments):
        load_mvsa(root)


def test_multiple_line_needs_three_annotators(make_mvsa, raises_dataset_error):
    root = make_mvsa(["1\tpositive,positive"], MULTIPLE_HEADER)
    with raises_dataset_error(root / LABEL_FILE, row=2, match=["3 tab-separated 'text,image'"]):
        load_mvsa(root, variant="multiple")


@pytest.mark.parametrize(
    "damage, fragments",
    [
        (lambda d, img: (d / "2.txt").unlink(), ["2.txt", "does not exist"]),
        (lambda d, img: (d / "2.txt").write_text(" \n"), ["2.txt", "is empty"]),
        (lambda d, img: (d / "2.jpg").unlink(), ["2.jpg", "does not exist"]),
        (lambda d, img: img(d / "2.jpg", corrupt=True), ["2.jpg", "not a readable image"]),
    ],
    ids=["missing-text", "empty-text", "missing-image", "corrupt-image"],
)
def test_bad_post_files(make_mvsa, make_image, raises_dataset_error, damage, fragments):
    root = make_mvsa(SINGLE_LINES)
    damage(root / "data", make_image)
    with raises_dataset_error(root / LABEL_FILE, row=3, match=fragments):
        load_mvsa(root)
    ds = load_mvsa(root, on_error="skip")
    assert "2" not in set(ds.frame["id"]) and len(ds) == 5
    assert [s.row for s in ds.skipped] == [3, 7]


def test_skip_records_every_drop(make_mvsa, make_image):
    lines = [*SINGLE_LINES, "8\tpositive,happy", "9 positive", "10\tpositive,positive"]
    root = make_mvsa(lines)
    (root / "data" / "3.txt").unlink()
    make_image(root / "data" / "10.jpg", corrupt=True)
    ds = load_mvsa(root, on_error="skip")
    assert ds.frame["id"].tolist() == ["1", "2", "4", "5", "7"]
    assert ds.metadata["drops"] == {
        "missing text file": 1,
        DISAGREE: 1,
        "unknown label": 1,
        "malformed line": 1,
        "unreadable image": 1,
    }
    assert [s.row for s in ds.skipped] == [4, 7, 9, 10, 11]
    assert all(Path(s.path).name == LABEL_FILE for s in ds.skipped)
    assert "3.txt" in ds.skipped[0].reason


def test_bad_arguments(make_mvsa):
    root = make_mvsa(SINGLE_LINES)
    with pytest.raises(ValueError, match="Received: variant='both'"):
        load_mvsa(root, variant="both")
    with pytest.raises(ValueError, match="Received: on_error='warn'"):
        load_mvsa(root, on_error="warn")
    with pytest.raises(ValueError, match="Received: split='dev'"):
        load_mvsa(root, split="dev")
