"""Are our negatives of *real* captions solvable without the image? The blind scorer of `blind_text.py` on coco_mini.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/neg_coverage.py --data ../shared/data/coco_mini \
        --version before=/tmp/sgfns_before/src --version after=src --dump NEGS
    .venv/bin/python benchmarks/blind_real.py --data ../shared/data/coco_mini --negatives before=NEGS/before.json \
        --negatives after=NEGS/after.json [--epochs 8] [--seed 0]
                                    # or NAME=OUT.jsonl from `sgfns negatives` (scripts/blind_judge_draw.py)

The scorer (a logistic regression over hashed word uni- and bigrams, never an image) is trained on the captions of
one half of the photos (label 1) against our negatives of them (label 0), then answers each held-apart caption's
negatives by preferring the string it scores higher. Two folds by the dataset's own split (train.json photos vs
dev.json photos, each held apart once), pooled. 50 % is chance; the target is <= 65 % per rule. Prints JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))

from blind_judge_draw import load_negatives  # noqa: E402
from blind_text import pair_accuracy, train_scorer  # noqa: E402


def coco_captions(folder: Path) -> list[tuple[str, str]]:
    """(split, caption) in the order `neg_coverage.load_items` reads them."""
    out = []
    for split in ("train", "dev"):
        for im in json.loads((folder / f"{split}.json").read_text(encoding="utf-8"))["images"]:
            out.extend((split, c) for c in im["captions"])
    return out


def fold_accuracy(caps: list[tuple[str, str]], negs: list[list[dict]], epochs: int, seed: int) -> dict:
    pooled: dict[str, list[float]] = defaultdict(list)
    for held in ("train", "dev"):
        pos = [c for (s, c) in caps if s != held]
        neg = [n["negative"] for (s, _), ns in zip(caps, negs, strict=True) if s != held for n in ns]
        model = train_scorer(pos, neg, epochs, seed)
        pairs = [(n["rule"], c, n["negative"]) for (s, c), ns in zip(caps, negs, strict=True) if s == held for n in ns]
        acc = pair_accuracy(model, pairs)
        for rule, n in acc["n"].items():
            pooled[rule].extend([acc[rule] / 100] * n)  # re-weight each fold's share by its item count
    return {r: {"accuracy": round(100 * sum(v) / len(v), 1), "n": len(v)} for r, v in sorted(pooled.items())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "coco_mini"))
    ap.add_argument("--negatives", action="append", required=True, metavar="NAME=FILE",
                    help="neg_coverage --dump, or `sgfns negatives` output (.jsonl) of blind_judge_draw --write-input")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    caps = coco_captions(Path(args.data))
    out = {}
    for v in args.negatives:
        name, _, path = v.partition("=")
        negs = load_negatives(path, [c for _, c in caps])
        out[name] = fold_accuracy(caps, negs, args.epochs, args.seed)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
