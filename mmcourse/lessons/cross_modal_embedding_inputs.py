"""What lesson 05's models read and what its autoencoders rebuild (NumPy, no training).

Every model reads a split's `INPUTS`, each post's tokens and image features side by side.

- `bag_of_words`: the text autoencoders' target, which words a text uses.
- `reconstruction_targets`: the bimodal autoencoder's two targets (bag of words, features).
- `one_modality_at_a_time`: every post twice, text alone then image alone, with both targets:
  how the bimodal autoencoder is validated, and how `cross_modal_embedding_space.embed` reads
  its shared code for one modality.
"""

from __future__ import annotations

import numpy as np

from mmcourse.fusion_data import FusionData

INPUTS = ("tokens", "image_features")  # what every model of the lesson reads


def bag_of_words(tokens, vocabulary_size: int) -> np.ndarray:
    """Multi-hot (num_texts, vocabulary_size) float32: which words a text uses.

    Ids 0 (padding) and 1 (out of vocabulary) are left out: they say nothing about the text.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or (tokens.size and (tokens.min() < 0 or tokens.max() >= vocabulary_size)):
        raise ValueError(
            f"tokens must be (num_texts, length) ids in [0, {vocabulary_size}). "
            f"Received: shape={tokens.shape}"
        )
    words = np.zeros((len(tokens), vocabulary_size), "float32")
    words[np.repeat(np.arange(len(tokens)), tokens.shape[1]), tokens.ravel()] = 1.0
    words[:, :2] = 0.0
    return words


def reconstruction_targets(data: FusionData, split: str) -> dict:
    """The bimodal autoencoder's targets on one split: `text_reconstruction` (the texts'
    `bag_of_words`) and `image_reconstruction` (the image features themselves)."""
    part = data.inputs(split, INPUTS)
    return {
        "text_reconstruction": bag_of_words(part["tokens"], data.vocabulary_size),
        "image_reconstruction": part["image_features"],
    }


def one_modality_at_a_time(data: FusionData, split: str) -> tuple[dict, dict]:
    """Inputs and reconstruction targets with every post twice: text alone, image alone.

    What the bimodal autoencoder is validated on: the way it is used (one modality in, both
    out), not on both inputs at once, which it never sees when `modality_dropout=1.0`.
    """
    part, targets = data.inputs(split, INPUTS), reconstruction_targets(data, split)
    blank = {name: np.zeros_like(array) for name, array in part.items()}
    inputs = {
        name: np.concatenate(
            [part[name], blank[name]] if name == "tokens" else [blank[name], part[name]]
        )
        for name in part
    }
    return inputs, {name: np.concatenate([t, t]) for name, t in targets.items()}
