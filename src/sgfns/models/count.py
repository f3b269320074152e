"""Count term S_count (docs/method.md#the-count-term): a caption object with a known count n compares n with a soft
count of the image's object nodes that match it, ĉ = Σ_l σ(κ (cos(t, v_l) − τ)); the term is −|log(1+ĉ) − log(1+n)|
averaged over the caption's counted objects (0 when it has none). τ is learned; κ is fixed unless `learn_kappa` (then
learned as log κ, so it stays positive).

`count_keys` builds the node sets the term counts over when a model keeps them apart from its matching nodes
(SGFNS `count_keys`: one shared projection of each object's label embedding, so an image label and a caption name
that are the same word have cosine 1, and two different words what their learned embeddings give). Matching
nodes are a poor basis for counting: graph convolution and context fusion mix each node with its neighbours and
its image, so the nodes of one kind do not stay alike and unlike the others (docs/negatives.md, "Count")."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from sgfns.models.layers import l2norm


class SoftCount(nn.Module):
    def __init__(self, kappa: float = 10.0, tau: float = 0.5, learn_kappa: bool = False) -> None:
        super().__init__()
        self._kappa = kappa
        self.log_kappa = nn.Parameter(torch.tensor(math.log(kappa))) if learn_kappa else None
        self.tau = nn.Parameter(torch.tensor(float(tau)))

    @property
    def kappa(self) -> Tensor | float:
        return self.log_kappa.exp() if self.log_kappa is not None else self._kappa

    def forward(self, img: Tensor, img_mask: Tensor, txt: Tensor, txt_mask: Tensor, counts: Tensor) -> Tensor:
        """img [Ni, Li, d], txt [Nc, Lt, d] (L2-normalised), counts [Nc, Lt] (-1 unknown) -> [Ni, Nc]."""
        s = torch.einsum("ild,ctd->ictl", img, txt)
        return count_term(self.soft_count(s, img_mask[:, None, None, :], -1), counts, txt_mask)  # ĉ: [Ni, Nc, Lt]

    def soft_count(self, scores: Tensor, img_mask: Tensor, dim: int) -> Tensor:
        """ĉ = Σ σ(κ (cos − τ)) over the image nodes along `dim` of `scores`; `img_mask` broadcasts to `scores`."""
        return (torch.sigmoid(self.kappa * (scores - self.tau)) * img_mask.to(scores.dtype)).sum(dim)


def count_term(soft: Tensor, counts: Tensor, txt_mask: Tensor) -> Tensor:
    """−|log(1+ĉ) − log(1+n)| averaged over the caption objects with a known count (last dim; 0 when none):
    `soft` [..., Lt] soft counts, `counts` / `txt_mask` [..., Lt] (broadcast), -1 = unknown."""
    known = (counts >= 1) & txt_mask
    diff = -(torch.log1p(soft) - torch.log1p(counts.clamp_min(0).to(soft.dtype))).abs()
    return (diff * known.to(soft.dtype)).sum(-1) / known.sum(-1).clamp_min(1).to(soft.dtype)


def count_keys(nodes: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """L2-normalised count keys and their mask; a set without any real node gets one zero key in its first slot
    (cosine 0 with everything: it adds σ(−κτ) ≈ 0 to a soft count) so the node-pair kernels, which need a real
    node in every set, accept it."""
    empty = ~mask.any(1)
    keys = l2norm(nodes) * mask.unsqueeze(-1).to(nodes.dtype)
    if bool(empty.any()):
        mask = mask.clone()
        mask[empty, 0] = True
    return keys, mask
