"""InfoNCE, Recall@K and their chance levels against values computed by hand."""

import math

import keras
import numpy as np
import pytest

from mmcourse.models import contrastive


def _cross_entropy_of_diagonal(logits):
    """Row-wise softmax cross-entropy with the diagonal as target, averaged, in plain NumPy."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(np.diag(log_probs))


def test_infonce_on_a_2x2_matrix_by_hand():
    logits = np.array([[2.0, 0.0], [1.0, 3.0]], "float32")
    # rows: -log(e^2 / (e^2 + e^0)), -log(e^3 / (e^1 + e^3)); columns: the same with the
    # transposed matrix: -log(e^2 / (e^2 + e^1)), -log(e^3 / (e^0 + e^3))
    rows = (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-2.0))) / 2
    columns = (math.log1p(math.exp(-1.0)) + math.log1p(math.exp(-3.0))) / 2
    loss = float(keras.ops.convert_to_numpy(contrastive.symmetric_infonce(logits)))
    assert loss == pytest.approx((rows + columns) / 2, rel=1e-6)


def test_infonce_matches_numpy_and_is_symmetric_in_the_two_modalities():
    logits = np.random.default_rng(0).normal(size=(5, 5)).astype("float32")
    expected = (_cross_entropy_of_diagonal(logits) + _cross_entropy_of_diagonal(logits.T)) / 2
    loss = keras.ops.convert_to_numpy(contrastive.symmetric_infonce(logits))
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    swapped = keras.ops.convert_to_numpy(contrastive.symmetric_infonce(logits.T))
    assert float(swapped) == pytest.approx(float(loss), rel=1e-6)


def test_infonce_limits_uniform_and_perfect():
    assert float(contrastive.symmetric_infonce(np.zeros((4, 4)))) == pytest.approx(math.log(4))
    perfect = 50.0 * np.eye(4, dtype="float32")
    assert float(contrastive.symmetric_infonce(perfect)) < 1e-6


def test_loss_class_ignores_y_true_and_round_trips():
    logits = np.random.default_rng(1).normal(size=(3, 3)).astype("float32")
    loss = contrastive.SymmetricInfoNCE()
    value = float(loss(np.zeros(3), logits))
    assert value == pytest.approx(float(contrastive.symmetric_infonce(logits)), rel=1e-6)
    clone = contrastive.SymmetricInfoNCE.from_config(loss.get_config())
    assert float(clone(np.ones(3), logits)) == pytest.approx(value, rel=1e-6)
    assert keras.saving.get_registered_name(contrastive.SymmetricInfoNCE).startswith("mmcourse")


def test_modality_adversary_loss_by_hand():
    logits = np.array([[0.0, 0.0], [-2.0, 1.0]], "float32")
    # text column wants 0: softplus(logit); image column wants 1: softplus(-logit)
    softplus = lambda v: math.log1p(math.exp(v))  # noqa: E731
    expected = 0.5 * ((softplus(0) + softplus(0)) + (softplus(-2.0) + softplus(-1.0))) / 2
    value = float(contrastive.ModalityAdversaryLoss()(np.zeros(2), logits))
    assert value == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="Received: shape"):
        contrastive.modality_adversary_loss(np.zeros((3, 3)))


def test_recall_at_k_by_hand():
    similarity = np.array(
        [
            [0.9, 0.1, 0.5],  # own item first -> hit at k=1
            [0.8, 0.2, 0.7],  # own item ranks 3rd -> hit only at k=3
            [0.1, 0.6, 0.5],  # own item ranks 2nd -> hit from k=2
        ]
    )
    assert contrastive.recall_at_k(similarity, 1) == pytest.approx(1 / 3)
    assert contrastive.recall_at_k(similarity, 2) == pytest.approx(2 / 3)
    assert contrastive.recall_at_k(similarity, 3) == 1.0
    # the other direction: columns become queries
    assert contrastive.recall_at_k(similarity.T, 1) == pytest.approx(1 / 3)  # only item 0


def test_recall_at_k_with_several_relevant_items():
    similarity = np.array([[0.1, 0.9, 0.3], [0.2, 0.1, 0.8]])
    relevant = np.array([[True, True, False], [False, True, False]])
    assert contrastive.recall_at_k(similarity, 1, relevant=relevant) == 0.5
    assert contrastive.recall_at_k(similarity, 2, relevant=relevant) == 0.5
    assert contrastive.recall_at_k(similarity, 3, relevant=relevant) == 1.0


def test_constant_similarity_scores_exactly_chance():
    similarity = np.zeros((10, 10))
    for k in (1, 5, 10):
        assert contrastive.recall_at_k(similarity, k) == pytest.approx(k / 10)
        assert contrastive.chance_recall_at_k(10, k) == pytest.approx(k / 10)


def test_chance_with_several_relevant_items_by_hand_and_by_simulation():
    # 2 relevant among 4, top 2: misses both with probability C(2, 2) / C(4, 2) = 1 / 6
    assert contrastive.chance_recall_at_k(4, 2, num_relevant=2) == pytest.approx(5 / 6)
    assert contrastive.chance_recall_at_k(4, 2, num_relevant=[1, 2]) == pytest.approx(
        (2 / 4 + 5 / 6) / 2
    )
    rng = np.random.default_rng(0)
    relevant = np.zeros((4000, 20), bool)
    relevant[:, :3] = True
    simulated = contrastive.recall_at_k(rng.random((4000, 20)), 5, relevant=relevant)
    assert simulated == pytest.approx(
        contrastive.chance_recall_at_k(20, 5, num_relevant=3), abs=0.03
    )


def test_cosine_similarity_by_hand():
    queries = np.array([[1.0, 0.0], [3.0, 4.0]])
    items = np.array([[0.0, 2.0], [1.0, 1.0]])
    expected = [[0.0, 1 / math.sqrt(2)], [0.8, 7 / (5 * math.sqrt(2))]]
    np.testing.assert_allclose(contrastive.cosine_similarity(queries, items), expected)


def test_retrieval_report_both_directions_and_chance():
    text = np.array([[1.0, 0.0], [0.9, 0.1]])
    image = np.array([[1.0, 0.0], [0.0, 1.0]])
    # text -> image: text 0's best image is image 0 (hit); text 1 also prefers image 0 (miss).
    # image -> text: image 0 prefers text 0 (cosine 1 > 0.994, hit); image 1 prefers text 1
    # (0.11 > 0, hit).
    report = contrastive.retrieval_report(text, image, ks=(1, 2), suffix=" (toy)")
    assert list(report.index) == ["text -> image (toy)", "image -> text (toy)", "chance (toy)"]
    np.testing.assert_allclose(report["R@1"], [0.5, 1.0, 0.5])
    np.testing.assert_allclose(report["R@2"], [1.0, 1.0, 1.0])
    everything = np.ones((2, 2), bool)
    relaxed = contrastive.retrieval_report(text, image, ks=(1,), relevant=everything)
    np.testing.assert_allclose(relaxed["R@1"], [1.0, 1.0, 1.0])


def test_modality_probe_sees_a_gap_and_no_gap():
    rng = np.random.default_rng(0)
    pair = lambda shift: (rng.normal(size=(300, 4)), rng.normal(size=(300, 4)) + shift)  # noqa: E731
    assert contrastive.modality_probe_accuracy(pair(0.0), pair(0.0)) < 0.6
    assert contrastive.modality_probe_accuracy(pair(5.0), pair(5.0)) == 1.0


def test_linear_probe_reads_a_linearly_separable_class():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] + 2 * x[:, 1] > 0).astype(int)
    assert contrastive.linear_probe(x, y).score(x, y) > 0.95


@pytest.mark.parametrize(
    "call",
    [
        lambda: contrastive.symmetric_infonce(np.zeros(3)),
        lambda: contrastive.recall_at_k(np.zeros((3, 3)), 0),
        lambda: contrastive.recall_at_k(np.zeros((3, 3)), 4),
        lambda: contrastive.recall_at_k(np.zeros((2, 3)), 1),
        lambda: contrastive.recall_at_k(np.zeros((3, 3)), 1, relevant=np.eye(2)),
        lambda: contrastive.recall_at_k(np.zeros(3), 1),
        lambda: contrastive.chance_recall_at_k(0, 1),
        lambda: contrastive.chance_recall_at_k(5, 2, num_relevant=6),
        lambda: contrastive.cosine_similarity(np.zeros((2, 3)), np.zeros((2, 4))),
    ],
)
def test_bad_arguments_raise_value_errors_that_say_what_was_received(call):
    with pytest.raises(ValueError, match="Received:"):
        call()
