"""Near-miss answers of ex07 (see `tests/grading/buggy/__init__.py`)."""

_LAYER = """from keras import ops


@keras.saving.register_keras_serializable(package="ex07")
class ScalarGatedFusion(keras.layers.Layer):
    def __init__(self, units=32, initial_text_share=0.5, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 < initial_text_share < 1.0:
            raise ValueError("initial_text_share must be in (0, 1)")
        self.units = units
        self.initial_text_share = initial_text_share

    def build(self, input_shape):
        (_, d_text), (_, d_image) = input_shape
        p = self.initial_text_share
        self.text_kernel = self.add_weight(
            name="text_kernel", shape=(d_text, self.units), initializer="glorot_uniform"
        )
        self.text_bias = self.add_weight(
            name="text_bias", shape=(self.units,), initializer="zeros"
        )
        self.image_kernel = self.add_weight(
            name="image_kernel", shape=(d_image, self.units), initializer="glorot_uniform"
        )
        self.image_bias = self.add_weight(
            name="image_bias", shape=(self.units,), initializer="zeros"
        )
        self.gate_kernel = self.add_weight(
            name="gate_kernel", shape=(2 * self.units, 1), initializer="glorot_uniform"
        )
        self.gate_bias = self.add_weight(
            name="gate_bias",
            shape=(1,),
            initializer=keras.initializers.Constant(float(np.log(p / (1 - p)))),
        )

    def call(self, inputs):
        text, image = inputs
        h_text = ops.tanh(ops.matmul(text, self.text_kernel) + self.text_bias)
        h_image = ops.tanh(ops.matmul(image, self.image_kernel) + self.image_bias)
        both = ops.concatenate([h_text, h_image], axis=-1)
        gate = ops.sigmoid(ops.matmul(both, self.gate_kernel) + self.gate_bias)
        return [gate * h_text + (1.0 - gate) * h_image, gate]

    def get_config(self):
        return {**super().get_config(), "units": self.units}
"""

BUGS = {
    # a correct unit whose get_config forgets initial_text_share: from_config (and a saved
    # model loaded back) starts its gate at 0.5 again
    "q1_scalar_gated_fusion": ("q1_code", _LAYER),
    # the branches passed as [image, text]: same shapes out and the same parameter count
    # (96u + 64u either way), but z now weighs the image and the names lie
    "q2_gated_model": (
        "q2_code",
        "def build_gated_model(vocabulary_size, units=32):\n"
        "    tokens, features = blocks.tokens_input(), blocks.image_features_input()\n"
        '    text = blocks.text_vector(tokens, vocabulary_size=vocabulary_size, prefix="text")\n'
        '    image = blocks.image_vector(features, prefix="image")\n'
        '    fused, _ = ScalarGatedFusion(units, name="fusion_gate")([image, text])\n'
        '    outputs = blocks.softmax_head(fused, prefix="fusion")\n'
        "    return keras.Model([tokens, features], outputs)",
    ),
    # trains on the text's own label instead of the post's: every model learns what the text
    # says, so the gated model cannot beat the text-only one
    "q3_fusion_beats_unimodal": (
        "q3_code",
        "def train_classifier(model, data):\n"
        "    keras.utils.set_random_seed(0)\n"
        "    names = [t.name for t in model.inputs]\n"
        '    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")\n'
        "    model.fit(\n"
        '        data.inputs("train", names),\n'
        '        data.labels("train", "text_label"),\n'
        "        epochs=5,\n"
        "        batch_size=32,\n"
        "        verbose=0,\n"
        "    )\n"
        "    return model",
    ),
    # always reads the test split, whatever `split` says
    "q4_gate_by_phenomenon": (
        "q4_code",
        'def gate_by_phenomenon(model, data, split="test"):\n'
        '    gates = fusion.gate_values(model, data.inputs("test"))[:, 0]\n'
        '    phenomena = data.splits["test"].frame["phenomenon"].to_numpy()\n'
        "    return pd.Series(gates).groupby(phenomena).mean()",
    ),
}
