"""Rendering a scene to RGB pixels with PIL and numpy.

Each category is a polygon (optionally with a hole) in unit coordinates, scaled to its extent, slightly rotated and
placed. Patterns are drawn in image coordinates with one period `P` (stripes, spots, checks), so a P x P box filter
flattens every pattern to a constant — the segmenter relies on that, the feature extractor measures it. Background
has a lighting ramp, low-contrast clutter (lines, blobs) and per-pixel colour noise; objects get a colour jitter.
Returns the image and a per-pixel object map (ground truth, used only to score proposals and to label the
classifier's training targets, never to compute features)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from sgfns.data.synth.scene import PlacedScene, extent
from sgfns.data.synth.vocab import CATEGORIES, COLOUR_RGB, COLOURS, PATTERNS


def _circle(n: int = 28, r: float = 0.5, cx: float = 0.0, cy: float = 0.0) -> list[tuple[float, float]]:
    return [(cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)) for k in range(n)]


def _star() -> list[tuple[float, float]]:
    pts = []
    for k in range(10):
        r = 0.5 if k % 2 == 0 else 0.21
        a = -math.pi / 2 + math.pi * k / 5
        pts.append((r * math.cos(a), r * math.sin(a) + 0.04))
    return pts


# unit shapes: (outline, hole or None); y grows downwards
SHAPES: dict[str, tuple[list, list | None]] = {
    "ball": (_circle(), None),
    "box": ([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)], None),
    "kite": ([(0.0, -0.5), (0.5, 0.0), (0.0, 0.5), (-0.5, 0.0)], None),
    "tent": ([(0.0, -0.5), (0.5, 0.5), (-0.5, 0.5)], None),
    "plate": (_circle(), None),
    "star": (_star(), None),
    "ring": (_circle(), _circle(r=0.26)),
    "bottle": ([(-0.5, 0.5), (-0.5, -0.15), (-0.2, -0.3), (-0.2, -0.5), (0.2, -0.5), (0.2, -0.3), (0.5, -0.15),
                (0.5, 0.5)], None),
    "moon": (_circle(), _circle(r=0.42, cx=0.28, cy=-0.08)),
    "bowl": ([(-0.5, -0.5), (0.5, -0.5)] + [(0.5 * math.cos(math.pi * k / 14), -0.5 + math.sin(math.pi * k / 14))
                                           for k in range(1, 14)], None),
    "egg": ([(0.5 * math.cos(t) * (1 - 0.12 * math.sin(t)), 0.5 * math.sin(t))
             for t in (2 * math.pi * k / 28 for k in range(28))], None),
}  # fmt: skip


def pattern_period(image_size: int) -> int:
    """Pattern period in pixels (even, >= 4); also the segmenter's smoothing window."""
    return max(4, 2 * round(image_size / 48))


def pattern_masks(image_size: int) -> dict[str, np.ndarray]:
    p = pattern_period(image_size)
    h = p // 2
    y, x = np.mgrid[0:image_size, 0:image_size]
    return {
        "plain": np.zeros((image_size, image_size), dtype=bool),
        "striped": (y // h) % 2 == 1,
        "spotted": ((x % p) - (p - 1) / 2) ** 2 + ((y % p) - (p - 1) / 2) ** 2 <= (p / 3.2) ** 2,
        "checkered": ((x // h) + (y // h)) % 2 == 1,
    }


def _transform(pts, cx, cy, w, h, rot, size_px):
    c, s = math.cos(rot), math.sin(rot)
    out = []
    for u, v in pts:
        px, py = u * w, v * h
        out.append(((cx + c * px - s * py) * size_px, (cy + s * px + c * py) * size_px))
    return out


def secondary_colour(rgb: np.ndarray) -> np.ndarray:
    """The pattern's second colour: the base pushed 55% towards white (dark bases) or black (light bases)."""
    lum = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    target = np.full(3, 255.0) if lum < 110 else np.zeros(3)
    return rgb + 0.55 * (target - rgb)


def render(
    ps: PlacedScene, image_size: int, patterns: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (uint8 [S, S, 3] image, int8 [S, S] visible-object map with -1 for background, int [n] pixel area of
    each object's full (unoccluded) shape)."""
    S = image_size
    sc = ps.scene
    rng = np.random.default_rng(sc.style)
    g = rng.uniform(150, 185)
    bg = np.array([g, g, g]) + rng.uniform(-12, 12, size=3)
    img = np.empty((S, S, 3), dtype=np.float32)
    img[:] = bg
    # clutter: thin lines and small blobs in colours near the background
    clutter = Image.new("L", (S, S), 0)
    cd = ImageDraw.Draw(clutter)
    clutter_cols = []
    for k in range(int(rng.integers(2, 7))):
        x0, y0, x1, y1 = (float(v) for v in rng.uniform(0, S, size=4))
        cd.line([(x0, y0), (x1, y1)], fill=k + 1, width=1)
        clutter_cols.append(bg + rng.uniform(-45, 45, size=3))
    base = len(clutter_cols)
    for k in range(int(rng.integers(0, 4))):
        x, y = (float(v) for v in rng.uniform(0, S, size=2))
        r = float(rng.uniform(0.012, 0.03)) * S
        cd.ellipse([x - r, y - r, x + r, y + r], fill=base + k + 1)
        clutter_cols.append(bg + rng.uniform(-60, 60, size=3))
    cl = np.asarray(clutter)
    if clutter_cols:
        lut = np.concatenate([bg[None], np.array(clutter_cols)], axis=0).astype(np.float32)
        img = np.where((cl > 0)[..., None], lut[cl], img)
    objmap = np.full((S, S), -1, dtype=np.int8)
    full_area = np.zeros(len(sc), dtype=np.int64)
    for i in range(len(sc)):
        cat = CATEGORIES[sc.cat[i]]
        w, h = extent(sc.cat[i], sc.size[i], ps.scales[i])
        cx, cy = sc.centre[i]
        outline, hole = SHAPES[cat]
        m = Image.new("L", (S, S), 0)
        d = ImageDraw.Draw(m)
        d.polygon(_transform(outline, cx, cy, w, h, sc.rot[i], S), fill=1)
        if hole is not None:
            d.polygon(_transform(hole, cx, cy, w, h, sc.rot[i], S), fill=0)
        bx = m.getbbox()
        if bx is None:
            continue
        x0, y0, x1, y1 = bx
        mask = np.asarray(m.crop(bx)).astype(bool)
        full_area[i] = int(mask.sum())
        rgb = np.array(COLOUR_RGB[COLOURS[sc.col[i]]], dtype=np.float32) + rng.uniform(-14, 14, size=3)
        rgb = np.clip(rgb, 0, 255).astype(np.float32)
        sec = secondary_colour(rgb).astype(np.float32)
        pm = patterns[PATTERNS[sc.pat[i]]][y0:y1, x0:x1]
        colour = np.where(pm[..., None], sec, rgb)
        sub = img[y0:y1, x0:x1]
        sub[mask] = colour[mask]
        objmap[y0:y1, x0:x1][mask] = i
    # lighting ramp and pixel noise
    ramp = np.linspace(-0.5, 0.5, S, dtype=np.float32)
    a, b = rng.uniform(-0.1, 0.1, size=2)
    img *= (1 + a * ramp[None, :] + b * ramp[:, None])[..., None]
    img += _noise(S, rng)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8), objmap, full_area


_NOISE: dict[int, np.ndarray] = {}


def _noise(S: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian pixel noise (sigma 5) cut from a fixed bank at a random offset: as random as fresh draws for this
    purpose and an order of magnitude cheaper."""
    if S not in _NOISE:
        _NOISE[S] = np.random.default_rng(12345).standard_normal((2 * S, 2 * S, 3), dtype=np.float32) * 5.0
    oy, ox = (int(v) for v in rng.integers(0, S, size=2))
    return _NOISE[S][oy : oy + S, ox : ox + S]


def save_png(path, image: np.ndarray) -> None:
    Image.fromarray(image).save(path, format="PNG", compress_level=1)
