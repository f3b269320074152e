"""Error classes of a parser's FACTUAL output, counted fact by fact against the gold.

    sgfns eval-parser --gold ../shared/data/factual/random_dev.csv --per-row /tmp/rows.jsonl
    python scripts/parser_errors.py /tmp/rows.jsonl [--examples CLASS --n 10]

Exact fact strings are compared (no synonyms), so the counts show what differs, not what the scorer forgives.
Classes: an object name only one side has (`object name extra/missed`); a relation whose two names match the gold
but whose predicate differs (`predicate differs`); a relation or attribute extra or missed with both names present
on the other side, or with a name that differs (`... (name differs)`); lone objects; counts."""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict


def norm(fact) -> tuple[str, ...]:
    return tuple(" ".join(x.split()) for x in fact)


def names(facts) -> set[str]:
    return {f[0] for f in facts} | {f[-1] for f in facts if len(f) == 3 and f[1] != "is"}


def classify(cand: str, gold: str):
    from sgfns.graphs.factual import split_facts

    c, g = set(map(norm, split_facts(cand))), set(map(norm, split_facts(gold)))
    cn, gn = names(c), names(g)
    for mine, other, other_names, word in ((c - g, g - c, gn, "extra"), (g - c, c - g, cn, "missed")):
        for f in mine:
            if len(f) == 1:
                yield f"{word} lone object", f
            elif f[1] == "is" and f[2].isdigit():
                yield f"{word} count", f
            elif f[1] == "is":
                yield f"{word} attribute" + ("" if f[0] in other_names else " (name differs)"), f
            elif any(len(h) == 3 and h[1] != "is" and (h[0], h[2]) == (f[0], f[2]) for h in other):
                if word == "extra":
                    yield "predicate differs", f
            else:
                both = f[0] in other_names and f[2] in other_names
                yield f"{word} relation" + ("" if both else " (name differs)"), f
    for n in cn - gn:
        yield "object name extra", n
    for n in gn - cn:
        yield "object name missed", n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("per_row", help="JSON lines from `sgfns eval-parser --per-row` (candidate, gold, caption)")
    ap.add_argument("--examples", default=None, help="print seeded examples of this class")
    ap.add_argument("--n", type=int, default=10)
    args = ap.parse_args()
    counts: Counter = Counter()
    examples = defaultdict(list)
    with open(args.per_row, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        for cls, item in classify(r["candidate"], r["gold"]):
            counts[cls] += 1
            examples[cls].append((r["caption"], item))
    if args.examples:
        for ex in random.Random(0).sample(examples[args.examples], min(args.n, len(examples[args.examples]))):
            print("  ", ex)
    print(json.dumps({"rows": len(rows), "errors": dict(counts.most_common())}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
