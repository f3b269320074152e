"""The oracle matcher: scores a caption against an image by matching the caption's ground-truth graph into the
image's ground-truth graph (read back from `{split}_gt.jsonl`), and the rSum it reaches with the split's positives.

It is independent of the positives' code path (which decides truth from the scene's boxes and attribute codes):
if the world were ambiguous in a way `{split}_positives.jsonl` misses, a caption would match an image that is not
listed as its positive and the oracle's rSum would drop below 600."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.synth.gtgraph import canon_attr, canon_name, canon_pred
from sgfns.io import read_jsonl

MAXO = 8


def _image_arrays(records: list[dict]) -> tuple[dict, np.ndarray, np.ndarray, dict, dict]:
    names: dict[str, int] = {}
    attrs: dict[str, int] = {}
    preds: dict[str, int] = {}
    n = len(records)
    name = np.full((n, MAXO), -1, dtype=np.int64)
    amask = np.zeros((n, MAXO), dtype=np.int64)
    rels: list[set] = []
    for i, rec in enumerate(records):
        g = rec["graph"]
        for k, o in enumerate(g["objects"]):
            name[i, k] = names.setdefault(canon_name(o["name"]), len(names))
            for a in o["attributes"]:
                amask[i, k] |= 1 << attrs.setdefault(canon_attr(a), len(attrs))
        rels.append({(r["subject"], canon_pred(r["predicate"]), r["object"]) for r in g["relations"]})
    return {"names": names, "attrs": attrs, "preds": preds}, name, amask, rels, {}


def _satisfied(q: dict, i: int, vocab, name, amask, rels) -> bool:
    objs = q["objects"]
    singular = []
    for k, o in enumerate(objs):
        nid = vocab["names"].get(canon_name(o["name"]), -2)
        need = 0
        for a in o["attributes"]:
            b = vocab["attrs"].get(canon_attr(a))
            if b is None:
                return False
            need |= 1 << b
        match = (name[i] == nid) & ((amask[i] & need) == need)
        if o.get("count") not in (None, 1):
            if int(match.sum()) != o["count"]:
                return False
        else:
            if not match.any():
                return False
            singular.append((k, np.flatnonzero(match)))
    qrels = [(r["subject"], canon_pred(r["predicate"]), r["object"]) for r in q["relations"]]
    # depth-first search for an injective assignment of singular objects satisfying every relation
    order = [k for k, _ in singular]
    cands = dict(singular)

    def search(pos: int, assign: dict[int, int]) -> bool:
        if pos == len(order):
            return all((assign[s], p, assign[o]) in rels[i] for s, p, o in qrels)
        k = order[pos]
        for c in cands[k]:
            c = int(c)
            if c in assign.values():
                continue
            assign[k] = c
            if all((assign[s], p, assign[o]) in rels[i] for s, p, o in qrels if s in assign and o in assign):
                if search(pos + 1, assign):
                    return True
            del assign[k]
        return False

    return search(0, {})


def oracle_scores(records: list[dict]) -> np.ndarray:
    """[n_images, n_captions] 1.0 where the caption's graph matches into the image's graph."""
    vocab, name, amask, rels, _ = _image_arrays(records)
    caps = [c["graph"] for rec in records for c in rec["captions"]]
    n = len(records)
    S = np.zeros((n, len(caps)), dtype=np.float32)
    # candidate images: every caption object's name present
    present: dict[int, set[int]] = {}
    for i in range(n):
        for v in name[i][name[i] >= 0]:
            present.setdefault(int(v), set()).add(i)
    for c, q in enumerate(caps):
        sets = [present.get(vocab["names"].get(canon_name(o["name"]), -2), set()) for o in q["objects"]]
        cand = set.intersection(*sets) if sets else set()
        for i in cand:
            if _satisfied(q, i, vocab, name, amask, rels):
                S[i, c] = 1.0
    return S


def rsum_from_scores(S: np.ndarray, positive: np.ndarray) -> dict[str, float]:
    """Pessimistic ranks: rank = 1 + number of non-positives scoring >= the best positive
    (docs/evaluation.md#ranks-and-recalls)."""
    n_img, n_cap = S.shape
    out = {}
    best_i2t = np.where(positive, S, -np.inf).max(1)
    r_i2t = 1 + ((S >= best_i2t[:, None]) & ~positive).sum(1)
    best_t2i = np.where(positive, S, -np.inf).max(0)
    r_t2i = 1 + ((S >= best_t2i[None, :]) & ~positive).sum(0)
    for k in (1, 5, 10):
        out[f"i2t_r{k}"] = round(100.0 * float((r_i2t <= k).mean()), 2)
    for k in (1, 5, 10):
        out[f"t2i_r{k}"] = round(100.0 * float((r_t2i <= k).mean()), 2)
    out["rsum"] = round(sum(out[k] for k in list(out)), 2)
    return out


def oracle_rsum(root: str | Path, split: str) -> dict[str, Any]:
    root = Path(root)
    records = [rec for _, rec in read_jsonl(root / f"{split}_gt.jsonl")]
    k = len(records[0]["captions"])
    S = oracle_scores(records)
    n_img, n_cap = S.shape
    pos = np.zeros((n_img, n_cap), dtype=bool)
    pos[np.arange(n_cap) // k, np.arange(n_cap)] = True
    pp = root / f"{split}_positives.jsonl"
    if pp.exists():
        for _, rec in read_jsonl(pp):
            pos[rec["images"], rec["caption_index"]] = True
    res = rsum_from_scores(S, pos)
    res["split"] = split
    res["unlisted_matches"] = int((S.astype(bool) & ~pos).sum())
    res["own_caption_misses"] = int((~S.astype(bool) & pos).sum())
    return res
