import numpy as np
import pytest

from mmcourse.synth import texts

SENTIMENT_WORDS = set(texts.POSITIVE_WORDS) | set(texts.NEGATIVE_WORDS)


def _make(kind, polarity, seed, **kw):
    rng = np.random.default_rng(seed)
    return texts.make_text(
        kind=kind, polarity=polarity, place="park", objects=["dog"], rng=rng, **kw
    )


def test_neutral_texts_carry_no_sentiment_word_but_mention_the_scene():
    for seed in range(50):
        words = set(_make("plain", "neutral", seed).replace(",", " ").split())
        assert not words & SENTIMENT_WORDS
        assert {"park", "dog"} <= words


def test_polar_texts_carry_a_word_of_their_polarity():
    for seed in range(50):
        words = set(_make("plain", "positive", seed).replace(",", " ").replace(".", " ").split())
        assert words & set(texts.POSITIVE_WORDS) and not words & set(texts.NEGATIVE_WORDS)


def test_negated_texts_have_the_same_bag_of_words_for_both_labels():
    bags = {"positive": set(), "negative": set()}
    for polarity in bags:
        for seed in range(300):
            text = _make("negated", polarity, seed).replace(",", " ").replace(":", " ")
            words = text.split()
            assert "not" in words
            assert set(words) & set(texts.POSITIVE_WORDS) and set(words) & set(
                texts.NEGATIVE_WORDS
            )
            bags[polarity].add(frozenset(w for w in words if w in SENTIMENT_WORDS))
    # The same pairs of sentiment words occur under both labels.
    assert len(bags["positive"] & bags["negative"]) > 0.5 * len(bags["positive"])


def test_grounded_texts_name_the_character():
    text = _make("grounded", "neutral", 0, named_colour="purple")
    assert "the one in purple" in text


def test_texts_never_mention_weather_or_faces():
    banned = {"rain", "rainy", "sun", "sunny", "cloud", "cloudy", "smile", "frown", "face"}
    for seed in range(100):
        for kind, pol in (("plain", "positive"), ("plain", "neutral"), ("negated", "negative")):
            assert not set(_make(kind, pol, seed).split()) & banned


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="kind"):
        _make("poem", "neutral", 0)
    with pytest.raises(ValueError, match="polar"):
        _make("negated", "neutral", 0)
    with pytest.raises(ValueError, match="named_colour"):
        _make("grounded", "neutral", 0)
