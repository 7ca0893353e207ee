import numpy as np
import pytest
import tensorflow as tf

from mmcourse.text import vectorize

TRAIN = ["So happy at the beach!", "sad, not happy", "the dog at the beach"]


def test_vectorizer_fits_on_train_texts_only_and_pads():
    layer = vectorize.make_vectorizer(TRAIN, output_sequence_length=6)
    vocabulary = layer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and set(vocabulary[2:5]) == {"the", "happy", "beach"}
    ids = vectorize.token_ids(layer, ["happy cake at the beach"])
    assert ids.shape == (1, 6) and ids.dtype == np.int32
    assert ids[0, 1] == 1 and ids[0, 0] == vocabulary.index("happy")  # "cake" is [UNK]
    assert list(ids[0, 5:]) == [0]  # padded at the end


def test_bad_texts_give_clear_errors():
    with pytest.raises(ValueError, match="not one string"):
        vectorize.make_vectorizer("one string")
    with pytest.raises(ValueError, match="empty"):
        vectorize.make_vectorizer([])
    with pytest.raises(ValueError, match="output_sequence_length"):
        vectorize.make_vectorizer(TRAIN, output_sequence_length=0)


def test_tokenize_keeps_the_image_and_text_dataset_is_text_only():
    layer = vectorize.make_vectorizer(TRAIN, output_sequence_length=5)
    images = np.zeros((3, 4, 4, 3), "float32")
    ds = tf.data.Dataset.from_tensor_slices(({"text": TRAIN, "image": images}, [2, 0, 1]))
    inputs, labels = next(iter(vectorize.tokenize(ds.batch(3), layer)))
    assert set(inputs) == {"tokens", "image"}
    assert inputs["tokens"].shape == (3, 5) and inputs["tokens"].dtype == tf.int32
    assert inputs["image"].shape == (3, 4, 4, 3)
    inputs, _ = next(iter(vectorize.tokenize(ds.batch(3), layer, keep_image=False)))
    assert set(inputs) == {"tokens"}
    with pytest.raises(ValueError, match="'text' input"):
        vectorize.tokenize(tf.data.Dataset.from_tensor_slices(({"x": [1]}, [0])), layer)


def test_length_report_and_coverage_need_no_tensorflow():
    assert vectorize.simple_tokens("So happy, #weekend!") == ["so", "happy", "weekend"]
    report = vectorize.length_report(["a b c", "a", "a b"], percentiles=(50, 100))
    assert list(report) == [2.0, 3.0]
    assert vectorize.truncated_share(["a b c", "a"], 2) == 0.5
    coverage = vectorize.vocabulary_coverage(["a b"], ["a c c"])
    assert coverage == {
        "vocabulary": 2,
        "eval_tokens": 3,
        "in_vocabulary": 1,
        "oov": 2,
        "oov_types": 1,
    }


TWEETS = [
    "RT @Jo_12: ÉTÉ à la plage 😀 #Tbt https://t.co/AbC9x",
    "so\u00a0happy\ttoday\nat the beach ➡️ @sam",
]


def test_simple_tokens_are_the_vectorizers_tokens_on_tweets():
    """Real tweets: non-ASCII capitals, emoji, links, mentions, a no-break space, tabs and
    newlines. The pure-Python tokens are exactly what the layer standardises and splits."""
    layer = vectorize.make_vectorizer(TWEETS, output_sequence_length=None)
    for text in TWEETS:
        ids = vectorize.token_ids(layer, [text])[0]
        vocabulary = layer.get_vocabulary()
        assert [vocabulary[i] for i in ids if i] == vectorize.simple_tokens(text), text
    assert vectorize.simple_tokens(TWEETS[0])[:3] == ["rt", "jo12", "ÉtÉ"]
    assert "so\u00a0happy" in vectorize.simple_tokens(TWEETS[1])
