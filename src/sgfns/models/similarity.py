"""Fine-grained node matching: for each (image, caption) pair, the mean over the caption's real nodes of the best
dot product with any of the image's real nodes (nodes are L2-normalised, so dot product = cosine).

Why this shape: the score decomposes into one big matmul between *independently* encoded node sets followed by
cheap reductions, so exhaustive retrieval is dense algebra rather than per-pair cross attention."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["node_match", "node_match_reference"]


def _check(img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor) -> None:
    if img_nodes.dim() != 3 or txt_nodes.dim() != 3:
        raise ValueError(f"node sets must be [N, L, d], got {tuple(img_nodes.shape)} and {tuple(txt_nodes.shape)}")
    if img_nodes.shape[-1] != txt_nodes.shape[-1]:
        raise ValueError(f"node dims differ: {img_nodes.shape[-1]} vs {txt_nodes.shape[-1]}")
    if img_mask.shape != img_nodes.shape[:2] or txt_mask.shape != txt_nodes.shape[:2]:
        raise ValueError("masks must be [N, L] matching their node sets")


def node_match_reference(img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor) -> Tensor:
    """Padded, differentiable version: [Ni, Li, Nc, Lt] scores, padded image nodes set to -inf before the max,
    padded caption nodes excluded from the mean."""
    _check(img_nodes, img_mask, txt_nodes, txt_mask)
    ni, li, d = img_nodes.shape
    nc, lt, _ = txt_nodes.shape
    s = (img_nodes.reshape(ni * li, d) @ txt_nodes.reshape(nc * lt, d).T).view(ni, li, nc, lt)
    s = s.masked_fill(~img_mask.view(ni, li, 1, 1), float("-inf"))
    best = s.amax(dim=1)  # [Ni, Nc, Lt]
    tm = txt_mask.view(1, nc, lt)
    best = torch.where(tm, best, torch.zeros((), dtype=best.dtype, device=best.device))
    return best.sum(-1) / tm.sum(-1).clamp_min(1).to(best.dtype)


def node_match(img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor) -> Tensor:
    """[Ni, Nc] matrix of mean-over-caption-nodes of max-over-image-nodes dot products."""
    return node_match_reference(img_nodes, img_mask, txt_nodes, txt_mask)
