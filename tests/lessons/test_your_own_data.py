"""Appendix B: the lessons' comparisons on MoodPosts exported as real MVSA looks."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmcourse.constants import CLASS_NAMES, SPLITS
from mmcourse.data import MultimodalDataset, SkippedRow, load_moodposts
from mmcourse.evaluate import Evaluation
from mmcourse.experiment import LessonResult
from mmcourse.lessons import attention_fusion, cnn_fusion, text_sentiment, your_own_data

SHAPES = [(40, 64, 64, 3), (5, 64, 64, 3), (5, 64, 64, 3)]


def _evaluation(name, accuracy):
    return Evaluation(
        name=name,
        accuracy=accuracy,
        macro_f1=accuracy - 0.01,
        per_phenomenon={"aligned": accuracy, "text_neutral": accuracy / 2},
        confusion=np.zeros((3, 3), dtype=int),
        class_names=CLASS_NAMES,
        report="",
    )


def _results(*, text_only=0.8, gated=0.92, attention=0.95):
    lesson_07 = [_evaluation("text_only", text_only), _evaluation("image_only", 0.5)]
    lesson_07.append(_evaluation("gated_fusion", gated))
    lesson_08 = [_evaluation("concat_fusion", 0.9), _evaluation("cross_modal", attention)]
    return {
        "03": LessonResult([_evaluation("text_cnn", 0.79)]),
        "07": LessonResult(lesson_07),
        "08": LessonResult(lesson_08),
    }


POSTS = {"exported": 100, "loaded": 88, "dropped": 12, "polar_clashes": 12}


def test_settings_export_few_posts_in_fast_mode_and_thousands_in_full_mode():
    assert your_own_data.SETTINGS.fast.num_posts == 600
    assert your_own_data.SETTINGS.full.num_posts == 3000
    with pytest.raises(ValueError, match="num_posts"):
        your_own_data.Settings(num_posts=0)


def test_post_counts_counts_the_polar_clashes():
    sample = pd.DataFrame(
        {
            "text_label": ["positive", "negative", "neutral", "positive"],
            "image_label": ["negative", "positive", "negative", "positive"],
        }
    )
    skipped = [SkippedRow(path="labelResultAll.txt", row=r, reason="clash") for r in (2, 3)]
    loaded = MultimodalDataset(name="mvsa-single", frame=sample.tail(2), skipped=skipped)
    assert your_own_data.post_counts(sample, loaded) == {
        "exported": 4,
        "loaded": 2,
        "dropped": 2,
        "polar_clashes": 2,
    }


def test_published_accuracy_reads_the_results_page(tmp_path):
    page = tmp_path / "RESULTS.md"
    page.write_text(
        "# Results\n\n## Bayes ceilings\n\n| view | overall |\n|---|---|\n| text only | 65.5 |\n\n"
        "## Lesson 07: CNN fusion (237 s)\n\n| model | accuracy | macro f1 |\n|---|---|---|\n"
        "| text_only | 66.1 | 65.7 |\n| gated_fusion | 91.8 | 91.2 |\n"
    )
    assert your_own_data.published_accuracy(page) == {
        "07": {"text_only": 0.661, "gated_fusion": 0.918}
    }
    (tmp_path / "empty.md").write_text("# nothing\n")
    with pytest.raises(ValueError, match="## Lesson NN:"):
        your_own_data.published_accuracy(tmp_path / "empty.md")


def test_the_shipped_results_page_has_every_model_the_appendix_runs():
    published = your_own_data.published_accuracy()
    assert set(your_own_data.LESSON_NUMBERS) <= set(published)
    assert set(published["07"]) == {"listing_4_3", *cnn_fusion.MODELS}
    assert set(published["08"]) == set(attention_fusion.MODEL_NAMES)
    assert all(0 <= a <= 1 for models in published.values() for a in models.values())


def test_results_table_puts_every_lesson_on_one_table():
    published = {"07": {"gated_fusion": 0.918}}
    table = your_own_data.results_table(_results(), published=published)
    assert table.index.names == ["lesson", "model"] and len(table) == 6
    assert table.loc[("07", "gated_fusion"), "accuracy"] == 0.92
    assert table.loc[("07", "gated_fusion"), "moodposts_accuracy"] == 0.918
    assert np.isnan(table.loc[("03", "text_cnn"), "moodposts_accuracy"])
    assert table.loc[("08", "cross_modal"), "text_neutral"] == 0.475
    assert "moodposts_accuracy" not in your_own_data.results_table(_results()).columns


def test_best_fusion_ignores_the_baselines():
    assert your_own_data.best_fusion(_results()["07"]) == ("gated_fusion", 0.92)
    with pytest.raises(ValueError, match="at least one fusion model"):
        your_own_data.best_fusion(LessonResult([_evaluation("text_only", 0.9)]))


VOCABULARY = {"links": 40, "handles": 30, "words": 30, "vocabulary": 100}


def _claims(**changes):
    arguments = {
        "posts": POSTS,
        "image_shapes": SHAPES,
        "vocabulary": VOCABULARY,
        "results": _results(),
        "published": {"07": {"text_only": 0.66}},
    }
    return your_own_data.lesson_claims(**(arguments | changes))


def test_lesson_claims_hold_on_good_numbers_and_fail_on_bad_ones():
    found = _claims()
    assert len(found) == 7 and all(c.held for c in found), found
    assert not _claims(posts=dict(POSTS, loaded=87))[0].held
    assert not _claims(image_shapes=[*SHAPES[:2], (5, 32, 32, 3)])[1].held
    assert not _claims(vocabulary=dict(VOCABULARY, links=20, words=50))[2].held
    results = _results()
    results["03"].evaluations[0].per_phenomenon["text_neutral"] = 0.5
    assert not _claims(results=results)[3].held
    close = _claims(results=_results(text_only=0.85, attention=0.96))
    assert [c.held for c in close] == [True] * 5 + [False, True]  # 0.92 < 0.85 + 0.08
    assert not _claims(published={"07": {"text_only": 0.81}})[4].held
    results = _results()
    del results["07"].evaluations[0].per_phenomenon["text_neutral"]
    with pytest.raises(ValueError, match="no text_neutral posts"):
        _claims(results=results)


def test_vocabulary_sources_tells_links_and_handles_from_words():
    texts = ["RT @Jo12: so happy https://t.co/Ab1", "@sam so sad #tbt http://x.y/z", "jo12 rt"]
    assert your_own_data.vocabulary_sources(texts) == {
        "links": 2,  # httpstcoab1, httpxyz
        "handles": 1,  # sam (jo12 is also a word of the last text)
        "words": 6,  # rt, jo12, so, happy, sad, tbt
        "vocabulary": 9,
    }


def test_run_lesson_refuses_a_lesson_it_does_not_run():
    with pytest.raises(ValueError, match="Received: number='04'"):
        your_own_data.run_lesson("04", data=None)


@pytest.mark.slow
def test_the_three_lessons_run_on_real_shaped_data(tmp_path):
    settings = your_own_data.Settings(num_posts=150, seed=1)
    sample, loaded = your_own_data.export_and_load(
        load_moodposts(verify=False), tmp_path / "MVSA", settings=settings
    )
    posts = your_own_data.post_counts(sample, loaded)
    assert posts["loaded"] + posts["dropped"] == 150 and posts["dropped"] == posts["polar_clashes"]
    census = your_own_data.image_census(loaded)
    assert census["images"] == len(loaded) and census["sizes"] > 1 and census["min_side"] >= 160

    from mmcourse.fusion_data import prepare_fusion_data

    data = prepare_fusion_data(loaded)
    tiny = {
        "03": dataclasses.replace(text_sentiment.SETTINGS.fast, epochs=1),
        "07": dataclasses.replace(cnn_fusion.SETTINGS.fast, epochs=1, listing_epochs=1),
        "08": dataclasses.replace(attention_fusion.SETTINGS.fast, epochs=1),
    }
    results = {n: your_own_data.run_lesson(n, data, settings=s) for n, s in tiny.items()}
    names = {n: [e.name for e in r.evaluations] for n, r in results.items()}
    assert names["03"] == [*text_sentiment.text.BUILDERS, text_sentiment.PRETRAINED_NAME]
    assert names["07"] == ["listing_4_3", *cnn_fusion.MODELS]
    assert names["08"] == list(attention_fusion.MODEL_NAMES)
    table = your_own_data.results_table(results)
    assert len(table) == sum(len(n) for n in names.values())
    assert set(table.columns) >= {"accuracy", "macro_f1", "aligned"}
    shapes = [data.arrays[s]["image"].shape for s in SPLITS]
    vocabulary = your_own_data.vocabulary_sources(data.splits["train"].frame["text"])
    assert vocabulary["vocabulary"] == data.vocabulary_size - 2  # and padding, [UNK]
    found = your_own_data.lesson_claims(
        posts=posts,
        image_shapes=shapes,
        vocabulary=vocabulary,
        results=results,
        published=your_own_data.published_accuracy(),
    )
    assert found[0].held and found[1].held  # one epoch: the model claims may not hold yet
