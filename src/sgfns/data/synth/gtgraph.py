"""Ground-truth scene graphs (image and caption) and the canonical-synonym map used to compare graphs.

Image graph: every object with its category and all three attributes (colour, size, pattern, `plain` included),
and every relation that holds between two objects by the geometric rule (both directions where a predicate has an
inverse). Caption graph: the mentioned objects (head-noun spans), the attributes the caption states, the numeral as
`count` (null for a singular), the stated relations — all as canonical lemmas.

`canonical_key` turns a graph into something comparable: names, attributes and predicates through the synonym map
below (documented in docs/synthetic_world.md), count 1 equal to null, objects as a multiset (order ignored),
relations as (subject key, predicate, object key)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from sgfns.data.synth.captions import CaptionSpec, Realized
from sgfns.data.synth.scene import Scene
from sgfns.data.synth.vocab import (
    ATTRIBUTE_CLASSES,
    ATTRIBUTE_SURFACES,
    CATEGORIES,
    COLOURS,
    PATTERNS,
    PREDICATE_SURFACES,
    PREDICATES,
    SIZES,
)


def image_graph(sc: Scene, rel: np.ndarray) -> dict[str, Any]:
    objects = [
        {"name": CATEGORIES[sc.cat[i]], "attributes": [COLOURS[sc.col[i]], SIZES[sc.size[i]], PATTERNS[sc.pat[i]]],
         "count": None}
        for i in range(len(sc))
    ]  # fmt: skip
    i, j, p = np.nonzero(rel[: len(sc), : len(sc)])
    relations = [
        {"subject": int(a), "predicate": PREDICATES[int(c)], "object": int(b)} for a, b, c in zip(i, j, p, strict=False)
    ]
    return {"objects": objects, "relations": relations}


def caption_graph(spec: CaptionSpec, real: Realized) -> dict[str, Any]:
    objects = []
    for m, span in zip([*spec.mentions, *spec.extra], real.spans, strict=True):
        objects.append({"name": CATEGORIES[m.cat], "attributes": m.attribute_names(), "count": m.count,
                        "span": [span[0], span[1]]})  # fmt: skip
    relations = [{"subject": s, "predicate": PREDICATES[p], "object": o} for s, o, p, _ in spec.rels]
    return {"objects": objects, "relations": relations}


# --- canonical-synonym map ------------------------------------------------------------------------------------------
def _pred_variants() -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, forms in PREDICATE_SURFACES.items():
        for f in [canon, *forms]:
            out[f] = canon
    for side in ("left", "right"):
        canon = f"{side} of"
        for f in (
            f"to the {side} of",
            f"to {side} of",
            f"on the {side} of",
            f"on the {side} side of",
            f"the {side} of",
            f"the {side} side of",
            f"{side} side of",
            f"at the {side} of",
            side,
        ):
            out[f] = canon  # fmt: skip
    out.update({"on top": "on top of", "top of": "on top of", "atop": "on top of", "beside": "next to",
                "next": "next to", "over": "above", "under": "below", "beneath": "below",
                "underneath": "below"})  # fmt: skip
    return out


PREDICATE_CANON = _pred_variants()
ATTRIBUTE_CANON = {syn: canon for canon, forms in ATTRIBUTE_SURFACES.items() for syn in forms}
ATTRIBUTE_CANON.update({"tiny": "small", "checked": "checkered", "dotted": "spotted", "grey": "gray"})
NAME_CANON: dict[str, str] = {}  # no noun synonyms are generated


def canon_pred(p: str) -> str:
    p = re.sub(r"\s+", " ", p.strip().lower())
    return PREDICATE_CANON.get(p, p)


def canon_attr(a: str) -> str:
    a = a.strip().lower()
    return ATTRIBUTE_CANON.get(a, a)


def canon_name(n: str) -> str:
    n = n.strip().lower()
    return NAME_CANON.get(n, n)


def canonical_key(g: dict[str, Any]) -> tuple:
    """A hashable form of a graph that is equal for graphs that differ only by synonyms and object order."""
    objs = g.get("objects", [])
    keys = []
    for o in objs:
        count = o.get("count")
        keys.append((canon_name(o["name"]), tuple(sorted({canon_attr(a) for a in o.get("attributes", [])})),
                     None if count in (None, 1) else int(count)))  # fmt: skip
    rels = Counter((keys[r["subject"]], canon_pred(r["predicate"]), keys[r["object"]]) for r in g.get("relations", []))
    return (tuple(sorted(Counter(keys).items(), key=repr)), tuple(sorted(rels.items(), key=repr)))


def graphs_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return canonical_key(a) == canonical_key(b)


def all_attribute_words() -> set[str]:
    return {v for vals in ATTRIBUTE_CLASSES.values() for v in vals}
