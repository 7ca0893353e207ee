"""Near-miss answers of ex08 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # the missing mask: scaled dot products and a softmax over the regions, right, but the
    # padded words attend like the real ones and the mean runs over all positions
    "q1_cross_attention": (
        "q1_code",
        "def cross_attention(queries, keys, values, query_mask):\n"
        "    scale = 1.0 / float(np.sqrt(queries.shape[-1]))\n"
        '    scores = ops.einsum("btd,brd->btr", queries, keys) * scale\n'
        "    weights = ops.softmax(scores, axis=-1)\n"
        '    attended = ops.einsum("btr,brv->btv", weights, values)\n'
        "    return ops.mean(attended, axis=1), weights",
    ),
    # the mean over every position, padding included (the right grid layout otherwise)
    "q2_attention_map": (
        "q2_code",
        "def attention_map(weights, word_mask):\n"
        "    weights = np.asarray(ops.convert_to_numpy(weights), dtype='float64')\n"
        "    return weights.mean(axis=1).reshape(-1, 8, 8)",
    ),
    # keys from the frozen grid features instead of the regions' colours: the encoder's
    # features hardly tell the shirts' colours apart, so a colour word cannot find its region
    "q3_train_grounded_model": (
        "q3_code",
        "def train_grounded_model(inputs, labels, vocabulary_size):\n"
        "    runtime.seed_everything(0)\n"
        '    tokens = keras.Input((None,), dtype="int32", name="tokens")\n'
        '    grid = keras.Input((8, 8, 64), name="image_grid")\n'
        '    colours = keras.Input((8, 8, 12), name="region_colours")\n'
        "    words = keras.layers.Embedding(vocabulary_size, 32)(tokens)\n"
        "    queries = keras.layers.Dense(32)(words)\n"
        '    keys = keras.layers.Dense(32, activation="relu")(grid)\n'
        "    keys = keras.layers.Reshape((64, 32))(keras.layers.Dense(32)(keys))\n"
        '    values = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(grid)\n'
        "    values = keras.layers.Reshape((64, 32))(values)\n"
        "    seen, weights = cross_attention(queries, keys, values, ops.not_equal(tokens, 0))\n"
        "    text = keras.layers.GlobalAveragePooling1D()(words)\n"
        "    x = keras.layers.Concatenate()([seen, text])\n"
        '    x = keras.layers.Dense(32, activation="relu")(x)\n'
        '    outputs = keras.layers.Dense(3, activation="softmax")(x)\n'
        '    model_inputs = {"tokens": tokens, "image_grid": grid, "region_colours": colours}\n'
        "    model = keras.Model(model_inputs, outputs)\n"
        '    model.compile(keras.optimizers.Adam(5e-3), "sparse_categorical_crossentropy")\n'
        "    model.fit(inputs, labels, epochs=12, batch_size=16, verbose=0)\n"
        "    return model, keras.Model(model_inputs, weights)",
    ),
}
