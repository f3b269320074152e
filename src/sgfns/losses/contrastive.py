"""L_match: the VSE++ hinge triplet loss (Faghri et al., 2018) on an in-batch similarity matrix.

`sim[i, j]` scores image i against caption j of the same batch, where image i and caption i form the i-th positive
pair. `positives[i, j]` is True wherever caption j is true of image i (its own image, a duplicate image in the
batch, or a listed extra positive); those entries are never used as negatives — a caption true of two images must
not be pushed away from either. With `hardest=True` each positive pair is charged only for its hardest negative
in each direction (VSE++); with `hardest=False` for the sum of all violating negatives (the warm-up of VSE∞).
`info_nce` is the softmax alternative (`loss.name=infonce`), the usual loss for linear probes on frozen features."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def hinge_triplet(sim: Tensor, positives: Tensor, margin: float = 0.2, hardest: bool = True) -> Tensor:
    """Sum over the batch of both directions' hinge costs. `sim`, `positives`: [B, B] (rows images)."""
    if sim.dim() != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"expected a square in-batch similarity matrix, got {list(sim.shape)}")
    if positives.shape != sim.shape:
        raise ValueError("positive mask must match the similarity matrix")
    pos = sim.diagonal()
    neg = ~positives
    cost_cap = (margin + sim - pos.unsqueeze(1)).clamp_min(0) * neg  # image i vs caption j (i2t)
    cost_img = (margin + sim - pos.unsqueeze(0)).clamp_min(0) * neg  # caption j vs image i (t2i)
    if hardest:
        return cost_cap.amax(1).sum() + cost_img.amax(0).sum()
    return cost_cap.sum() + cost_img.sum()


def info_nce(sim: Tensor, positives: Tensor, temperature: float = 0.05) -> Tensor:
    """Symmetric InfoNCE (CLIP-style) on an in-batch similarity matrix, summed over the batch like the hinge.

    Row i's target is its diagonal entry; the batch's *other* positives of that row (another caption of the same
    image) are left out of the softmax rather than counted as negatives."""
    if sim.dim() != 2 or sim.shape[0] != sim.shape[1] or positives.shape != sim.shape:
        raise ValueError(f"expected a square in-batch similarity matrix and mask, got {list(sim.shape)}")
    eye = torch.eye(sim.shape[0], dtype=torch.bool, device=sim.device)
    logits = (sim / temperature).masked_fill(positives & ~eye, float("-inf"))
    target = torch.arange(sim.shape[0], device=sim.device)
    return F.cross_entropy(logits, target, reduction="sum") + F.cross_entropy(logits.T, target, reduction="sum")


def batch_positive_mask(
    image_index: Tensor, caption_index: Tensor, extra_positives: dict[int, list[int]] | None = None
) -> Tensor:
    """[B, B] mask: row i's image is a positive of column j's caption (same image, or listed extra positive)."""
    mask = image_index.unsqueeze(1) == image_index.unsqueeze(0)
    if extra_positives:
        rows = image_index.tolist()
        for j, c in enumerate(caption_index.tolist()):
            extra = extra_positives.get(int(c))
            if extra:
                ex = set(extra)
                for i, im in enumerate(rows):
                    if im in ex:
                        mask[i, j] = True
    return mask


__all__ = ["batch_positive_mask", "hinge_triplet", "info_nce"]
