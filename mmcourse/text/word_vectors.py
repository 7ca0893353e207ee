"""Word vectors in GloVe text format: read, write, turn into an `Embedding` matrix, explore.

GloVe text format is one word per line, the word then its numbers, separated by single
spaces, no header: `happy 0.125 -0.5 ...`. The course ships its own vectors in this format
(`datasets/word_vectors/`, made by `python -m mmcourse.pretrain.word_vectors`); the same
loader reads the public GloVe files (`glove.6B.50d.txt`) if you download them yourself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mmcourse import paths

VECTORS_DIR = paths.shipped_dataset("word_vectors")
COURSE_VECTORS = VECTORS_DIR / "moodvec-32d.txt"


def load_word_vectors(path: str | Path, *, sha256: str | None = None):
    """Read a GloVe-format text file.

    Blank lines are **rejected**, not skipped: GloVe files have none, so one is a sign of a
    truncated or concatenated file. A trailing newline at the end of the file is fine.

    Args:
        path: the `.txt` file.
        sha256: when given, the file's SHA-256 must match (checked before parsing).

    Returns:
        `(words, vectors)`: a list of `N` words and a float32 array of shape `(N, dim)`.

    Raises:
        ValueError: naming the file and the 1-based line for an empty file, a blank line, a
            line with a different number of values than the first, a value that is not a
            number, a duplicate word (with the line of its first occurrence), a
            word2vec-style header line, or a checksum mismatch.
    """
    path = Path(path)
    data = path.read_bytes()
    if sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise ValueError(
                f"{path}: SHA-256 mismatch (expected {sha256}, got {actual}); "
                "the file is damaged or was replaced."
            )
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    if not lines:
        raise ValueError(f"{path}: the file is empty (expected 'word v1 v2 ...' lines).")
    words: list[str] = []
    rows: list[list[float]] = []
    first_seen: dict[str, int] = {}
    dim = None
    for number, line in enumerate(lines, start=1):
        where = f"{path}, line {number}"
        parts = line.rstrip("\r").split(" ")
        if not line.strip():
            raise ValueError(f"{where}: blank line (GloVe files have none).")
        if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
            raise ValueError(
                f"{where}: looks like a word2vec header ('{line.strip()}'); "
                "GloVe text format has no header: remove the first line."
            )
        word, values = parts[0], [p for p in parts[1:] if p != ""]
        if not values:
            raise ValueError(f"{where}: word {word!r} has no values.")
        if dim is None:
            dim = len(values)
        elif len(values) != dim:
            raise ValueError(
                f"{where}: word {word!r} has {len(values)} values, expected {dim} "
                "(the dimension of line 1)."
            )
        try:
            vector = [float(v) for v in values]
        except ValueError:
            bad = next(v for v in values if not _is_number(v))
            raise ValueError(f"{where}: {bad!r} (word {word!r}) is not a number.") from None
        if word in first_seen:
            raise ValueError(
                f"{where}: duplicate word {word!r} (first on line {first_seen[word]})."
            )
        first_seen[word] = number
        words.append(word)
        rows.append(vector)
    return words, np.asarray(rows, dtype="float32")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def save_word_vectors(path: str | Path, words: Sequence[str], vectors, *, decimals: int = 5):
    """Write `words` and their `vectors` in GloVe text format; returns the file's SHA-256."""
    vectors = np.asarray(vectors, dtype="float32")
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(
            f"Need one vector per word. Received: {len(words)} words, vectors {vectors.shape}"
        )
    for word in words:
        if not word or any(c.isspace() for c in word):
            raise ValueError(f"Words must be non-empty without spaces. Received: {word!r}")
    if len(set(words)) != len(words):
        raise ValueError("words contains duplicates.")
    lines = [
        " ".join([word, *(f"{v:.{decimals}f}" for v in row)]) for word, row in zip(words, vectors)
    ]
    text = "\n".join(lines) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_course_vectors(path: str | Path = COURSE_VECTORS):
    """The course's pretrained vectors, checked against the `.sha256` file beside them."""
    path = Path(path)
    checksum = path.with_name(path.name + ".sha256")
    if not checksum.is_file():
        raise ValueError(f"{checksum} is missing: cannot check {path.name}.")
    return load_word_vectors(path, sha256=checksum.read_text().split()[0])


def embedding_matrix(vocabulary: Sequence[str], words: Sequence[str], vectors, *, seed: int = 0):
    """Rows of `vectors` in the order of a `TextVectorization` vocabulary.

    Padding (`""`, index 0) gets zeros; a word the vectors lack (`[UNK]` included) gets a small
    random vector with the vectors' own spread, so a trainable layer can still learn it.

    Returns:
        `(matrix, coverage)`: a float32 `(len(vocabulary), dim)` array and a dict with
        `found`, `missing` (counts) and `missing_words` (list).
    """
    vectors = np.asarray(vectors, dtype="float32")
    lookup = {word: i for i, word in enumerate(words)}
    rng = np.random.default_rng(seed)
    scale = float(vectors.std()) if vectors.size else 0.1
    matrix = rng.normal(0.0, scale, size=(len(vocabulary), vectors.shape[1])).astype("float32")
    missing = []
    for index, word in enumerate(vocabulary):
        if word == "":
            matrix[index] = 0.0
        elif word in lookup:
            matrix[index] = vectors[lookup[word]]
        else:
            missing.append(word)
    found = sum(1 for w in vocabulary if w in lookup)
    return matrix, {"found": found, "missing": len(missing), "missing_words": missing}


def nearest_neighbours(word: str, words: Sequence[str], vectors, *, k: int = 5):
    """The `k` words closest to `word` by cosine similarity, as `[(word, similarity), ...]`."""
    words = list(words)
    if word not in words:
        raise ValueError(f"{word!r} is not in the vocabulary of {len(words)} words.")
    vectors = np.asarray(vectors, dtype="float32")
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-8)
    similarity = unit @ unit[words.index(word)]
    order = [i for i in np.argsort(-similarity) if words[i] != word][:k]
    return [(words[i], round(float(similarity[i]), 3)) for i in order]


def pca_2d(vectors) -> np.ndarray:
    """Project vectors on their first two principal components (for a 2-D map)."""
    vectors = np.asarray(vectors, dtype="float64")
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    return (centred @ components[:2].T).astype("float32")


def plot_embedding_map(words: Sequence[str], vectors, *, highlight=None, axis=None):
    """A 2-D PCA map of word vectors, words written at their points (optionally coloured)."""
    import matplotlib.pyplot as plt

    points = pca_2d(vectors)
    highlight = highlight or {}
    if axis is None:
        _, axis = plt.subplots(figsize=(7, 5.5))
    axis.scatter(points[:, 0], points[:, 1], s=6, color="lightgray")
    for word, (x, y) in zip(words, points):
        axis.annotate(word, (x, y), fontsize=7, color=highlight.get(word, "dimgray"))
    axis.set_xlabel("PC 1")
    axis.set_ylabel("PC 2")
    return axis
