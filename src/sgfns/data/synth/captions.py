"""Captions: what a caption says (`CaptionSpec`, sampled from the scene) and how it is worded (`realize`).

A spec names 1-3 mentioned objects (category, some attributes, a count for plurals) and 0-2 relations between
them, plus every wording choice (template, synonyms, passive verb), so a caption can be re-worded after an edit
(the compositional suite) with nothing else changing. Captions are never filtered by what a parser makes of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sgfns.data.synth.scene import Scene
from sgfns.data.synth.vocab import (
    ATTRIBUTE_CLASSES,
    ATTRIBUTE_SURFACES,
    CATEGORIES,
    NUMERALS,
    PLURALS,
    PREDICATE_SURFACES,
    PREDICATES,
)

ATTR_ORDER = ("size", "pattern", "colour")  # English adjective order used by the realizer
TEMPLATES = {
    # name: (weight, constructions it always carries)
    "phrase1": (0.05, ["plain_phrase"]),
    "phrase_rel": (0.13, ["plain_phrase"]),
    "copula": (0.13, ["copula_sentence"]),
    "copula2": (0.08, ["copula_sentence", "coordination"]),
    "relcl": (0.11, ["relative_clause"]),
    "relcl_adj": (0.07, ["relative_clause", "coordination"]),
    "passive": (0.10, ["passive"]),
    "exist_rel": (0.10, ["existential"]),
    "exist_num": (0.09, ["existential", "numeral_plural"]),
    "num": (0.09, ["plain_phrase", "numeral_plural"]),
    "coord_np": (0.07, ["plain_phrase"]),
}
PASSIVE_VERBS = ["placed", "positioned", "located"]
REL_PRONOUNS = ["that", "which"]


@dataclass
class Mention:
    cat: int
    attrs: dict[str, int]  # attribute class -> value index
    surf: dict[str, str] = field(default_factory=dict)  # attribute class -> word used
    count: int | None = None  # None: singular ("a ball"); >= 2: plural with a numeral

    def attribute_names(self) -> list[str]:
        return [ATTRIBUTE_CLASSES[c][self.attrs[c]] for c in ATTR_ORDER if c in self.attrs]


@dataclass
class CaptionSpec:
    template: str
    mentions: list[Mention]
    rels: list[tuple[int, int, int, str]]  # (subject mention, object mention, predicate index, surface words)
    sentence: bool = False  # capitalised with a full stop
    verb: str = "placed"
    pronoun: str = "that"
    extra: list[Mention] = field(default_factory=list)  # coordinated at the end by the add-obj edit


@dataclass
class Realized:
    text: str
    spans: list[tuple[int, int]]  # head-noun span of each mention (mentions then extra)
    constructions: list[str]


def _attr_word(cls: str, value: int, rng: np.random.Generator | None) -> str:
    canon = ATTRIBUTE_CLASSES[cls][value]
    forms = ATTRIBUTE_SURFACES.get(canon, [canon])
    if rng is None or len(forms) == 1 or rng.random() < 0.7:
        return forms[0]
    return forms[int(rng.integers(1, len(forms)))]


def pred_surface(p: int, rng: np.random.Generator | None) -> str:
    forms = PREDICATE_SURFACES[PREDICATES[p]]
    if rng is None or rng.random() < 0.6:
        return forms[0]
    return forms[int(rng.integers(1, len(forms)))]


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: dict[int, tuple[int, int]] = {}

    def add(self, s: str) -> None:
        if self.parts:
            self.parts.append(" ")
            self.n += 1
        self.parts.append(s)
        self.n += len(s)

    def np(self, m: Mention, key: int) -> None:
        words = [m.surf.get(c, ATTRIBUTE_CLASSES[c][m.attrs[c]]) for c in ATTR_ORDER if c in m.attrs]
        if m.count is not None:
            head = PLURALS[CATEGORIES[m.cat]]
            self.add(NUMERALS[m.count])
        else:
            head = CATEGORIES[m.cat]
            first = (words + [head])[0]
            self.add("an" if first[0] in "aeiou" else "a")
        for w in words:
            self.add(w)
        self.add(head)
        self.spans[key] = (self.n - len(head), self.n)

    def text(self) -> str:
        return "".join(self.parts)


def realize(spec: CaptionSpec) -> Realized:
    b = _Builder()
    m = spec.mentions
    t = spec.template
    r = spec.rels
    if t == "phrase1":
        b.np(m[0], 0)
    elif t == "phrase_rel":
        b.np(m[0], 0), b.add(r[0][3]), b.np(m[1], 1)
    elif t == "copula":
        b.np(m[0], 0), b.add("is"), b.add(r[0][3]), b.np(m[1], 1)
    elif t == "copula2":
        b.np(m[0], 0), b.add("is"), b.add(r[0][3]), b.np(m[1], 1), b.add("and"), b.add(r[1][3]), b.np(m[2], 2)
    elif t == "relcl":
        b.np(m[0], 0), b.add(spec.pronoun), b.add("is"), b.add(r[0][3]), b.np(m[1], 1)
    elif t == "relcl_adj":
        words = [m[0].surf.get(c, ATTRIBUTE_CLASSES[c][m[0].attrs[c]]) for c in ATTR_ORDER if c in m[0].attrs]
        front, clause = words[:-2], words[-2:]  # "a big ball that is striped and red"
        head = CATEGORIES[m[0].cat]
        b.add("an" if (front + [head])[0][0] in "aeiou" else "a")
        for wd in front:
            b.add(wd)
        b.add(head)
        b.spans[0] = (b.n - len(head), b.n)
        b.add(spec.pronoun), b.add("is")
        for k, wd in enumerate(clause):
            if k == len(clause) - 1 and k > 0:
                b.add("and")
            b.add(wd)
    elif t == "passive":
        b.np(m[0], 0), b.add("is"), b.add(spec.verb), b.add(r[0][3]), b.np(m[1], 1)
    elif t == "exist_rel":
        b.add("there is"), b.np(m[0], 0), b.add(r[0][3]), b.np(m[1], 1)
    elif t == "exist_num":
        b.add("there are"), b.np(m[0], 0)
        if len(m) > 1:
            b.add("and"), b.np(m[1], 1)
    elif t in ("num", "coord_np"):
        b.np(m[0], 0)
        if len(m) > 1:
            b.add("and"), b.np(m[1], 1)
    else:  # pragma: no cover - programming error
        raise ValueError(f"unknown template {t}")
    for k, e in enumerate(spec.extra):
        b.add("and"), b.np(e, len(m) + k)
    text = b.text()
    if spec.sentence:
        text = text[0].upper() + text[1:] + "."
    spans = [b.spans[k] for k in range(len(m) + len(spec.extra))]
    cons = list(TEMPLATES[t][1])
    if (spec.extra or (t in ("num", "exist_num", "coord_np") and len(m) > 1)) and "coordination" not in cons:
        cons.append("coordination")
    if any(" " in s for _, _, _, s in r):
        cons.append("multiword_predicate")
    syn = any(s != PREDICATE_SURFACES[PREDICATES[p]][0] for _, _, p, s in r) or any(
        w != ATTRIBUTE_CLASSES[c][mm.attrs[c]] for mm in m for c, w in mm.surf.items()
    )
    if syn:
        cons.append("synonym")
    return Realized(text, spans, cons)


# --- sampling -------------------------------------------------------------------------------------------------------
def _mention(rng, sc: Scene, i: int, *, min_attrs: int = 0, exact: int | None = None) -> Mention:
    vals = {"colour": sc.col[i], "size": sc.size[i], "pattern": sc.pat[i]}
    if exact is not None:
        classes = [str(c) for c in rng.choice(["colour", "size", "pattern"], size=exact, replace=False,
                                                p=[0.5, 0.25, 0.25])]  # fmt: skip
    else:
        classes = []
        if rng.random() < 0.85:
            classes.append("colour")
        if rng.random() < 0.35:
            classes.append("size")
        if rng.random() < 0.3 and (vals["pattern"] != 0 or rng.random() < 0.3):
            classes.append("pattern")
        rest = [c for c in ("colour", "size", "pattern") if c not in classes]
        while len(classes) < min_attrs:
            classes.append(rest.pop(0))
    attrs = {c: int(vals[c]) for c in classes}
    surf = {c: _attr_word(c, v, rng) for c, v in attrs.items()}
    return Mention(sc.cat[i], attrs, surf)


def _true_pairs(rel: np.ndarray, n: int, focus: tuple[int, ...] | None) -> list[tuple[int, int]]:
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j and rel[i, j].any()]
    if focus is not None and len(focus) == 2:
        pairs = [p for p in pairs if set(p) == set(focus)] or pairs
    elif focus is not None and len(focus) == 1:
        pairs = [p for p in pairs if focus[0] in p] or pairs
    return pairs


def _groups(sc: Scene) -> list[tuple[list[int], bool]]:
    """Groups of >= 2 objects that a plural can name: same category (and optionally same colour)."""
    out = []
    n = len(sc)
    for cat in sorted(set(sc.cat)):
        idx = [i for i in range(n) if sc.cat[i] == cat]
        if 2 <= len(idx) <= 4:
            out.append((idx, False))
        for col in sorted({sc.col[i] for i in idx}):
            same = [i for i in idx if sc.col[i] == col]
            if 2 <= len(same) <= 4:
                out.append((same, True))
    return out


def sample_caption(rng: np.random.Generator, sc: Scene, rel: np.ndarray, focus: tuple[int, ...] | None = None):
    """One caption spec true of the scene. `focus`: objects a twin differs in; the caption must mention them."""
    n = len(sc)
    names = list(TEMPLATES)
    w = np.array([TEMPLATES[t][0] for t in names])
    groups = _groups(sc)
    pairs = _true_pairs(rel, n, focus)
    for _ in range(50):
        t = names[int(rng.choice(len(names), p=w / w.sum()))]
        if focus is not None and t in ("num", "exist_num", "phrase1", "relcl_adj") and len(focus) == 2:
            continue
        spec = _build(rng, t, sc, rel, pairs, groups, focus)
        if spec is not None:
            spec.sentence = bool(rng.random() < 0.5)
            spec.verb = PASSIVE_VERBS[int(rng.integers(len(PASSIVE_VERBS)))]
            spec.pronoun = REL_PRONOUNS[int(rng.integers(len(REL_PRONOUNS)))]
            return spec
    # fallback (rare: e.g. two overlapping objects of one category with no relation between them)
    i = int(focus[0]) if focus else int(rng.integers(n))
    return CaptionSpec("phrase1", [_mention(rng, sc, i, min_attrs=2)], [], bool(rng.random() < 0.5))


def _rel_of(rng, rel: np.ndarray, i: int, j: int) -> tuple[int, str]:
    ps = np.flatnonzero(rel[i, j])
    p = int(ps[int(rng.integers(len(ps)))])
    return p, pred_surface(p, rng)


def _build(rng, t, sc, rel, pairs, groups, focus) -> CaptionSpec | None:
    n = len(sc)
    if t in ("phrase_rel", "copula", "relcl", "passive", "exist_rel"):
        if not pairs:
            return None
        i, j = pairs[int(rng.integers(len(pairs)))]
        p, s = _rel_of(rng, rel, i, j)
        m0 = _mention(rng, sc, i, min_attrs=1)
        m1 = _mention(rng, sc, j, min_attrs=1 if focus is not None and len(focus) == 2 else 0)
        if focus is not None and len(focus) == 2:  # a swapped-attribute twin: bind colours on both sides
            for mm, k in ((m0, i), (m1, j)):
                mm.attrs["colour"] = sc.col[k]
                mm.surf["colour"] = _attr_word("colour", sc.col[k], rng)
        return CaptionSpec(t, [m0, m1], [(0, 1, p, s)])
    if t == "copula2":
        for _ in range(10):
            i = int(rng.integers(n)) if focus is None else int(focus[int(rng.integers(len(focus)))])
            partners = [j for j in range(n) if j != i and rel[i, j].any()]
            if len(partners) >= 2:
                j, k = (int(v) for v in rng.choice(partners, size=2, replace=False))
                p1, s1 = _rel_of(rng, rel, i, j)
                p2, s2 = _rel_of(rng, rel, i, k)
                ms = [_mention(rng, sc, i, min_attrs=1), _mention(rng, sc, j), _mention(rng, sc, k)]
                return CaptionSpec(t, ms, [(0, 1, p1, s1), (0, 2, p2, s2)])
        return None
    if t in ("phrase1", "relcl_adj"):
        i = int(rng.integers(n)) if focus is None else int(focus[0])
        m = _mention(rng, sc, i, exact=3 if t == "phrase1" or rng.random() < 0.7 else 2)
        return CaptionSpec(t, [m], [])
    if t in ("num", "exist_num"):
        if not groups:
            return None
        idx, by_colour = groups[int(rng.integers(len(groups)))]
        attrs = {"colour": sc.col[idx[0]]} if by_colour else {}
        plural = Mention(sc.cat[idx[0]], attrs, {c: _attr_word(c, v, rng) for c, v in attrs.items()}, len(idx))
        others = [k for k in range(n) if sc.cat[k] != sc.cat[idx[0]]]
        ms = [plural]
        if others:
            ms.append(_mention(rng, sc, others[int(rng.integers(len(others)))], min_attrs=1))
        return CaptionSpec(t, ms, [])
    if t == "coord_np":
        if focus is not None:
            i = int(focus[0])
            j = int(focus[1]) if len(focus) > 1 else int(rng.choice([k for k in range(n) if k != i]))
        else:
            i, j = (int(v) for v in rng.choice(n, size=2, replace=False))
        if sc.cat[i] == sc.cat[j]:
            return None
        return CaptionSpec(t, [_mention(rng, sc, i, min_attrs=2), _mention(rng, sc, j, min_attrs=1)], [])
    raise ValueError(t)  # pragma: no cover
