"""Scripts that make the course's pretrained artefacts (word vectors, image encoder)."""
