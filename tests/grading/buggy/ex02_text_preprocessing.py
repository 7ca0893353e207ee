"""Near-miss answers of ex02 (see `tests/grading/buggy/__init__.py`)."""

BUGS = {
    # off by one: "fewer than L tokens" instead of "at most L"
    "q1_sequence_length": (
        "q1_code",
        "def sequence_length_for(texts, share=0.95):\n"
        "    lengths = np.array([len(vectorize.simple_tokens(t)) for t in texts])\n"
        "    for length in range(int(lengths.max()) + 2):\n"
        "        if (lengths < length).mean() >= share:\n"
        "            return length\n"
        "    return int(lengths.max())",
    ),
    # pads at the front (Keras' old pad_sequences default) instead of the end
    "q2_pad_sequences": (
        "q2_code",
        "def pad_sequences(sequences, length):\n"
        '    padded = np.zeros((len(sequences), length), dtype="int32")\n'
        "    for row, sequence in enumerate(sequences):\n"
        "        kept = list(sequence)[:length]\n"
        "        if kept:\n"
        "            padded[row, length - len(kept) :] = kept\n"
        "    return padded",
    ),
    # counts distinct words instead of every token
    "q3_unknown_share": (
        "q3_code",
        "def unknown_share(fit_texts, eval_texts):\n"
        "    known = {t for text in fit_texts for t in vectorize.simple_tokens(text)}\n"
        "    tokens = {t for text in eval_texts for t in vectorize.simple_tokens(text)}\n"
        "    if not tokens:\n"
        "        return 0.0\n"
        "    return sum(t not in known for t in tokens) / len(tokens)",
    ),
    # never checks that every line has as many values as the first
    "q4_parse_glove": (
        "q4_code",
        "def parse_glove(lines):\n"
        "    words, rows = [], []\n"
        "    for line in lines:\n"
        "        word, *values = line.split()\n"
        "        words.append(word)\n"
        "        rows.append([float(v) for v in values])\n"
        "    width = max(len(r) for r in rows)\n"
        "    rows = [r + [0.0] * (width - len(r)) for r in rows]\n"
        '    return words, np.asarray(rows, dtype="float32")',
    ),
    # the dot product instead of the cosine: long vectors win
    "q5_most_similar": (
        "q5_code",
        "def most_similar(word, words, vectors):\n"
        "    words = list(words)\n"
        '    vectors = np.asarray(vectors, dtype="float64")\n'
        "    similarity = vectors @ vectors[words.index(word)]\n"
        "    similarity[words.index(word)] = -np.inf\n"
        "    return words[int(np.argmax(similarity))]",
    ),
}
