"""A tiny canonical dataset for tests: template captions, matching graphs, and features with a learnable signal.

The world is a handful of coloured shapes placed on a unit square. Each image holds 2-4 objects, each in its own
region; a region's feature is a fixed random embedding of its label plus one of its colour plus a small position
term and noise, so a model can learn label, attribute and relation matching from it in seconds. Background regions
are noise. Captions are template English ("a red cube left of a blue ball") describing one relation of the image,
with caption graphs whose spans point at the head nouns. Everything is deterministic in `seed`: the label and
colour embeddings depend on `seed` only (shared by all splits), each split's images on `seed` and the split name.

Captions that happen to be true of another image of the same split (same two coloured shapes in the same
relation) are listed in `{split}_positives.jsonl`, so the toy data never asks a model to rank a true caption low.

Every fourth image is a near-duplicate "twin" of the one before (two objects' colours or positions swapped), and
`suites=True` writes `gt`, `compositional` and `twins` files (docs/data_formats.md) whose negatives are checked false of
their image against the scene's facts. Not the synthetic world (docs/synthetic_world.md): no pixels, no proposals. It
exists so that model, evaluation and index tests have realistic files to read in milliseconds."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.dataset import captions_sha256
from sgfns.io import atomic_save, atomic_write, write_json, write_jsonl

SHAPES = ("cube", "ball", "cone", "cylinder", "pyramid", "ring")
COLOURS = ("red", "blue", "green", "yellow", "white", "black")
# predicate, its converse (the same fact seen from the object)
PREDICATES = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
TEMPLATES = (
    "a {a1} {n1} {p} a {a2} {n2}",
    "the {a1} {n1} is {p} the {a2} {n2}",
    "a {a1} {n1} {p} the {a2} {n2}",
    "there is a {a1} {n1} {p} a {a2} {n2}",
)
NEGATIVE_CATEGORIES = ("replace-obj", "replace-att", "replace-rel", "swap-att", "swap-obj")
TWIN_EVERY = 4  # image i is a twin of image i-1 when i % TWIN_EVERY == TWIN_EVERY - 1
NOISE = 0.1
POSITION_SCALE = 0.5


def write_toy_dataset(
    root: str | Path,
    *,
    n_images: int = 40,
    captions_per_image: int = 5,
    regions: int = 8,
    feature_dim: int = 32,
    splits: tuple[str, ...] | list[str] = ("train", "val", "test"),
    seed: int = 0,
    graphs: bool = True,
    suites: bool = True,
) -> Path:
    """Write a small dataset in the canonical layout (docs/data_formats.md) under `root` and return `root`.

    Files per split: `_ims.npy` (float32 [n_images, regions, feature_dim]), `_boxes.npy` (xyxy_norm), `_caps.txt`,
    `_ids.txt`, and with `graphs=True` `_image_sg.jsonl` (objects with `region`), `_caps_sg.jsonl` (objects with
    `span`) and `_caps_sg.meta.json` (`source: provided`); `_positives.jsonl` when a caption is true of more than
    its own image. `graphs=False` gives a SCAN-style features-and-captions dataset (with meta.json).
    With `suites=True` the evaluation files (docs/data_formats.md) too: `_gt.jsonl`, `_compositional.jsonl` (one
    negative per caption, false of its image; categories replace-obj/-att/-rel, swap-att, swap-obj) and `_twins.jsonl`
    (every 4th image is a twin of the one before it: two colours or two positions swapped)."""
    if n_images < 1 or captions_per_image < 1 or feature_dim < 1:
        raise ValueError("n_images, captions_per_image and feature_dim must be positive")
    if regions < 2:
        raise ValueError("regions must be at least 2 (an image holds at least two objects)")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    world = np.random.default_rng([seed, 0])
    label_emb = world.standard_normal((len(SHAPES), feature_dim)).astype(np.float32) / np.sqrt(feature_dim)
    colour_emb = world.standard_normal((len(COLOURS), feature_dim)).astype(np.float32) / np.sqrt(feature_dim)
    pos_proj = world.standard_normal((2, feature_dim)).astype(np.float32) / np.sqrt(feature_dim)

    for split in splits:
        rng = np.random.default_rng([seed, 1, zlib.crc32(split.encode())])
        _write_split(root, split, rng, n_images, captions_per_image, regions, feature_dim, graphs, suites,
                     label_emb, colour_emb, pos_proj)  # fmt: skip

    write_json(
        root / "meta.json",
        {
            "name": "toy",
            "captions_per_image": captions_per_image,
            "regions": regions,
            "feature_dim": feature_dim,
            "box_format": "xyxy_norm",
            "splits": list(splits),
            "source": f"sgfns.data.toy.write_toy_dataset(seed={seed})",
            "licence": "generated data; no restrictions",
        },
    )
    return root


def _scene(rng: np.random.Generator, regions: int) -> list[dict[str, Any]]:
    """2-4 objects with distinct (shape, colour), distinct regions and well separated centres."""
    n_obj = int(rng.integers(2, min(4, regions) + 1))
    kinds = rng.choice(len(SHAPES) * len(COLOURS), size=n_obj, replace=False)
    slots = rng.choice(regions, size=n_obj, replace=False)
    objs: list[dict[str, Any]] = []
    for kind, slot in zip(kinds, slots, strict=True):
        for _ in range(100):  # rejection sampling keeps centres apart so every relation is unambiguous
            c = rng.uniform(0.15, 0.85, size=2)
            if all(np.abs(c - o["centre"]).max() > 0.12 for o in objs):
                break
        size = rng.uniform(0.08, 0.14, size=2)
        box = np.clip(np.concatenate([c - size / 2, c + size / 2]), 0.0, 1.0)
        objs.append({"shape": int(kind) // len(COLOURS), "colour": int(kind) % len(COLOURS), "region": int(slot),
                     "centre": c, "box": box})  # fmt: skip
    return objs


def _relation(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Spatial predicate for `a REL b` (y grows downwards, as in image coordinates)."""
    dx, dy = b["centre"] - a["centre"]
    if abs(dx) >= abs(dy):
        return "left of" if dx > 0 else "right of"
    return "above" if dy > 0 else "below"


def _twin_of(objs: list[dict[str, Any]], rng: np.random.Generator) -> list[dict[str, Any]]:
    """Same objects in the same regions, with one detail changed: two colours swapped, else two positions."""
    twin = [dict(o) for o in objs]
    pairs = [
        (a, b) for a in range(len(objs)) for b in range(a + 1, len(objs)) if objs[a]["colour"] != objs[b]["colour"]
    ]
    if pairs and rng.random() < 0.5:
        a, b = pairs[int(rng.integers(len(pairs)))]
        twin[a]["colour"], twin[b]["colour"] = objs[b]["colour"], objs[a]["colour"]
    else:
        a, b = rng.choice(len(objs), size=2, replace=False)
        for key in ("centre", "box"):
            twin[a][key], twin[b][key] = objs[b][key], objs[a][key]
    return twin


def _facts(objs: list[dict[str, Any]]) -> tuple[list[tuple[int, str, int]], set[tuple[int, int, str, int, int]]]:
    """Relations (subject < object) and every (shape, colour, predicate, shape, colour) fact true of the scene."""
    rels = [(s, _relation(objs[s], objs[t]), t) for s in range(len(objs)) for t in range(len(objs)) if s < t]
    facts = set()
    for s, p, t in rels:
        a, b = objs[s], objs[t]
        facts.add((a["shape"], a["colour"], p, b["shape"], b["colour"]))
        facts.add((b["shape"], b["colour"], PREDICATES[p], a["shape"], a["colour"]))
    return rels, facts


def _fact(a: dict[str, Any], p: str, b: dict[str, Any]) -> tuple[int, int, str, int, int]:
    return (a["shape"], a["colour"], p, b["shape"], b["colour"])


def _write_split(root, split, rng, n_images, k, regions, dim, graphs, suites, label_emb, colour_emb, pos_proj):
    feats = (rng.standard_normal((n_images, regions, dim)) * NOISE).astype(np.float32)
    boxes = np.zeros((n_images, regions, 4), dtype=np.float32)
    captions: list[str] = []
    cap_graphs: list[dict[str, Any]] = []
    img_graphs: list[dict[str, Any]] = []
    facts: list[set[tuple[int, int, str, int, int]]] = []
    cap_info: list[tuple[dict[str, Any], str, dict[str, Any], str]] = []  # subject, predicate, object, template
    scenes: list[list[dict[str, Any]]] = []

    for i in range(n_images):
        objs = _twin_of(scenes[-1], rng) if i % TWIN_EVERY == TWIN_EVERY - 1 else _scene(rng, regions)
        scenes.append(objs)
        # background regions: random boxes, noise features
        lo = rng.uniform(0.0, 0.7, size=(regions, 2))
        boxes[i] = np.concatenate([lo, lo + rng.uniform(0.1, 0.3, size=(regions, 2))], axis=1).clip(0, 1)
        for o in objs:
            pos = (o["centre"] - 0.5).astype(np.float32) @ pos_proj * POSITION_SCALE
            feats[i, o["region"]] += label_emb[o["shape"]] + colour_emb[o["colour"]] + pos
            boxes[i, o["region"]] = o["box"]
        rels, fact_set = _facts(objs)
        facts.append(fact_set)
        img_graphs.append(
            {
                "objects": [
                    {
                        "name": SHAPES[o["shape"]],
                        "attributes": [COLOURS[o["colour"]]],
                        "count": 1,
                        "region": o["region"],
                    }  # fmt: skip
                    for o in objs
                ],
                "relations": [{"subject": s, "predicate": p, "object": t} for s, p, t in rels],
            }
        )
        for _ in range(k):
            s, p, t = rels[int(rng.integers(len(rels)))]
            if rng.random() < 0.5:  # describe it from the other side
                s, p, t = t, PREDICATES[p], s
            template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
            text, graph = _caption(template, objs[s], p, objs[t])
            captions.append(text)
            cap_graphs.append(graph)
            cap_info.append((objs[s], p, objs[t], template))

    ids = [f"{split}_{i:05d}" for i in range(n_images)]
    atomic_save(root / f"{split}_ims.npy", lambda p: np.save(p, feats))
    atomic_save(root / f"{split}_boxes.npy", lambda p: np.save(p, boxes))
    with atomic_write(root / f"{split}_caps.txt") as f:
        f.write("".join(c + "\n" for c in captions))
    with atomic_write(root / f"{split}_ids.txt") as f:
        f.write("".join(x + "\n" for x in ids))

    positives = []
    for c, (a, p, b, _) in enumerate(cap_info):
        others = [j for j in range(n_images) if j != c // k and _fact(a, p, b) in facts[j]]
        if others:
            positives.append({"caption_index": c, "images": others})
    _write_or_remove(root / f"{split}_positives.jsonl", positives)

    if graphs:
        write_jsonl(root / f"{split}_image_sg.jsonl", img_graphs)
        write_jsonl(root / f"{split}_caps_sg.jsonl", cap_graphs)
        write_json(
            root / f"{split}_caps_sg.meta.json",
            {"source": "provided", "captions_sha256": captions_sha256(captions), "generator": "sgfns.data.toy"},
        )
    if suites:
        gt = [
            {
                "image": i,
                "graph": g,
                "captions": [{"caption": captions[c], "graph": cap_graphs[c]} for c in range(i * k, (i + 1) * k)],
            }  # fmt: skip
            for i, g in enumerate(img_graphs)
        ]
        write_jsonl(root / f"{split}_gt.jsonl", gt)
        comp = []
        for c, (a, p, b, template) in enumerate(cap_info):
            item = _negative(c, a, p, b, template, facts[c // k], rng)
            if item is not None:
                comp.append({"image": c // k, "caption_index": c, "caption": captions[c], **item})
        _write_or_remove(root / f"{split}_compositional.jsonl", comp)
        twins = []
        for i in range(TWIN_EVERY - 1, n_images, TWIN_EVERY):
            for img, twin in ((i - 1, i), (i, i - 1)):
                for c in range(img * k, (img + 1) * k):
                    a, p, b, _ = cap_info[c]
                    if _fact(a, p, b) not in facts[twin]:
                        twins.append({"caption_index": c, "image": img, "twin": twin})
        _write_or_remove(root / f"{split}_twins.jsonl", twins)


def _write_or_remove(path: Path, records: list[dict[str, Any]]) -> None:
    if records:
        write_jsonl(path, records)
    elif path.exists():
        path.unlink()


def _negative(c, a, p, b, template, true_facts, rng) -> dict[str, str] | None:
    """One negative caption false of the image; the category rotates with the caption index."""
    for shift in range(len(NEGATIVE_CATEGORIES)):
        category = NEGATIVE_CATEGORIES[(c + shift) % len(NEGATIVE_CATEGORIES)]
        for a2, p2, b2 in _edits(category, a, p, b, rng):
            if _fact(a2, p2, b2) not in true_facts:
                return {"negative": _caption(template, a2, p2, b2)[0], "category": category}
    return None


def _edits(category, a, p, b, rng):
    """Candidate (subject, predicate, object) edits of one category, in random order."""
    if category == "swap-obj":
        yield b, p, a
    elif category == "swap-att" and a["colour"] != b["colour"]:
        yield {**a, "colour": b["colour"]}, p, {**b, "colour": a["colour"]}
    elif category == "replace-rel":
        for q in rng.permutation(list(PREDICATES)):
            if q != p:
                yield a, str(q), b
    elif category in ("replace-obj", "replace-att"):
        key, n = ("shape", len(SHAPES)) if category == "replace-obj" else ("colour", len(COLOURS))
        first = rng.random() < 0.5
        for v in rng.permutation(n):
            if first and v != a[key]:
                yield {**a, key: int(v)}, p, b
            elif not first and v != b[key]:
                yield a, p, {**b, key: int(v)}


def _caption(template: str, a: dict[str, Any], pred: str, b: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Fill a template and build the caption graph with the head nouns' character spans."""
    n1, n2 = SHAPES[a["shape"]], SHAPES[b["shape"]]
    a1, a2 = COLOURS[a["colour"]], COLOURS[b["colour"]]
    text = template.format(a1=a1, n1=n1, p=pred, a2=a2, n2=n2)
    head1 = template.split("{n1}")[0].format(a1=a1)
    s1 = len(head1)
    prefix2 = template.split("{n2}")[0].format(a1=a1, n1=n1, p=pred, a2=a2)
    s2 = len(prefix2)
    assert text[s1 : s1 + len(n1)] == n1 and text[s2 : s2 + len(n2)] == n2
    graph = {
        "objects": [
            {"name": n1, "attributes": [a1], "count": 1, "span": [s1, s1 + len(n1)]},
            {"name": n2, "attributes": [a2], "count": 1, "span": [s2, s2 + len(n2)]},
        ],
        "relations": [{"subject": 0, "predicate": pred, "object": 1}],
    }
    return text, graph
