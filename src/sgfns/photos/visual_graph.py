"""A visual scene graph per photo from predicted sources only: names, colours, sizes and geometric relations.

- Names: each region's ImageNet-1k probabilities (the classifier applied to its pooled feature) summed per caption
  word (`imagenet_classes().names`: "golden retriever" and "beagle" both count for "dog"); the region becomes an
  object when its best word's probability is at least `MIN_SCORE`, with that probability as `score`. The same word
  on two heavily overlapping regions is kept once. Region 0 (the whole photo) gives the scene's own label.
- Attributes: the dominant colour word of the region's pixels (the central part of the box, in HSV) when one
  colour covers at least `COLOUR_SHARE` of it, and `large`/`small` from the box's share of the photo.
- Relations (between objects other than the whole photo, best-scored pairs first): `in` when one box lies inside
  the other, `on` when one sits just above the other and they overlap horizontally, else `above`/`below` or
  `left of`/`right of` by the larger centre offset.
No ground-truth boxes or labels are read here."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.photos.imagenet import imagenet_classes
from sgfns.photos.regions import Regions, iou

MIN_SCORE = 0.3
MAX_OBJECTS = 10
MAX_RELATIONS = 12
COLOUR_SHARE = 0.4
LARGE, SMALL = 0.35, 0.04


def build_graph(pixels: np.ndarray, regions: Regions, logits: torch.Tensor, size_wh: tuple[int, int]) -> dict[str, Any]:
    """The photo's graph as a JSON-ready dict (`region` = region index, `score` = name probability)."""
    del size_wh  # boxes are fractions of the photo; kept in the signature for callers that log it
    classes = imagenet_classes()
    probs = torch.as_tensor(logits).float().softmax(-1).numpy()
    by_name = classes.name_probabilities(probs)
    best = by_name.argmax(1)
    conf = by_name[np.arange(len(best)), best]
    candidates = [r for r in np.argsort(-conf) if regions.mask[r] and conf[r] >= MIN_SCORE]
    kept: list[int] = []
    for r in candidates:
        if len(kept) == MAX_OBJECTS:
            break
        if any(best[k] == best[r] and iou(regions.boxes[k], regions.boxes[r]) > 0.5 for k in kept):
            continue
        kept.append(int(r))
    kept.sort()
    objects = []
    for r in kept:
        box = regions.boxes[r]
        attrs = []
        colour = dominant_colour(pixels, box)
        if colour:
            attrs.append(colour)
        a = float((box[2] - box[0]) * (box[3] - box[1]))
        if r != 0 and a >= LARGE:
            attrs.append("large")
        elif a <= SMALL:
            attrs.append("small")
        objects.append(SGObject(name=classes.name_list[best[r]], attributes=attrs, region=r,
                                score=round(float(conf[r]), 4)))  # fmt: skip
    relations = geometric_relations([regions.boxes[r] for r in kept], [float(conf[r]) for r in kept], kept)
    return SceneGraph(objects, relations).to_dict()


def geometric_relations(boxes: list[np.ndarray], scores: list[float], regions: list[int]) -> list[Relation]:
    """One relation per pair of objects (whole-photo node excluded), most confident pairs first."""
    pairs = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if regions[i] == 0 or regions[j] == 0:
                continue
            pairs.append((scores[i] * scores[j], i, j))
    out = []
    for _, i, j in sorted(pairs, reverse=True)[:MAX_RELATIONS]:
        out.append(relation(boxes[i], boxes[j], i, j))
    return out


def relation(a: np.ndarray, b: np.ndarray, i: int, j: int) -> Relation:
    """The geometric predicate between boxes a (object i) and b (object j), subject first."""

    def inside(p, q):
        ix = max(min(p[2], q[2]) - max(p[0], q[0]), 0)
        iy = max(min(p[3], q[3]) - max(p[1], q[1]), 0)
        return ix * iy / max((p[2] - p[0]) * (p[3] - p[1]), 1e-9)

    if inside(a, b) >= 0.9:
        return Relation(i, "in", j)
    if inside(b, a) >= 0.9:
        return Relation(j, "in", i)
    ca = ((a[0] + a[2]) / 2, (a[1] + a[3]) / 2)
    cb = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    dx, dy = cb[0] - ca[0], cb[1] - ca[1]
    x_overlap = min(a[2], b[2]) - max(a[0], b[0]) > 0
    if abs(dy) >= abs(dx):
        upper, lower = (i, j) if dy > 0 else (j, i)
        ub, lb = (a, b) if dy > 0 else (b, a)
        if x_overlap and abs(ub[3] - lb[1]) < 0.1:
            return Relation(upper, "on", lower)
        return Relation(upper, "above", lower)
    left, right = (i, j) if dx > 0 else (j, i)
    return Relation(left, "left of", right)


COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "gray", "white")


def dominant_colour(pixels: np.ndarray, box: np.ndarray) -> str | None:
    """The colour word covering the most of the box's central part (at least COLOUR_SHARE of it), else None."""
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = box
    cx0, cx1 = x0 + 0.2 * (x1 - x0), x1 - 0.2 * (x1 - x0)
    cy0, cy1 = y0 + 0.2 * (y1 - y0), y1 - 0.2 * (y1 - y0)
    patch = pixels[
        int(cy0 * h) : max(int(cy1 * h), int(cy0 * h) + 1), int(cx0 * w) : max(int(cx1 * w), int(cx0 * w) + 1)
    ]
    if patch.size == 0:
        return None
    names = colour_names(patch.reshape(-1, 3))
    counts = np.bincount(names, minlength=len(COLOURS))
    k = int(counts.argmax())
    return COLOURS[k] if counts[k] >= COLOUR_SHARE * len(names) else None


def colour_names(rgb: np.ndarray) -> np.ndarray:
    """[n, 3] uint8 RGB -> [n] indices into COLOURS, by hue, saturation and value."""
    x = rgb.astype(np.float32) / 255.0
    mx, mn = x.max(1), x.min(1)
    v, c = mx, mx - mn
    s = np.where(mx > 0, c / np.maximum(mx, 1e-6), 0)
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    safe = np.maximum(c, 1e-6)
    hue = np.where(mx == r, ((g - b) / safe) % 6, np.where(mx == g, (b - r) / safe + 2, (r - g) / safe + 4)) * 60
    idx = np.empty(len(x), dtype=np.int64)
    grey = (s < 0.2) | (v < 0.2)
    idx[grey & (v < 0.25)] = COLOURS.index("black")
    idx[grey & (v >= 0.25) & (v < 0.75)] = COLOURS.index("gray")
    idx[grey & (v >= 0.75)] = COLOURS.index("white")
    hues = [(15, "red"), (40, "orange"), (70, "yellow"), (170, "green"), (260, "blue"), (300, "purple"),
            (340, "pink"), (361, "red")]  # fmt: skip
    coloured = ~grey
    lo = 0
    for hi, name in hues:
        sel = coloured & (hue >= lo) & (hue < hi)
        idx[sel] = COLOURS.index(name)
        lo = hi
    brown = coloured & (hue < 40) & (v < 0.6)
    idx[brown] = COLOURS.index("brown")
    return idx
