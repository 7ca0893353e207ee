import numpy as np
import pytest

from mmcourse.text import word_vectors


def _write(tmp_path, text, name="vectors.txt"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_round_trip_and_checksum(tmp_path):
    words = ["happy", "sad", "dog"]
    vectors = np.array([[1, 0.5], [-1, 0.25], [0, 2]], "float32")
    path = tmp_path / "tiny.txt"
    digest = word_vectors.save_word_vectors(path, words, vectors)
    loaded_words, loaded = word_vectors.load_word_vectors(path, sha256=digest)
    assert loaded_words == words and loaded.dtype == np.float32
    np.testing.assert_allclose(loaded, vectors)
    with pytest.raises(ValueError, match="tiny.txt: SHA-256 mismatch"):
        word_vectors.load_word_vectors(path, sha256="0" * 64)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "vectors.txt: the file is empty"),
        ("a 1 2\nb 1 2 3\n", "vectors.txt, line 2: word 'b' has 3 values, expected 2"),
        ("a 1 2\nb 1 x\n", "vectors.txt, line 2: 'x' (word 'b') is not a number"),
        ("a 1 2\n\nb 1 2\n", "vectors.txt, line 2: blank line"),
        ("a 1 2\nb 1 2\na 3 4\n", "vectors.txt, line 3: duplicate word 'a' (first on line 1)"),
        ("2 2\na 1 2\n", "vectors.txt, line 1: looks like a word2vec header"),
        ("a\n", "vectors.txt, line 1: word 'a' has no values"),
    ],
    ids=["empty", "dimension", "not-a-number", "blank", "duplicate", "header", "no-values"],
)
def test_bad_files_name_the_file_and_line(tmp_path, text, fragment):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as info:
        word_vectors.load_word_vectors(path)
    assert fragment in str(info.value)


def test_embedding_matrix_coverage_and_neighbours():
    words = ["happy", "sad", "glad"]
    vectors = np.array([[1, 0], [-1, 0], [0.9, 0.1]], "float32")
    matrix, coverage = word_vectors.embedding_matrix(
        ["", "[UNK]", "happy", "cake"], words, vectors
    )
    assert matrix.shape == (4, 2) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[0], [0, 0])
    np.testing.assert_array_equal(matrix[2], [1, 0])
    assert coverage == {"found": 1, "missing": 2, "missing_words": ["[UNK]", "cake"]}
    assert word_vectors.nearest_neighbours("happy", words, vectors, k=2)[0][0] == "glad"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        word_vectors.nearest_neighbours("cake", words, vectors)
    assert word_vectors.pca_2d(vectors).shape == (3, 2)


def test_save_rejects_bad_words(tmp_path):
    with pytest.raises(ValueError, match="without spaces"):
        word_vectors.save_word_vectors(tmp_path / "x.txt", ["a b"], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="one vector per word"):
        word_vectors.save_word_vectors(tmp_path / "x.txt", ["a"], np.zeros((2, 2)))


def test_the_shipped_course_vectors_load_and_make_sense():
    words, vectors = word_vectors.load_course_vectors()
    assert vectors.shape == (len(words), 32) and "happy" in words
    assert "" not in words and "[UNK]" not in words
    neighbours = [w for w, _ in word_vectors.nearest_neighbours("happy", words, vectors, k=5)]
    assert not {"sad", "awful", "terrible", "dog"} & set(neighbours), neighbours
