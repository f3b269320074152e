"""Scene-graph fusion (docs/method.md#fusion-with-context): every graph node attends to its own modality's unstructured
context (regions for an image, words for a caption) and takes in what it finds through a gated residual,

    c = softmax(q(n)·k(C)/√d) C,   g = σ(W_g [n; c]),   n' = n + g ⊙ W_c c,

so graph structure and raw context end up in one node set while the score stays decomposable (no cross-modal
attention). The gate lets a node ignore context that its graph already explains."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class GatedContextFusion(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.c = nn.Linear(d, d)
        self.gate = nn.Linear(2 * d, d)
        nn.init.constant_(self.gate.bias, -1.0)  # start mostly closed: graph nodes first, context as a correction
        self.scale = 1.0 / math.sqrt(d)

    def forward(self, nodes: Tensor, mask: Tensor, ctx: Tensor, ctx_mask: Tensor) -> Tensor:
        att = torch.einsum("bnd,btd->bnt", self.q(nodes), self.k(ctx)) * self.scale
        att = att.masked_fill(~ctx_mask.unsqueeze(1), float("-inf")).softmax(-1)
        att = torch.nan_to_num(att, nan=0.0)  # an empty context (never in practice) contributes nothing
        c = torch.einsum("bnt,btd->bnd", att, ctx)
        g = torch.sigmoid(self.gate(torch.cat([nodes, c], -1)))
        return (nodes + g * self.c(c)) * mask.unsqueeze(-1).to(nodes.dtype)
