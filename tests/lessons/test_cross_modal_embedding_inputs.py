"""What lesson 05's models read and rebuild (`mmcourse.lessons.cross_modal_embedding_inputs`)."""

import numpy as np
import pytest

from mmcourse.lessons import cross_modal_embedding_inputs


def test_bag_of_words_by_hand():
    tokens = np.array([[2, 3, 3, 0], [1, 4, 0, 0]])
    expected = [[0, 0, 1, 1, 0], [0, 0, 0, 0, 1]]  # padding (0) and out-of-vocabulary (1) left out
    np.testing.assert_array_equal(cross_modal_embedding_inputs.bag_of_words(tokens, 5), expected)
    with pytest.raises(ValueError, match="Received: shape"):
        cross_modal_embedding_inputs.bag_of_words(np.array([[5]]), 5)
    with pytest.raises(ValueError, match="Received: shape"):
        cross_modal_embedding_inputs.bag_of_words(np.array([2, 3]), 5)


def test_one_modality_at_a_time_blanks_the_other(fusion_data):
    inputs, targets = cross_modal_embedding_inputs.one_modality_at_a_time(fusion_data, "val")
    n = len(fusion_data.labels("val"))
    assert inputs["tokens"].shape[0] == inputs["image_features"].shape[0] == 2 * n
    assert not inputs["tokens"][n:].any() and not inputs["image_features"][:n].any()
    np.testing.assert_array_equal(inputs["tokens"][:n], fusion_data.arrays["val"]["tokens"])
    np.testing.assert_array_equal(
        targets["image_reconstruction"][:n], targets["image_reconstruction"][n:]
    )
    assert targets["text_reconstruction"].shape == (2 * n, fusion_data.vocabulary_size)
