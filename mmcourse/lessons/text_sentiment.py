"""Lesson 03's experiment in one function, so a test can check the lesson's claims.

The notebook spells every step out; `train_text_models` runs the same steps with the same
settings (`BATCH_SIZE`, `LEARNING_RATE`, `epochs()`, `SEQUENCE_LENGTH`), and
`tests/test_text_models.py` checks, in fast mode, what the lesson says it measured.
"""

from __future__ import annotations

import keras

from mmcourse import runtime
from mmcourse.data import load_moodposts
from mmcourse.evaluate import evaluate
from mmcourse.models import text
from mmcourse.text import vectorize, word_vectors
from mmcourse.train import train

BATCH_SIZE = 64
LEARNING_RATE = 5e-3
SEQUENCE_LENGTH = 24  # lesson 02: the longest post has 21 tokens


def epochs() -> int:
    """3 in fast mode, at most 30 (early stopping) in full mode."""
    return runtime.fast_or_full(3, 30)


def prepare(dataset=None, *, seed: int = 0):
    """Splits, a vectorizer fitted on train texts, and the three token datasets."""
    dataset = dataset or load_moodposts()
    train_split, val_split, test_split = (dataset.subset(s) for s in ("train", "val", "test"))
    vectorizer = vectorize.make_vectorizer(train_split.frame["text"],
                                           output_sequence_length=SEQUENCE_LENGTH)  # fmt: skip
    return {
        "splits": (train_split, val_split, test_split),
        "vectorizer": vectorizer,
        "train": vectorize.text_dataset(
            train_split, vectorizer, batch_size=BATCH_SIZE, shuffle=True, seed=seed
        ),  # fmt: skip
        "val": vectorize.text_dataset(val_split, vectorizer, batch_size=BATCH_SIZE),
        "test": vectorize.text_dataset(test_split, vectorizer, batch_size=BATCH_SIZE),
    }


def train_text_models(*, seed: int = 0, names=tuple(text.BUILDERS), pretrained: bool = False):
    """Train each named builder as lesson 03 does; `{name: Evaluation on test}`.

    Each `Evaluation.details` holds the model's `params` and `train_seconds`.
    """
    data = prepare(seed=seed)
    vocabulary = data["vectorizer"].get_vocabulary()
    matrix = None
    if pretrained:
        words, vectors = word_vectors.load_course_vectors()
        matrix, _ = word_vectors.embedding_matrix(vocabulary, words, vectors)
    results = {}
    for name in names:
        keras.utils.set_random_seed(seed)
        model = text.BUILDERS[name](vocabulary_size=len(vocabulary), embeddings=matrix)
        history = train(model, data["train"], validation_data=data["val"], epochs=epochs(),
                        learning_rate=LEARNING_RATE, verbose=0)  # fmt: skip
        probabilities = model.predict(data["test"], verbose=0)
        results[name] = evaluate(data["splits"][2], probabilities, name=name)
        results[name].details = {
            "params": int(model.count_params()),
            "train_seconds": round(history.seconds, 1),
        }
    return results
