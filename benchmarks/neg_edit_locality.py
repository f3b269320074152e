"""How local are the image negatives' edits? Share of an edited image's relation rows that touch an edited object.

    .venv/bin/python benchmarks/neg_edit_locality.py --data WORLD [--batch 128] [--seed 0]

A fast path that reuses the positive image's encoding can skip only the relation rows whose subject and object are
both untouched (before graph convolution; after it, neighbours of an edited object change too). Batches are the
train split's captions in order, one image negative per caption drawn as in training (`sgfns.negatives.image`).
Prints one JSON object on the last line: the touched share over all edits and per edit kind."""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.negatives import image as imneg

    split = load_split(args.data, "train", check_finite=False)
    graphs = caption_graphs_for(split, "auto")
    k = split.captions_per_image
    rng = random.Random(args.seed)
    per: dict[str, list[int]] = {}
    n_obj = 0
    for b0 in range(0, split.n_captions, args.batch):
        caps = list(range(b0, min(b0 + args.batch, split.n_captions)))
        uniq = sorted({c // k for c in caps})
        where = {im: p for p, im in enumerate(uniq)}
        scenes = [imneg.VisualScene(split.image_graphs[i]) for i in uniq]
        for c in caps:
            g = graphs[c]
            if g is None or not g.objects:
                continue
            for neg in imneg.sample(g, scenes, where[c // k], rng, k=1):
                edited = set(neg.objects)
                rels = scenes[where[c // k]].graph.relations
                t = per.setdefault(neg.edit, [0, 0, 0])
                n_obj += len(scenes[where[c // k]].graph.objects)
                t[0] += 1
                t[1] += len(rels)
                t[2] += sum(1 for r in rels if r.subject in edited or r.object in edited)
    rows = sum(v[1] for v in per.values())
    touched = sum(v[2] for v in per.values())
    print(json.dumps({
        "data": str(args.data), "negatives": sum(v[0] for v in per.values()), "relation_rows": rows,
        "touched_share": round(touched / max(1, rows), 3),
        "objects_per_edited_image": round(n_obj / max(1, sum(v[0] for v in per.values())), 2),
        "relations_per_edited_image": round(rows / max(1, sum(v[0] for v in per.values())), 2),
        "per_edit": {e: {"negatives": v[0], "touched_share": round(v[2] / max(1, v[1]), 3)} for e, v in per.items()},
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
