"""Near-miss answers of ex04 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # global max pooling, as in the lesson, where the table asks for the average: the same
    # names, shapes and parameter count
    "q1_small_image_cnn": (
        "q1_code",
        "def build_small_image_cnn():\n"
        '    inputs = keras.Input(shape=(64, 64, 3), name="image")\n'
        '    x = keras.layers.Rescaling(2.0, offset=-1.0, name="image_rescale")(inputs)\n'
        "    for i, f in enumerate((8, 16, 16), start=1):\n"
        '        x = keras.layers.Conv2D(f, 3, padding="same", activation="relu", '
        'name=f"image_conv{i}")(x)\n'
        "        if i < 3:\n"
        '            x = keras.layers.MaxPooling2D(2, name=f"image_pool{i}")(x)\n'
        '    x = keras.layers.GlobalMaxPooling2D(name="image_global_pool")(x)\n'
        '    x = keras.layers.Dense(16, activation="relu", name="image_hidden")(x)\n'
        '    x = keras.layers.Dropout(0.3, name="image_head_dropout")(x)\n'
        '    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax", '
        'name="image_output")(x))',
    ),
    # every conv layer starts from the 3 colour channels, not from the previous layer's filters
    "q2_image_cnn_parameters": (
        "q2_code",
        "def image_cnn_parameters(filters, num_classes=3):\n"
        "    total = sum(3 * 3 * 3 * count + count for count in filters)\n"
        "    return int(total + filters[-1] * num_classes + num_classes)",
    ),
    # a CNN from scratch on 300 images: the lesson's learning curve says it cannot
    "q3_train_image_classifier": (
        "q3_code",
        "def train_image_classifier(images, labels):\n"
        "    runtime.seed_everything(0)\n"
        "    model = image.build_image_cnn(filters=(8, 16, 16))\n"
        "    train(model, (images, labels), epochs=3, learning_rate=1e-3, verbose=0)\n"
        "    return model",
    ),
}
