import numpy as np
import pytest

from mmcourse.text import skipgram

SEQUENCES = np.array([[2, 3, 4, 5, 0, 0], [5, 4, 1, 3, 2, 0]])


def test_pairs_are_seeded_windowed_and_skip_padding():
    targets, contexts, labels = skipgram.skipgram_pairs(
        SEQUENCES, vocabulary_size=6, window_size=1, num_negatives=3, seed=0
    )
    # first text: 4 words -> 6 pairs; second: 4 known words (the [UNK] is dropped) -> 6 pairs
    assert targets.shape == (12,) and contexts.shape == (12, 4) and labels.shape == (12, 4)
    assert (labels[:, 0] == 1).all() and (labels[:, 1:] == 0).all()
    assert contexts.min() >= 2 and targets.min() >= 2  # never padding or [UNK]
    again = skipgram.skipgram_pairs(
        SEQUENCES, vocabulary_size=6, window_size=1, num_negatives=3, seed=0
    )
    np.testing.assert_array_equal(again[1], contexts)
    pairs = {(int(t), int(c)) for t, c in zip(targets, contexts[:, 0])}
    assert (2, 3) in pairs and (2, 4) not in pairs  # window 1


def test_bad_inputs():
    with pytest.raises(ValueError, match="2-D"):
        skipgram.skipgram_pairs(np.array([1, 2]), vocabulary_size=5)
    with pytest.raises(ValueError, match="vocabulary_size"):
        skipgram.skipgram_pairs(SEQUENCES, vocabulary_size=5)
    with pytest.raises(ValueError, match="No \\(target, context\\) pairs"):
        skipgram.skipgram_pairs(np.zeros((2, 3), int), vocabulary_size=5)


def test_model_shapes_and_training_separates_contexts():
    model = skipgram.build_skipgram(vocabulary_size=6, embedding_dim=4)
    logits = model({"target": np.array([2, 3]), "context": np.array([[3, 4, 5], [2, 5, 4]])})
    assert tuple(logits.shape) == (2, 3)
    sequences = np.tile(np.array([[2, 3, 2, 3, 4, 5, 4, 5]]), (20, 1))
    _, vectors, history = skipgram.train_skipgram(
        sequences, vocabulary_size=6, embedding_dim=4, epochs=5, batch_size=64
    )
    assert vectors.shape == (6, 4)
    assert history.history["loss"][-1] < history.history["loss"][0]
