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


def test_corpus_is_train_and_val_only():
    texts = word_vectors.corpus_texts(_dataset())
    assert len(texts) == 40 and not any("zebra" in t for t in texts)
    empty = dataclasses.replace(_dataset(), frame=_dataset().frame.query("split == 'test'"))
    with pytest.raises(ValueError, match="no \\('train', 'val'\\) posts"):
        word_vectors.corpus_texts(empty)


def test_words_only_in_test_get_no_vector(tmp_path):
    words, vectors = word_vectors.train_word_vectors(_dataset(), embedding_dim=4, epochs=1)
    assert "happy" in words and "zebra" not in words and "quokka" not in words
    assert vectors.shape == (len(words), 4)
