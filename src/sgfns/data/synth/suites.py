"""The compositional suite (`{split}_compositional.jsonl`): for a caption true of its image, a negative caption
changed in one detail and checked to be false of that image.

This is the world's own code, built on the caption spec and the truth check; the project's negative generator
(`sgfns.negatives`, which works from parsed captions) neither imports it nor is imported here. Each edit changes the
spec and re-words it with the same template and synonyms, so the negative differs only in the edited words."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sgfns.data.synth.captions import CaptionSpec, Mention, pred_surface, realize
from sgfns.data.synth.truth import TruthIndex, query_of
from sgfns.data.synth.vocab import ATTRIBUTE_CLASSES, CATEGORIES, NUMERALS, PREDICATES


def _m(m: Mention) -> Mention:
    return Mention(m.cat, dict(m.attrs), dict(m.surf), m.count)


def _copy(spec: CaptionSpec) -> CaptionSpec:
    return replace(spec, mentions=[_m(m) for m in spec.mentions], rels=list(spec.rels),
                   extra=[_m(m) for m in spec.extra])  # fmt: skip


CATEGORIES_SUITE = ("replace-obj", "replace-att", "replace-rel", "swap-att", "swap-obj", "count", "add-obj", "add-att")


def _replace_obj(rng, spec: CaptionSpec):
    k = int(rng.integers(len(spec.mentions)))
    s = _copy(spec)
    choices = [c for c in range(len(CATEGORIES)) if c != spec.mentions[k].cat]
    s.mentions[k].cat = int(rng.choice(choices))
    return s


def _replace_att(rng, spec: CaptionSpec):
    opts = [(k, c) for k, m in enumerate(spec.mentions) for c in m.attrs]
    if not opts:
        return None
    k, c = opts[int(rng.integers(len(opts)))]
    s = _copy(spec)
    vals = [v for v in range(len(ATTRIBUTE_CLASSES[c])) if v != spec.mentions[k].attrs[c]]
    s.mentions[k].attrs[c] = int(rng.choice(vals))
    s.mentions[k].surf[c] = ATTRIBUTE_CLASSES[c][s.mentions[k].attrs[c]]
    return s


def _replace_rel(rng, spec: CaptionSpec):
    if not spec.rels:
        return None
    r = int(rng.integers(len(spec.rels)))
    s = _copy(spec)
    a, b, p, _ = spec.rels[r]
    choices = [q for q in range(len(PREDICATES)) if q != p]
    q = int(rng.choice(choices))
    s.rels[r] = (a, b, q, pred_surface(q, None))
    return s


def _swap_att(rng, spec: CaptionSpec):
    ms = spec.mentions
    opts = [(i, j, c) for i in range(len(ms)) for j in range(i + 1, len(ms)) for c in ms[i].attrs
            if c in ms[j].attrs and ms[i].attrs[c] != ms[j].attrs[c]]  # fmt: skip
    if not opts:
        return None
    i, j, c = opts[int(rng.integers(len(opts)))]
    s = _copy(spec)
    s.mentions[i].attrs[c], s.mentions[j].attrs[c] = ms[j].attrs[c], ms[i].attrs[c]
    s.mentions[i].surf[c], s.mentions[j].surf[c] = ms[j].surf[c], ms[i].surf[c]
    return s


def _swap_obj(rng, spec: CaptionSpec):
    """Exchange the subject and object of a relation (the whole noun phrases move)."""
    if len(spec.rels) != 1:
        return None
    a, b, p, surf = spec.rels[0]
    if PREDICATES[p] == "next to":
        return None
    s = _copy(spec)
    s.mentions[a], s.mentions[b] = _m(spec.mentions[b]), _m(spec.mentions[a])
    return s


def _count(rng, spec: CaptionSpec):
    opts = [k for k, m in enumerate(spec.mentions) if m.count is not None]
    if not opts:
        return None
    k = opts[int(rng.integers(len(opts)))]
    s = _copy(spec)
    c = spec.mentions[k].count
    s.mentions[k].count = int(rng.choice([v for v in NUMERALS if v != c]))
    return s


def _add_obj(rng, spec: CaptionSpec, present: set[int]):
    absent = [c for c in range(len(CATEGORIES)) if c not in present]
    if not absent:
        return None
    s = _copy(spec)
    col = int(rng.integers(len(ATTRIBUTE_CLASSES["colour"])))
    s.extra.append(Mention(int(rng.choice(absent)), {"colour": col}, {"colour": ATTRIBUTE_CLASSES["colour"][col]}))
    return s


def _add_att(rng, spec: CaptionSpec):
    opts = [(k, c) for k, m in enumerate(spec.mentions) for c in ATTRIBUTE_CLASSES if c not in m.attrs]
    if not opts:
        return None
    k, c = opts[int(rng.integers(len(opts)))]
    s = _copy(spec)
    v = int(rng.integers(len(ATTRIBUTE_CLASSES[c])))
    s.mentions[k].attrs[c] = v
    s.mentions[k].surf[c] = ATTRIBUTE_CLASSES[c][v]
    return s


def compositional_items(
    rng: np.random.Generator,
    specs: list[CaptionSpec],
    texts: list[str],
    k: int,
    index: TruthIndex,
    present: list[set[int]],
) -> list[dict]:
    """At most one item per caption and category; a candidate that is still true of the image is retried, then
    skipped (never written)."""
    items = []
    for c, spec in enumerate(specs):
        img = c // k
        for cat in CATEGORIES_SUITE:
            for _ in range(4):
                if cat == "add-obj":
                    neg = _add_obj(rng, spec, present[img])
                else:
                    neg = EDITS[cat](rng, spec)
                if neg is None:
                    break
                text = realize(neg).text
                if text == texts[c] or index.holds(query_of(neg), img):
                    continue
                items.append({"image": img, "caption_index": c, "caption": texts[c], "negative": text,
                              "category": cat})  # fmt: skip
                break
    return items


EDITS = {
    "replace-obj": _replace_obj,
    "replace-att": _replace_att,
    "replace-rel": _replace_rel,
    "swap-att": _swap_att,
    "swap-obj": _swap_obj,
    "count": _count,
    "add-att": _add_att,
}
