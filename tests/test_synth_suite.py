"""The synthetic world's balanced suite categories (`count`, `add-obj`, `add-att`, suites version 2): every item's
caption is true and its negative false of the image by the oracle's independent graph match, the two differ in one
word, and the exchanged words occur equally often on both sides, so no reader of the words alone beats chance.
Scenes and captions are sampled without rendering (the suites do not depend on pixels)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sgfns.data.synth.gtgraph import canon_attr
from sgfns.data.synth.oracle import _image_arrays, _satisfied
from sgfns.data.synth.suites import BALANCED, CATEGORIES_SUITE, balanced_items, compositional_items, merge_items
from sgfns.data.synth.vocab import CATEGORIES, NUMERALS, PLURALS
from sgfns.data.synth.world import CAPTIONS_PER_IMAGE, _rng, caption_split, sample_split, truth_split
from sgfns.data.synth.writer import _gt_records, rewrite_suites
from sgfns.errors import UserError
from sgfns.io import read_jsonl, write_json, write_jsonl

SEED = 7
N_IMAGES = 400
K = CAPTIONS_PER_IMAGE
NUMBER = {w: n for n, w in NUMERALS.items()}
SINGULAR = {PLURALS[c]: c for c in CATEGORIES} | {c: c for c in CATEGORIES}


@pytest.fixture(scope="module")
def split():
    w = sample_split("test", N_IMAGES, SEED)
    caption_split(w, SEED)
    truth_split(w)
    present = [set(int(c) for c in w.scenes.cat[i] if c >= 0) for i in range(w.n)]
    items = balanced_items(_rng(SEED, "test", 3), w.specs, w.texts, K, w.index, present)
    others = compositional_items(_rng(SEED, "test", 2), w.specs, w.texts, K, w.index, present)
    return w, others, items, _gt_records(w)


def _words(text: str) -> list[str]:
    return ["a" if t == "an" else t for t in text.lower().rstrip(".").split()]


def _diff(item: dict) -> tuple[int, str, str]:
    """(word position, caption word, negative word): the single word in which the two differ."""
    a, b = _words(item["caption"]), _words(item["negative"])
    assert len(a) == len(b), item
    where = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    assert len(where) == 1, item
    return where[0], a[where[0]], b[where[0]]


def _negative_graph(item: dict, graph: dict) -> dict:
    """The caption's ground-truth graph with the one changed word applied (independent of the suite code)."""
    pos, old, new = _diff(item)
    g = json.loads(json.dumps(graph))
    objs = g["objects"]
    if item["category"] == "count":
        (o,) = [o for o in objs if o["count"] == NUMBER[old]]
        o["count"] = NUMBER[new]
    elif item["category"] == "add-obj":
        (o,) = [o for o in objs if o["name"] == SINGULAR[old]]
        o["name"] = SINGULAR[new]
    else:
        char = len(" ".join(item["caption"].split()[:pos]))
        cands = [o for o in objs if canon_attr(old) in o["attributes"]]
        after = [o for o in cands if o["span"][0] >= char]
        o = min(after, key=lambda o: o["span"][0]) if after else cands[-1]
        o["attributes"] = [canon_attr(new) if a == canon_attr(old) else a for a in o["attributes"]]
    return g


def test_every_balanced_item_is_true_vs_false_by_independent_graph_match(split):
    w, _, items, gt = split
    vocab, name, amask, rels, _ = _image_arrays(gt)
    per = Counter(it["category"] for it in items)
    assert set(per) == set(BALANCED) and per["count"] >= 20 and per["add-obj"] >= 100 and per["add-att"] >= 1000
    for it in items:
        c, img = it["caption_index"], it["image"]
        assert img == c // K and it["caption"] == w.texts[c]
        graph = gt[img]["captions"][c % K]["graph"]
        assert _satisfied(graph, img, vocab, name, amask, rels), it
        assert not _satisfied(_negative_graph(it, graph), img, vocab, name, amask, rels), it
    assert len({(it["caption_index"], it["category"]) for it in items}) == len(items)  # one per caption and category


def test_add_obj_names_an_object_absent_from_the_image_in_the_same_phrase_shape(split):
    _, _, items, gt = split
    for it in items:
        if it["category"] != "add-obj":
            continue
        pos, old, new = _diff(it)
        names = {o["name"] for o in gt[it["image"]]["graph"]["objects"]}
        assert SINGULAR[old] in names and SINGULAR[new] not in names, it
        assert pos == len(_words(it["caption"])) - 1 and " and " in it["caption"]  # "<base> and <a ... noun>"


def test_exchanged_words_are_balanced_so_a_word_prior_is_at_chance(split):
    _, _, items, _ = split
    rng = np.random.default_rng(0)
    for cat in BALANCED:
        diffs = [_diff(it)[1:] for it in items if it["category"] == cat]
        assert Counter(a for a, _ in diffs) == Counter(b for _, b in diffs), cat
        assert len({a for a, _ in diffs}) >= 2, cat
        for _ in range(5):  # any scorer of the changed word alone: exactly 50% (a tie counts one half)
            score = {wd: float(rng.random()) for d in diffs for wd in d}
            acc = np.mean([1.0 if score[a] > score[b] else 0.5 if score[a] == score[b] else 0.0 for a, b in diffs])
            assert acc == pytest.approx(0.5), cat
    counts = Counter(_diff(it)[1] for it in items if it["category"] == "count")
    assert {"two", "three"} <= set(counts)  # both directions: more and fewer than the true number


def test_the_other_five_categories_keep_their_version_1_items(split):
    _, others, _, _ = split
    assert {it["category"] for it in others} == set(CATEGORIES_SUITE) - set(BALANCED)
    # sha256 of the same items written by suites version 1 (commit fefddcb) for this split: the version-1 edits of
    # the balanced categories are still drawn, so replace-* and swap-* use the same random numbers as before
    digest = hashlib.sha256(json.dumps(others, sort_keys=True).encode()).hexdigest()
    assert (len(others), digest) == (7985, "e07567c04dce09bc9c375edd50e88dd15e44fada0bbff80ce24aefdbce0152d1")


def _write_world(root: Path, w, gt: list[dict], comp: list[dict], *, template: bool = True) -> None:
    root.mkdir()
    write_json(root / "meta.json", {"name": "sgfns-synthetic-world", "generator": "synth-1.0", "seed": SEED,
                                    "sizes": {"test": N_IMAGES}, "split_stats": {"test": {}}})  # fmt: skip
    (root / "test_caps.txt").write_text("".join(t + "\n" for t in w.texts), encoding="utf-8")
    if not template:
        gt = json.loads(json.dumps(gt))
        for rec in gt:
            for c in rec["captions"]:
                c.pop("template")
    write_jsonl(root / "test_gt.jsonl", gt)
    write_jsonl(root / "test_compositional.jsonl", comp)


@pytest.mark.parametrize("template", [True, False], ids=["gt-with-template", "older-gt-without-template"])
def test_rewrite_replaces_the_balanced_items_and_keeps_the_others(split, tmp_path, template):
    w, others, items, gt = split
    stale = [{"image": 0, "caption_index": 0, "caption": w.texts[0], "negative": w.texts[0] + " and a red kite",
              "category": "add-obj"}]  # fmt: skip
    root = tmp_path / "world"
    _write_world(root, w, gt, merge_items(others, stale), template=template)
    counts = rewrite_suites(root)
    got = [rec for _, rec in read_jsonl(root / "test_compositional.jsonl")]
    assert got == merge_items(others, items)  # the generator's own result: same items, same order
    assert counts["test"] == dict(sorted(Counter(it["category"] for it in got).items()))
    meta = json.loads((root / "meta.json").read_text())
    assert meta["suites"] == "synth-suites-2" and meta["split_stats"]["test"]["compositional"] == counts["test"]


def test_rewrite_refuses_captions_that_differ_from_the_ground_truth(split, tmp_path):
    w, _, _, gt = split
    root = tmp_path / "world"
    _write_world(root, w, gt, [])
    lines = (root / "test_caps.txt").read_text().splitlines()
    lines[12] = "a different caption"
    (root / "test_caps.txt").write_text("\n".join(lines) + "\n")
    before = (root / "test_compositional.jsonl").read_bytes()
    with pytest.raises(UserError, match=r"test_gt\.jsonl:3: captions\[2\] differs from line 13"):
        rewrite_suites(root)
    assert (root / "test_compositional.jsonl").read_bytes() == before


def test_cli_suites_only(split, tmp_path, cli):
    w, _, items, gt = split
    root = tmp_path / "world"
    _write_world(root, w, gt, [])
    rc, out, err = cli("synth", "--suites-only", "--out", str(root))
    assert rc == 0, err
    assert f"count {sum(it['category'] == 'count' for it in items)}" in out
    rc, _, err = cli("synth", "--suites-only", "--out", str(tmp_path / "nothing"))
    assert rc == 2 and "meta.json: file not found" in err
