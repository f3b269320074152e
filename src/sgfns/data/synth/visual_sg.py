"""The predicted visual scene graph (`{split}_image_sg.jsonl`) and its accuracy against the ground truth.

Objects: segment proposals the classifier does not call `background`, with their predicted label and attributes
and `region` = the proposal's index. Relations: the geometric rule of `scene.relation_tensor` applied to the
proposals' boxes. Accuracy is measured per ground-truth object (missed objects count as wrong) and per ground-truth
relation, overall and by object size and occlusion bucket (visible share of the object's pixels)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from sgfns.data.synth.classifier import BACKGROUND, Predictions
from sgfns.data.synth.scene import relation_tensor
from sgfns.data.synth.vocab import CATEGORIES, COLOURS, PATTERNS, PREDICATES, SIZES

OCCLUSION_BUCKETS = (("clear", 0.9, 1.01), ("partial", 0.6, 0.9), ("heavy", 0.0, 0.6))


def predicted_objects(is_segment: np.ndarray, pred: Predictions) -> np.ndarray:
    """[N, R] bool: proposals that become objects of the visual graph."""
    return is_segment & (pred.label.reshape(is_segment.shape) != BACKGROUND)


def visual_graphs(boxes: np.ndarray, is_obj: np.ndarray, pred: Predictions) -> tuple[list[dict], list[np.ndarray]]:
    """One graph per image, and the proposal index of each graph object."""
    n, r = is_obj.shape
    lab = pred.label.reshape(n, r)
    col, size, pat = (a.reshape(n, r) for a in (pred.colour, pred.size, pred.pattern))
    rt_all = relation_tensor(boxes.astype(np.float64), is_obj)  # [N, R, R, P]
    graphs, regions = [], []
    for i in range(n):
        idx = np.flatnonzero(is_obj[i])
        objs = [{"name": CATEGORIES[lab[i, k]], "attributes": [COLOURS[col[i, k]], SIZES[size[i, k]],
                 PATTERNS[pat[i, k]]], "count": None, "region": int(k)} for k in idx]  # fmt: skip
        pos = {int(k): j for j, k in enumerate(idx)}
        a, b, p = np.nonzero(rt_all[i])
        rels = [{"subject": pos[int(x)], "predicate": PREDICATES[int(q)], "object": pos[int(y)]}
                for x, y, q in zip(a, b, p, strict=True)]  # fmt: skip
        graphs.append({"objects": objs, "relations": rels})
        regions.append(idx)
    return graphs, regions


def accuracy(w, pred: Predictions, is_obj: np.ndarray) -> dict[str, Any]:
    """Proposal recall, merges, classifier accuracies and relation accuracy on one split."""
    n, r = is_obj.shape
    sc = w.scenes
    lab = pred.label.reshape(n, r)
    attrs = {
        "colour": pred.colour.reshape(n, r),
        "size": pred.size.reshape(n, r),
        "pattern": pred.pattern.reshape(n, r),
    }
    gt_attr = {"colour": sc.col, "size": sc.size, "pattern": sc.pat}
    vis = w.visible_area / np.maximum(w.full_area, 1)
    # ground-truth object -> its proposal slot (best IoU among kept proposals)
    gt_slot = np.full(sc.cat.shape, -1, dtype=np.int64)
    for i in range(n):
        for k in range(r):
            o = w.prop_object[i, k]
            if o >= 0 and gt_slot[i, o] < 0:
                gt_slot[i, o] = k
    valid = sc.valid & (w.full_area > 0)
    buckets: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))

    def bucket_keys(i, o):
        v = vis[i, o]
        occ = next(name for name, lo, hi in OCCLUSION_BUCKETS if lo <= v < hi)
        return ["all", f"size:{SIZES[sc.size[i, o]]}", f"occlusion:{occ}"]

    by_value: dict[str, dict[str, list]] = {a: defaultdict(list) for a in (*gt_attr, "category")}
    for i, o in zip(*np.nonzero(valid), strict=True):
        k = gt_slot[i, o]
        found = k >= 0
        obj_ok = found and is_obj[i, k] and lab[i, k] == sc.cat[i, o]
        by_value["category"][CATEGORIES[sc.cat[i, o]]].append(obj_ok)
        for a, names in (("colour", COLOURS), ("size", SIZES), ("pattern", PATTERNS)):
            by_value[a][names[gt_attr[a][i, o]]].append(
                bool(found and is_obj[i, k] and attrs[a][i, k] == gt_attr[a][i, o])
            )
        for key in bucket_keys(i, o):
            d = buckets[key]
            d["recall"].append(found)
            d["object"].append(obj_ok)
            for a in gt_attr:
                d[a].append(bool(found and is_obj[i, k] and attrs[a][i, k] == gt_attr[a][i, o]))
    # relations: a GT relation is right when both objects were found as graph objects and the predicate holds
    # between their proposals' boxes
    rt_all = relation_tensor(w.boxes.astype(np.float64), is_obj)  # [N, R, R, P]
    ii, x, y, q = np.nonzero(w.rel)
    ka, kb = gt_slot[ii, x], gt_slot[ii, y]
    found = (ka >= 0) & (kb >= 0)
    rel_all = np.zeros(len(ii), dtype=bool)
    rel_all[found] = rt_all[ii[found], ka[found], kb[found], q[found]]
    # a relation's bucket: the smaller and the less visible of its two objects
    small = (sc.size[ii, x] == 0) | (sc.size[ii, y] == 0)
    least_vis = np.minimum(vis[ii, x], vis[ii, y])
    for sel, key in ((small, "size:small"), (~small, "size:big")):
        buckets[key]["relation"].extend(rel_all[sel].tolist())
    for name, lo, hi in OCCLUSION_BUCKETS:
        sel = (least_vis >= lo) & (least_vis < hi)
        buckets[f"occlusion:{name}"]["relation"].extend(rel_all[sel].tolist())
    segs = w.is_segment.sum()
    spurious = int((w.is_segment & (w.prop_object < 0)).sum())
    out: dict[str, Any] = {
        "objects": int(valid.sum()),
        "proposal_recall": _pct(buckets["all"]["recall"]),
        "segments_per_image": float(w.n_segments.mean()),
        "merged_proposals": int(w.merges),
        "missed_objects": int((~np.asarray(buckets["all"]["recall"], dtype=bool)).sum()),
        "spurious_proposals": spurious,
        "kept_segments": int(segs),
        "object_accuracy": _pct(buckets["all"]["object"]),
        "attribute_accuracy": {a: _pct(buckets["all"][a]) for a in gt_attr},
        "object_accuracy_by_category": {k: _pct(v) for k, v in sorted(by_value["category"].items())},
        "attribute_accuracy_by_value": {a: {k: _pct(v) for k, v in sorted(by_value[a].items())} for a in gt_attr},
        "relation_accuracy": _pct(rel_all),
        "relation_accuracy_by_predicate": {PREDICATES[p]: _pct(rel_all[q == p]) for p in range(len(PREDICATES))},
        "relations": int(len(rel_all)),
        "by_bucket": {
            key: {"objects": len(d["recall"]), "proposal_recall": _pct(d["recall"]), "object": _pct(d["object"]),
                  **{a: _pct(d[a]) for a in gt_attr}, "relations": len(d["relation"]),
                  "relation": _pct(d["relation"])}
            for key, d in sorted(buckets.items()) if key != "all"
        },
        "note": "percent of ground-truth objects (missed objects count as wrong); relations: percent of ground-truth "
                "relations whose two objects were found and whose predicate holds between their proposal boxes; a "
                "relation's size/occlusion bucket is that of the smaller / less visible of its two objects",
    }  # fmt: skip
    return out


def _pct(xs) -> float:
    return round(100.0 * float(np.mean(xs)), 2) if len(xs) else 0.0
