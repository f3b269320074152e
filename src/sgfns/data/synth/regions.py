"""The fixed-size region set of an image: up to R segment proposals (largest first), then background fill regions.

Fill regions are the background pixels of the 3x3 grid cells, measured at half resolution (they only need to look
like background), repeated when an image has fewer than R - 9 segments. `extract_regions` works on any RGB image of
the world's style — the demo can featurise a new picture with it — and depends on nothing but the pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from sgfns.data.synth.features import FEATURE_DIM, region_features
from sgfns.data.synth.proposals import segment
from sgfns.data.synth.render import pattern_period

REGIONS = 12


@dataclass
class RegionBatch:
    features: np.ndarray  # [B, R, D] float32
    boxes: np.ndarray  # [B, R, 4] float32, xyxy normalised
    is_segment: np.ndarray  # [B, R] bool
    segment_id: np.ndarray  # [B, R] int: id in `labels` (1-based) or 0 for fill regions
    n_segments: np.ndarray  # [B] segments found (before truncation to R)
    labels: np.ndarray  # [B, S, S] segment ids
    img_of: np.ndarray  # [K] image of each segment id - 1


def _cells(S: int) -> tuple[np.ndarray, np.ndarray]:
    cell = np.minimum(np.arange(S) * 3 // S, 2)
    cell_map = (cell[:, None] * 3 + cell[None, :]).astype(np.int64)
    boxes = np.array([[c % 3 * S / 3, c // 3 * S / 3, (c % 3 + 1) * S / 3, (c // 3 + 1) * S / 3] for c in range(9)])
    return cell_map, boxes


def extract_regions(images: np.ndarray, regions: int = REGIONS) -> RegionBatch:
    """images: uint8 [B, S, S, 3] (square) -> R regions per image with features from the pixels only."""
    if images.ndim == 3:
        images = images[None]
    B, S = images.shape[0], images.shape[1]
    if images.shape[2] != S or images.shape[3] != 3 or images.dtype != np.uint8:
        raise ValueError(f"expected uint8 [B, S, S, 3] images, got {images.dtype} {list(images.shape)}")
    lab, img_of, sm = segment(images, pattern_period(S))
    K = len(img_of)
    sl = ndimage.find_objects(lab, max_label=K)
    seg_boxes = np.array([[s[2].start, s[1].start, s[2].stop, s[1].stop] for s in sl], dtype=np.float64).reshape(-1, 4)
    seg_feat = region_features(images, sm, lab, K, seg_boxes)
    seg_area = np.bincount(lab.ravel(), minlength=K + 1)[1:]
    cell_map, cell_boxes = _cells(S)
    half = lab[:, ::2, ::2] == 0
    cells_lab = np.where(half, np.arange(B)[:, None, None] * 9 + cell_map[None, ::2, ::2] + 1, 0)
    cells_feat = region_features(
        images[:, ::2, ::2], sm[:, ::2, ::2], cells_lab, 9 * B, np.tile(cell_boxes / 2, (B, 1))
    )
    feats = np.zeros((B, regions, FEATURE_DIM), dtype=np.float32)
    boxes = np.zeros((B, regions, 4), dtype=np.float32)
    is_seg = np.zeros((B, regions), dtype=bool)
    seg_id = np.zeros((B, regions), dtype=np.int64)
    n_seg = np.bincount(img_of, minlength=B)
    order = np.lexsort((np.arange(K), -seg_area, img_of))  # per image, largest first (ties: lower id)
    starts = np.concatenate([[0], np.cumsum(n_seg)])
    for j in range(B):
        segs = order[starts[j] : starts[j + 1]][:regions]
        m = len(segs)
        feats[j, :m] = seg_feat[segs]
        boxes[j, :m] = seg_boxes[segs] / S
        is_seg[j, :m] = True
        seg_id[j, :m] = segs + 1
        f = np.arange(regions - m) % 9
        feats[j, m:] = cells_feat[j * 9 + f]
        boxes[j, m:] = cell_boxes[f] / S
    return RegionBatch(feats, boxes, is_seg, seg_id, n_seg, lab, img_of)
