"""Region features: area-weighted average pooling of the backbone's feature map inside each box.

Each map cell covers a 1/h x 1/w tile of the photo; a box's feature is the mean of the cells weighted by how much
of each cell the box covers. The weights are separable (rows x columns), so pooling R boxes is one einsum — no
torchvision RoIAlign needed — and a box that covers the whole photo gives exactly the global average pool, the
classifier's input. A box thinner than a cell still gets the cell(s) it lies in."""

from __future__ import annotations

import torch


def cover_weights(lo: torch.Tensor, hi: torch.Tensor, cells: int) -> torch.Tensor:
    """[R] interval ends in [0, 1] -> [R, cells] share of each cell inside the interval, rows summing to 1."""
    edges = torch.arange(cells + 1, dtype=lo.dtype, device=lo.device) / cells
    left, right = edges[:-1], edges[1:]
    hi = torch.maximum(hi, lo + 1e-6)
    overlap = (torch.minimum(hi[:, None], right[None]) - torch.maximum(lo[:, None], left[None])).clamp(min=0)
    total = overlap.sum(1, keepdim=True)
    # an interval too thin to register (or outside the photo): fall back to the cell holding its centre
    centre = ((lo + hi) / 2).clamp(0, 1 - 1e-6).mul(cells).long()
    fallback = torch.nn.functional.one_hot(centre, cells).to(lo.dtype)
    return torch.where(total > 1e-9, overlap / total.clamp(min=1e-12), fallback)


def roi_pool(feature_map: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """feature_map [C, h, w], boxes [R, 4] as xyxy fractions of the photo -> [R, C] pooled features."""
    _, h, w = feature_map.shape
    b = boxes.to(feature_map.device, torch.float32).clamp(0, 1)
    wy = cover_weights(b[:, 1], b[:, 3], h)
    wx = cover_weights(b[:, 0], b[:, 2], w)
    return torch.einsum("chw,rh,rw->rc", feature_map.float(), wy, wx)
