"""Lesson 02's comparison tables."""

from mmcourse.lessons import text_preprocessing


def test_tokenizers_merge_spellings_step_by_step():
    messy = ["So HAPPY!!", "so happy", "Sad... #sad"]
    table = text_preprocessing.tokenizer_comparison(messy, ["a b", "A b!"])
    assert list(table.index) == list(text_preprocessing.TOKENIZERS)
    # split: So HAPPY!! so happy Sad... #sad | lower: so happy!! happy sad... #sad | so happy sad
    assert table["messy posts"].tolist() == [6, 5, 3]
    # "a b", "A b!" -> a b A b! | a b b! | a b
    assert table["train split"].tolist() == [4, 3, 2]


def test_coverage_shows_the_leak_hiding_unknown_words():
    train = ["good day", "bad day"] * 30 + ["rare word"]
    test = ["good rare", "unseen day"]
    table = text_preprocessing.coverage_comparison(train, test, train + test, few=2)
    assert table.loc["train only (correct)", "oov"] == 1  # "unseen"
    assert table.loc["all texts (listing 4.1)", "oov"] == 0  # the leak hides it
    assert table.loc["first 2 train posts", "oov"] == 2  # "rare" and "unseen"
    assert table.loc["first 2 + all test (leaky)", "oov"] == 0
