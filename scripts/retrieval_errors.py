"""What separates a caption from the image a model wrongly ranks first, on a synthetic world (which knows the truth).

    .venv/bin/python scripts/retrieval_errors.py --ranks RANKS.jsonl --data WORLD [--split test] [--json OUT.json]

RANKS is what `sgfns eval --run RUN --data WORLD --split test --ranks RANKS.jsonl` writes. For every text query whose
first image is not one the caption is true of (`rank` > 1), the caption's ground-truth graph is compared with the
ground truth of the image ranked first (`{split}_gt.jsonl`, names, attributes and predicates through the world's
synonym map): which of its statements that image lacks — an object, an attribute of an object it has, a count, a
relation, or a relation it has the other way round. A failure is *separable* when the predicted visual graph of the
caption's own image states everything the caption states and that of the wrongly first image does not: the
model's inputs held the answer. On those, the score parts of `--ranks` (true image − wrongly first image) say which
term ranked the wrong image first. Image queries (i2t) are counted the same way, with the caption ranked first.
Prints one JSON object (also written to `--json`)."""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from sgfns.data.synth.gtgraph import canon_attr, canon_name, canon_pred  # noqa: E402
from sgfns.errors import UserError  # noqa: E402
from sgfns.io import read_jsonl  # noqa: E402

Facts = tuple[list[tuple[str, frozenset[str], int]], set[tuple[str, str, str]]]


def facts(g: dict[str, Any]) -> Facts:
    """(objects as (name, attributes, count), relations as (subject name, predicate, object name)), canonical."""
    objs = [(canon_name(o["name"]), frozenset(canon_attr(a) for a in o.get("attributes", [])), o.get("count") or 1)
            for o in g.get("objects", [])]  # fmt: skip
    rels = {(objs[r["subject"]][0], canon_pred(r["predicate"]), objs[r["object"]][0]) for r in g.get("relations", [])}
    return objs, rels


def lacks(caption: Facts, image: Facts) -> tuple[list[str], list[str]]:
    """What the caption states that the image does not (one entry per missing statement, in the caption's order),
    and the attributes the caption gives an object the image has only without them."""
    out, atts_missing = [], []
    for name, atts, count in caption[0]:
        same = [o for o in image[0] if o[0] == name]
        if not same:
            out.append("object")
            continue
        if not any(atts <= o[1] for o in same):
            out.append("attribute")
            atts_missing += sorted(atts - frozenset().union(*(o[1] for o in same)))
        if not any(o[2] == count for o in same):
            out.append("count")
    for s, p, o in sorted(caption[1]):
        if (s, p, o) not in image[1]:
            out.append("relation reversed" if (o, p, s) in image[1] else "relation")
    return out, atts_missing


def analyse(ranks: list[dict[str, Any]], gt: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    caption_graphs = [c["graph"] for r in gt for c in r["captions"]]
    image_facts = [facts(r["graph"]) for r in gt]
    pred_facts = [facts(g) for g in predicted]
    own_image = [r["image"] for r in gt for _ in r["captions"]]
    out: dict[str, Any] = {}
    for direction in ("t2i", "i2t"):
        kinds, atts = collections.Counter(), collections.Counter()
        parts: dict[str, list[float]] = collections.defaultdict(list)
        failures = separable = 0
        for r in ranks:
            if r["direction"] != direction or r["rank"] <= 1:
                continue
            failures += 1
            if direction == "t2i":
                c, true_img, wrong_img = r["caption_index"], own_image[r["caption_index"]], r["top"][0]["image"]
                cap = facts(caption_graphs[c])
                lacked, missing = lacks(cap, image_facts[wrong_img])
                atts.update(missing)
                if not lacks(cap, pred_facts[true_img])[0] and lacks(cap, pred_facts[wrong_img])[0]:
                    separable += 1
                    best, top = r["best_positive"].get("parts"), r["top"][0].get("parts")
                    for k in best or {}:
                        parts[k].append(best[k] - top[k])
            else:  # the caption ranked first is not true of the image: what of it the image lacks
                lacked = lacks(facts(caption_graphs[r["top"][0]["caption_index"]]), image_facts[r["image"]])[0]
            kinds[" + ".join(sorted(set(lacked))) or "nothing (the caption is true of it)"] += 1
        block: dict[str, Any] = {"failures": failures, "image_lacks": dict(kinds.most_common())}
        if direction == "t2i":
            block["missing_attributes"] = dict(atts.most_common())
            block["separable_by_predicted_graphs"] = separable
            block["parts_on_separable"] = {
                k: {"mean_true_minus_wrong": round(sum(v) / len(v), 4), "true_image_higher": sum(x > 0 for x in v)}
                for k, v in parts.items()
            }
        out[direction] = block
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", required=True, type=Path, help="the --ranks file of `sgfns eval`")
    ap.add_argument("--data", required=True, type=Path, help="the synthetic world folder")
    ap.add_argument("--split", default="test")
    ap.add_argument("--json", type=Path, help="also write the result here")
    args = ap.parse_args(argv)
    try:
        gt_path, pred_path = args.data / f"{args.split}_gt.jsonl", args.data / f"{args.split}_image_sg.jsonl"
        gt, predicted, ranks = ([rec for _, rec in read_jsonl(p)] for p in (gt_path, pred_path, args.ranks))
        n_caps = sum(len(r["captions"]) for r in gt)
        seen = [r["caption_index"] for r in ranks if r.get("direction") == "t2i"]
        if len(seen) != n_caps or len(predicted) != len(gt):
            raise UserError(
                f"{args.ranks}: {len(seen)} text queries for {n_caps} captions of {gt_path} "
                f"({len(predicted)} predicted graphs for {len(gt)} images): ranks of another split?"
            )
        result = analyse(ranks, gt, predicted)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
