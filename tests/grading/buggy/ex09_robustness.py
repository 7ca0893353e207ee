"""Near-miss answers of ex09 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # writes the zeros into the arrays it was given (and returns them): the blanked view is
    # right, but the caller's full inputs are blanked for good
    "q1_blank_modality": (
        "q1_code",
        "def blank_modality(inputs, modality):\n"
        '    if modality == "text":\n'
        '        names = ["tokens"]\n'
        '    elif modality == "image":\n'
        '        names = [n for n in ("image", "image_grid", "image_features") if n in inputs]\n'
        "    else:\n"
        '        raise ValueError(f"unknown modality {modality!r}")\n'
        "    for name in names:\n"
        "        inputs[name][...] = 0\n"
        "    return inputs",
    ),
    # reads "text_missing" as "the text alone": blanks the image for it, and the text for
    # "image_missing"
    "q2_missing_modality_accuracy": (
        "q2_code",
        "def missing_modality_accuracy(model, inputs, labels):\n"
        "    views = {\n"
        '        "full": inputs,\n'
        '        "text_missing": blank_modality(inputs, "image"),\n'
        '        "image_missing": blank_modality(inputs, "text"),\n'
        '        "both_missing": blank_modality(blank_modality(inputs, "text"), "image"),\n'
        "    }\n"
        "    labels = np.asarray(labels)\n"
        "    return {\n"
        "        view: float(np.mean(model.predict(x, verbose=0).argmax(-1) == labels))\n"
        "        for view, x in views.items()\n"
        "    }",
    ),
    # counts a phenomenon's correct posts over all the posts, not over that phenomenon's
    "q3_missing_by_phenomenon": (
        "q3_code",
        "def missing_by_phenomenon(model, inputs, labels, phenomena):\n"
        "    labels, phenomena = np.asarray(labels), np.asarray(phenomena)\n"
        "    views = {\n"
        '        "full": inputs,\n'
        '        "text_missing": blank_modality(inputs, "text"),\n'
        '        "image_missing": blank_modality(inputs, "image"),\n'
        '        "both_missing": blank_modality(blank_modality(inputs, "text"), "image"),\n'
        "    }\n"
        "    table = {}\n"
        "    for view, x in views.items():\n"
        "        right = model.predict(x, verbose=0).argmax(-1) == labels\n"
        "        table[view] = {\n"
        "            name: float(np.sum(right & (phenomena == name)) / len(labels))\n"
        "            for name in sorted(set(phenomena))\n"
        "        }\n"
        "    return pd.DataFrame(table)",
    ),
    # one independent draw per modality: each rate is right, but a post can lose both
    "q4_missing_modality_layer": (
        "q4_code",
        "def missing_modality_class():\n"
        "    class MissingModality(keras.layers.Layer):\n"
        "        def __init__(self, text_rate=0.2, image_rate=0.2, *, seed=None, **kwargs):\n"
        "            super().__init__(**kwargs)\n"
        "            if not (0 <= text_rate <= 1 and 0 <= image_rate <= 1) or (\n"
        "                text_rate + image_rate > 1\n"
        "            ):\n"
        '                raise ValueError("rates must be in [0, 1] and sum to at most 1")\n'
        "            self.text_rate, self.image_rate, self.seed = text_rate, image_rate, seed\n"
        "            self.seed_generator = keras.random.SeedGenerator(seed)\n"
        "\n"
        "        def call(self, inputs, training=None):\n"
        '            tokens, features = inputs["tokens"], inputs["image_features"]\n'
        "            if not training:\n"
        '                return {"tokens": tokens, "image_features": features}\n'
        "            batch = keras.ops.shape(tokens)[0]\n"
        "            text_u = keras.random.uniform((batch,), seed=self.seed_generator)\n"
        "            image_u = keras.random.uniform((batch,), seed=self.seed_generator)\n"
        "\n"
        "            def keep(x, u, rate):\n"
        "                mask = keras.ops.cast(u >= rate, x.dtype)\n"
        "                return x * keras.ops.reshape(mask, [batch] + [1] * (len(x.shape) - 1))\n"
        "\n"
        "            return {\n"
        '                "tokens": keep(tokens, text_u, self.text_rate),\n'
        '                "image_features": keep(features, image_u, self.image_rate),\n'
        "            }\n"
        "\n"
        "        def get_config(self):\n"
        "            return {\n"
        "                **super().get_config(),\n"
        '                "text_rate": self.text_rate,\n'
        '                "image_rate": self.image_rate,\n'
        '                "seed": self.seed,\n'
        "            }\n"
        "\n"
        "    return MissingModality",
    ),
}
