"""MoodPosts exported as real MVSA looks, and read back by the loaders the lessons use."""

import hashlib

import numpy as np
import pytest
from PIL import Image

from mmcourse.constants import SEQUENCE_LENGTH, SPLITS
from mmcourse.data import load_moodposts, load_mvsa
from mmcourse.data.real_shaped import (
    LINK_PREFIX,
    Variety,
    describe_images,
    export_real_shaped,
    image_size_for,
    sample_posts,
    tweetify,
)

NUM_POSTS = 80
VARIETY = Variety(greyscale_share=0.2, png_share=0.2)  # every kind, even in 80 posts
POLAR = {("positive", "negative"), ("negative", "positive")}


@pytest.fixture(scope="module")
def moodposts():
    return load_moodposts(verify=False)


@pytest.fixture(scope="module")
def exported(moodposts, tmp_path_factory):
    """`(the sample of posts, the folder written)`."""
    root = tmp_path_factory.mktemp("real") / "MVSA_Single"
    export_real_shaped(moodposts, root, num_posts=NUM_POSTS, seed=3, variety=VARIETY)
    return sample_posts(moodposts.frame, num_posts=NUM_POSTS, seed=3), root


@pytest.fixture(scope="module")
def loaded(exported):
    return load_mvsa(exported[1])


def _digest(root):
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in files)).hexdigest()


def test_the_layout_is_mvsa_singles(exported):
    _, root = exported
    lines = (root / "labelResultAll.txt").read_text().splitlines()
    assert lines[0] == "ID\ttext,image" and len(lines) == NUM_POSTS + 1
    assert lines[1].split("\t")[0] == "1"
    names = {p.name for p in (root / "data").iterdir()}
    assert names == {f"{n}.{ext}" for n in range(1, NUM_POSTS + 1) for ext in ("txt", "jpg")}


def test_the_export_is_deterministic_per_seed(moodposts, exported, tmp_path):
    _, root = exported
    again = export_real_shaped(
        moodposts, tmp_path / "again", num_posts=NUM_POSTS, seed=3, variety=VARIETY
    )
    other = export_real_shaped(
        moodposts, tmp_path / "other", num_posts=NUM_POSTS, seed=4, variety=VARIETY
    )
    assert _digest(again) == _digest(root)
    assert _digest(other) != _digest(root)


def test_images_vary_in_size_mode_and_format(exported):
    _, root = exported
    files = describe_images(sorted((root / "data").glob("*.jpg")))
    assert len(files) == NUM_POSTS
    assert len(files[["width", "height"]].drop_duplicates()) > NUM_POSTS // 2
    sides = np.concatenate([files["width"], files["height"]])
    assert sides.min() >= VARIETY.min_side and sides.max() <= VARIETY.max_side
    assert set(files["mode"]) == {"RGB", "L", "RGBA"}
    # RGBA files are PNGs under a .jpg name, as in MVSA; the rest are JPEGs
    assert (files["format"] == "PNG").tolist() == (files["mode"] == "RGBA").tolist()
    assert (files["width"] != files["height"]).any()


def test_image_sizes_keep_a_photos_aspect_ratio():
    rng = np.random.default_rng(0)
    variety = Variety(min_side=100, max_side=300)
    sizes = [image_size_for(rng, variety=variety) for _ in range(200)]
    assert all(100 <= side <= 300 for size in sizes for side in size)
    ratios = {round(w / h, 1) for w, h in sizes}
    assert {1.0, 1.8, 0.6} <= ratios  # square, 16:9, 9:16 among them


def test_texts_are_tweets_that_keep_the_caption_verbatim(exported):
    sample, root = exported
    texts = [(root / "data" / f"{n}.txt").read_text(encoding="utf-8") for n in range(1, 81)]
    for text, caption in zip(texts, sample["text"], strict=True):
        assert caption in text, (caption, text)
    assert any(LINK_PREFIX in t for t in texts)
    assert any(t.startswith("RT @") for t in texts)
    assert any(t.startswith("@") and not t.startswith("RT") for t in texts)
    assert sum("#" in t for t in texts) > sum("#" in c for c in sample["text"])
    assert any(not t.isascii() for t in texts)  # emoji


def test_tweetify_draws_everything_from_its_generator():
    caption = "so happy, not sad"
    plain = Variety(retweet_share=0, mention_share=0, max_hashtags=0, emoji_share=0, link_share=0)
    assert tweetify(caption, np.random.default_rng(0), variety=plain) == caption
    always = Variety(retweet_share=1, max_hashtags=2, emoji_share=1, link_share=1)
    first, second = (tweetify(caption, np.random.default_rng(5), variety=always) for _ in "ab")
    assert first == second and first.startswith("RT @") and f" {caption} " in first
    assert first.split()[-1].startswith(LINK_PREFIX) and len(first.split()[-1]) == 23


def test_load_mvsa_reads_every_post_back_but_the_polar_clashes(exported, loaded):
    sample, _ = exported
    pairs = list(zip(sample["text_label"], sample["image_label"], strict=True))
    kept = [i for i, pair in enumerate(pairs) if pair not in POLAR]
    assert len(loaded) == len(kept) and loaded.num_skipped == NUM_POSTS - len(kept)
    assert loaded.frame["id"].tolist() == [str(i + 1) for i in kept]
    assert loaded.frame["text_label"].tolist() == sample["text_label"].iloc[kept].tolist()
    assert loaded.frame["image_label"].tolist() == sample["image_label"].iloc[kept].tolist()
    for text, caption in zip(loaded.frame["text"], sample["text"].iloc[kept], strict=True):
        assert caption in text
    assert set(loaded.frame["split"]) == set(SPLITS)


def test_every_file_is_read_as_rgb_at_the_size_asked(loaded):
    images = loaded.images(image_size=64)
    assert images.shape == (len(loaded), 64, 64, 3) and images.dtype == np.uint8
    modes = describe_images(loaded.frame["image"])["mode"].to_numpy()
    grey = images[modes == "L"]
    assert (
        len(grey) and (grey[..., 0] == grey[..., 1]).all() and (grey[..., 1] == grey[..., 2]).all()
    )
    with pytest.raises(ValueError, match="image_size"):
        loaded.images()
    batch, _ = next(iter(loaded.to_tf_dataset(batch_size=len(loaded), image_size=64)))
    assert tuple(batch["image"].shape) == (len(loaded), 64, 64, 3)
    np.testing.assert_allclose(batch["image"].numpy(), images / 255.0, atol=0.1)


def test_resized_back_the_images_are_close_to_moodposts(exported, loaded):
    sample, _ = exported
    modes = describe_images(loaded.frame["image"])["mode"].to_numpy()
    rows = [int(i) - 1 for i in loaded.frame["id"]]
    originals = np.stack(
        [np.asarray(Image.open(sample["image"].iloc[r]).convert("RGB")) for r in rows]
    ).astype("float32")
    difference = np.abs(loaded.images(image_size=64).astype("float32") - originals)
    colour = modes != "L"
    assert difference[colour].mean() < 8  # out of 255: JPEG and two resizings
    assert difference[~colour].mean() > difference[colour].mean()  # greyscale lost colour


@pytest.mark.slow
def test_prepare_fusion_data_gives_moodposts_shapes(loaded, fusion_data):
    from mmcourse.fusion_data import prepare_fusion_data

    data = prepare_fusion_data(loaded)
    for split in SPLITS:
        num_posts = len(loaded.subset(split))
        arrays, reference = data.arrays[split], fusion_data.arrays[split]
        assert arrays["tokens"].shape == (num_posts, SEQUENCE_LENGTH)
        for name in ("image", "image_grid", "image_features"):
            assert arrays[name].shape[1:] == reference[name].shape[1:], name
            assert len(arrays[name]) == num_posts
        assert set(arrays) == set(reference)


def test_bad_arguments_are_clear_errors(moodposts, tmp_path):
    with pytest.raises(ValueError, match="max_side must be at least min_side"):
        Variety(min_side=300, max_side=200)
    with pytest.raises(ValueError, match="greyscale_share \\+ png_share"):
        Variety(greyscale_share=0.6, png_share=0.5)
    with pytest.raises(ValueError, match="link_share must be in"):
        Variety(link_share=1.5)
    with pytest.raises(ValueError, match="at most the dataset's 6000 posts"):
        export_real_shaped(moodposts, tmp_path, num_posts=6001)
