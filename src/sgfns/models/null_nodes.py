"""Null nodes (docs/method.md#null-nodes): an empty node set (a caption without relations, an image without a scene
graph) is represented by one learned vector in its first slot, so node matching always averages over something and every
score stays on the same scale — never a NaN, never a silent 0 that would rank such pairs arbitrarily."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class NullNode(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.vec = nn.Parameter(torch.randn(d) * 0.1)

    def forward(self, nodes: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        empty = ~mask.any(1)  # [B]
        if not bool(empty.any()):
            return nodes, mask
        first = torch.zeros_like(mask)
        first[:, 0] = True
        put = first & empty.unsqueeze(1)  # [B, L]
        nodes = torch.where(put.unsqueeze(-1), self.vec.to(nodes.dtype).expand_as(nodes), nodes)
        return nodes, mask | put
