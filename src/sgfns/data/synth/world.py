"""Builds one split of the world in memory: scenes and twins, captions, pixels, proposals and features, truth.

`generate` (in `writer.py`) calls `build_split` for each split, trains the classifier on the train split and
writes the files. Every random choice comes from a `SeedSequence([seed, split number, stream])`, so a split is
identical whatever the other splits' sizes, and the same seed and sizes give byte-identical files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.synth.captions import CaptionSpec, Realized, realize, sample_caption
from sgfns.data.synth.features import FEATURE_DIM
from sgfns.data.synth.proposals import gt_visible_area, match_proposals
from sgfns.data.synth.regions import REGIONS, extract_regions
from sgfns.data.synth.render import pattern_masks, render, save_png
from sgfns.data.synth.scene import MAX_OBJECTS, PlacedScene, Scenes, pack, relation_tensor, sample_scene
from sgfns.data.synth.truth import TruthIndex, query_of
from sgfns.data.synth.twins import make_twin

SPLIT_NUMBER = {"train": 0, "val": 1, "test": 2}
CAPTIONS_PER_IMAGE = 5
TWIN_PAIR_SHARE = 0.2  # pairs per image: 0.2 -> 40% of images have a twin
CHUNK = 256


@dataclass
class SplitWorld:
    name: str
    placed: list[PlacedScene]
    scenes: Scenes
    rel: np.ndarray  # [N, M, M, P]
    twin_of: np.ndarray  # [N] int, -1 = none
    twin_kind: list[str | None]
    twin_focus: list[tuple[int, ...] | None]
    specs: list[CaptionSpec] = field(default_factory=list)
    realized: list[Realized] = field(default_factory=list)
    features: np.ndarray | None = None  # [N, R, D] float32
    boxes: np.ndarray | None = None  # [N, R, 4] float32 xyxy normalised
    is_segment: np.ndarray | None = None  # [N, R] bool (False: background fill proposal)
    prop_object: np.ndarray | None = None  # [N, R] int: matched object (IoU >= 0.5) or -1
    n_segments: np.ndarray | None = None  # [N] segments found (before truncation to R)
    merges: int = 0
    visible_area: np.ndarray | None = None  # [N, M]
    full_area: np.ndarray | None = None  # [N, M]
    index: TruthIndex | None = None

    @property
    def n(self) -> int:
        return len(self.placed)

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.realized]

    def ids(self) -> list[str]:
        return [f"{self.name}_{i:05d}" for i in range(self.n)]


def _rng(seed: int, split: str, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, SPLIT_NUMBER.get(split, 9), stream]))


def sample_split(name: str, n: int, seed: int) -> SplitWorld:
    rng = _rng(seed, name, 0)
    n_pairs = int(round(TWIN_PAIR_SHARE * n)) if n >= 2 else 0
    base = [sample_scene(rng) for _ in range(n - n_pairs)]
    scenes: list[PlacedScene] = list(base)
    kinds: list[str | None] = [None] * len(base)
    focus: list[tuple[int, ...] | None] = [None] * len(base)
    partner = [-1] * len(base)
    k = 0
    while sum(1 for p in partner if p >= 0) < 2 * n_pairs and k < len(base):
        tw = make_twin(rng, base[k])
        if tw is not None:
            ps, kind, objs = tw
            scenes.append(ps)
            kinds[k] = kind
            kinds.append(kind)
            focus[k] = objs
            focus.append(objs)
            partner[k] = len(scenes) - 1
            partner.append(k)
        k += 1
    while len(scenes) < n:  # too few twins fitted: fill with plain scenes
        scenes.append(sample_scene(rng))
        kinds.append(None)
        focus.append(None)
        partner.append(-1)
    perm = rng.permutation(n)
    inv = np.empty(n, dtype=np.int64)
    inv[perm] = np.arange(n)
    placed = [scenes[int(p)] for p in perm]
    twin_of = np.array([inv[partner[int(p)]] if partner[int(p)] >= 0 else -1 for p in perm], dtype=np.int64)
    packed = pack(placed)
    rel = relation_tensor(packed.boxes, packed.valid)
    return SplitWorld(name, placed, packed, rel, twin_of, [kinds[int(p)] for p in perm],
                      [focus[int(p)] for p in perm])  # fmt: skip


def caption_split(w: SplitWorld, seed: int) -> None:
    rng = _rng(seed, w.name, 1)
    for i, ps in enumerate(w.placed):
        texts: set[str] = set()
        for c in range(CAPTIONS_PER_IMAGE):
            f = w.twin_focus[i] if c < 2 else None
            for _ in range(30):
                spec = sample_caption(rng, ps.scene, w.rel[i], focus=f)
                real = realize(spec)
                if real.text not in texts:
                    break
            texts.add(real.text)
            w.specs.append(spec)
            w.realized.append(real)


def _process_chunk(placed: list[PlacedScene], image_size: int, images_dir, ids: list[str]) -> dict[str, Any]:
    """Render one chunk of images, save their PNGs, find proposals and features (runs in a worker process too)."""
    S = image_size
    pm = pattern_masks(S)
    out = [render(ps, S, pm) for ps in placed]
    ims = np.stack([o[0] for o in out])
    objmap = np.stack([o[1] for o in out])
    full_area = np.zeros((len(placed), MAX_OBJECTS), dtype=np.int64)
    for j, o in enumerate(out):
        full_area[j, : len(o[2])] = o[2]
        if images_dir is not None:
            save_png(Path(images_dir) / f"{ids[j]}.png", o[0])
    rb = extract_regions(ims, REGIONS)
    best, _, cover = match_proposals(rb.labels, objmap, len(rb.img_of), rb.img_of)
    return {
        "features": rb.features,
        "boxes": rb.boxes,
        "is_segment": rb.is_segment,
        "n_segments": rb.n_segments,
        "prop_object": np.where(rb.is_segment, best[np.maximum(rb.segment_id - 1, 0)], -1),
        "visible_area": gt_visible_area(objmap),
        "full_area": full_area,
        "merges": int(((cover >= 0.5).sum(1) >= 2).sum()),
    }


def render_split(w: SplitWorld, image_size: int, images_dir=None, progress=None, pool=None) -> None:
    """Render, save PNGs (when `images_dir`), segment, match, and compute region features, chunk by chunk
    (in `pool`'s worker processes when given; chunks are independent, so the result is the same)."""
    N, R = w.n, REGIONS
    w.features = np.zeros((N, R, FEATURE_DIM), dtype=np.float32)
    w.boxes = np.zeros((N, R, 4), dtype=np.float32)
    w.is_segment = np.zeros((N, R), dtype=bool)
    w.prop_object = np.full((N, R), -1, dtype=np.int64)
    w.n_segments = np.zeros(N, dtype=np.int64)
    w.visible_area = np.zeros((N, MAX_OBJECTS), dtype=np.int64)
    w.full_area = np.zeros((N, MAX_OBJECTS), dtype=np.int64)
    ids = w.ids()
    starts = list(range(0, N, CHUNK))
    args = [(w.placed[a : a + CHUNK], image_size, images_dir and str(images_dir), ids[a : a + CHUNK]) for a in starts]
    results = pool.map(_process_chunk, *zip(*args, strict=True)) if pool is not None else (
        _process_chunk(*a) for a in args)  # fmt: skip
    for a, res in zip(starts, results, strict=True):
        b = a + len(res["features"])
        for key in ("features", "boxes", "is_segment", "n_segments", "prop_object", "visible_area", "full_area"):
            getattr(w, key)[a:b] = res[key]
        w.merges += res["merges"]
        if progress is not None:
            progress(b - a)


def truth_split(w: SplitWorld) -> None:
    w.index = TruthIndex(w.scenes, w.rel)


def positives(w: SplitWorld) -> list[dict]:
    """Captions true of images other than their own, found by checking every caption against every image."""
    out = []
    for c, spec in enumerate(w.specs):
        own = c // CAPTIONS_PER_IMAGE
        true = w.index.true_images(query_of(spec))
        if own not in true:  # pragma: no cover - the sampler only states true things
            raise AssertionError(f"caption {c} {w.realized[c].text!r} is false of its own image")
        extra = [int(i) for i in true if i != own]
        if extra:
            out.append({"caption_index": c, "images": extra})
    return out


def twin_records(w: SplitWorld) -> list[dict]:
    out = []
    for a in range(w.n):
        b = int(w.twin_of[a])
        if b < 0:
            continue
        for c in range(a * CAPTIONS_PER_IMAGE, (a + 1) * CAPTIONS_PER_IMAGE):
            if not w.index.holds(query_of(w.specs[c]), b):
                out.append({"caption_index": c, "image": a, "twin": b})
    return out
