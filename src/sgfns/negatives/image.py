"""Image-side negatives: edits of an image's visual objects aligned to the caption's graph
(docs/method.md#image-negatives).

An object is the tuple (label, attributes, region feature, box): the tuple always moves as a whole, so an edited
image holds only objects that exist somewhere in the batch and never a label that contradicts its feature. Three
edits, each of which makes the caption false while leaving every object realistic:

- `reverse`: the two objects of a caption relation exchange places in the scene (whole objects swap node slots,
  the relation edges stay): 'man riding horse' now reads 'horse riding man';
- `swap`: a caption object exchanges places with another object of the image (its relations now hold another
  thing);
- `replace`: a caption object is replaced by a different object from another image of the batch (label,
  attributes, feature, box together); a donor that the caption would still describe (same label with every
  attribute the caption gives) is rejected;
- `replace-att`: the same, with a donor of the caption object's own label that lacks an attribute the caption
  gives it ('a striped ball' now holds a plain ball from another image): the image differs from the caption in
  one attribute only, the detail that most often separates a caption's image from the image ranked above it.

Because edited images contain the same kinds of objects as real ones, an image-only classifier cannot tell them
apart (see `tests/test_negatives_image.py`): the model has to read the caption to use them."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sgfns.graphs.types import SceneGraph, SGObject
from sgfns.text import lexicon

EDITS = ("reverse", "swap", "replace", "replace-att")
DONOR_EDITS = ("replace", "replace-att")  # edits that take an object of another image


@dataclass
class VisualScene:
    """One image: visual graph + region features [R, D] (or None, graphs-only) + boxes [R, 4] (or None)."""

    graph: SceneGraph
    features: np.ndarray | None = None
    boxes: np.ndarray | None = None

    def copy(self) -> VisualScene:
        return VisualScene(
            self.graph.copy(),  # by hand: copy.deepcopy was a third of the per-step CPU cost of the image negatives
            None if self.features is None else np.array(self.features, copy=True),
            None if self.boxes is None else np.array(self.boxes, copy=True),
        )


@dataclass
class ImageNegative:
    scene: VisualScene
    edit: str  # one of EDITS
    objects: tuple[int, ...]  # visual object indices edited
    donor: tuple[int, int] | None = None  # (batch position, object index) for `replace` / `replace-att`


@functools.lru_cache(maxsize=65536)
def same_label(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    ma, mb = lexicon.morphy(a, "n")[:1] or [a], lexicon.morphy(b, "n")[:1] or [b]
    return ma == mb or lexicon.are_synonyms(ma[0], mb[0], "n", senses=1)


def align(caption: SceneGraph, visual: SceneGraph) -> dict[int, list[int]]:
    """Caption object index -> visual object indices with the same label (or a first-sense synonym)."""
    out: dict[int, list[int]] = {}
    for i, c in enumerate(caption.objects):
        hits = [j for j, v in enumerate(visual.objects) if same_label(c.name, v.name)]
        if hits:
            out[i] = hits
    return out


def _move_object(dst: VisualScene, j: int, src: VisualScene, k: int) -> None:
    """Give dst's object j the label, attributes, feature and box of src's object k (one unit)."""
    so, do = src.graph.objects[k], dst.graph.objects[j]
    do.name, do.attributes, do.count = so.name, list(so.attributes), so.count
    if do.region is not None and so.region is not None:
        if dst.features is not None and src.features is not None:
            dst.features[do.region] = src.features[so.region]
        if dst.boxes is not None and src.boxes is not None:
            dst.boxes[do.region] = src.boxes[so.region]


def _exchange(scene: VisualScene, a: int, b: int) -> VisualScene:
    out = scene.copy()
    oa, ob = scene.graph.objects[a], scene.graph.objects[b]
    if (oa.region is None) != (ob.region is None):
        raise ValueError("one object has a region and the other none")
    _move_object(out, a, scene, b)
    _move_object(out, b, scene, a)
    return out


def _caption_still_true(caption_obj: SGObject, donor: SGObject) -> bool:
    """A donor with the caption object's label and every attribute the caption gives it keeps the caption true."""
    return same_label(caption_obj.name, donor.name) and set(caption_obj.attributes) <= set(donor.attributes)


def candidates(
    caption: SceneGraph, scenes: Sequence[VisualScene], pos: int
) -> list[tuple[str, tuple[int, ...], tuple[int, int] | None]]:
    """The valid `reverse` and `swap` edits of scenes[pos] for this caption: (edit, visual objects, None)."""
    scene = scenes[pos]
    vis = scene.graph
    al = align(caption, vis)
    out: list[tuple[str, tuple[int, ...], tuple[int, int] | None]] = []

    def compatible(a: int, b: int) -> bool:
        oa, ob = vis.objects[a], vis.objects[b]
        return (oa.region is None) == (ob.region is None) and not same_label(oa.name, ob.name)

    # reverse: a caption relation whose subject and object are both in the visual graph, related there too
    vis_pairs = {(r.subject, r.object) for r in vis.relations} | {(r.object, r.subject) for r in vis.relations}
    for r in caption.relations:
        for a in al.get(r.subject, []):
            for b in al.get(r.object, []):
                if a != b and (a, b) in vis_pairs and compatible(a, b):
                    out.append(("reverse", (a, b), None))
    # swap: a caption object exchanges places with another object of the image that plays a different role
    aligned = {j for js in al.values() for j in js}
    for a in sorted(aligned):
        for b in range(len(vis.objects)):
            if b != a and compatible(a, b) and ("reverse", (a, b), None) not in out:
                if any(r.subject in (a, b) or r.object in (a, b) for r in vis.relations):
                    out.append(("swap", (a, b), None))
    return out


def _valid_donor(caption_obj: SGObject, target: SGObject, donor: SGObject) -> bool:
    if (donor.region is None) != (target.region is None):
        return False
    if _caption_still_true(caption_obj, donor):
        return False
    return not (same_label(donor.name, target.name) and set(donor.attributes) == set(target.attributes))


def replace_candidates(
    caption: SceneGraph, scenes: Sequence[VisualScene], pos: int
) -> list[tuple[str, tuple[int, ...], tuple[int, int] | None]]:
    """Every (caption-aligned object, donor from another image) replacement, listed as `replace-att` where the donor
    has the caption object's label (a `replace` draw may pick such a donor too): O(batch x objects), for tests and
    small batches; training samples donors with `sample` instead."""
    vis = scenes[pos].graph
    out: list[tuple[str, tuple[int, ...], tuple[int, int] | None]] = []
    for ci, js in align(caption, vis).items():
        for j in js:
            for p, other in enumerate(scenes):
                if p == pos:
                    continue
                for k, d in enumerate(other.graph.objects):
                    if _valid_donor(caption.objects[ci], vis.objects[j], d):
                        kind = "replace-att" if same_label(caption.objects[ci].name, d.name) else "replace"
                        out.append((kind, (j,), (p, k)))
    return out


def edit_moves(
    pos: int, edit: str, objects: tuple[int, ...], donor: tuple[int, int] | None
) -> list[tuple[int, int, int]]:
    """An edit of scenes[pos] as whole-object moves `(object slot of the edited image, source scene, source
    object)`, every source read from the unedited scenes: the slot takes the source's label, attributes, count,
    region feature and box (`apply_edit` does exactly these moves; training builds its tensors from them)."""
    if edit in ("reverse", "swap"):
        a, b = objects
        return [(a, pos, b), (b, pos, a)]
    if edit in DONOR_EDITS:
        if donor is None:
            raise ValueError(f"{edit} needs a donor")
        return [(objects[0], donor[0], donor[1])]
    raise ValueError(f"unknown image edit {edit!r}; known: {', '.join(EDITS)}")


def apply_edit(
    scenes: Sequence[VisualScene], pos: int, edit: str, objects: tuple[int, ...], donor: tuple[int, int] | None
) -> ImageNegative:
    if edit in ("reverse", "swap"):
        return ImageNegative(_exchange(scenes[pos], *objects), edit, objects)
    if edit in DONOR_EDITS:
        if donor is None:
            raise ValueError(f"{edit} needs a donor")
        out = scenes[pos].copy()
        _move_object(out, objects[0], scenes[donor[0]], donor[1])
        return ImageNegative(out, edit, objects, donor)
    raise ValueError(f"unknown image edit {edit!r}; known: {', '.join(EDITS)}")


def sample(
    caption: SceneGraph,
    scenes: Sequence[VisualScene],
    pos: int,
    rng: random.Random,
    k: int = 1,
    edits: Sequence[str] = EDITS,
) -> list[ImageNegative]:
    """Up to k image negatives of scenes[pos] for `caption`: one edit kind chosen uniformly among those available,
    then one of its candidates, so rare kinds (reversals) are not drowned by the many replacements."""
    return [apply_edit(scenes, pos, *c) for c in sample_edits(caption, scenes, pos, rng, k, edits)]


def own_edits(caption: SceneGraph, scene: VisualScene) -> tuple[list, list[tuple[int, int]]]:
    """What `sample_edits` needs of one (caption, image) pair whatever the rest of the batch: the `candidates`
    (reverse / swap) and the replaceable targets (caption object, aligned visual object). A training run keeps them
    per caption (they depend on the caption and its own image only)."""
    al = align(caption, scene.graph)
    return candidates(caption, [scene], 0), [(ci, j) for ci, js in al.items() for j in js]


def sample_edits(
    caption: SceneGraph,
    scenes: Sequence[VisualScene],
    pos: int,
    rng: random.Random,
    k: int = 1,
    edits: Sequence[str] = EDITS,
    own: tuple[list, list[tuple[int, int]]] | None = None,
) -> list[tuple[str, tuple[int, ...], tuple[int, int] | None]]:
    """The edits `sample` draws, as (edit, objects, donor) without building the edited scenes (same draws from the
    same rng). `own`: `own_edits(caption, scenes[pos])` when already known. Only donors read the other scenes,
    and only their graphs: scenes without features are enough."""
    cands, targets = own if own is not None else own_edits(caption, scenes[pos])
    by_kind: dict[str, list] = {}
    for c in cands:
        if c[0] in edits:
            by_kind.setdefault(c[0], []).append(c)
    donors = {kind: kind in edits and bool(targets) and len(scenes) > 1 for kind in DONOR_EDITS}
    out: list[tuple[str, tuple[int, ...], tuple[int, int] | None]] = []
    used = set()
    while len(out) < k and (by_kind or any(donors.values())):
        kinds = sorted(by_kind) + [kind for kind in DONOR_EDITS if donors[kind]]
        kind = rng.choice(kinds)
        if kind in DONOR_EDITS:
            pick = _sample_donor if kind == "replace" else _sample_same_label_donor
            c = pick(caption, scenes, pos, targets, rng)
            if c is None or c in used:
                donors[kind] = False
                continue
        else:
            pool = [c for c in by_kind[kind] if c not in used]
            if not pool:
                del by_kind[kind]
                continue
            c = rng.choice(pool)
        used.add(c)
        out.append(c)
    return out


def _sample_donor(caption, scenes, pos, targets, rng: random.Random, tries: int = 32):
    vis = scenes[pos].graph
    others = [p for p in range(len(scenes)) if p != pos and scenes[p].graph.objects]
    if not others:
        return None
    for _ in range(tries):
        ci, j = rng.choice(targets)
        p = rng.choice(others)
        k = rng.randrange(len(scenes[p].graph.objects))
        if _valid_donor(caption.objects[ci], vis.objects[j], scenes[p].graph.objects[k]):
            return ("replace", (j,), (p, k))
    return None


def _sample_same_label_donor(caption, scenes, pos, targets, rng: random.Random):
    """A `replace-att` edit: a caption object that the caption gives attributes, and an object of another image with
    its label that lacks one of them (a valid donor); None when the batch has no such pair."""
    vis = scenes[pos].graph
    pairs = [(ci, j) for ci, j in targets if caption.objects[ci].attributes]
    rng.shuffle(pairs)
    for ci, j in pairs:
        want, target = caption.objects[ci], vis.objects[j]
        found = [(p, k) for p, other in enumerate(scenes) if p != pos for k, d in enumerate(other.graph.objects)
                 if same_label(want.name, d.name) and _valid_donor(want, target, d)]  # fmt: skip
        if found:
            return ("replace-att", (j,), rng.choice(found))
    return None
