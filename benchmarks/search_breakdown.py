"""Where a text search's time goes: parse, encode, first stage, re-rank, explain, answer assembly and JSON, per
query, for `Searcher.text` one query at a time and (where the code has it) `Searcher.texts` over batches. Prints
one JSON document.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/search_breakdown.py --run RUN --index INDEX [--queries 64]

Run it against an older checkout's library with `PYTHONPATH=OLD/src` to compare before and after in one command
(the stages are found by function name in a cProfile of the searches, so both versions are measured the same
way). Distinct gallery captions as queries (seeded), after a warm-up search; one torch thread."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

#: stage -> (file suffix, function name) whose cumulative time is the stage's
STAGES = {
    "parse": ("parser/__init__.py", "parse_batch"),
    "encode": ("models/scoring.py", "encode_captions"),
    "first stage": ("index/rerank.py", "shortlist"),
    "re-rank": ("index/rerank.py", "rerank_parts"),
    "explain": ("index/explain.py", "explain_pairs"),
    "answer assembly": ("index/searcher.py", "_explained"),
    "image files": ("index/searcher.py", "image_file"),
    "JSON": ("json/__init__.py", "dumps"),
}


def breakdown(fn, n: int) -> dict:
    pr = cProfile.Profile()
    t = time.perf_counter()
    pr.enable()
    fn()
    pr.disable()
    wall = time.perf_counter() - t
    stats = pstats.Stats(pr).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    out = {"total_ms_per_query": round(1000 * wall / n, 2)}
    for stage, (suffix, name) in STAGES.items():
        ct = sum(v[3] for (f, _, fn_name), v in stats.items() if fn_name == name and f.endswith(suffix))
        out[stage] = round(1000 * ct / n, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--queries", type=int, default=64)
    ap.add_argument("--ks", default="10,100")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import torch

    import sgfns
    from sgfns import load_model
    from sgfns.index.searcher import Searcher

    torch.set_num_threads(1)
    meta = json.loads((Path(args.index) / "index.json").read_text())
    distinct = sorted(set(meta["captions"]))
    random.Random(args.seed).shuffle(distinct)
    model = load_model(args.run)
    s = Searcher(model, args.index, checkpoint_sha256=model.run.checkpoint_sha256)
    from sgfns.text.lexicon import is_lemma

    is_lemma("cube")  # the lexicon the parser reads on demand: loaded before timing
    s.text(distinct[-1], 10)
    record = {"library": str(Path(sgfns.__file__).parent), "command": " ".join(["benchmarks/search_breakdown.py",
              *sys.argv[1:]]), "nproc": os.cpu_count(), "loadavg_start": os.getloadavg(), "threads": 1,
              "queries": args.queries, "one_at_a_time": {}, "batched": {}}  # fmt: skip
    at = 0
    for k in [int(x) for x in args.ks.split(",")]:
        qs = distinct[at : at + args.queries]
        at += args.queries
        record["one_at_a_time"][str(k)] = breakdown(lambda qs=qs, k=k: [json.dumps(s.text(q, k)) for q in qs], len(qs))
        if hasattr(s, "texts"):
            qs = distinct[at : at + args.queries]
            at += args.queries

            def batched(qs=qs, k=k) -> None:
                for a in range(0, len(qs), args.batch):
                    [json.dumps(x) for x in s.texts(qs[a : a + args.batch], k)]

            record["batched"][str(k)] = {"batch": args.batch, **breakdown(batched, len(qs))}
    record["loadavg_end"] = os.getloadavg()
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
