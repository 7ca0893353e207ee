"""Near-miss answers of ex06 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # the text head on the shared fusion layer (the lesson's "Try it"), not on its own branch:
    # the same names and shapes, but the text head now reads the image too
    "q1_mood_multitask": (
        "q1_code",
        "def build_mood_multitask(vocabulary_size):\n"
        '    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")\n'
        '    features = keras.Input(shape=(64,), dtype="float32", name="image_features")\n'
        '    x = keras.layers.Embedding(vocabulary_size, 16, name="text_embedding")(tokens)\n'
        '    x = keras.layers.Conv1D(24, 3, padding="same", activation="relu", '
        'name="text_conv")(x)\n'
        '    text = keras.layers.GlobalMaxPooling1D(name="text_pool")(x)\n'
        '    image = keras.layers.Dense(32, activation="relu", name="image_dense")(features)\n'
        '    joint = keras.layers.Concatenate(name="trunk_concat")([text, image])\n'
        '    joint = keras.layers.Dense(32, activation="relu", name="trunk_dense")(joint)\n'
        "    outputs = {\n"
        '        "text_sentiment": keras.layers.Dense(3, activation="softmax", '
        'name="text_sentiment")(joint),\n'
        '        "image_sentiment": keras.layers.Dense(3, activation="softmax", '
        'name="image_sentiment")(image),\n'
        '        "post_sentiment": keras.layers.Dense(3, activation="softmax", '
        'name="post_sentiment")(joint),\n'
        "    }\n"
        '    return keras.Model({"tokens": tokens, "image_features": features}, outputs)',
    ),
    # a weighted mean of the heads' losses (divided by the sum of the weights), not their sum
    "q2_multitask_loss": (
        "q2_code",
        "def multitask_loss(labels, probabilities, loss_weights):\n"
        "    eps = keras.config.epsilon()\n"
        "    total = 0.0\n"
        "    for head, weight in loss_weights.items():\n"
        "        p = np.asarray(probabilities[head], dtype='float64')\n"
        "        y = np.asarray(labels[head])\n"
        "        p_true = np.clip(p[np.arange(len(y)), y], eps, 1 - eps)\n"
        "        total += weight * float(-np.mean(np.log(p_true)))\n"
        "    return float(total / sum(loss_weights.values()))",
    ),
    # the weights as a list in the table's order (text, image, post): Keras matches a list to
    # the outputs in its own order (model.output_names, sorted), so the weights land on the
    # wrong heads
    "q3_compile_mood_multitask": (
        "q3_code",
        "def compile_mood_multitask(model, loss_weights, learning_rate=3e-3):\n"
        "    heads = list(model.output_names)\n"
        "    unknown = [name for name in loss_weights if name not in heads]\n"
        "    if unknown:\n"
        "        raise ValueError(f'Unknown heads {unknown}')\n"
        "    order = [h for h in ('text_sentiment', 'image_sentiment', 'post_sentiment') "
        "if h in heads] or heads\n"
        "    model.compile(\n"
        "        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),\n"
        "        loss={h: keras.losses.SparseCategoricalCrossentropy() for h in heads},\n"
        "        loss_weights=[float(loss_weights.get(h, 0.0)) for h in order],\n"
        "        metrics={h: [keras.metrics.SparseCategoricalAccuracy(name='accuracy')] "
        "for h in heads},\n"
        "    )\n"
        "    return model",
    ),
    # every head trained on the post label: the auxiliary heads never see their own labels
    "q4_train_mood_multitask": (
        "q4_code",
        "def train_mood_multitask(train_data, loss_weights):\n"
        "    runtime.seed_everything(0)\n"
        "    model = build_mood_multitask(train_data.vocabulary_size)\n"
        "    compile_mood_multitask(model, loss_weights)\n"
        "    labels = {head: train_data.labels('train') for head in HEADS}\n"
        "    model.fit(train_data.inputs('train'), labels, epochs=20, batch_size=32, verbose=0)\n"
        "    return model",
    ),
}
