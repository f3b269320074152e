"""A trained run's accuracy on one compositional category, split by the word the negative changes (e.g. `count`:
"two -> three" vs "three -> two"), for one or more suite files of the same world.

    .venv/bin/python benchmarks/suite_by_change.py --run RUN --data WORLD [--category count] [--split test]
        [--suite FILE ...]

Scores the category's items of `WORLD/{split}_compositional.jsonl` and of every `--suite FILE` (e.g. the world's
suite before a rewrite) with `sgfns eval`'s code path (`sgfns.eval.evaluate`: caption and negative parsed alike) in one
pass: a temporary folder links the world's files and holds the items of all files together. An item whose caption
and negative differ in more than one word is reported under "other". Prints one JSON object on the last line:
`{file: {"all": [accuracy %, n], "old -> new": [accuracy %, n], ...}}`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sgfns.io import read_jsonl, write_jsonl  # noqa: E402


def change(caption: str, negative: str) -> str:
    a = ["a" if t == "an" else t for t in caption.lower().rstrip(".").split()]
    b = ["a" if t == "an" else t for t in negative.lower().rstrip(".").split()]
    d = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
    return f"{d[0][0]} -> {d[0][1]}" if len(a) == len(b) and len(d) == 1 else "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--category", default="count")
    ap.add_argument("--suite", type=Path, action="append", default=[])
    args = ap.parse_args()
    torch.set_num_threads(1)
    from sgfns import load_model
    from sgfns.eval.evaluator import evaluate_with_split

    files = [args.data / f"{args.split}_compositional.jsonl", *args.suite]
    items, source = [], []
    for f in files:
        for _, rec in read_jsonl(f):
            if rec["category"] == args.category:
                items.append(rec)
                source.append(str(f))
    with tempfile.TemporaryDirectory() as tmp:
        for p in args.data.iterdir():
            if not p.name.endswith("_compositional.jsonl"):
                (Path(tmp) / p.name).symlink_to(p.resolve())
        write_jsonl(Path(tmp) / f"{args.split}_compositional.jsonl", items)
        _, ev = evaluate_with_split(load_model(args.run), tmp, args.split, "full")
    pos, neg = ev.comp_scores
    hits: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rec, f, p, n in zip(items, source, pos.tolist(), neg.tolist(), strict=True):
        win = 1.0 if p > n else 0.5 if p == n else 0.0
        hits[f]["all"].append(win)
        hits[f][change(rec["caption"], rec["negative"])].append(win)
    out = {f: {k: [round(100 * sum(v) / len(v), 1), len(v)] for k, v in sorted(h.items())} for f, h in hits.items()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
