import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from mmcourse.data import load_moodposts  # noqa: E402
from mmcourse.lessons import multimodal_data  # noqa: E402
from mmcourse.synth.generate import MoodPostsConfig, write_moodposts  # noqa: E402


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    home = tmp_path_factory.mktemp("data")
    write_moodposts(home / "moodposts", MoodPostsConfig(num_posts=80, seed=4))
    return load_moodposts(data_home=home)


def test_label_table_counts_every_post_once(dataset):
    table = multimodal_data.label_table(dataset)
    assert list(table.index) == ["train", "val", "test", "all"]
    assert list(table.columns) == ["negative", "neutral", "positive", "all"]
    assert table.loc["all", "all"] == 80
    assert table.drop(index="all")["all"].sum() == 80


def test_agreement_table_matches_a_direct_count(dataset):
    table = multimodal_data.agreement_table(dataset)
    frame = dataset.frame
    expected = int((frame.text_label == frame.image_label).sum())
    assert table.loc["text_label == image_label", "posts"] == expected
    assert 0 <= table["share"].min() <= table["share"].max() <= 1


def test_phenomenon_table_rows_sum_to_their_posts(dataset):
    table = multimodal_data.phenomenon_table(dataset)
    assert table["posts"].sum() == 80
    assert (table[["negative", "neutral", "positive"]].sum(axis=1) == table["posts"]).all()


def test_ceiling_table_and_missing_ceilings(dataset):
    table = multimodal_data.ceiling_table(dataset)
    assert list(table.index) == ["text", "image", "both"]
    assert table.loc["both", "overall"] > table.loc["text", "overall"]
    dataset_without = dataset.head(5)
    dataset_without.ceilings = {}
    with pytest.raises(ValueError, match="no known ceilings"):
        multimodal_data.ceiling_table(dataset_without)


def test_plot_posts_draws_one_panel_per_post(dataset):
    figure = multimodal_data.plot_posts(dataset.frame, num_posts=6, columns=3)
    drawn = [axis for axis in figure.axes if axis.images]
    assert len(drawn) == 6
    assert "post:" in drawn[0].get_title(loc="left")
    with pytest.raises(ValueError, match="num_posts"):
        multimodal_data.plot_posts(dataset.frame, num_posts=0)


def test_post_browser_filters_and_pages(dataset):
    browser = multimodal_data.post_browser(dataset, num_posts=4)
    controls, status, _ = browser.children
    label, phenomenon, split, page = controls.children
    total = len(dataset.frame)
    assert status.value.startswith(f"{total} posts match")
    label.value = "neutral"
    expected = int((dataset.frame.label == "neutral").sum())
    assert status.value.startswith(f"{expected} posts match")
    pages = max(1, -(-expected // 4))
    page.value = 999  # clamped to the last page
    assert page.value == pages and status.value.endswith(f"page {pages} of {pages}")


def test_post_browser_counts_pages_from_1_and_a_filter_goes_back_to_page_1(dataset, monkeypatch):
    import matplotlib.pyplot as plt

    drawn = []  # the first post of each page drawn

    def plot_posts(frame, **_):
        drawn.append(frame.index[0])
        return plt.figure()

    monkeypatch.setattr(multimodal_data, "plot_posts", plot_posts)
    frame = dataset.frame
    browser = multimodal_data.post_browser(dataset, num_posts=4)
    controls, status, _ = browser.children
    label, phenomenon, split, page = controls.children
    pages = -(-len(frame) // 4)
    assert page.value == 1 and status.value == f"{len(frame)} posts match; page 1 of {pages}"
    page.value = 3
    assert status.value == f"{len(frame)} posts match; page 3 of {pages}"
    assert drawn == [frame.index[0], frame.index[8]]  # page 3 starts at the 9th post
    split.value = "train"  # a filter: back to page 1, drawn once
    train = frame[frame.split == "train"]
    train_pages = -(-len(train) // 4)
    assert page.value == 1
    assert status.value == f"{len(train)} posts match; page 1 of {train_pages}"
    assert drawn[2:] == [train.index[0]]
    phenomenon.value = train.phenomenon.iloc[0]  # from page 1 too: drawn once more
    chosen = train[train.phenomenon == phenomenon.value]
    assert page.value == 1 and status.value.startswith(f"{len(chosen)} posts match; page 1 of")
    assert drawn[3:] == [chosen.index[0]]
    page.value = 0  # below the first page: page 1, drawn once
    assert page.value == 1 and status.value.endswith(f"page 1 of {-(-len(chosen) // 4)}")
    assert drawn[4:] == [chosen.index[0]]


def test_post_browser_labels_are_not_cut(dataset):
    browser = multimodal_data.post_browser(dataset, num_posts=4)
    controls = browser.children[0]
    descriptions = [widget.description for widget in controls.children]
    assert descriptions == ["label", "phenomenon", "split", "page"]
    assert [widget.style.description_width for widget in controls.children] == ["initial"] * 4
