"""Caption encoder: word embeddings (300-d, random init) -> bi-GRU, the two directions averaged (SCAN/SGM)."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class TextEncoder(nn.Module):
    def __init__(self, vocab_size: int, word_dim: int, embed_dim: int, layers: int = 1, bidirectional: bool = True):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        with torch.no_grad():
            self.embed.weight[0].zero_()
        self.gru = nn.GRU(word_dim, embed_dim, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.bidirectional = bidirectional

    def forward(self, tokens: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """-> states [B, T, d] (T = longest caption of the batch) and mask [B, T]."""
        x = self.embed(tokens)
        packed = pack_padded_sequence(x, lengths.cpu().clamp_min(1), batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])
        if self.bidirectional:
            d = out.shape[-1] // 2
            out = (out[..., :d] + out[..., d:]) / 2
        mask = torch.arange(tokens.shape[1], device=tokens.device)[None] < lengths.to(tokens.device)[:, None]
        return out, mask
