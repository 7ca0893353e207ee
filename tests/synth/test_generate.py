"""The generator: determinism, phenomenon rates, noise, splits, ceilings, and the release."""

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mmcourse import paths
from mmcourse.synth import design
from mmcourse.synth.generate import (
    MoodPostsConfig,
    build_metadata,
    generate_posts,
    render_post_image,
)

SHIPPED = paths.shipped_dataset() / "moodposts"


@pytest.fixture(scope="module")
def frame():
    return generate_posts(MoodPostsConfig())


def test_generation_is_deterministic(frame):
    pd.testing.assert_frame_equal(frame, generate_posts(MoodPostsConfig()))
    other = generate_posts(MoodPostsConfig(seed=1))
    assert not frame["text"].equals(other["text"])


def test_phenomena_occur_at_the_designed_rates(frame):
    shares = frame["phenomenon"].value_counts(normalize=True)
    for name, rate in design.DEFAULT_PHENOMENON_RATES.items():
        assert shares[name] == pytest.approx(rate, abs=0.001)


def test_label_noise_is_exact_and_recorded(frame):
    assert frame["label_noise"].sum() == 180  # 3 % of 6000
    clean = frame[~frame["label_noise"]]
    # Without noise, each phenomenon's label follows its rule.
    rules = {
        "aligned": clean.label == clean.text_label,
        "image_neutral": clean.label == clean.text_label,
        "negation": clean.label == clean.text_label,
        "text_neutral": clean.label == clean.image_label,
        "conflict": clean.label == clean.image_label,
    }
    for name, holds in rules.items():
        assert holds[clean.phenomenon == name].all(), name
    grounded = clean[clean.phenomenon == "grounded"]
    for _, row in grounded.iterrows():
        expressions = dict(item.split(":") for item in row["characters"].split(";"))
        assert expressions[row["named_character"]] == row["label"]
        assert f"the one in {row['named_character']}" in row["text"]


def test_splits_are_80_10_10_and_stratified(frame):
    shares = frame["split"].value_counts(normalize=True)
    assert shares["train"] == pytest.approx(0.8, abs=0.005)
    assert shares["val"] == pytest.approx(0.1, abs=0.005)
    overall = frame["label"].value_counts(normalize=True)
    for split in ("train", "val", "test"):
        part = frame.loc[frame.split == split, "label"].value_counts(normalize=True)
        for label in overall.index:
            assert part[label] == pytest.approx(overall[label], abs=0.01)


def test_ceilings_are_consistent_with_the_labels(frame):
    """An oracle that sees only what each modality shows scores the stated ceilings."""
    cases = design.build_cases()
    ceilings = design.bayes_ceilings(cases, noise=0.03)
    for view in design.VIEWS:
        predicted = np.array(design.oracle_predictions(frame, view, noise=0.03, cases=cases))
        correct = predicted == frame["label"].to_numpy()
        assert correct.mean() == pytest.approx(ceilings[view]["overall"], abs=0.01), view
        for name in design.PHENOMENA:
            mask = (frame["phenomenon"] == name).to_numpy()
            assert correct[mask].mean() == pytest.approx(ceilings[view][name], abs=0.03)


def test_bag_of_words_fails_on_negation_where_bigrams_succeed(frame):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    train, test = frame[frame.split == "train"], frame[frame.split != "train"]
    negation = (test.phenomenon == "negation").to_numpy()
    scores = {}
    for ngrams in ((1, 1), (1, 2)):
        vectorizer = CountVectorizer(ngram_range=ngrams, token_pattern=r"[a-z#]+")
        model = LogisticRegression(max_iter=2000).fit(
            vectorizer.fit_transform(train.text), train.text_label
        )
        predicted = model.predict(vectorizer.transform(test.text))
        scores[ngrams] = (predicted[negation] == test.text_label[negation]).mean()
    assert scores[(1, 1)] < 0.65, scores
    assert scores[(1, 2)] > 0.85, scores


def test_metadata_reports_counts_and_ceilings(frame):
    metadata = build_metadata(frame, MoodPostsConfig())
    assert metadata["num_posts"] == 6000 and sum(metadata["splits"].values()) == 6000
    assert metadata["label_noise"] == {"rate": 0.03, "num_flipped": 180}
    assert set(metadata["ceilings"]) == {"text", "image", "both"}


def test_bad_config_is_rejected():
    for kwargs in ({"num_posts": 5}, {"label_noise": 0.7}, {"image_size": 8}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            MoodPostsConfig(**kwargs)


# --- the shipped release is what the generator makes ----------------------------------------


def test_shipped_text_files_regenerate_exactly(frame, tmp_path):
    frame.to_csv(tmp_path / "manifest.csv", index=False, lineterminator="\n")
    assert (tmp_path / "manifest.csv").read_bytes() == (SHIPPED / "manifest.csv").read_bytes()
    metadata = build_metadata(frame, MoodPostsConfig())
    assert json.loads((SHIPPED / "metadata.json").read_text()) == metadata


@pytest.mark.slow
def test_shipped_images_regenerate_pixel_for_pixel(frame):
    """Every image (about a minute): same seed, same pixels (PNG bytes may vary by zlib)."""
    config = MoodPostsConfig()
    mismatched = []
    for _, row in frame.iterrows():
        with Image.open(SHIPPED / row["image"]) as image:
            shipped = np.asarray(image.convert("RGB"))
        if not np.array_equal(shipped, render_post_image(row, config)):
            mismatched.append(row["id"])
    assert not mismatched, f"{len(mismatched)} images differ, first: {mismatched[:5]}"


def test_writing_a_release_prints_a_line_per_step(tmp_path, monkeypatch, capsys):
    from mmcourse.synth import generate

    monkeypatch.setattr(generate, "PROGRESS_EVERY", 10)
    generate.write_moodposts(tmp_path, MoodPostsConfig(num_posts=30, seed=1), progress=print)

    assert capsys.readouterr().out.splitlines() == [
        "[data] planned 30 posts",
        "[data] drew 10/30 images",
        "[data] drew 20/30 images",
        "[data] drew 30/30 images",
        "[data] wrote manifest.csv, metadata.json, README.md and SHA256SUMS",
    ]
