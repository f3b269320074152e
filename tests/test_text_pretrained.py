"""The pretrained sentence encoder (all-MiniLM-L6-v2 from its PyPI wheel, plain-PyTorch forward)."""

from __future__ import annotations

import shutil

import pytest
import torch

from sgfns.errors import UserError
from sgfns.text.pretrained import SentenceEncoder, model_dir, sentence_encoder


def test_embeddings_are_deterministic_384_d_and_unit_length():
    enc = sentence_encoder()
    texts = ["A man rides a horse on the beach.", "two dogs play in the snow"]
    a = enc.encode(texts)
    fresh = SentenceEncoder()  # a second load, nothing cached
    b = fresh.encode(texts)
    assert a.shape == (2, 384)
    assert torch.equal(a, b)
    assert torch.allclose(a.norm(dim=-1), torch.ones(2), atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_sentences():
    v = sentence_encoder().encode([
        "A man is riding a horse on the beach.",
        "A person rides a horse along the shore.",
        "A plate of pasta with tomato sauce.",
    ])
    sim = v @ v.T
    assert sim[0, 1] > 0.6 > 0.2 > sim[0, 2]


def test_batching_does_not_change_a_sentence_vector():
    """Padding to a longer sentence in the same batch leaves a vector unchanged (the mask is honoured)."""
    enc = SentenceEncoder()
    alone = enc.encode(["a cat"])
    enc._cache.clear()
    padded = enc.encode(["a cat", "a very long sentence about a cat sitting on a red sofa next to a window"])
    assert torch.allclose(alone[0], padded[0], atol=1e-5)


def test_weights_checksum_mismatch_is_a_one_line_error(tmp_path):
    src = model_dir()
    shutil.copy(src / "tokenizer.json", tmp_path / "tokenizer.json")
    (tmp_path / "model.safetensors").write_bytes(b"not the published weights")
    with pytest.raises(UserError, match="sha256") as e:
        SentenceEncoder(tmp_path)
    assert "\n" not in str(e.value) and "model.safetensors" in str(e.value)
