"""A tiny canonical dataset for tests: template captions, matching graphs, and features with a learnable signal.

The world is a handful of coloured shapes placed on a unit square. Each image holds 2-4 objects, each in its own
region; a region's feature is a fixed random embedding of its label plus one of its colour plus a small position
term and noise, so a model can learn label, attribute and relation matching from it in seconds. Background regions
are noise. Captions are template English ("a red cube left of a blue ball") describing one relation of the image,
with caption graphs whose spans point at the head nouns. Everything is deterministic in `seed`: the label and
colour embeddings depend on `seed` only (shared by all splits), each split's images on `seed` and the split name.

Captions that happen to be true of another image of the same split (same two coloured shapes in the same
relation) are listed in `{split}_positives.jsonl`, so the toy data never asks a model to rank a true caption low.

Not the synthetic world (DESIGN §3.4): no pixels, no proposals, no twins. It exists so that model, evaluation and
index tests have realistic files to read in milliseconds."""

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
) -> Path:
    """Write a small dataset in the canonical layout (DESIGN §3.1) under `root` and return `root`.

    Files per split: `_ims.npy` (float32 [n_images, regions, feature_dim]), `_boxes.npy` (xyxy_norm), `_caps.txt`,
    `_ids.txt`, and with `graphs=True` `_image_sg.jsonl` (objects with `region`), `_caps_sg.jsonl` (objects with
    `span`) and `_caps_sg.meta.json` (`source: provided`); `_positives.jsonl` when a caption is true of more than
    its own image. `graphs=False` gives a SCAN-style features-and-captions dataset (with meta.json)."""
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
        _write_split(root, split, rng, n_images, captions_per_image, regions, feature_dim, graphs,
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


def _write_split(root, split, rng, n_images, k, regions, dim, graphs, label_emb, colour_emb, pos_proj) -> None:
    feats = (rng.standard_normal((n_images, regions, dim)) * NOISE).astype(np.float32)
    boxes = np.zeros((n_images, regions, 4), dtype=np.float32)
    captions: list[str] = []
    cap_graphs: list[dict[str, Any]] = []
    img_graphs: list[dict[str, Any]] = []
    facts: list[set[tuple[int, int, str, int, int]]] = []  # (shape, colour, predicate, shape, colour) per image
    cap_facts: list[tuple[int, int, str, int, int]] = []

    for i in range(n_images):
        objs = _scene(rng, regions)
        # background regions: random boxes, noise features
        lo = rng.uniform(0.0, 0.7, size=(regions, 2))
        boxes[i] = np.concatenate([lo, lo + rng.uniform(0.1, 0.3, size=(regions, 2))], axis=1).clip(0, 1)
        for o in objs:
            pos = (o["centre"] - 0.5).astype(np.float32) @ pos_proj * POSITION_SCALE
            feats[i, o["region"]] += label_emb[o["shape"]] + colour_emb[o["colour"]] + pos
            boxes[i, o["region"]] = o["box"]
        rels = [(s, _relation(objs[s], objs[t]), t) for s in range(len(objs)) for t in range(len(objs)) if s < t]
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
        fact_set = set()
        for s, p, t in rels:
            a, b = objs[s], objs[t]
            fact_set.add((a["shape"], a["colour"], p, b["shape"], b["colour"]))
            fact_set.add((b["shape"], b["colour"], PREDICATES[p], a["shape"], a["colour"]))
        facts.append(fact_set)

        for _ in range(k):
            s, p, t = rels[int(rng.integers(len(rels)))]
            if rng.random() < 0.5:  # describe it from the other side
                s, p, t = t, PREDICATES[p], s
            a, b = objs[s], objs[t]
            text, graph = _caption(TEMPLATES[int(rng.integers(len(TEMPLATES)))], a, p, b)
            captions.append(text)
            cap_graphs.append(graph)
            cap_facts.append((a["shape"], a["colour"], p, b["shape"], b["colour"]))

    ids = [f"{split}_{i:05d}" for i in range(n_images)]
    atomic_save(root / f"{split}_ims.npy", lambda p: np.save(p, feats))
    atomic_save(root / f"{split}_boxes.npy", lambda p: np.save(p, boxes))
    with atomic_write(root / f"{split}_caps.txt") as f:
        f.write("".join(c + "\n" for c in captions))
    with atomic_write(root / f"{split}_ids.txt") as f:
        f.write("".join(x + "\n" for x in ids))

    positives = []
    for c, fact in enumerate(cap_facts):
        others = [j for j in range(n_images) if j != c // k and fact in facts[j]]
        if others:
            positives.append({"caption_index": c, "images": others})
    pos_path = root / f"{split}_positives.jsonl"
    if positives:
        write_jsonl(pos_path, positives)
    elif pos_path.exists():
        pos_path.unlink()

    if graphs:
        write_jsonl(root / f"{split}_image_sg.jsonl", img_graphs)
        write_jsonl(root / f"{split}_caps_sg.jsonl", cap_graphs)
        write_json(
            root / f"{split}_caps_sg.meta.json",
            {"source": "provided", "captions_sha256": captions_sha256(captions), "generator": "sgfns.data.toy"},
        )


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
