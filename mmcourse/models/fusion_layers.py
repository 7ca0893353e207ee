"""The fusion layers of lesson 07: how two modalities' predictions or features meet.

- `LateFusion`: decision level, a learned mix of each branch's class probabilities.
- `GatedFusion`: a gated multimodal unit, a learned sigmoid gate per feature (text vs image).
- `LowRankFusion`: low-rank multimodal fusion (Liu et al., 2018), the outer product of the two
  feature vectors (each with a 1 appended) computed through rank-`r` factors.

`mmcourse.models.fusion` builds the lesson's models with them. Backend-agnostic (`keras.ops`).
"""

from __future__ import annotations

import keras
from keras import ops

from mmcourse.arguments import check_positive_int


@keras.saving.register_keras_serializable(package="mmcourse")
class LateFusion(keras.layers.Layer):
    """Decision-level fusion: a weighted average of per-modality class probabilities.

    `mode="learned"`: weights `softmax(logits)`, one per modality, learned; `"average"`: equal
    weights. Either way the output is a convex combination, so it still sums to 1.
    """

    def __init__(self, mode="learned", **kwargs):
        super().__init__(**kwargs)
        if mode not in ("learned", "average"):
            raise ValueError(f'mode must be "learned" or "average". Received: mode={mode!r}')
        self.mode = mode

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"Expected 2+ probability tensors. Received: {len(input_shape)}")
        learned = self.mode == "learned"
        self.logits = self.add_weight(
            name="logits", shape=(len(input_shape),), initializer="zeros", trainable=learned
        )

    def modality_weights(self):
        return ops.softmax(self.logits)

    def call(self, inputs):
        weights = ops.cast(self.modality_weights(), inputs[0].dtype)
        return sum(weights[m] * p for m, p in enumerate(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="mmcourse")
class GatedFusion(keras.layers.Layer):
    """A gated multimodal unit (Arevalo et al., 2017) on `[text, image]` feature vectors.

    `h_t = tanh(W_t t + b_t)`, `h_i = tanh(W_i i + b_i)`, gate `z = sigmoid(W_z [t; i] + b_z)`
    (one value per output feature and per post), output `z * h_t + (1 - z) * h_i`.
    Returns `[fused, z]`:
    `z` near 1 means that feature comes from the text, near 0 from the image.
    """

    def __init__(self, units=64, **kwargs):
        super().__init__(**kwargs)
        check_positive_int(units, "units")
        self.units = units

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Expected [text, image]. Received: {len(input_shape)} tensors")
        (_, d_text), (_, d_image) = input_shape
        shapes = {
            "text_kernel": (d_text, self.units),
            "image_kernel": (d_image, self.units),
            "gate_kernel": (d_text + d_image, self.units),
        }
        for key, shape in shapes.items():
            setattr(
                self, key, self.add_weight(name=key, shape=shape, initializer="glorot_uniform")
            )
        for key in ("text_bias", "image_bias", "gate_bias"):
            setattr(self, key, self.add_weight(name=key, shape=(self.units,), initializer="zeros"))

    def call(self, inputs):
        text, image = inputs
        h_text = ops.tanh(ops.matmul(text, self.text_kernel) + self.text_bias)
        h_image = ops.tanh(ops.matmul(image, self.image_kernel) + self.image_bias)
        both = ops.concatenate([text, image], axis=-1)
        gate = ops.sigmoid(ops.matmul(both, self.gate_kernel) + self.gate_bias)
        return [gate * h_text + (1.0 - gate) * h_image, gate]

    def compute_output_shape(self, input_shape):
        shape = (input_shape[0][0], self.units)
        return [shape, shape]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="mmcourse")
class LowRankFusion(keras.layers.Layer):
    """Low-rank multimodal fusion (Liu et al., 2018) of a list of modality vectors.

    Tensor fusion takes the outer product of `[z_m, 1]` over modalities (every product of a
    text feature and an image feature, plus each unimodal term thanks to the appended 1), then
    a linear map. LMF never builds that tensor: the map's weight is a sum of `rank` products
    of per-modality factors `W_m^(r)`, so the output is
    `sum_r w_r * prod_m ([z_m, 1] @ W_m^(r)) + b`, linear in the inputs' sizes.
    """

    def __init__(self, units=64, rank=4, **kwargs):
        super().__init__(**kwargs)
        check_positive_int(units, "units")
        check_positive_int(rank, "rank")
        self.units, self.rank = units, rank

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"Expected 2+ modality vectors. Received: {len(input_shape)}")
        self.factors = [
            self.add_weight(
                name=f"factor_{m}",
                shape=(self.rank, shape[-1] + 1, self.units),
                initializer="glorot_normal",
            )
            for m, shape in enumerate(input_shape)
        ]
        self.rank_weights = self.add_weight(
            name="rank_weights", shape=(self.rank,), initializer="glorot_normal"
        )
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        product = None
        for z, factor in zip(inputs, self.factors):
            z = ops.concatenate([z, ops.ones_like(z[:, :1])], axis=-1)
            projected = ops.einsum("bd,rdu->bru", z, factor)
            product = projected if product is None else product * projected
        return ops.einsum("bru,r->bu", product, self.rank_weights) + self.bias

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "rank": self.rank}
