"""Where a trained model's score difference between a suite item's caption and its negative comes from.

    .venv/bin/python scripts/relation_parts.py --run RUN --data WORLD [--categories swap-obj,replace-rel] [--n 300]

For the first N items of each category of WORLD/test_compositional.jsonl: the mean per-part difference
S(I, caption) - S(I, negative) and the share of items where it is positive, then how collapsed the relation nodes
are (cosine of a caption's relation node with its swap's; mean pairwise cosine of one test image's relation nodes)
and, for `count` items of an sgfns model with a count term, the soft count ĉ its S_count gives the caption's counted
object on the true image, by the caption's number (a model that counts gives ĉ ≈ n). The figures of
docs/negatives.md "Relation direction" and "Count" come from it."""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import torch

from sgfns import load_model
from sgfns.data.dataset import load_split
from sgfns.graphs.parser import load_parser
from sgfns.models.scoring import encode_captions, encode_images


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--categories", default="swap-obj,replace-rel,count")
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_model(args.run)
    split = load_split(args.data, "test")
    cats = args.categories.split(",")
    by = collections.defaultdict(list)
    for line in open(args.data / "test_compositional.jsonl", encoding="utf-8"):
        it = json.loads(line)
        if it["category"] in cats and len(by[it["category"]]) < args.n:
            by[it["category"]].append(it)
    items = [x for c in cats for x in by[c]]
    texts = [it["caption"] for it in items] + [it["negative"] for it in items]
    images = sorted({it["image"] for it in items})
    row = {im: k for k, im in enumerate(images)}
    n = len(items)
    with torch.inference_mode():
        img = encode_images(model, split, indices=images)
        cap = encode_captions(model, texts, load_parser().parse_batch(texts))
        diffs = collections.defaultdict(lambda: collections.defaultdict(list))
        rel_cos = []
        soft_by_n = collections.defaultdict(list)
        for k, it in enumerate(items):
            i = img.select(torch.tensor([row[it["image"]]]))
            a, b = cap.select(torch.tensor([k])), cap.select(torch.tensor([n + k]))
            pa, pb = model.similarity_parts(i, a), model.similarity_parts(i, b)
            for part in pa:
                diffs[it["category"]][part].append(float(pa[part] - pb[part]))
            diffs[it["category"]]["total"].append(float(sum(pa.values()) - sum(pb.values())))
            if it["category"] == "count" and getattr(model, "count", None) is not None:
                (iv, im), (tv, tm), counts = model.count_sets(i, a)
                soft = model.count.soft_count(torch.einsum("ld,td->tl", iv[0], tv[0]), im[0], -1)
                for t in torch.nonzero(counts[0] >= 1).flatten().tolist():
                    soft_by_n[int(counts[0, t])].append(float(soft[t]))
            if it["category"] == "swap-obj" and "rel" in a.sets:
                (ra, ma), (rb, mb) = a.sets["rel"], b.sets["rel"]
                if ma[0].any() and mb[0].any():
                    rel_cos.append(float((ra[0][ma[0]][0] * rb[0][mb[0]][0]).sum()))
        out = {c: {p: {"mean_diff": round(sum(v) / len(v), 4), "positive": round(sum(x > 0 for x in v) / len(v), 3)}
                   for p, v in d.items()} for c, d in diffs.items()}  # fmt: skip
        if soft_by_n:
            out["count_soft_count_by_caption_number"] = {
                str(k): {"mean": round(sum(v) / len(v), 2), "n": len(v)} for k, v in sorted(soft_by_n.items())
            }
        if rel_cos:
            out["caption_vs_swap_relation_cosine"] = round(sum(rel_cos) / len(rel_cos), 3)
        if "rel" in img.sets:
            r, m = img.sets["rel"]
            v = r[0][m[0]]
            out["image0_relation_nodes_mean_pairwise_cosine"] = round(float((v @ v.T).mean()), 3)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
