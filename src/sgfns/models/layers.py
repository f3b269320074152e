"""Small shared pieces: masked pooling, L2 normalisation, an MLP, and label embeddings from word embeddings."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def l2norm(x: Tensor, dim: int = -1, eps: float = 1e-8) -> Tensor:
    return x / x.norm(dim=dim, keepdim=True).clamp_min(eps)


def masked_mean(x: Tensor, mask: Tensor, dim: int = 1) -> Tensor:
    """Mean of `x` [..., L, d] over the True positions of `mask` [..., L]; zeros where nothing is True."""
    m = mask.to(x.dtype).unsqueeze(-1)
    return (x * m).sum(dim) / m.sum(dim).clamp_min(1.0)


class MLP(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int, act: type[nn.Module] = nn.ReLU) -> None:
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.act = act()
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))


def embed_labels(emb: nn.Embedding, ids: Tensor) -> Tensor:
    """Mean word embedding of each label: `ids` [..., K] word ids (0 = padding) -> [..., word_dim]."""
    m = (ids != 0).to(emb.weight.dtype)
    return (emb(ids) * m.unsqueeze(-1)).sum(-2) / m.sum(-1, keepdim=True).clamp_min(1.0)


def embed_label_sets(emb: nn.Embedding, ids: Tensor) -> Tensor:
    """Mean over a set of labels (e.g. an object's attributes): `ids` [..., A, K] -> [..., word_dim]."""
    present = (ids != 0).any(-1)
    return masked_mean(embed_labels(emb, ids), present, dim=-2)


def gather_nodes(nodes: Tensor, index: Tensor) -> Tensor:
    """`nodes` [B, L, d], `index` [B, E] (clamped to valid range) -> [B, E, d]."""
    idx = index.clamp(0, nodes.shape[1] - 1)
    return torch.gather(nodes, 1, idx.unsqueeze(-1).expand(-1, -1, nodes.shape[-1]))


def leaky_clipped_l2norm(x: Tensor, mask: Tensor, dim: int) -> Tensor:
    """SCAN's attention normalisation: LeakyReLU(0.1) then L2 norm along `dim` over masked entries."""
    x = F.leaky_relu(x, 0.1) * mask.to(x.dtype)
    return x / x.norm(dim=dim, keepdim=True).clamp_min(1e-8)
