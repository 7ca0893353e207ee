"""Near-miss answers of ex05 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # the lesson's by-hand cell in keras.ops: log(sum(exp(logits))) overflows float32 at
    # temperature 0.01 (exp(100) = inf); right at the visible tests' temperatures
    "q1_infonce_losses": (
        "q1_code",
        "def infonce_losses(text, image, temperature):\n"
        '    text = ops.normalize(ops.cast(text, "float32"), axis=1)\n'
        '    image = ops.normalize(ops.cast(image, "float32"), axis=1)\n'
        "    logits = ops.matmul(text, ops.transpose(image)) / temperature\n"
        "    exp = ops.exp(logits)\n"
        "    log_p_image = logits - ops.log(ops.sum(exp, axis=1, keepdims=True))\n"
        "    log_p_text = logits - ops.log(ops.sum(exp, axis=0, keepdims=True))\n"
        "    return -ops.diagonal(log_p_image), -ops.diagonal(log_p_text)",
    ),
    # ranks each COLUMN (image -> text) instead of each row (text -> image)
    "q2_recall_at_k": (
        "q2_code",
        "def recall_at_k(similarity, k):\n"
        "    similarity = np.asarray(similarity)\n"
        '    top = np.argsort(-similarity, axis=0, kind="stable")[:k, :]\n'
        "    hits = (top == np.arange(len(similarity))[None, :]).any(axis=0)\n"
        "    return float(hits.mean())",
    ),
    # a fixed temperature of 1 (plain cosines as logits): the softmax stays too flat
    "q3_train_retrieval_towers": (
        "q3_code",
        "def train_retrieval_towers(text_bags, image_features):\n"
        "    runtime.seed_everything(0)\n"
        "    text_in = keras.Input((text_bags.shape[1],))\n"
        "    image_in = keras.Input((image_features.shape[1],))\n"
        "    text = keras.layers.UnitNormalization()(keras.layers.Dense(32)(text_in))\n"
        "    image = keras.layers.UnitNormalization()(keras.layers.Dense(32)(image_in))\n"
        "    logits = keras.layers.Lambda(\n"
        "        lambda pair: ops.matmul(pair[0], ops.transpose(pair[1]))\n"
        "    )([text, image])\n"
        "    model = keras.Model([text_in, image_in], logits)\n"
        "    model.compile(optimizer=keras.optimizers.Adam(1e-2), "
        "loss=contrastive.SymmetricInfoNCE())\n"
        "    zeros = np.zeros(len(text_bags), 'float32')\n"
        "    model.fit([text_bags, image_features], zeros, batch_size=128, epochs=8, verbose=0)\n"
        "    return keras.Model(text_in, text), keras.Model(image_in, image)",
    ),
}
