"""The synthetic world (docs/synthetic_world.md): one small world is generated per module and every numbered property is
checked against the files it wrote, mostly through independent code paths (graph matching, the PNGs, the loader)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sgfns.data.dataset import load_split
from sgfns.data.synth import generate
from sgfns.data.synth.oracle import _image_arrays, _satisfied, oracle_rsum
from sgfns.data.synth.regions import extract_regions
from sgfns.data.synth.scene import relation_tensor
from sgfns.data.synth.vocab import CONSTRUCTIONS, PREDICATES
from sgfns.io import read_jsonl

SIZES = {"train": 240, "val": 40, "test": 120}
SEED = 3


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "world"
    generate(out, seed=SEED, sizes=SIZES, image_size=64)
    return out


def _jsonl(path: Path) -> list:
    return [rec for _, rec in read_jsonl(path)]


def _meta(world: Path) -> dict:
    return json.loads((world / "meta.json").read_text())


# --- layout -----------------------------------------------------------------------------------------------------------
def test_layout_loads_and_data_check_accepts_it(world, cli):
    meta = _meta(world)
    assert meta["captions_per_image"] == 5 and meta["box_format"] == "xyxy_norm"
    for split, n in SIZES.items():
        sp = load_split(world, split)
        assert sp.n_images == n and sp.n_captions == 5 * n
        assert sp.features.shape == (n, meta["regions"], meta["feature_dim"]) and sp.features.dtype == np.float32
        assert np.isfinite(np.asarray(sp.features)).all()
        b = np.asarray(sp.boxes)
        assert (b >= 0).all() and (b <= 1).all() and (b[..., 2] > b[..., 0]).all() and (b[..., 3] > b[..., 1]).all()
        assert len(sp.image_graphs) == n
        assert not (world / f"{split}_caps_sg.jsonl").exists(), "caption graphs must come from the parser"
    rc, out, err = cli("data", "check", str(world))
    assert rc == 0, err


def test_cli_writes_a_world_and_rejects_bad_arguments(tmp_path, cli):
    rc, out, err = cli("synth", "--out", tmp_path / "w", "--train", "6", "--val", "2", "--test", "4",
                       "--image-size", "48")  # fmt: skip
    assert rc == 0, err
    assert "oracle rSum" in out and (tmp_path / "w" / "test_caps.txt").exists()
    rc, _, err = cli("synth", "--out", tmp_path / "x", "--train", "1")
    assert rc == 2 and "--train" in err and "Traceback" not in err
    rc, _, err = cli("synth", "--out", tmp_path / "x", "--image-size", "8")
    assert rc == 2 and "--image-size" in err
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    rc, _, err = cli("synth", "--out", tmp_path / "notes", "--train", "4", "--val", "2", "--test", "2")
    assert rc == 2 and "not empty" in err and (tmp_path / "notes" / "mine.txt").read_text() == "keep me"


def test_same_seed_gives_identical_files_other_seed_differs(tmp_path):
    sizes = {"train": 12, "val": 4, "test": 6}
    for name, seed, workers in (("a", 5, 1), ("b", 5, 2), ("c", 6, 1)):  # worker processes change nothing
        generate(tmp_path / name, seed=seed, sizes=sizes, image_size=48, workers=workers)
    for f in ("train_ims.npy", "test_ims.npy", "test_boxes.npy", "train_caps.txt", "test_caps.txt",
              "test_image_sg.jsonl", "test_gt.jsonl", "test_positives.jsonl", "test_twins.jsonl"):  # fmt: skip
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "test_caps.txt").read_bytes() != (tmp_path / "c" / "test_caps.txt").read_bytes()
    png = sorted((tmp_path / "a" / "images").glob("*.png"))[0].name
    assert (tmp_path / "a" / "images" / png).read_bytes() == (tmp_path / "b" / "images" / png).read_bytes()


# --- 1. scenes --------------------------------------------------------------------------------------------------------
def test_scenes_have_2_to_6_objects_with_varied_categories_attributes_and_relations(world):
    names, colours, preds = Counter(), Counter(), Counter()
    for split in SIZES:
        for rec in _jsonl(world / f"{split}_gt.jsonl"):
            objs = rec["graph"]["objects"]
            assert 2 <= len(objs) <= 6
            for o in objs:
                assert len(o["attributes"]) == 3  # colour, size, pattern
                names[o["name"]] += 1
                colours[o["attributes"][0]] += 1
            preds.update(r["predicate"] for r in rec["graph"]["relations"])
    assert len(names) >= 10 and len(colours) >= 8
    assert set(preds) == set(PREDICATES)


# --- 2. images --------------------------------------------------------------------------------------------------------
def test_one_png_per_image_with_the_world_size(world):
    for split in SIZES:
        ids = (world / f"{split}_ids.txt").read_text().split()
        for i in (ids[0], ids[-1]):
            im = Image.open(world / "images" / f"{i}.png")
            assert im.size == (64, 64) and im.mode == "RGB"
    assert len(list((world / "images").glob("*.png"))) == sum(SIZES.values())


# --- 3. captions ------------------------------------------------------------------------------------------------------
def test_captions_spans_and_constructions(world):
    recs = _jsonl(world / "test_gt.jsonl")
    caps = (world / "test_caps.txt").read_text().splitlines()
    shares = Counter()
    n = 0
    for rec in recs:
        assert len(rec["captions"]) == 5
        for c in rec["captions"]:
            assert c["caption"] == caps[n]
            n += 1
            g = c["graph"]
            assert 1 <= len(g["objects"]) <= 3 and len(g["relations"]) <= 2
            for o in g["objects"]:
                word = c["caption"][o["span"][0] : o["span"][1]]
                assert word == o["name"] or (o["count"] and word.rstrip("s").rstrip("e") in o["name"]), (word, o)
            shares.update(c["constructions"])
    for con in CONSTRUCTIONS:
        if con in ("plain_phrase", "copula_sentence"):
            continue
        assert shares[con] / n >= 0.05, (con, shares[con] / n)
    meta = _meta(world)
    assert set(meta["constructions"]) == set(CONSTRUCTIONS)


# --- 4. ambiguity -----------------------------------------------------------------------------------------------------
def test_positives_equal_an_independent_graph_match_and_oracle_reaches_600(world):
    recs = _jsonl(world / "test_gt.jsonl")
    vocab, name, amask, rels, _ = _image_arrays(recs)
    listed = {r["caption_index"]: set(r["images"]) for r in _jsonl(world / "test_positives.jsonl")}
    assert listed, "a world this size has captions true of other images"
    for c in range(0, 5 * len(recs), 3):  # every third caption, against every image
        q = recs[c // 5]["captions"][c % 5]["graph"]
        true = {i for i in range(len(recs)) if _satisfied(q, i, vocab, name, amask, rels)}
        assert true == listed.get(c, set()) | {c // 5}, c
    assert _meta(world)["oracle"]["rsum"] >= 590


def test_oracle_rsum_drops_when_positives_are_missing(world, tmp_path):
    for f in ("test_gt.jsonl", "test_caps.txt"):
        (tmp_path / f).write_bytes((world / f).read_bytes())
    assert oracle_rsum(tmp_path, "test")["rsum"] < 590  # without test_positives.jsonl the world is ambiguous


# --- 5. twins ---------------------------------------------------------------------------------------------------------
def _bow_labels(graph) -> set[str]:
    words = set()
    for o in graph["objects"]:
        words.add(o["name"])
        words.update(o["attributes"])
    for r in graph["relations"]:
        words.update(r["predicate"].split())
    return words


def test_twins_are_near_duplicates_and_defeat_a_bag_of_words(world):
    recs = _jsonl(world / "test_gt.jsonl")
    twin = [r["twin"] for r in recs]
    assert sum(t is not None for t in twin) / len(recs) >= 0.30
    for i, t in enumerate(twin):
        if t is None:
            continue
        assert twin[t] == i
        a, b = recs[i]["graph"]["objects"], recs[t]["graph"]["objects"]
        assert len(a) == len(b)
        key = [(o["name"], tuple(o["attributes"])) for o in a]
        key_t = [(o["name"], tuple(o["attributes"])) for o in b]
        diff = sum(x != y for x, y in zip(key, key_t, strict=True))
        kind = recs[i]["twin_kind"]
        if kind == "attribute-binding":
            assert diff == 2 and Counter(k[0] for k in key) == Counter(k[0] for k in key_t)
        elif kind == "one-object":
            assert diff == 1
        else:
            assert diff == 0 and recs[i]["graph"]["relations"] != recs[t]["graph"]["relations"]
    vocab, name, amask, rels, _ = _image_arrays(recs)
    items = _jsonl(world / "test_twins.jsonl")
    assert items
    score = []
    for it in items:
        q = recs[it["image"]]["captions"][it["caption_index"] % 5]["graph"]
        assert not _satisfied(q, it["twin"], vocab, name, amask, rels)
        words = set(re.findall(r"[a-z]+", recs[it["image"]]["captions"][it["caption_index"] % 5]["caption"].lower()))
        s_own = len(words & _bow_labels(recs[it["image"]]["graph"]))
        s_twin = len(words & _bow_labels(recs[it["twin"]]["graph"]))
        score.append(1.0 if s_own > s_twin else 0.5 if s_own == s_twin else 0.0)
    assert 0.4 <= float(np.mean(score)) <= 0.65, np.mean(score)


# --- 6. regions from pixels -------------------------------------------------------------------------------------------
def test_region_features_are_recomputed_exactly_from_the_png(world):
    feats = np.load(world / "test_ims.npy")
    boxes = np.load(world / "test_boxes.npy")
    ids = (world / "test_ids.txt").read_text().split()
    pick = [0, 7, len(ids) - 1]
    ims = np.stack([np.asarray(Image.open(world / "images" / f"{ids[i]}.png")) for i in pick])
    rb = extract_regions(ims, feats.shape[1])
    assert np.array_equal(rb.features, feats[pick]) and np.array_equal(rb.boxes, boxes[pick])
    # and they really depend on the pixels: repainting an object changes its region's features
    im = ims[0].copy()
    r = 0
    x1, y1, x2, y2 = (boxes[pick[0], r] * 64).astype(int)
    im[y1:y2, x1:x2] = 255 - im[y1:y2, x1:x2]
    assert not np.array_equal(extract_regions(im).features[0], feats[pick[0]])


def test_proposal_statistics_are_counted(world):
    acc = _meta(world)["accuracies"]["test"]
    assert acc["proposal_recall"] >= 80.0
    assert acc["missed_objects"] == round(acc["objects"] * (1 - acc["proposal_recall"] / 100))
    assert {"merged_proposals", "spurious_proposals", "segments_per_image"} <= set(acc)


# --- 7. visual scene graph --------------------------------------------------------------------------------------------
def test_visual_graph_regions_and_relations_follow_the_proposals(world):
    boxes = np.load(world / "test_boxes.npy")
    graphs = _jsonl(world / "test_image_sg.jsonl")
    n_obj = 0
    for i, g in enumerate(graphs):
        regs = [o["region"] for o in g["objects"]]
        assert len(set(regs)) == len(regs)
        n_obj += len(regs)
        if len(regs) >= 2:
            rt = relation_tensor(boxes[i, regs].astype(np.float64), np.ones(len(regs), dtype=bool))
            want = {(int(a), PREDICATES[int(p)], int(b)) for a, b, p in zip(*np.nonzero(rt), strict=True)}
            got = {(r["subject"], r["predicate"], r["object"]) for r in g["relations"]}
            assert got == want
    assert n_obj > 0
    acc = _meta(world)["accuracies"]
    for split in ("val", "test"):
        a = acc[split]
        assert a["object_accuracy"] > 30.0  # chance is 1/11; small 64-px world, 240 training images
        assert set(a["attribute_accuracy"]) == {"colour", "size", "pattern"}
        assert any(k.startswith("occlusion:") for k in a["by_bucket"]) and "size:small" in a["by_bucket"]


# --- 8. suites and meta -----------------------------------------------------------------------------------------------
def test_compositional_suite_has_eight_categories_at_default_scale(world):
    items = _jsonl(world / "test_compositional.jsonl")
    caps = (world / "test_caps.txt").read_text().splitlines()
    per = Counter(it["category"] for it in items)
    assert len(per) == 8
    for cat, k in per.items():  # the default test split has 5,000 captions; balanced count items come in pairs
        assert k / len(caps) * 5000 >= (100 if cat == "count" else 300), (cat, k)
    for it in items:
        assert it["caption"] == caps[it["caption_index"]] and it["negative"] != it["caption"]
        assert it["image"] == it["caption_index"] // 5


def test_suites_only_rewrite_of_a_generated_world_gives_the_same_files(world, tmp_path):
    import shutil

    from sgfns.data.synth.writer import rewrite_suites

    copy = tmp_path / "w"
    copy.mkdir()
    for p in world.glob("*.*"):
        shutil.copy(p, copy / p.name)
    rewrite_suites(copy)
    for name in ("val_compositional.jsonl", "test_compositional.jsonl", "meta.json"):
        assert (copy / name).read_bytes() == (world / name).read_bytes(), name


def test_meta_reports_sizes_vocabulary_and_figures(world):
    meta = _meta(world)
    assert meta["sizes"] == SIZES and meta["seed"] == SEED and meta["generator"].startswith("synth")
    assert meta["suites"] == "synth-suites-2"
    assert len(meta["vocabulary"]["categories"]) >= 10
    assert {"oracle", "accuracies", "constructions", "timings_s", "features"} <= set(meta)
    assert meta["split_stats"]["test"]["twin_fraction"] >= 30.0
