"""The word-vector pretraining script never lets a test post contribute."""

import dataclasses

import pandas as pd
import pytest

from mmcourse.data.core import MultimodalDataset
from mmcourse.pretrain import word_vectors


def _dataset():
    rows = [
        ("happy at the beach", "train"),
        ("sad in the park", "val"),
        ("zebra quokka", "test"),
    ] * 20
    frame = pd.DataFrame(rows, columns=["text", "split"])
    return MultimodalDataset(name="tiny", frame=frame)


def test_corpus_is_the_training_split_only():
    texts = word_vectors.corpus_texts(_dataset())
    assert len(texts) == 20 and not any("zebra" in t or "park" in t for t in texts)
    empty = dataclasses.replace(_dataset(), frame=_dataset().frame.query("split != 'train'"))
    with pytest.raises(ValueError, match="no \\('train',\\) posts"):
        word_vectors.corpus_texts(empty)


def test_words_outside_the_training_split_get_no_vector(tmp_path):
    words, vectors = word_vectors.train_word_vectors(_dataset(), embedding_dim=4, epochs=1)
    assert "happy" in words and not {"zebra", "quokka", "park", "sad"} & set(words)
    assert vectors.shape == (len(words), 4)
