"""Region proposals found in the rendered pixels: colour segmentation, then a fixed R per image.

1. Foreground: pixels whose colour is farther than `FG_THRESHOLD` from the background colour (median of the image
   border); a 2x2 opening removes thin clutter lines and noise, a (P/2+1)-square closing fills pattern
   holes (P = the pattern period).
2. 8-connected components of the foreground; tiny ones are dropped.
3. A component whose colour (after a P x P box filter restricted to the foreground, P = the pattern period, which
   flattens stripes, spots and checks) is clearly not uniform is split in two by 2-means on that colour, and the
   parts again if they are still mixed — this separates touching or overlapping objects of different colours.
Touching objects of similar colour stay merged; an object cut in two by an occluder yields two proposals; small,
low-contrast objects can be missed; clutter blobs become proposals. All of this is counted against the generator's
object map (`match_proposals`), which is used for scoring and for the classifier's training targets only, never
for features."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

FG_THRESHOLD = 45.0
SPLIT_STD = 30.0  # colour std (RGB, summed over channels in quadrature) above which a component is split
SPLIT_MIN_DIST = 60.0  # two colour clusters closer than this are one object
_STRUCT8 = np.zeros((3, 3, 3), dtype=bool)
_STRUCT8[1] = True


def min_area(image_size: int) -> int:
    return max(4, int(round((0.035 * image_size) ** 2)))


def smooth_fg(images: np.ndarray, fg: np.ndarray, period: int) -> np.ndarray:
    """Box-filter the colours of foreground pixels only (normalised convolution), so object colours are not
    blended with the background at their borders."""
    w = fg.astype(np.float32)[..., None]
    num = ndimage.uniform_filter(np.multiply(images, w, dtype=np.float32), size=(1, period, period, 1), mode="constant")
    den = ndimage.uniform_filter(w, size=(1, period, period, 1), mode="constant")
    np.maximum(den, 1e-6, out=den)
    num /= den
    return num


def segment(images: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """images uint8 [B, S, S, 3] -> (labels int32 [B, S, S] with ids 1..K, 0 = none; image of each id [K];
    foreground-smoothed float32 colours [B, S, S, 3])."""
    s = images.shape[1]
    f = images.astype(np.float32)
    border = np.concatenate([f[:, 0], f[:, -1], f[:, :, 0], f[:, :, -1]], axis=1)  # [B, 4S, 3]
    bg = np.median(border, axis=1)  # [B, 3]
    fg = np.sqrt(((f - bg[:, None, None, :]) ** 2).sum(-1)) > FG_THRESHOLD
    fg = ndimage.binary_opening(fg, structure=np.ones((1, 2, 2), dtype=bool))
    c = period // 2 + 1
    fg = ndimage.binary_closing(fg, structure=np.ones((1, c, c), dtype=bool))
    sm = smooth_fg(f, fg, period)
    lab, k = ndimage.label(fg, structure=_STRUCT8)
    amin = min_area(s)
    # colour spread per component (foreground pixels only)
    flat_ids = lab.ravel()
    on = np.flatnonzero(flat_ids)
    ids = flat_ids[on]
    area = np.bincount(ids, minlength=k + 1).astype(np.float64)
    flat = sm.reshape(-1, 3)[on]
    var = np.zeros(k + 1)
    for c in range(3):
        v = flat[:, c].astype(np.float64)
        m1 = np.bincount(ids, weights=v, minlength=k + 1) / np.maximum(area, 1)
        m2 = np.bincount(ids, weights=v * v, minlength=k + 1) / np.maximum(area, 1)
        var += np.maximum(m2 - m1**2, 0)
    mixed = np.flatnonzero((np.sqrt(var) > SPLIT_STD) & (area >= 2 * amin))
    mixed = mixed[mixed > 0]
    next_id = k + 1
    if mixed.size:
        slices = ndimage.find_objects(lab)
        for c in mixed:
            sl = slices[c - 1]
            sub = lab[sl]
            next_id = _split(sub, sm[sl], c, next_id, amin, depth=2)
    # drop tiny components, relabel 1..K
    area = np.bincount(lab.ravel(), minlength=next_id)
    keep = area >= amin
    keep[0] = False
    remap = np.zeros(next_id, dtype=np.int32)
    remap[keep] = np.arange(1, int(keep.sum()) + 1)
    lab = remap[lab]
    k = int(keep.sum())
    img_of = np.zeros(k, dtype=np.int64)
    for i, sl in enumerate(ndimage.find_objects(lab, max_label=k)):
        img_of[i] = sl[0].start if sl is not None else 0
    return lab.astype(np.int32), img_of, sm


def _split(sub: np.ndarray, col: np.ndarray, c: int, next_id: int, amin: int, depth: int) -> int:
    """Split component `c` inside the crop `sub` (modified in place) by 2-means on colour; recurse on mixed parts."""
    mask = sub == c
    x = col[mask].astype(np.float64)  # [n, 3]
    if x.shape[0] < 2 * amin:
        return next_id
    d0 = ((x - x.mean(0)) ** 2).sum(1)
    a = x[int(d0.argmax())]
    b = x[int(((x - a) ** 2).sum(1).argmax())]
    for _ in range(8):
        assign = ((x - a) ** 2).sum(1) > ((x - b) ** 2).sum(1)  # True -> b
        if assign.all() or not assign.any():
            return next_id
        a, b = x[~assign].mean(0), x[assign].mean(0)
    if np.sqrt(((a - b) ** 2).sum()) < SPLIT_MIN_DIST:
        return next_id
    part = np.zeros(mask.shape, dtype=np.int8)
    part[mask] = np.where(assign, 2, 1)
    new_ids = []
    for v in (1, 2):
        pl, n = ndimage.label(part == v, structure=_STRUCT8)
        for j in range(1, n + 1):
            sub[pl == j] = next_id
            new_ids.append(next_id)
            next_id += 1
    if depth > 1:
        for nid in new_ids:
            m = sub == nid
            if m.sum() >= 2 * amin:
                x2 = col[m]
                if np.sqrt(x2.var(0).sum()) > SPLIT_STD:
                    next_id = _split(sub, col, nid, next_id, amin, depth - 1)
    return next_id


def match_proposals(
    labels: np.ndarray, objmap: np.ndarray, n_labels: int, img_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mask IoU of every proposal with every ground-truth object of its image.

    Returns (best object per proposal [K] (-1: IoU < 0.5), its IoU [K], coverage [K, M]: fraction of each object's
    visible pixels inside the proposal — used to count merges)."""
    m = 6
    b = labels.shape[0]
    gt = objmap.astype(np.int64) + 1  # 0 = background
    joint = np.bincount(labels.ravel().astype(np.int64) * (m + 1) + gt.ravel(), minlength=(n_labels + 1) * (m + 1))
    joint = joint.reshape(n_labels + 1, m + 1)[1:]  # [K, M+1]
    area = joint.sum(1)
    img_idx = np.repeat(np.arange(b), labels.shape[1] * labels.shape[2])
    gt_area = np.bincount(img_idx * (m + 1) + gt.ravel(), minlength=b * (m + 1)).reshape(b, m + 1)[:, 1:]  # [B, M]
    g = gt_area[img_of]  # [K, M]
    inter = joint[:, 1:]
    union = area[:, None] + g - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    best = iou.argmax(1)
    best_iou = iou[np.arange(len(best)), best] if len(best) else np.zeros(0)
    best = np.where(best_iou >= 0.5, best, -1)
    cover = np.where(g > 0, inter / np.maximum(g, 1), 0.0)
    return best, best_iou, cover


def gt_visible_area(objmap: np.ndarray) -> np.ndarray:
    b = objmap.shape[0]
    img_idx = np.repeat(np.arange(b), objmap.shape[1] * objmap.shape[2])
    return np.bincount(img_idx * 7 + objmap.ravel().astype(np.int64) + 1, minlength=b * 7).reshape(b, 7)[:, 1:]
