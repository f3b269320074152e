"""Count term S_count (DESIGN §2.5): a caption object with a known count n compares n with a soft count of the
image's object nodes that match it, ĉ = Σ_l σ(κ (cos(t, v_l) − τ)); the term is −|log(1+ĉ) − log(1+n)| averaged
over the caption's counted objects (0 when it has none). τ is learned; κ is fixed."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class SoftCount(nn.Module):
    def __init__(self, kappa: float = 10.0, tau: float = 0.5) -> None:
        super().__init__()
        self.kappa = kappa
        self.tau = nn.Parameter(torch.tensor(float(tau)))

    def forward(self, img: Tensor, img_mask: Tensor, txt: Tensor, txt_mask: Tensor, counts: Tensor) -> Tensor:
        """img [Ni, Li, d], txt [Nc, Lt, d] (L2-normalised), counts [Nc, Lt] (-1 unknown) -> [Ni, Nc]."""
        s = torch.einsum("ild,ctd->ictl", img, txt)
        p = torch.sigmoid(self.kappa * (s - self.tau)) * img_mask[:, None, None, :].to(s.dtype)
        soft = p.sum(-1)  # [Ni, Nc, Lt]
        known = (counts >= 1) & txt_mask  # [Nc, Lt]
        diff = -(torch.log1p(soft) - torch.log1p(counts.clamp_min(0).to(s.dtype))).abs()
        diff = diff * known.to(s.dtype)
        return diff.sum(-1) / known.sum(-1).clamp_min(1).to(s.dtype)
