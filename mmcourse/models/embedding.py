"""Cross-modal embedding models (lesson 05): autoencoders, a shared bottleneck, a dual encoder.

- `build_text_autoencoder`, `build_image_autoencoder`: one modality each, its own code. Two
  such codes concatenated are a *joint* representation of a pair; they are not a shared space
  (code dimension 3 of the text model has nothing to do with dimension 3 of the image model).
- `build_bimodal_autoencoder`: both modalities into ONE code (`bimodal_code`) that must
  reconstruct both (the text's bag of words, the image's features); `ModalityDropout` on the
  inputs makes it do so from either modality alone, so a text and an image land in one space.
- `build_dual_encoder`: CLIP-style towers, L2-normalised embeddings (`text_l2norm`,
  `image_l2norm`) and a `ContrastiveLogits` layer holding a learnable temperature; train it
  with `mmcourse.models.contrastive.SymmetricInfoNCE`.
- `add_modality_discriminator` (advanced): a discriminator that guesses the modality of an
  embedding, behind a `GradientReversal` layer, so the towers learn to fool it.
- `text_embedder`, `image_embedder`, `shared_code_model`: the parts that map one input to the
  shared space, for retrieval and transfer.

All layers use `keras.ops` only (TensorFlow, JAX and PyTorch backends); outputs that feed a
loss are float32 so mixed precision is safe.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from mmcourse.arguments import check_positive_int
from mmcourse.models import blocks


@keras.saving.register_keras_serializable(package="mmcourse")
class ContrastiveLogits(keras.layers.Layer):
    """`[text, image]` unit vectors -> (batch, batch) logits `scale * text @ image.T`.

    `scale = exp(log_scale) = 1 / temperature` is a trainable weight (CLIP starts it at
    1 / 0.07 and caps it at 100 so that the logits cannot blow up).
    """

    def __init__(self, temperature: float = 0.07, *, max_scale: float = 100.0, **kwargs):
        super().__init__(**kwargs)
        if not temperature > 0 or not max_scale >= 1 / temperature:
            raise ValueError(
                "Need temperature > 0 and max_scale >= 1 / temperature. "
                f"Received: temperature={temperature}, max_scale={max_scale}"
            )
        self.initial_temperature = float(temperature)
        self.max_scale = float(max_scale)
        self.log_scale = self.add_weight(
            name="log_scale",
            shape=(),
            initializer=keras.initializers.Constant(math.log(1.0 / temperature)),
            dtype="float32",
        )

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"Expected [text, image]. Received: {len(inputs)} tensors")
        text, image = (ops.cast(x, "float32") for x in inputs)
        scale = ops.minimum(ops.exp(ops.cast(self.log_scale, "float32")), self.max_scale)
        return scale * ops.matmul(text, ops.transpose(image))

    @property
    def temperature(self) -> float:
        scale = min(math.exp(float(ops.convert_to_numpy(self.log_scale))), self.max_scale)
        return 1.0 / scale

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], input_shape[1][0])

    def get_config(self):
        config = super().get_config()
        return {**config, "temperature": self.initial_temperature, "max_scale": self.max_scale}


@keras.saving.register_keras_serializable(package="mmcourse")
class GradientReversal(keras.layers.Layer):
    """The identity going forward; multiplies the gradient by `-scale` going backward.

    `y = stop_gradient(x) - scale * (x - stop_gradient(x))`: the second term is zero in value
    (so `y == x` exactly) but has gradient `-scale`. Placed in front of a discriminator, the
    discriminator minimises its loss while everything before the layer maximises it.
    """

    def __init__(self, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if not scale >= 0:
            raise ValueError(f"scale must be >= 0. Received: scale={scale}")
        self.scale = float(scale)

    def call(self, x):
        frozen = ops.stop_gradient(x)
        return frozen - self.scale * (x - frozen)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def build_text_autoencoder(*, vocabulary_size, code_dim=32, name="text_autoencoder"):
    """Tokens -> TextCNN -> `text_code` -> `text_reconstruction` (the bag of words, sigmoid)."""
    check_positive_int(vocabulary_size, "vocabulary_size")
    check_positive_int(code_dim, "code_dim")
    tokens = blocks.tokens_input()
    features = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, prefix="text")
    code = keras.layers.Dense(code_dim, name="text_code")(features)
    out = keras.layers.Dense(
        vocabulary_size, activation="sigmoid", dtype="float32", name="text_reconstruction"
    )(code)
    return keras.Model(tokens, out, name=name)


def build_image_autoencoder(*, code_dim=32, hidden_units=64, name="image_autoencoder"):
    """Encoder features -> `image_code` -> `image_reconstruction` of the same 64 features."""
    check_positive_int(code_dim, "code_dim")
    check_positive_int(hidden_units, "hidden_units")
    features = blocks.image_features_input()
    x = blocks.image_vector(features, units=hidden_units, prefix="image")
    code = keras.layers.Dense(code_dim, name="image_code")(x)
    x = keras.layers.Dense(hidden_units, activation="relu", name="image_decoder_dense")(code)
    out = keras.layers.Dense(blocks.FEATURE_DIM, dtype="float32", name="image_reconstruction")(x)
    return keras.Model(features, out, name=name)


def build_bimodal_autoencoder(
    *,
    vocabulary_size,
    code_dim=32,
    hidden_units=64,
    modality_dropout=0.5,
    seed=None,
    name="bimodal_autoencoder",
):
    """Text and image -> ONE `bimodal_code` -> both reconstructions.

    Outputs `{"text_reconstruction": bag of words (sigmoid), "image_reconstruction": the 64
    encoder features}`. `ModalityDropout(modality_dropout)` blanks one modality of some posts
    in training, so the code must be computable, and reconstruct both, from either alone.
    """
    check_positive_int(vocabulary_size, "vocabulary_size")
    check_positive_int(code_dim, "code_dim")
    check_positive_int(hidden_units, "hidden_units")
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    text_in, image_in = blocks.ModalityDropout(
        modality_dropout, seed=seed, name="modality_dropout"
    )([tokens, features])
    text = blocks.text_vector(text_in, vocabulary_size=vocabulary_size, prefix="text")
    image = blocks.image_vector(image_in, units=hidden_units, prefix="image")
    joint = keras.layers.Concatenate(name="bimodal_concat")([text, image])
    joint = keras.layers.Dense(hidden_units, activation="relu", name="bimodal_dense")(joint)
    code = keras.layers.Dense(code_dim, name="bimodal_code")(joint)
    t = keras.layers.Dense(hidden_units, activation="relu", name="text_decoder_dense")(code)
    i = keras.layers.Dense(hidden_units, activation="relu", name="image_decoder_dense")(code)
    outputs = {
        "text_reconstruction": keras.layers.Dense(
            vocabulary_size, activation="sigmoid", dtype="float32", name="text_reconstruction"
        )(t),
        "image_reconstruction": keras.layers.Dense(
            blocks.FEATURE_DIM, dtype="float32", name="image_reconstruction"
        )(i),
    }
    return keras.Model([tokens, features], outputs, name=name)


def build_dual_encoder(
    *,
    vocabulary_size,
    embedding_dim=64,
    hidden_units=128,
    temperature=0.07,
    name="dual_encoder",
):
    """CLIP-style: a text tower and an image tower, unit vectors, similarity logits.

    Text: TextCNN features -> `text_projection` -> `text_l2norm`. Image: the frozen encoder's
    features -> `image_dense` (ReLU) -> `image_projection` -> `image_l2norm`. Output: the
    float32 (batch, batch) `contrastive_logits` (row i: text i against every image).
    """
    check_positive_int(vocabulary_size, "vocabulary_size")
    check_positive_int(embedding_dim, "embedding_dim")
    check_positive_int(hidden_units, "hidden_units")
    tokens, features = blocks.tokens_input(), blocks.image_features_input()
    text = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, prefix="text")
    text = keras.layers.Dense(embedding_dim, name="text_projection")(text)
    text = keras.layers.UnitNormalization(name="text_l2norm")(text)
    image = blocks.image_vector(features, units=hidden_units, prefix="image")
    image = keras.layers.Dense(embedding_dim, name="image_projection")(image)
    image = keras.layers.UnitNormalization(name="image_l2norm")(image)
    logits = ContrastiveLogits(temperature, dtype="float32", name="contrastive_logits")(
        [text, image]
    )
    return keras.Model([tokens, features], logits, name=name)


def add_modality_discriminator(
    dual_encoder, *, scale=1.0, hidden_units=32, name="adversarial_dual_encoder"
):
    """Advanced: the dual encoder plus a modality discriminator behind a gradient reversal.

    Outputs `{"contrastive_logits": ..., "modality_logits": (batch, 2)}`: column 0 is the
    discriminator's logit "this is an image" for the text embedding, column 1 for the image
    embedding (train it with `contrastive.modality_adversary_loss`). The discriminator's two
    layers are shared by both columns; `GradientReversal(scale)` makes the towers fight it.
    """
    check_positive_int(hidden_units, "hidden_units")
    reverse = GradientReversal(scale, name="gradient_reversal")
    dense = keras.layers.Dense(hidden_units, activation="relu", name="discriminator_dense")
    logit = keras.layers.Dense(1, dtype="float32", name="discriminator_logit")
    columns = [
        logit(dense(reverse(dual_encoder.get_layer(f"{m}_l2norm").output)))
        for m in ("text", "image")
    ]
    modality = keras.layers.Concatenate(dtype="float32", name="modality_logits")(columns)
    outputs = {"contrastive_logits": dual_encoder.output, "modality_logits": modality}
    return keras.Model(dual_encoder.inputs, outputs, name=name)


def text_embedder(model):
    """Tokens -> the text's unit vector, from a (possibly adversarial) dual encoder."""
    return keras.Model(
        model.inputs[0], model.get_layer("text_l2norm").output, name="text_embedder"
    )


def image_embedder(model):
    """Image features -> the image's unit vector, from a (possibly adversarial) dual encoder."""
    return keras.Model(
        model.inputs[1], model.get_layer("image_l2norm").output, name="image_embedder"
    )


def shared_code_model(model):
    """The bimodal autoencoder up to its shared code (`[tokens, image_features]` -> code)."""
    return keras.Model(model.inputs, model.get_layer("bimodal_code").output, name="shared_code")
