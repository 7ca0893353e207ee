"""The fusion layers of lesson 07, computed by hand against the layers (any backend)."""

import keras
import numpy as np

from mmcourse.models import fusion_layers


def test_low_rank_fusion_equals_tensor_fusion_with_a_low_rank_weight():
    """LMF's output is the full tensor fusion of [t, 1] x [i, 1] with the weight
    W = sum_r w_r * outer(W_text^(r), W_image^(r)), never built by the layer."""
    rng = np.random.default_rng(0)
    t, i = rng.normal(size=(4, 5)).astype("float32"), rng.normal(size=(4, 3)).astype("float32")
    layer = fusion_layers.LowRankFusion(units=2, rank=3)
    out = keras.ops.convert_to_numpy(layer([t, i]))
    f_text, f_image = (keras.ops.convert_to_numpy(f) for f in layer.factors)
    w, b = keras.ops.convert_to_numpy(layer.rank_weights), keras.ops.convert_to_numpy(layer.bias)
    full = np.einsum("r,riu,rju->iju", w, f_text, f_image)  # (5 + 1, 3 + 1, units)
    t1, i1 = np.c_[t, np.ones(4)], np.c_[i, np.ones(4)]
    np.testing.assert_allclose(
        out, np.einsum("bi,bj,iju->bu", t1, i1, full) + b, rtol=1e-4, atol=1e-5
    )
    assert out.shape == (4, 2)


def test_gated_fusion_mixes_the_two_modalities_with_its_gate():
    rng = np.random.default_rng(1)
    t, i = rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")
    layer = fusion_layers.GatedFusion(units=5)
    fused, gate = (keras.ops.convert_to_numpy(x) for x in layer([t, i]))
    weights = {w.path.split("/")[-1]: keras.ops.convert_to_numpy(w) for w in layer.weights}
    h_text = np.tanh(t @ weights["text_kernel"] + weights["text_bias"])
    h_image = np.tanh(i @ weights["image_kernel"] + weights["image_bias"])
    z = 1 / (1 + np.exp(-(np.c_[t, i] @ weights["gate_kernel"] + weights["gate_bias"])))
    np.testing.assert_allclose(gate, z, rtol=1e-5)
    np.testing.assert_allclose(fused, z * h_text + (1 - z) * h_image, rtol=1e-4, atol=1e-6)
    assert ((gate > 0) & (gate < 1)).all()


def test_late_fusion_is_a_convex_combination_of_probabilities():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], "float32")
    q = np.array([[0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], "float32")
    average = fusion_layers.LateFusion("average")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(average([p, q])), (p + q) / 2, rtol=1e-6)
    assert not average.trainable_weights
    learned = fusion_layers.LateFusion("learned")
    learned([p, q])
    learned.logits.assign(np.array([np.log(3.0), 0.0], "float32"))  # weights 0.75 and 0.25
    out = keras.ops.convert_to_numpy(learned([p, q]))
    np.testing.assert_allclose(out, 0.75 * p + 0.25 * q, rtol=1e-5)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    assert len(learned.trainable_weights) == 1
