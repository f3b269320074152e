"""The compositional suite (`{split}_compositional.jsonl`): for a caption true of its image, a negative caption
changed in one detail and checked to be false of that image.

This is the world's own code, built on the caption spec and the truth check; the project's negative generator
(`sgfns.negatives`, which works from parsed captions) neither imports it nor is imported here. Each edit changes the
spec and re-words it with the same template and synonyms, so the negative differs only in the edited words.

`count`, `add-obj` and `add-att` (suites version 2) are *balanced*: an item's caption is a base plus one detail
that is true of the image (a numeral, a coordinated object, an attribute) and its negative is the same base plus
one that is false, and the false details are the true details of other items. Items are made in pairs: two
captions with different values of the detail exchange them (caption A "two balls", caption B "three boxes" give the
negatives "three balls" and "two boxes"), and a pair is kept only when both negatives are false of their images. So
the words that differ between caption and negative occur equally often on both sides of the suite, and a reader
without the image cannot tell which side is true from those words (`benchmarks/blind_text.py`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    """The one-caption edits: at most one item per caption and category; a candidate that is still true of the
    image is retried, then skipped (never written). Returns the items of every category but `BALANCED`.

    The version-1 edits of `count`, `add-obj` and `add-att` are still drawn and thrown away, so that the other five
    categories use the same random numbers and keep exactly the items of suites version 1. The balanced items come
    from `balanced_items`; `merge_items` puts both in file order."""
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
                if cat not in BALANCED:
                    items.append({"image": img, "caption_index": c, "caption": texts[c], "negative": text,
                                  "category": cat})  # fmt: skip
                break
    return items


def merge_items(*parts: list[dict]) -> list[dict]:
    """All items ordered by caption, then category (`CATEGORIES_SUITE` order); the sort is stable."""
    order = {cat: i for i, cat in enumerate(CATEGORIES_SUITE)}
    return sorted((it for part in parts for it in part), key=lambda it: (it["caption_index"], order[it["category"]]))


# --- balanced categories (suites version 2) ---------------------------------------------------------------------------
BALANCED = ("count", "add-obj", "add-att")
SUITES_VERSION = "synth-suites-2"
_PAIR_TRIES = 8  # candidates tried per other value before an item is given up


@dataclass(frozen=True)
class _Cand:
    caption: int  # caption index
    mention: int  # mention whose detail is exchanged
    key: str  # what is exchanged: "count", "cat" or an attribute class
    value: int  # the caption's (true) value


def _with_value(spec: CaptionSpec, cand: _Cand, value: int, surface: str | None) -> CaptionSpec:
    s = _copy(spec)
    m = s.mentions[cand.mention]
    if cand.key == "count":
        m.count = value
    elif cand.key == "cat":
        m.cat = value
    else:
        m.attrs[cand.key] = value
        m.surf[cand.key] = surface or ATTRIBUTE_CLASSES[cand.key][value]
    return s


def _candidates(rng: np.random.Generator, specs: list[CaptionSpec | None], category: str) -> list[_Cand]:
    """One candidate per caption that can carry an item of `category` (the detail chosen at random for add-att).
    A None spec (a caption whose wording could not be rebuilt) gives none."""
    out = []
    for c, spec in enumerate(specs):
        if spec is None or spec.extra:
            continue
        ms = spec.mentions
        if category == "count":
            opts = [(j, "count", m.count) for j, m in enumerate(ms) if m.count is not None]
        elif category == "add-obj":
            # "<base> and <a coordinated singular object>": the last mention of a coordination without relations
            last = len(ms) - 1
            ok = spec.template in ("num", "exist_num", "coord_np") and last >= 1 and ms[last].count is None
            opts = [(last, "cat", ms[last].cat)] if ok and not any(last in r[:2] for r in spec.rels) else []
        else:
            opts = [(j, a, m.attrs[a]) for j, m in enumerate(ms) for a in ATTRIBUTE_CLASSES if a in m.attrs]
        if opts:
            j, key, value = opts[int(rng.integers(len(opts)))]
            out.append(_Cand(c, j, key, int(value)))
    return out


def balanced_items(
    rng: np.random.Generator,
    specs: list[CaptionSpec | None],
    texts: list[str],
    k: int,
    index: TruthIndex,
    present: list[set[int]],
) -> list[dict]:
    """The balanced `count`, `add-obj` and `add-att` items: candidates with different values of the same detail
    are paired and exchange their values. `add-obj` pairs only objects absent from the other image (present vs
    absent object); every negative is checked false of its image by the truth index. Per category and detail
    class, each value occurs as often among the captions' values as among the negatives' values."""

    def negative(cand: _Cand, other: _Cand) -> str | None:
        img = cand.caption // k
        if cand.key == "cat" and other.value in present[img]:
            return None
        o = specs[other.caption].mentions[other.mention]
        neg = _with_value(specs[cand.caption], cand, other.value, o.surf.get(cand.key))
        text = realize(neg).text
        if text == texts[cand.caption] or index.holds(query_of(neg), img):
            return None
        return text

    items = []
    for category in BALANCED:
        cands = _candidates(rng, specs, category)
        for key in sorted({c.key for c in cands}):
            for a, b, na, nb in _pair(rng, [c for c in cands if c.key == key], negative):
                for cand, text in ((a, na), (b, nb)):
                    items.append({"image": cand.caption // k, "caption_index": cand.caption,
                                  "caption": texts[cand.caption], "negative": text, "category": category})  # fmt: skip
    return items


def _pair(rng: np.random.Generator, cands: list[_Cand], negative) -> list[tuple[_Cand, _Cand, str, str]]:
    """Greedy pairing of candidates with different values (the most frequent remaining value first, which pairs
    as many as the value counts allow); a pair is kept only when both negatives exist."""
    buckets: dict[int, list[_Cand]] = {}
    for c in cands:
        buckets.setdefault(c.value, []).append(c)
    for v in buckets:
        buckets[v] = [buckets[v][int(i)] for i in rng.permutation(len(buckets[v]))]
    pairs = []
    while True:
        order = sorted((v for v in buckets if buckets[v]), key=lambda v: (-len(buckets[v]), v))
        if len(order) < 2:
            return pairs
        a = buckets[order[0]].pop()
        for v in order[1:]:
            found = None
            for t in range(1, min(_PAIR_TRIES, len(buckets[v])) + 1):
                b = buckets[v][-t]
                na = negative(a, b)
                nb = negative(b, a) if na is not None else None
                if nb is not None:
                    found = (len(buckets[v]) - t, b, na, nb)
                    break
            if found is not None:
                del buckets[v][found[0]]
                pairs.append((a, found[1], found[2], found[3]))
                break


EDITS = {
    "replace-obj": _replace_obj,
    "replace-att": _replace_att,
    "replace-rel": _replace_rel,
    "swap-att": _swap_att,
    "swap-obj": _swap_obj,
    "count": _count,
    "add-att": _add_att,
}
