"""Pretrain the course's word vectors (skip-gram) on the MoodPosts training texts.

    python -m mmcourse.pretrain.word_vectors --out datasets/word_vectors/moodvec-32d.txt

Validation and test texts never contribute (fit on train only, as lesson 01 teaches: the
validation split chooses models, so nothing learned may have seen it): `corpus_texts` keeps
the train split only and raises if a validation or test post got through. Writes the vectors
in GloVe text format (padding and `[UNK]` left out), a `.sha256` file beside them (checked by
`word_vectors.load_course_vectors`) and a README with provenance.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from mmcourse.data import load_moodposts
from mmcourse.text import skipgram, vectorize, word_vectors

CORPUS_SPLITS = ("train",)
SEED = 2026


def corpus_texts(dataset) -> list[str]:
    """Texts of the train split; validation and test never contribute."""
    corpus = dataset.frame[dataset.frame["split"].isin(CORPUS_SPLITS)]
    if corpus["split"].isin(["val", "test"]).any():  # explicit, not `assert`: survives -O
        raise AssertionError("a validation or test post reached the word-vector corpus")
    if corpus.empty:
        raise ValueError(f"{dataset.name} has no {CORPUS_SPLITS} posts to learn vectors from.")
    return corpus["text"].astype(str).tolist()


def train_word_vectors(dataset, *, embedding_dim: int = 32, epochs: int = 3, seed: int = SEED):
    """`(words, vectors)` learned by skip-gram on `corpus_texts(dataset)`."""
    texts = corpus_texts(dataset)
    vectorizer = vectorize.make_vectorizer(texts, output_sequence_length=None)
    vocabulary = [str(w) for w in vectorizer.get_vocabulary()]
    sequences = vectorize.token_ids(vectorizer, texts)
    _, vectors, _ = skipgram.train_skipgram(
        sequences,
        vocabulary_size=len(vocabulary),
        embedding_dim=embedding_dim,
        epochs=epochs,
        seed=seed,
    )
    keep = [i for i, w in enumerate(vocabulary) if w not in (vectorize.PAD, vectorize.OOV)]
    return [vocabulary[i] for i in keep], vectors[keep]


README = """# Course word vectors

`{name}`: {num_words} words x {dim} dimensions, GloVe text format (`word v1 ... v{dim}`, no
header). Learned by skip-gram with negative sampling (window 2, 4 negatives, {epochs} epochs,
seed {seed}) on the {num_texts} MoodPosts **train** texts; validation and test texts never
contributed.
Made by `python -m mmcourse.pretrain.word_vectors --out {out}` ({seconds:.0f} s on CPU).
`{name}.sha256` holds the file's SHA-256, checked by
`mmcourse.text.word_vectors.load_course_vectors`.
License: CC0 1.0.
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=word_vectors.COURSE_VECTORS)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    dataset = load_moodposts()
    words, vectors = train_word_vectors(
        dataset, embedding_dim=args.dim, epochs=args.epochs, seed=args.seed
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    digest = word_vectors.save_word_vectors(args.out, words, np.round(vectors, 5))
    args.out.with_name(args.out.name + ".sha256").write_text(f"{digest}  {args.out.name}\n")
    seconds = time.perf_counter() - started
    (args.out.parent / "README.md").write_text(
        README.format(
            name=args.out.name,
            num_words=len(words),
            dim=vectors.shape[1],
            epochs=args.epochs,
            seed=args.seed,
            num_texts=len(corpus_texts(dataset)),
            out=args.out.as_posix(),
            seconds=seconds,
        )
    )
    print(f"wrote {args.out} ({len(words)} words x {vectors.shape[1]}), sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
