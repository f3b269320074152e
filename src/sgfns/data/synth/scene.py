"""Scene sampling: which objects an image holds, their attributes and where they stand.

A split's scenes are packed into arrays (`Scenes`) so that relation truth, positives and suites are computed with
array operations instead of per-pair Python. Relations are never stored: they are decided from the boxes by
`relation_tensor`, the same rule the visual scene graph applies to proposal boxes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sgfns.data.synth.vocab import CATEGORIES, COLOURS, PATTERNS, PREDICATES

MAX_OBJECTS = 6
# Shape extent (width, height) relative to the object's scale, per category.
ASPECT = {
    "ball": (1.0, 1.0), "box": (0.9, 0.9), "kite": (0.8, 1.0), "tent": (1.0, 0.85), "plate": (1.0, 0.42),
    "star": (1.0, 1.0), "ring": (1.0, 1.0), "bottle": (0.42, 1.0), "moon": (0.9, 1.0), "bowl": (1.0, 0.52),
    "egg": (0.72, 1.0),
}  # fmt: skip
SCALE = {0: (0.13, 0.16), 1: (0.23, 0.28)}  # size class -> scale range (fraction of the image side)
MARGIN = 0.03


@dataclass
class Scene:
    """One image's objects in drawing order (later objects are drawn in front)."""

    cat: list[int]
    col: list[int]
    size: list[int]
    pat: list[int]
    centre: list[tuple[float, float]]
    rot: list[float]
    style: int  # seed of background, clutter, lighting and noise (twins share it)

    def copy(self) -> Scene:
        return Scene(list(self.cat), list(self.col), list(self.size), list(self.pat), list(self.centre),
                     list(self.rot), self.style)  # fmt: skip

    def __len__(self) -> int:
        return len(self.cat)


def extent(cat: int, size: int, scale: float) -> tuple[float, float]:
    aw, ah = ASPECT[CATEGORIES[cat]]
    return aw * scale, ah * scale


def object_box(scene: Scene, i: int, scales: list[float]) -> tuple[float, float, float, float]:
    w, h = extent(scene.cat[i], scene.size[i], scales[i])
    # a small rotation widens the box a little
    r = abs(scene.rot[i])
    bw = w * math.cos(r) + h * math.sin(r)
    bh = h * math.cos(r) + w * math.sin(r)
    cx, cy = scene.centre[i]
    return cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2


@dataclass
class PlacedScene:
    scene: Scene
    scales: list[float]

    def boxes(self) -> np.ndarray:
        return np.array([object_box(self.scene, i, self.scales) for i in range(len(self.scene))], dtype=np.float32)


def _overlap(a, b) -> float:
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    return max(iw, 0.0) * max(ih, 0.0)


def _area(a) -> float:
    return (a[2] - a[0]) * (a[3] - a[1])


def placement_ok(boxes: list, new, skip: int | None = None, limit: float = 0.12) -> bool:
    if new[0] < MARGIN or new[1] < MARGIN or new[2] > 1 - MARGIN or new[3] > 1 - MARGIN:
        return False
    for k, b in enumerate(boxes):
        if k == skip:
            continue
        if _overlap(b, new) > limit * min(_area(b), _area(new)):
            return False
    return True


def sample_scene(rng: np.random.Generator) -> PlacedScene:
    """2-6 objects; some share a category (numerals), some are stacked (`on top of`) or overlap (occlusion)."""
    n = int(rng.choice([2, 3, 4, 5, 6], p=[0.12, 0.24, 0.28, 0.22, 0.14]))
    sc = Scene([], [], [], [], [], [], int(rng.integers(2**31)))
    scales: list[float] = []
    boxes: list = []
    # categories: distinct, except that with p=0.55 one object gets one or two same-category copies (numerals)
    cats = [int(c) for c in rng.choice(len(CATEGORIES), size=n, replace=False)]
    if n >= 3 and rng.random() < 0.55:
        copies = 2 if (n >= 4 and rng.random() < 0.3) else 1
        for k in range(1, copies + 1):
            cats[-k] = cats[0]
    for k in range(n):
        cat = cats[k]
        col = int(rng.integers(len(COLOURS)))
        if k > 0 and cat == cats[0] and rng.random() < 0.5:
            col = sc.col[0] if sc.cat and sc.cat[0] == cat else col
        size = int(rng.random() < 0.45)
        pat = int(rng.choice(len(PATTERNS), p=[0.4, 0.2, 0.2, 0.2]))
        scale = float(rng.uniform(*SCALE[size]))
        rot = float(rng.uniform(-0.15, 0.15))
        w, h = extent(cat, size, scale)
        placed = None
        for _ in range(40):
            mode = rng.random()
            if boxes and mode < 0.22:  # stack on an existing object
                j = int(rng.integers(len(boxes)))
                b = boxes[j]
                bw = b[2] - b[0]
                cx = float(rng.uniform(b[0] + 0.3 * bw, b[2] - 0.3 * bw))
                cy = b[1] - h / 2 + float(rng.uniform(0.0, 0.012))
                limit = 0.2
            elif boxes and mode < 0.5:  # partly in front of an existing object (occlusion)
                j = int(rng.integers(len(boxes)))
                b = boxes[j]
                bcx, bcy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
                ang = float(rng.uniform(0, 2 * np.pi))
                reach = float(rng.uniform(0.3, 0.7))
                cx = bcx + np.cos(ang) * reach * ((b[2] - b[0]) + w) / 2
                cy = bcy + np.sin(ang) * reach * ((b[3] - b[1]) + h) / 2
                limit = 0.5
            else:
                cx = float(rng.uniform(MARGIN + w / 2, 1 - MARGIN - w / 2))
                cy = float(rng.uniform(MARGIN + h / 2, 1 - MARGIN - h / 2))
                limit = 0.08
            trial = Scene([cat], [col], [size], [pat], [(cx, cy)], [rot], 0)
            box = object_box(trial, 0, [scale])
            if placement_ok(boxes, box, limit=limit):
                placed = (cx, cy, box)
                break
        if placed is None:
            continue
        sc.cat.append(cat)
        sc.col.append(col)
        sc.size.append(size)
        sc.pat.append(pat)
        sc.centre.append((placed[0], placed[1]))
        sc.rot.append(rot)
        scales.append(scale)
        boxes.append(placed[2])
    if len(sc) < 2:  # very rare: try again with a fresh draw
        return sample_scene(rng)
    return PlacedScene(sc, scales)


@dataclass
class Scenes:
    """A split's scenes as padded arrays; -1 marks an empty slot."""

    cat: np.ndarray  # [N, M] int16
    col: np.ndarray
    size: np.ndarray
    pat: np.ndarray
    boxes: np.ndarray  # [N, M, 4] float32, xyxy normalised, full (unoccluded) shape extent
    placed: list[PlacedScene]

    @property
    def valid(self) -> np.ndarray:
        return self.cat >= 0

    def __len__(self) -> int:
        return len(self.placed)

    def codes(self) -> np.ndarray:
        """One integer per object combining category and all attributes (-1 for empty slots)."""
        code = ((self.cat * len(COLOURS) + self.col) * 2 + self.size) * len(PATTERNS) + self.pat
        return np.where(self.valid, code, -1)


N_CODES = len(CATEGORIES) * len(COLOURS) * 2 * len(PATTERNS)


def pack(placed: list[PlacedScene]) -> Scenes:
    n = len(placed)
    arr = {k: np.full((n, MAX_OBJECTS), -1, dtype=np.int16) for k in ("cat", "col", "size", "pat")}
    boxes = np.zeros((n, MAX_OBJECTS, 4), dtype=np.float32)
    for i, p in enumerate(placed):
        m = len(p.scene)
        for k in arr:
            arr[k][i, :m] = getattr(p.scene, k)
        boxes[i, :m] = p.boxes()
    return Scenes(arr["cat"], arr["col"], arr["size"], arr["pat"], boxes, placed)


def relation_tensor(boxes: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """[..., M, M, P] bool: predicate p holds with object i as subject and j as object (i != j).

    Boxes are xyxy normalised to the image side. The rules (documented in docs/synthetic_world.md):
    left of: A ends before B starts (up to a quarter of the narrower width) and A's centre is left of B's;
    above: the same vertically; next to: horizontal gap <= 0.08 (or a small overlap) with vertical overlap >= 30%;
    on top of: A's bottom within 0.03 of B's top, A overlapping >= 50% of its width with B, and A's centre higher.
    """
    a = boxes[..., :, None, :]
    b = boxes[..., None, :, :]
    ax1, ay1, ax2, ay2 = (a[..., k] for k in range(4))
    bx1, by1, bx2, by2 = (b[..., k] for k in range(4))
    aw, ah, bw, bh = ax2 - ax1, ay2 - ay1, bx2 - bx1, by2 - by1
    acx, acy, bcx, bcy = (ax1 + ax2) / 2, (ay1 + ay2) / 2, (bx1 + bx2) / 2, (by1 + by2) / 2
    minw, minh = np.minimum(aw, bw), np.minimum(ah, bh)
    left = (ax2 <= bx1 + 0.25 * minw) & (acx < bcx)
    right = (bx2 <= ax1 + 0.25 * minw) & (bcx < acx)
    above = (ay2 <= by1 + 0.25 * minh) & (acy < bcy)
    below = (by2 <= ay1 + 0.25 * minh) & (bcy < acy)
    gap = np.maximum(bx1 - ax2, ax1 - bx2)
    vov = np.minimum(ay2, by2) - np.maximum(ay1, by1)
    nextto = (gap <= 0.08) & (gap >= -0.25 * minw) & (vov >= 0.3 * minh)
    hov = np.minimum(ax2, bx2) - np.maximum(ax1, bx1)
    ontop = (np.abs(ay2 - by1) <= 0.03) & (hov >= 0.5 * aw) & (acy < bcy)
    rel = np.stack([left, right, above, below, nextto, ontop], axis=-1)
    assert rel.shape[-1] == len(PREDICATES)
    m = valid.shape[-1]
    pair = valid[..., :, None] & valid[..., None, :] & ~np.eye(m, dtype=bool)
    return rel & pair[..., None]
