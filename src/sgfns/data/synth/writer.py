"""`generate`: build every split, train the label/attribute classifier on train proposals, write the dataset.

Output (docs/data_formats.md): meta.json, {split}_ims.npy, _boxes.npy, _caps.txt, _ids.txt, _image_sg.jsonl (predicted
visual graph), _gt.jsonl, _positives.jsonl, _twins.jsonl, _compositional.jsonl (val and test), images/*.png.
Caption graphs are *not* written: they come from the parser, never from ground truth."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.synth import vocab
from sgfns.data.synth.classifier import BACKGROUND, train_and_predict
from sgfns.data.synth.features import FEATURE_DIM
from sgfns.data.synth.gtgraph import caption_graph, image_graph
from sgfns.data.synth.oracle import oracle_rsum
from sgfns.data.synth.suites import BALANCED, SUITES_VERSION, balanced_items, compositional_items, merge_items
from sgfns.data.synth.visual_sg import accuracy, predicted_objects, visual_graphs
from sgfns.data.synth.world import (
    CAPTIONS_PER_IMAGE,
    REGIONS,
    SplitWorld,
    _rng,
    caption_split,
    positives,
    render_split,
    sample_split,
    truth_split,
    twin_records,
)
from sgfns.errors import UserError
from sgfns.io import atomic_save, atomic_write, read_json, write_json, write_jsonl

DEFAULT_SIZES = {"train": 8000, "val": 1000, "test": 1000}
SUITE_SPLITS = ("val", "test")


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        meta = out / "meta.json"
        import json

        try:
            ok = str(json.loads(meta.read_text(encoding="utf-8")).get("generator", "")).startswith("synth")
        except (OSError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise UserError(
                f"{out}: directory is not empty and holds no synthetic world to replace; choose another --out"
            )


def generate(
    out: str | Path,
    *,
    seed: int = 0,
    sizes: dict[str, int] | None = None,
    image_size: int = 128,
    log: Callable[[str], None] | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> dict[str, Any]:
    """Write the world to `out` and return its meta.json content. `progress`: a tqdm bar over rendered images.
    `workers`: processes for rendering and features (default: 2 when the world has >= 2,000 images and the machine
    2+ cores, else 1); the output does not depend on it."""
    sizes = dict(DEFAULT_SIZES if sizes is None else sizes)
    for name, n in sizes.items():
        if name not in ("train", "val", "test"):
            raise UserError(f"unknown split {name!r}")
        if not isinstance(n, int) or n < 2:
            raise UserError(f"--{name} must be an integer >= 2, got {n!r}")
    if workers is not None and workers < 1:
        raise UserError(f"--workers must be >= 1, got {workers}")
    if image_size < 48 or image_size > 1024:
        raise UserError(f"--image-size must be between 48 and 1024 pixels, got {image_size}")
    out = Path(out)
    _check_out(out)
    out.mkdir(parents=True, exist_ok=True)
    images_dir = out / "images"
    images_dir.mkdir(exist_ok=True)
    for old in images_dir.glob("*.png"):
        old.unlink()
    say = log or (lambda s: None)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    worlds: dict[str, SplitWorld] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=sum(sizes.values()), desc="synth: render + proposals + features", unit="img")
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if sum(sizes.values()) >= 2000 else 1
    pool = None
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        for name in ("train", "val", "test"):
            t = time.perf_counter()
            w = sample_split(name, sizes[name], seed)
            caption_split(w, seed)
            render_split(w, image_size, images_dir, progress=bar.update if bar is not None else None, pool=pool)
            truth_split(w)
            worlds[name] = w
            timings[f"{name}_scenes_pixels_features"] = round(time.perf_counter() - t, 2)
            say(f"{name}: {w.n} images rendered, {int(w.n_segments.sum())} segments")
    finally:
        if pool is not None:
            pool.shutdown()
        if bar is not None:
            bar.close()
    # classifier: train proposals only
    t = time.perf_counter()
    tr = worlds["train"]
    x, y = _training_set(tr)
    preds = train_and_predict(x, y, [w.features.reshape(-1, FEATURE_DIM) for w in worlds.values()], seed=seed)
    timings["classifier"] = round(time.perf_counter() - t, 2)
    meta_splits: dict[str, Any] = {}
    accuracies: dict[str, Any] = {}
    for (name, w), pred in zip(worlds.items(), preds, strict=True):
        t = time.perf_counter()
        is_obj = predicted_objects(w.is_segment, pred)
        graphs, _ = visual_graphs(w.boxes, is_obj, pred)
        accuracies[name] = accuracy(w, pred, is_obj)
        pos = positives(w)
        twins = twin_records(w)
        comp = []
        if name in SUITE_SPLITS:
            present = [set(int(c) for c in w.scenes.cat[i] if c >= 0) for i in range(w.n)]
            comp = merge_items(
                compositional_items(_rng(seed, name, 2), w.specs, w.texts, CAPTIONS_PER_IMAGE, w.index, present),
                balanced_items(_rng(seed, name, 3), w.specs, w.texts, CAPTIONS_PER_IMAGE, w.index, present),
            )
        gt = _gt_records(w)
        _write_split(out, w, graphs, gt, pos, twins, comp if name in SUITE_SPLITS else None)
        meta_splits[name] = _split_stats(w, pos, twins, comp if name in SUITE_SPLITS else None)
        timings[f"{name}_truth_suites_write"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    oracle = oracle_rsum(out, "test")
    timings["oracle"] = round(time.perf_counter() - t, 2)
    timings["total"] = round(time.perf_counter() - t0, 2)
    timings["workers"] = workers
    meta = _meta(seed, sizes, image_size, meta_splits, accuracies, oracle, timings)
    write_json(out / "meta.json", meta)
    say(f"done in {timings['total']:.1f}s; oracle rSum {oracle['rsum']:.1f}")
    return meta


def rewrite_suites(out: str | Path, *, log: Callable[[str], None] | None = None) -> dict[str, dict[str, int]]:
    """Rewrite the balanced categories (`count`, `add-obj`, `add-att`) of an existing world's compositional suites
    (`{split}_compositional.jsonl`, val and test) in place, with this code and without rendering anything.

    Scenes, relations and caption specs are rebuilt from `{split}_gt.jsonl` (so a world made by an earlier generator
    version works as long as its captions use this version's templates); the items of the other five categories are
    kept verbatim. On a world made by this version the result equals what `generate` writes. Updates meta.json's
    suite counts and `suites` version. Returns the item counts per split and category."""
    from sgfns.data.synth.gtread import specs_from_gt, truth_from_gt
    from sgfns.io import read_jsonl

    out = Path(out)
    meta_path = out / "meta.json"
    meta = read_json(meta_path)
    if not isinstance(meta, dict) or not str(meta.get("generator", "")).startswith("synth"):
        raise UserError(f"{meta_path}: not a synthetic world (no 'generator': 'synth-...')")
    try:
        seed = int(meta["seed"])
    except (KeyError, TypeError, ValueError):
        raise UserError(f"{meta_path}: needs an integer 'seed'") from None
    say = log or (lambda s: None)
    made: dict[str, list[dict]] = {}
    for name in SUITE_SPLITS:
        gt_path, comp_path = out / f"{name}_gt.jsonl", out / f"{name}_compositional.jsonl"
        if not gt_path.exists() or not comp_path.exists():
            say(f"{name}: no {gt_path.name} or {comp_path.name}; skipped")
            continue
        gt = [rec for _, rec in read_jsonl(gt_path)]
        texts = (out / f"{name}_caps.txt").read_text(encoding="utf-8").splitlines()
        specs, failed = specs_from_gt(gt_path, gt, texts, CAPTIONS_PER_IMAGE)
        index, present = truth_from_gt(gt_path, gt)
        kept = [rec for _, rec in read_jsonl(comp_path) if rec.get("category") not in BALANCED]
        new = balanced_items(_rng(seed, name, 3), specs, texts, CAPTIONS_PER_IMAGE, index, present)
        made[name] = merge_items(kept, new)
        say(f"{name}: {len(new)} balanced items, {len(kept)} others kept; {failed} captions not rebuilt")
    counts = {}
    for name, comp in made.items():
        write_jsonl(out / f"{name}_compositional.jsonl", comp)
        counts[name] = dict(sorted(Counter(c["category"] for c in comp).items()))
        meta.setdefault("split_stats", {}).setdefault(name, {})["compositional"] = counts[name]
    meta["suites"] = SUITES_VERSION
    write_json(meta_path, meta)
    return counts


def _training_set(w: SplitWorld) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    sc = w.scenes
    n, r = w.is_segment.shape
    segs = np.argwhere(w.is_segment)
    fill = np.argwhere(~w.is_segment)
    fill = fill[np.unique(fill[:, 0], return_index=True)[1]]  # one background fill per image
    rows = np.concatenate([segs, fill])
    x = w.features[rows[:, 0], rows[:, 1]]
    obj = w.prop_object[rows[:, 0], rows[:, 1]]
    matched = obj >= 0
    o = np.maximum(obj, 0)
    i = rows[:, 0]

    def take(a):
        return np.where(matched, a[i, o], -1).astype(np.int64)

    label = np.where(matched, sc.cat[i, o], BACKGROUND).astype(np.int64)
    return x, {"label": label, "colour": take(sc.col), "size": take(sc.size), "pattern": take(sc.pat)}


def _gt_records(w: SplitWorld) -> list[dict]:
    out = []
    for i, ps in enumerate(w.placed):
        caps = []
        for c in range(i * CAPTIONS_PER_IMAGE, (i + 1) * CAPTIONS_PER_IMAGE):
            caps.append({"caption": w.realized[c].text, "graph": caption_graph(w.specs[c], w.realized[c]),
                         "constructions": w.realized[c].constructions, "template": w.specs[c].template})  # fmt: skip
        out.append({"image": i, "graph": image_graph(ps.scene, w.rel[i]), "captions": caps,
                    "twin": int(w.twin_of[i]) if w.twin_of[i] >= 0 else None, "twin_kind": w.twin_kind[i]})  # fmt: skip
    return out


def _write_split(out: Path, w: SplitWorld, graphs, gt, pos, twins, comp) -> None:
    name = w.name
    atomic_save(out / f"{name}_ims.npy", lambda p: np.save(p, w.features))
    atomic_save(out / f"{name}_boxes.npy", lambda p: np.save(p, w.boxes))
    with atomic_write(out / f"{name}_caps.txt") as f:
        for t in w.texts:
            f.write(t + "\n")
    with atomic_write(out / f"{name}_ids.txt") as f:
        for i in w.ids():
            f.write(i + "\n")
    write_jsonl(out / f"{name}_image_sg.jsonl", graphs)
    write_jsonl(out / f"{name}_gt.jsonl", gt)
    write_jsonl(out / f"{name}_positives.jsonl", pos)
    write_jsonl(out / f"{name}_twins.jsonl", twins)
    if comp is not None:
        write_jsonl(out / f"{name}_compositional.jsonl", comp)
    stale = out / f"{name}_caps_sg.jsonl"  # never ours; an old parser cache belongs to old captions
    for p in (stale, out / f"{name}_caps_sg.meta.json"):
        if p.exists():
            p.unlink()


def construction_table(w: SplitWorld) -> dict[str, Any]:
    counts = Counter(c for r in w.realized for c in r.constructions)
    n = len(w.realized)
    return {c: {"captions": counts.get(c, 0), "share": round(100.0 * counts.get(c, 0) / n, 2),
                "example": vocab.CONSTRUCTION_EXAMPLES[c]} for c in vocab.CONSTRUCTIONS}  # fmt: skip


def _split_stats(w: SplitWorld, pos, twins, comp) -> dict[str, Any]:
    n_pos = np.array([len(p["images"]) for p in pos]) if pos else np.zeros(0)
    kinds = Counter(k for k in w.twin_kind if k)
    d: dict[str, Any] = {
        "images": w.n,
        "captions": len(w.realized),
        "objects_per_image": round(float(w.scenes.valid.sum(1).mean()), 2),
        "twin_fraction": round(100.0 * float((w.twin_of >= 0).mean()), 2),
        "twin_kinds": dict(sorted(kinds.items())),
        "twin_records": len(twins),
        "captions_with_extra_positives": len(pos),
        "mean_extra_positives": round(float(n_pos.sum()) / max(len(w.realized), 1), 3),
        "constructions": construction_table(w),
    }
    if comp is not None:
        d["compositional"] = dict(sorted(Counter(c["category"] for c in comp).items()))
    return d


def _meta(seed, sizes, image_size, splits, accuracies, oracle, timings) -> dict[str, Any]:
    from sgfns.data.synth.features import __doc__ as feature_doc
    from sgfns.data.synth.gtgraph import ATTRIBUTE_CANON, PREDICATE_CANON

    return {
        "name": "sgfns-synthetic-world",
        "source": "sgfns synth (generated; no external data)",
        "licence": "generated data, same licence as the code",
        "generator": vocab.GENERATOR_VERSION,
        "suites": SUITES_VERSION,
        "seed": seed,
        "image_size": image_size,
        "captions_per_image": CAPTIONS_PER_IMAGE,
        "regions": REGIONS,
        "feature_dim": FEATURE_DIM,
        "box_format": "xyxy_norm",
        "splits": list(sizes),
        "sizes": sizes,
        "images_dir": "images",
        "image_file": "images/{id}.png",
        "vocabulary": {
            "categories": vocab.CATEGORIES,
            "attributes": vocab.ATTRIBUTE_CLASSES,
            "predicates": vocab.PREDICATES,
            "predicate_surfaces": vocab.PREDICATE_SURFACES,
            "attribute_surfaces": vocab.ATTRIBUTE_SURFACES,
        },
        "canonical_synonyms": {"predicates": PREDICATE_CANON, "attributes": ATTRIBUTE_CANON},
        "features": (feature_doc or "").strip(),
        "split_stats": splits,
        "constructions": splits.get("test", next(iter(splits.values())))["constructions"],
        "accuracies": accuracies,
        "oracle": oracle,
        "timings_s": timings,
    }
