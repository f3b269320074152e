"""Node centring: subtract the component that every node of one kind shares before the cosine.

Relation nodes built by an MLP over [subject; predicate; object] tend to share one large direction (on the
synthetic world, the relation nodes of one image had a mean pairwise cosine of 0.90 after training), so the max-cosine
matching of S_rel barely changes between 'A left of B' and 'B left of A'. Centring removes that shared direction:
the nodes are shifted by a running mean of the real nodes seen in training (an exponential moving average, like
batch norm's running statistics, without scaling and without gradient through the mean). Because the shift is a
buffer and not the current batch's mean, an item's encoding does not depend on the rest of its batch — positives,
generated negatives and evaluation chunks are encoded alike."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class NodeCentering(nn.Module):
    def __init__(self, d: int, momentum: float = 0.05) -> None:
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(d))

    def forward(self, nodes: Tensor, mask: Tensor) -> Tensor:
        """nodes [B, L, d], mask [B, L] (real nodes) -> nodes minus the running mean (padding stays zero)."""
        if self.training and torch.is_grad_enabled() and bool(mask.any()):
            with torch.no_grad():
                self.mean.lerp_(nodes[mask].mean(0).to(self.mean.dtype), self.momentum)
        return (nodes - self.mean.to(nodes.dtype)) * mask.unsqueeze(-1).to(nodes.dtype)
