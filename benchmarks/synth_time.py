"""Generate the synthetic world and print its figures; the last line is one JSON object.

    .venv/bin/python benchmarks/synth_time.py                      # default world 8,000/1,000/1,000, 128 px
    .venv/bin/python benchmarks/synth_time.py --parse              # + parser exact-match rate on the test split
    .venv/bin/python benchmarks/synth_time.py --train 200 --val 50 --test 50 --image-size 64
    .venv/bin/python benchmarks/synth_time.py --world DIR --probe  # figures of an existing world, + the probe

Reports wall and CPU seconds of `generate`, per-stage timings, proposal recall, classifier accuracies, oracle rSum,
twin fraction, bag-of-words accuracy on twins, construction shares and suite sizes (and with --parse the parser's
exact-match rate overall and per construction, and its failures written to --failures). `--probe` adds a
learnability probe: a symbolic matcher (no learning) that scores each test caption's ground-truth graph against each
image's *predicted* visual graph (exact graph match first, then the share of caption objects found by name and by
name + attributes); its rSum and twin accuracy show how much of the world the pixel pipeline makes readable."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=int, default=8000)
    ap.add_argument("--val", type=int, default=1000)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--image-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="keep the world here (default: a temporary folder)")
    ap.add_argument("--parse", action="store_true", help="also measure the parser's exact-match rate")
    ap.add_argument("--failures", default=None, help="write the parser's failing captions here")
    ap.add_argument("--world", default=None, help="measure an existing world instead of generating one")
    ap.add_argument("--probe", action="store_true", help="also run the symbolic learnability probe (slow)")
    args = ap.parse_args()

    from sgfns.data.synth import generate
    from sgfns.data.synth.twins import bag_of_words_twin_accuracy

    with tempfile.TemporaryDirectory(prefix="synth_bench_") as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "world"
        sizes = {"train": args.train, "val": args.val, "test": args.test}
        t0, c0 = time.perf_counter(), _cpu()
        if args.world:
            out = Path(args.world)
            meta = json.loads((out / "meta.json").read_text())
            sizes = meta["sizes"]
        else:
            meta = generate(out, seed=args.seed, sizes=sizes, image_size=args.image_size)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        test = meta["split_stats"]["test"]
        acc = meta["accuracies"]["test"]
        res = {
            "benchmark": "synth_time",
            "sizes": sizes,
            "image_size": meta["image_size"],
            "generated": not args.world,
            "cpu_count": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "workers": meta["timings_s"].get("workers", 1),
            "stages_s": meta["timings_s"],
            "proposal_recall": acc["proposal_recall"],
            "merged_proposals": acc["merged_proposals"],
            "missed_objects": acc["missed_objects"],
            "spurious_proposals": acc["spurious_proposals"],
            "object_accuracy": acc["object_accuracy"],
            "attribute_accuracy": acc["attribute_accuracy"],
            "relation_accuracy": acc["relation_accuracy"],
            "by_bucket": acc["by_bucket"],
            "oracle": meta["oracle"],
            "twin_fraction": test["twin_fraction"],
            "bag_of_words_twins": bag_of_words_twin_accuracy(out, "test"),
            "constructions": {k: v["share"] for k, v in test["constructions"].items()},
            "compositional": test.get("compositional"),
            "mean_extra_positives": test["mean_extra_positives"],
        }
        if args.parse:
            from sgfns.data.synth.parsecheck import parse_check, write_failures

            t = time.perf_counter()
            rep = parse_check(out, "test")
            res["parse"] = {k: rep[k] for k in ("captions", "exact", "by_construction", "parser")}
            res["parse"]["seconds"] = round(time.perf_counter() - t, 1)
            if args.failures:
                write_failures(rep, args.failures)
        if args.probe:
            t = time.perf_counter()
            res["probe"] = probe(out)
            res["probe"]["seconds"] = round(time.perf_counter() - t, 1)
        for k, v in res.items():
            if k != "by_bucket":
                print(f"{k}: {v}")
        print(json.dumps(res))


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the worker processes)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def probe(root: Path, split: str = "test") -> dict:
    import numpy as np

    from sgfns.data.synth.gtgraph import canon_attr, canon_name
    from sgfns.data.synth.oracle import MAXO, _image_arrays, _satisfied, rsum_from_scores
    from sgfns.io import read_jsonl

    gt = [r for _, r in read_jsonl(root / f"{split}_gt.jsonl")]
    pred = []
    for _, g in read_jsonl(root / f"{split}_image_sg.jsonl"):
        objs = [{k: v for k, v in o.items() if k != "region"} for o in g["objects"]][:MAXO]
        rels = [r for r in g["relations"] if r["subject"] < MAXO and r["object"] < MAXO]
        pred.append({"graph": {"objects": objs, "relations": rels}})
    vocab, name, amask, rels, _ = _image_arrays(pred)
    caps = [c["graph"] for r in gt for c in r["captions"]]
    k = len(gt[0]["captions"])
    n = len(gt)
    S = np.zeros((n, len(caps)), dtype=np.float32)
    for c, q in enumerate(caps):
        for o in q["objects"]:
            nid = vocab["names"].get(canon_name(o["name"]), -2)
            bits = [vocab["attrs"].get(canon_attr(a)) for a in o["attributes"]]
            m = name == nid  # [n, MAXO]
            S[:, c] += 0.25 * m.any(1)
            if None not in bits:
                need = sum(1 << b for b in bits)
                S[:, c] += 0.25 * (m & ((amask & need) == need)).any(1)
        S[:, c] /= len(q["objects"])
        for i in np.flatnonzero(S[:, c] >= 0.5 - 1e-6):
            if _satisfied(q, int(i), vocab, name, amask, rels):
                S[i, c] += 1.0
    pos = np.zeros(S.shape, dtype=bool)
    pos[np.arange(len(caps)) // k, np.arange(len(caps))] = True
    for _, r in read_jsonl(root / f"{split}_positives.jsonl"):
        pos[r["images"], r["caption_index"]] = True
    twins = [r for _, r in read_jsonl(root / f"{split}_twins.jsonl")]
    a = np.array([S[t["image"], t["caption_index"]] for t in twins])
    b = np.array([S[t["twin"], t["caption_index"]] for t in twins])
    tw = float(np.mean(np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))))
    return {"matcher": "symbolic: gt caption graph vs predicted visual graph", **rsum_from_scores(S, pos),
            "twins": round(100 * tw, 2)}  # fmt: skip


if __name__ == "__main__":
    main()
