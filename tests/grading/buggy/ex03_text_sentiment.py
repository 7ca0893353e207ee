"""Near-miss answers of ex03 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # both convolutions read the embedding (side by side, as in the lesson), not stacked:
    # the same names, shapes and parameter count
    "q1_small_text_cnn": (
        "q1_code",
        "def build_small_text_cnn(vocabulary_size):\n"
        '    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")\n'
        '    e = keras.layers.Embedding(vocabulary_size, 16, name="text_embedding")(tokens)\n'
        '    a = keras.layers.Conv1D(16, 3, padding="same", activation="relu", '
        'name="text_conv_1")(e)\n'
        '    b = keras.layers.Conv1D(16, 3, padding="same", activation="relu", '
        'name="text_conv_2")(e)\n'
        '    x = keras.layers.Concatenate(name="text_concat")([\n'
        '        keras.layers.GlobalMaxPooling1D(name="text_max_pool")(a),\n'
        '        keras.layers.GlobalAveragePooling1D(name="text_mean_pool")(b),\n'
        "    ])\n"
        '    x = keras.layers.Dropout(0.3, name="text_dropout")(x)\n'
        '    out = keras.layers.Dense(3, activation="softmax", name="text_output")(x)\n'
        '    return keras.Model({"tokens": tokens}, out)',
    ),
    # forgets the convolutions' biases
    "q2_text_cnn_parameters": (
        "q2_code",
        "def text_cnn_parameters(vocabulary_size, embedding_dim, kernel_sizes, filters):\n"
        "    embedding = vocabulary_size * embedding_dim\n"
        "    convolutions = sum(k * embedding_dim * filters for k in kernel_sizes)\n"
        "    dense = len(kernel_sizes) * filters * filters + filters\n"
        "    return int(embedding + convolutions + dense + filters * 3 + 3)",
    ),
    # micro-averaged F1, which is the accuracy, instead of the mean of the classes' F1
    "q3_macro_f1": (
        "q3_code",
        "def macro_f1(truth, predicted, num_classes=3):\n"
        "    return float(np.mean(np.asarray(truth) == np.asarray(predicted)))",
    ),
    # a bag of embeddings: reads no word order, so "not sad" stays sad
    "q4_train_text_classifier": (
        "q4_code",
        "def train_text_classifier(train_ds, vocabulary_size):\n"
        "    runtime.seed_everything(0)\n"
        "    model = text.build_bag_of_embeddings(vocabulary_size=vocabulary_size)\n"
        "    train(model, train_ds, epochs=6, learning_rate=3e-3, verbose=0)\n"
        "    return model",
    ),
}
