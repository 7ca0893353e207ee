"""Attention layers for cross-modal sentiment (lesson 08), each returning its weights too.

- `PaddingMask`: token ids -> a boolean mask, `True` on real words, `False` on padding.
- `AttentionPooling`: one learned score per position, a softmax over positions, the weighted
  sum of the position vectors; returns `[pooled, weights]` ("which words matter").
- `CrossModalAttention`: scaled dot-product attention of queries from one modality over
  keys and values from the other, with a learnable temperature; returns
  `[attended, weights]`. Text attends to image regions, or regions attend to words.

`mmcourse.models.attention` builds the lesson's models from them. Backend-agnostic
(`keras.ops` only); softmaxes run in float32 so that `mixed_float16` is safe.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from mmcourse.arguments import check_positive_int

NEG_INF = -1e9  # the score of a masked position: exp() of it is 0


@keras.saving.register_keras_serializable(package="mmcourse")
class PaddingMask(keras.layers.Layer):
    """Token ids (batch, length) -> bool (batch, length): `True` where the id is not padding."""

    def __init__(self, padding_id: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.padding_id = int(padding_id)

    def call(self, tokens):
        return ops.not_equal(tokens, self.padding_id)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, tokens):
        return keras.KerasTensor(tokens.shape, dtype="bool")

    def get_config(self):
        return {**super().get_config(), "padding_id": self.padding_id}


def _masked_softmax(scores, mask):
    """Softmax over the last axis in float32; masked positions get zero weight."""
    scores = ops.cast(scores, "float32")
    if mask is not None:
        scores = ops.where(mask, scores, ops.full_like(scores, NEG_INF))
    return ops.softmax(scores, axis=-1)


@keras.saving.register_keras_serializable(package="mmcourse")
class AttentionPooling(keras.layers.Layer):
    """Attention pooling over a sequence: `[pooled (batch, dim), weights (batch, length)]`.

    score_t = v . tanh(W x_t + b); weights = softmax over t (padding masked out when `mask`
    is given); pooled = sum_t weights_t x_t. The weights sum to 1 over the real positions.
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")

    def build(self, input_shape):
        self.projection = keras.layers.Dense(
            self.units, activation="tanh", name="projection", dtype=self.dtype_policy
        )
        self.projection.build(input_shape)
        self.score = keras.layers.Dense(1, use_bias=False, name="score", dtype=self.dtype_policy)
        self.score.build((*input_shape[:-1], self.units))

    def call(self, sequence, mask=None):
        scores = ops.squeeze(self.score(self.projection(sequence)), axis=-1)
        weights = _masked_softmax(scores, mask)
        pooled = ops.einsum("bt,btd->bd", weights, ops.cast(sequence, "float32"))
        return [ops.cast(pooled, self.compute_dtype), weights]

    def compute_mask(self, sequence, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], input_shape[-1]), tuple(input_shape[:-1])]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="mmcourse")
class CrossModalAttention(keras.layers.Layer):
    """Queries from one modality attend to keys and values from the other.

    Called on `[queries (b, q, dq), keys (b, n, dk), values (b, n, dv)]`, optionally with
    `key_mask` (b, n) to ignore padding. Queries and keys are projected to `units`; the
    weights are softmax_n(q.k / (tau * sqrt(units))), where the temperature tau = exp(s) is
    learned through its logarithm `s` (`log_temperature`) and starts at 1 / `scale`: `scale`
    > 1 starts with sharper attention. Logits are divided by the temperature, the convention
    of the contrastive loss in `mmcourse.models.embedding` (lesson 05). Returns
    `[attended (b, q, dv), weights (b, q, n)]`: attention-weighted *values*, then where
    each query looked. The weights sum to 1 over the n keys.
    """

    def __init__(self, units: int = 32, *, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        if not scale > 0:
            raise ValueError(f"scale must be positive. Received: scale={scale!r}")
        self.scale = float(scale)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"Expected [queries, keys, values]. Received: {input_shape}")
        query_shape, key_shape, _ = input_shape
        self.query_dense = keras.layers.Dense(self.units, name="query", dtype=self.dtype_policy)
        self.query_dense.build(query_shape)
        self.key_dense = keras.layers.Dense(self.units, name="key", dtype=self.dtype_policy)
        self.key_dense.build(key_shape)
        self.log_temperature = self.add_weight(
            name="log_temperature",
            shape=(),
            initializer=keras.initializers.Constant(-math.log(self.scale)),
            dtype="float32",
        )

    def scores(self, queries, keys):
        """The scaled logits (b, q, n) in float32, before the softmax: the affinity of each
        query with each key."""
        scores = ops.einsum("bqd,bnd->bqn", self.query_dense(queries), self.key_dense(keys))
        temperature = ops.exp(ops.cast(self.log_temperature, "float32"))
        return ops.cast(scores, "float32") / (temperature * math.sqrt(self.units))

    def call(self, inputs, key_mask=None):
        queries, keys, values = inputs
        mask = None if key_mask is None else ops.expand_dims(key_mask, 1)
        weights = _masked_softmax(self.scores(queries, keys), mask)
        attended = ops.einsum("bqn,bnd->bqd", weights, ops.cast(values, "float32"))
        return [ops.cast(attended, self.compute_dtype), weights]

    def compute_output_shape(self, input_shape):
        query_shape, key_shape, value_shape = input_shape
        return [
            (query_shape[0], query_shape[1], value_shape[-1]),
            (query_shape[0], query_shape[1], key_shape[1]),
        ]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}
