"""Per-region features computed from the pixels only (never from the generator's labels).

For a region (a pixel mask and a box) the extractor returns a `FEATURE_DIM`-vector, all entries roughly in [0, 1]:

- 0-10 geometry: x1, y1, x2, y2, centre x, centre y, width, height (image-normalised), sqrt(mask area),
  fill ratio (mask / box), log aspect / 4
- 11-13 colour: mean RGB / 255; 14-16: std RGB / 128
- 17-19, 20-22 colour: mean RGB of the pixels lighter / darker than the region's mean luminance
- 23-25 colour: mean RGB of the pattern-flattened (P x P box-filtered, foreground-only) image
- 26-52 colour: 3x3x3 RGB histogram (fractions)
- 53-116 shape: 8x8 occupancy grid of the mask inside its box
- 117-122 texture: mean abs horizontal / vertical / diagonal luminance difference between neighbouring pixels of
  the region, horizontal share, luminance std, share of pixels > 30 from the mean luminance
- 123-130 texture: 8-bin luminance histogram
- 131 shape: boundary pixels / sqrt(area) / 8 (compactness)

Everything is computed for all regions of a batch at once with `np.bincount` over region ids."""

from __future__ import annotations

import numpy as np

GRID = 8
FEATURE_DIM = 132


def region_features(
    images: np.ndarray, smoothed: np.ndarray, labels: np.ndarray, n: int, boxes_px: np.ndarray
) -> np.ndarray:
    """images uint8 [B, S, S, 3]; smoothed float [B, S, S, 3]; labels int [B, S, S] with region ids 1..n (0 = none);
    boxes_px float [n, 4] (x1, y1, x2, y2 in pixels, x2/y2 exclusive) -> float32 [n, FEATURE_DIM]."""
    b, s = images.shape[0], images.shape[1]
    ids = labels.ravel().astype(np.int64)
    sel = ids > 0
    rid = ids[sel] - 1
    f = images.reshape(-1, 3)[sel].astype(np.float64)
    sm = smoothed.reshape(-1, 3)[sel].astype(np.float64)
    pos = np.flatnonzero(sel)
    y = (pos // s) % s
    x = pos % s
    area = np.bincount(rid, minlength=n).astype(np.float64)
    a1 = np.maximum(area, 1.0)
    out = np.zeros((n, FEATURE_DIM), dtype=np.float64)
    x1, y1, x2, y2 = (boxes_px[:, k].astype(np.float64) for k in range(4))
    w = np.maximum(x2 - x1, 1.0)
    h = np.maximum(y2 - y1, 1.0)
    out[:, 0:4] = np.stack([x1, y1, x2, y2], 1) / s
    out[:, 4] = (x1 + x2) / 2 / s
    out[:, 5] = (y1 + y2) / 2 / s
    out[:, 6] = w / s
    out[:, 7] = h / s
    out[:, 8] = np.sqrt(area) / s
    out[:, 9] = area / (w * h)
    out[:, 10] = np.log(w / h) / 4

    def mean_of(v, mask=None, denom=None):
        wts = v if mask is None else v * mask
        return np.bincount(rid, weights=wts, minlength=n) / (a1 if denom is None else np.maximum(denom, 1.0))

    mean = np.stack([mean_of(f[:, c]) for c in range(3)], 1)
    sq = np.stack([mean_of(f[:, c] ** 2) for c in range(3)], 1)
    out[:, 11:14] = mean / 255
    out[:, 14:17] = np.sqrt(np.maximum(sq - mean**2, 0)) / 128
    lum = f @ np.array([0.299, 0.587, 0.114])
    mlum = mean @ np.array([0.299, 0.587, 0.114])
    light = (lum >= mlum[rid]).astype(np.float64)
    nl = np.bincount(rid, weights=light, minlength=n)
    out[:, 17:20] = np.stack([mean_of(f[:, c], light, nl) for c in range(3)], 1) / 255
    out[:, 20:23] = np.stack([mean_of(f[:, c], 1 - light, area - nl) for c in range(3)], 1) / 255
    out[:, 23:26] = np.stack([mean_of(sm[:, c]) for c in range(3)], 1) / 255
    q = np.minimum(f // 86, 2).astype(np.int64)
    hb = q[:, 0] * 9 + q[:, 1] * 3 + q[:, 2]
    out[:, 26:53] = np.bincount(rid * 27 + hb, minlength=n * 27).reshape(n, 27) / a1[:, None]
    gx = np.clip(((x - x1[rid]) * GRID / w[rid]).astype(np.int64), 0, GRID - 1)
    gy = np.clip(((y - y1[rid]) * GRID / h[rid]).astype(np.int64), 0, GRID - 1)
    cell = np.bincount(rid * GRID * GRID + gy * GRID + gx, minlength=n * GRID * GRID).reshape(n, GRID * GRID)
    cell_area = (w * h / (GRID * GRID))[:, None]
    out[:, 53:117] = np.minimum(cell / np.maximum(cell_area, 1e-6), 1.0)
    # texture: luminance differences between neighbouring pixels of the same region
    L = images.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lab = labels
    tex = []
    for dy, dx in ((0, 1), (1, 0), (1, 1)):
        same = (lab[:, dy:, dx:] == lab[:, : s - dy, : s - dx]) & (lab[:, dy:, dx:] > 0)
        d = np.abs(L[:, dy:, dx:][same] - L[:, : s - dy, : s - dx][same]).astype(np.float64)
        r = lab[:, dy:, dx:][same].astype(np.int64) - 1
        cnt = np.bincount(r, minlength=n)
        tex.append(np.bincount(r, weights=d, minlength=n) / np.maximum(cnt, 1))
    tex = np.stack(tex, 1)
    out[:, 117:120] = tex / 64
    out[:, 120] = tex[:, 0] / np.maximum(tex[:, 0] + tex[:, 1], 1e-3)
    lstd = np.sqrt(np.maximum(mean_of(lum**2) - mean_of(lum) ** 2, 0))
    out[:, 121] = lstd / 64
    out[:, 122] = mean_of((np.abs(lum - mlum[rid]) > 30).astype(np.float64))
    lb = np.minimum(lum // 32, 7).astype(np.int64)
    out[:, 123:131] = np.bincount(rid * 8 + lb, minlength=n * 8).reshape(n, 8) / a1[:, None]
    pad = np.pad(lab, ((0, 0), (1, 1), (1, 1)))
    inner = pad[:, 1:-1, 1:-1]
    boundary = (inner > 0) & (
        (pad[:, :-2, 1:-1] != inner) | (pad[:, 2:, 1:-1] != inner) | (pad[:, 1:-1, :-2] != inner)
        | (pad[:, 1:-1, 2:] != inner)
    )  # fmt: skip
    perim = np.bincount(inner[boundary].astype(np.int64) - 1, minlength=n)
    out[:, 131] = perim / np.sqrt(a1) / 8
    out[area == 0, 8:] = 0.0
    del b
    return out.astype(np.float32)
