"""Post texts for MoodPosts: short, social-media style, mentioning what the image shows.

Sentiment lives in the words (with intensifiers and negation); the scene mention (the place
and the objects) is drawn independently of sentiment, so it helps retrieval, never the label.
Weather and facial expressions, which carry the image's sentiment, are never mentioned.
"""

from __future__ import annotations

import numpy as np

POSITIVE_WORDS = (
    "happy",
    "great",
    "amazing",
    "wonderful",
    "lovely",
    "fun",
    "awesome",
    "perfect",
    "cheerful",
    "fantastic",
)
NEGATIVE_WORDS = (
    "sad",
    "awful",
    "terrible",
    "miserable",
    "boring",
    "horrible",
    "gloomy",
    "upsetting",
    "dreadful",
    "disappointing",
)
INTENSIFIERS = ("very", "really", "so", "super", "truly", "incredibly")
PLACE_PHRASES = {
    "beach": "at the beach",
    "park": "in the park",
    "city": "in the city",
    "mountains": "in the mountains",
}
OBJECT_NOUNS = ("dog", "car", "tree", "balloon", "cake", "bicycle")
TIMES = ("today", "this morning", "this afternoon", "on saturday", "yesterday", "last week")
OPENERS = ("", "", "", "ok so ", "well ", "omg ", "just ")
HASHTAGS = ("", "", "", " #weekend", " #nofilter", " #latergram", " #daysout")

POLAR_TEMPLATES = (
    "{opener}{content} {time}, {adj}",
    "{opener}feeling {adj} {content}",
    "{opener}{time}: {content} was {adj}",
    "{opener}{content}. {adj} day{hashtag}",
    "{opener}{adj} {time} {content}{hashtag}",
)
NEUTRAL_TEMPLATES = (
    "{opener}{content} {time}",
    "{opener}{time}: {content}{hashtag}",
    "{opener}spent the day {content}",
    "{opener}{content}, that is all{hashtag}",
    "{opener}photo from {time}, {content}",
)
# `{yes}` carries the post's sentiment, `{no}` the opposite one, negated. Swapping the two
# words gives exactly the same bag of words with the opposite label.
NEGATED_TEMPLATES = (
    "{opener}{content} {time}, {yes}, not {no}",
    "{opener}{content} was not {no} but {yes}",
    "{opener}not {no} at all, {content} was {yes}",
    "{opener}{time} {content}: {yes} and not {no}{hashtag}",
)
GROUNDED_TEMPLATES = (
    "{opener}look at the one in {colour} {content}",
    "{opener}{content} {time}. watch the one in {colour}",
    "{opener}the face of the one in {colour} says it all, {content}",
    "{opener}{time} {content}, the one in {colour} sums it up{hashtag}",
)


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def object_phrase(objects: list[str], rng: np.random.Generator) -> str:
    determiners = ("a", "my", "the", "our")
    parts = [f"{_pick(rng, determiners)} {name}" for name in objects]
    return " and ".join(parts)


def content_phrase(place: str, objects: list[str], rng: np.random.Generator) -> str:
    """`"in the park with my dog and a cake"`: the scene, in words."""
    where = PLACE_PHRASES[place]
    if not objects:
        return where
    what = object_phrase(objects, rng)
    return f"{where} with {what}" if rng.random() < 0.6 else f"{what} {where}"


def sentiment_word(polarity: str, rng: np.random.Generator, *, intensify: float = 0.35) -> str:
    words = POSITIVE_WORDS if polarity == "positive" else NEGATIVE_WORDS
    word = _pick(rng, words)
    if rng.random() < intensify:
        word = f"{_pick(rng, INTENSIFIERS)} {word}"
    return word


def make_text(
    *,
    kind: str,
    polarity: str,
    place: str,
    objects: list[str],
    rng: np.random.Generator,
    named_colour: str | None = None,
) -> str:
    """One post text.

    Args:
        kind: "plain" (sentiment words, or none when `polarity` is neutral), "negated"
            (the "X, not Y" construction) or "grounded" (names a character by shirt colour).
        polarity: "negative", "neutral" or "positive": the sentiment the words carry.
    """
    fields = {
        "opener": _pick(rng, OPENERS),
        "time": _pick(rng, TIMES),
        "hashtag": _pick(rng, HASHTAGS),
        "content": content_phrase(place, objects, rng),
    }
    if kind == "plain" and polarity == "neutral":
        template = _pick(rng, NEUTRAL_TEMPLATES)
    elif kind == "plain":
        template = _pick(rng, POLAR_TEMPLATES)
        fields["adj"] = sentiment_word(polarity, rng)
    elif kind == "negated":
        if polarity not in ("negative", "positive"):
            raise ValueError(f"negated texts need a polar sentiment. Received: {polarity!r}")
        template = _pick(rng, NEGATED_TEMPLATES)
        fields["yes"] = sentiment_word(polarity, rng)
        opposite = "negative" if polarity == "positive" else "positive"
        fields["no"] = sentiment_word(opposite, rng, intensify=0.0)
    elif kind == "grounded":
        if named_colour is None:
            raise ValueError("grounded texts need named_colour.")
        template = _pick(rng, GROUNDED_TEMPLATES)
        fields["colour"] = named_colour
    else:
        raise ValueError(f"kind must be 'plain', 'negated' or 'grounded'. Received: kind={kind!r}")
    text = template.format(**fields)
    return " ".join(text.split())
