"""Frozen pretrained sentence vectors of a caption batch (all-MiniLM-L6-v2, `sgfns.text.pretrained`).

Models that read captions through the pretrained encoder take the batch's raw `text` rather than the project's
token ids, so a word the training captions never used still means something. The encoder is frozen and not part
of the model's weights: a run folder stays small, and the published weights are checked each time they load."""

from __future__ import annotations

import torch
from torch import Tensor

from sgfns.errors import UserError


def sentence_vectors(b: dict, device: torch.device) -> Tensor:
    """[B, 384] L2-normalised sentence vectors of the caption batch `b` (its `text` key)."""
    from sgfns.text.pretrained import sentence_encoder

    texts = b.get("text")
    if texts is None:
        raise UserError("this model reads caption texts; the caption batch has no 'text' key")
    return sentence_encoder().encode([str(t) for t in texts]).to(device)


def word_vectors(words: list[str]) -> Tensor:
    """[len(words), 384] pretrained vectors of single words (each word encoded as a one-word sentence)."""
    from sgfns.text.pretrained import sentence_encoder

    return sentence_encoder().encode(words)
