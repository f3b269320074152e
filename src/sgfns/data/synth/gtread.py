"""Rebuild what the suite writer needs from a written world's `{split}_gt.jsonl`: the truth index (object categories,
attributes and every relation of each image) and each caption's spec with its exact wording.

Used by `writer.rewrite_suites` to rewrite a world's suites without re-sampling or rendering it. A caption spec is
rebuilt from its ground-truth graph (objects, stated attributes, counts, relations), its template, and the wording
choices read off the text (sentence form, passive verb, relative pronoun, synonym of each attribute and predicate);
it is accepted only when `captions.realize` gives back the caption exactly (captions of an older
generator's wording that this version cannot produce are left out)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.synth.captions import PASSIVE_VERBS, REL_PRONOUNS, TEMPLATES, CaptionSpec, Mention, realize
from sgfns.data.synth.scene import MAX_OBJECTS, Scenes
from sgfns.data.synth.truth import TruthIndex
from sgfns.data.synth.vocab import ATTRIBUTE_CLASSES, ATTRIBUTE_SURFACES, CATEGORIES, PREDICATE_SURFACES, PREDICATES
from sgfns.errors import located

_CLASS_OF = {v: (c, i) for c, vals in ATTRIBUTE_CLASSES.items() for i, v in enumerate(vals)}
_MAX_WORDINGS = 4096


def truth_from_gt(path: str | Path, records: list[dict[str, Any]]) -> tuple[TruthIndex, list[set[int]]]:
    """The split's `TruthIndex` and each image's set of categories, from the ground-truth image graphs."""
    n = len(records)
    arr = {k: np.full((n, MAX_OBJECTS), -1, dtype=np.int16) for k in ("cat", "col", "size", "pat")}
    rel = np.zeros((n, MAX_OBJECTS, MAX_OBJECTS, len(PREDICATES)), dtype=bool)
    present: list[set[int]] = []
    for i, rec in enumerate(records):
        try:
            objs = rec["graph"]["objects"]
            if len(objs) > MAX_OBJECTS:
                raise ValueError(f"{len(objs)} objects (at most {MAX_OBJECTS})")
            for j, o in enumerate(objs):
                arr["cat"][i, j] = CATEGORIES.index(o["name"])
                vals = {_CLASS_OF[a][0]: _CLASS_OF[a][1] for a in o["attributes"]}
                arr["col"][i, j], arr["size"][i, j], arr["pat"][i, j] = vals["colour"], vals["size"], vals["pattern"]
            for r in rec["graph"]["relations"]:
                rel[i, r["subject"], r["object"], PREDICATES.index(r["predicate"])] = True
        except (KeyError, ValueError, TypeError, IndexError) as e:
            raise located(path, i + 1, f"image graph is not a synthetic-world graph ({e!r})") from None
        present.append({int(c) for c in arr["cat"][i] if c >= 0})
    scenes = Scenes(arr["cat"], arr["col"], arr["size"], arr["pat"], np.zeros((n, MAX_OBJECTS, 4), np.float32), [])
    return TruthIndex(scenes, rel), present


def spec_from_caption(text: str, graph: dict[str, Any], template: str | None) -> CaptionSpec | None:
    """The spec whose realisation is exactly `text`, or None when no wording of the graph reproduces it. Without a
    `template` (worlds written before the ground truth recorded it) every template is tried, in `TEMPLATES` order."""
    if template is None:
        for t in TEMPLATES:
            spec = spec_from_caption(text, graph, t)
            if spec is not None:
                return spec
        return None
    if template not in TEMPLATES:
        return None
    try:
        mentions = []
        for o in graph["objects"]:
            attrs = {_CLASS_OF[a][0]: _CLASS_OF[a][1] for a in o["attributes"]}
            mentions.append(Mention(CATEGORIES.index(o["name"]), attrs, {}, o.get("count")))
        rels = [(r["subject"], r["object"], PREDICATES.index(r["predicate"])) for r in graph["relations"]]
    except (KeyError, ValueError, TypeError):
        return None
    # wording choices: a synonym per stated attribute and per relation (others are read off the text)
    slots: list[tuple[str, int, str, list[str]]] = []
    for k, m in enumerate(mentions):
        for c, v in m.attrs.items():
            canon = ATTRIBUTE_CLASSES[c][v]
            slots.append(("attr", k, c, ATTRIBUTE_SURFACES.get(canon, [canon])))
    for k, (_, _, p) in enumerate(rels):
        slots.append(("rel", k, "", PREDICATE_SURFACES[PREDICATES[p]]))
    words = set(text.lower().rstrip(".").split())
    verb = next((v for v in PASSIVE_VERBS if v in words), PASSIVE_VERBS[0])
    pronoun = next((p for p in REL_PRONOUNS if p in words), REL_PRONOUNS[0])
    sentence = text.endswith(".")
    choices = [[f for f in forms if set(f.split()) <= words] or forms[:1] for *_, forms in slots]
    for n, pick in enumerate(itertools.product(*choices)):
        if n >= _MAX_WORDINGS:
            return None
        ms = [Mention(m.cat, dict(m.attrs), {}, m.count) for m in mentions]
        surf_rels = [""] * len(rels)
        for (kind, k, c, _), form in zip(slots, pick, strict=True):
            if kind == "attr":
                ms[k].surf[c] = form
            else:
                surf_rels[k] = form
        spec = CaptionSpec(template, ms, [(*r, s) for r, s in zip(rels, surf_rels, strict=True)], sentence, verb,
                           pronoun)  # fmt: skip
        try:
            if realize(spec).text == text:
                return spec
        except (IndexError, KeyError, ValueError):
            return None
    return None


def specs_from_gt(
    path: str | Path, records: list[dict[str, Any]], texts: list[str], k: int
) -> tuple[list[CaptionSpec | None], int]:
    """Each caption's spec in `{split}_caps.txt` order (None where it cannot be rebuilt) and how many are None.
    The records' captions must be the lines of `{split}_caps.txt`."""
    specs: list[CaptionSpec | None] = []
    for i, rec in enumerate(records):
        caps = rec.get("captions")
        if not isinstance(caps, list) or len(caps) != k:
            raise located(path, i + 1, f"'captions' must be a list of {k} records")
        for j, c in enumerate(caps):
            ci = i * k + j
            if ci >= len(texts) or c.get("caption") != texts[ci]:
                raise located(path, i + 1, f"captions[{j}] differs from line {ci + 1} of the split's captions")
            template = c.get("template")
            specs.append(
                spec_from_caption(c["caption"], c.get("graph", {}), None if template is None else str(template))
            )
    if len(specs) != len(texts):
        raise located(path, None, f"{len(specs)} captions in the ground truth, {len(texts)} in the split")
    return specs, sum(s is None for s in specs)
