"""Generate the synthetic world and print its figures; the last line is one JSON object.

    .venv/bin/python benchmarks/synth_time.py                      # default world 8,000/1,000/1,000, 128 px
    .venv/bin/python benchmarks/synth_time.py --parse              # + parser exact-match rate on the test split
    .venv/bin/python benchmarks/synth_time.py --train 200 --val 50 --test 50 --image-size 64

Reports wall and CPU seconds of `generate`, per-stage timings, proposal recall, classifier accuracies, oracle rSum,
twin fraction, bag-of-words accuracy on twins, construction shares and suite sizes (and with --parse the parser's
exact-match rate overall and per construction, and its failures written to --failures)."""

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
    args = ap.parse_args()

    from sgfns.data.synth import generate
    from sgfns.data.synth.twins import bag_of_words_twin_accuracy

    with tempfile.TemporaryDirectory(prefix="synth_bench_") as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "world"
        sizes = {"train": args.train, "val": args.val, "test": args.test}
        t0, c0 = time.perf_counter(), time.process_time()
        meta = generate(out, seed=args.seed, sizes=sizes, image_size=args.image_size)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        test = meta["split_stats"]["test"]
        acc = meta["accuracies"]["test"]
        res = {
            "benchmark": "synth_time",
            "sizes": sizes,
            "image_size": args.image_size,
            "cpu_count": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
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
        for k, v in res.items():
            if k != "by_bucket":
                print(f"{k}: {v}")
        print(json.dumps(res))


if __name__ == "__main__":
    main()
