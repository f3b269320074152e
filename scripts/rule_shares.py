"""Share of each rule among the caption negatives training draws, uniform vs rule-balanced (`neg.rule_sampling`),
computed exactly (expected shares, no sampling) from a split's cached negatives.

    .venv/bin/python scripts/rule_shares.py WORLD/train_negs.jsonl [--rules R,...]

Prints one JSON object: per rule, the share of training captions that have a negative of it and the expected share
of the drawn negatives (%, one draw per caption that has any) under each sampling. `--rules` keeps only those rules'
negatives, as `neg.rules` does in training."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sgfns.losses.generated import balanced_weights  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("negs", type=Path, help="{split}_negs.jsonl (one JSON list of negatives per caption)")
    ap.add_argument("--rules", help="comma-separated rules that train (default: all in the file)")
    args = ap.parse_args()
    keep = set(args.rules.split(",")) if args.rules else None
    per_caption = []
    with open(args.negs, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            try:
                negs = [SimpleNamespace(rule=r["rule"]) for r in json.loads(line)]
            except (ValueError, KeyError, TypeError) as e:
                print(f"{args.negs}:{i}: not a list of negatives with a 'rule' ({e})", file=sys.stderr)
                return 2
            per_caption.append([n for n in negs if keep is None or n.rule in keep])
    rules = [n.rule for ns in per_caption for n in ns]
    weights = balanced_weights(per_caption, rules)
    having, uniform, balanced = Counter(), Counter(), Counter()
    k = 0
    for ns in per_caption:
        w = weights[k : k + len(ns)]
        k += len(ns)
        having.update({n.rule for n in ns})
        for n, wi in zip(ns, w, strict=True):
            uniform[n.rule] += 1 / len(ns)
            balanced[n.rule] += wi / sum(w)
    drawn = sum(uniform.values()) or 1
    out = {r: {"captions_with_it": round(100 * having[r] / max(1, len(per_caption)), 2),
               "uniform": round(100 * uniform[r] / drawn, 2), "balanced": round(100 * balanced[r] / drawn, 2)}
           for r in sorted(having)}  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
