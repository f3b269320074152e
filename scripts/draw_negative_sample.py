"""Run the caption-negative generator on the real COCO captions of shared/data/coco_mini and draw a judged sample.

    .venv/bin/python scripts/draw_negative_sample.py [--data ../shared/data/coco_mini] [--seed 0] [--n 100]
        [--out sample.jsonl] [--all all.jsonl]

Prints one JSON line: coverage (share of the 1,170 captions with at least one valid replace/swap/count negative),
negatives per rule and the rejection counts per (rule, reason). With --out it writes the seeded 100-item sample
(at least 10 per rule) that `tests/fixtures/coco_negatives_judged.jsonl` judges; `draw()` is what the test calls.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sgfns.io import read_json, write_jsonl  # noqa: E402
from sgfns.negatives.corpus import Corpus  # noqa: E402
from sgfns.negatives.generator import Generator  # noqa: E402
from sgfns.negatives.rules import CORE_RULES, RULES  # noqa: E402

SAMPLE_FIELDS = ("image_id", "file_name", "caption", "negative", "rule", "edit")


def load_captions(data: Path) -> list[dict]:
    items = []
    for split in ("train", "dev"):
        for im in read_json(data / f"{split}.json")["images"]:
            for j, cap in enumerate(im["captions"]):
                others = [c for k, c in enumerate(im["captions"]) if k != j]
                items.append({"image_id": im["image_id"], "file_name": im["file_name"], "caption": cap,
                              "others": others})  # fmt: skip
    return items


def generate_all(data: Path, seed: int = 0, parser=None) -> tuple[list[dict], list[list], Generator]:
    from sgfns.graphs.parser import load_parser

    parser = parser or load_parser()
    items = load_captions(data)
    graphs = parser.parse_batch([it["caption"] for it in items])
    corpus = Corpus.build([it["caption"] for it in items], graphs)
    gen = Generator(rules=RULES, per_rule=1, seed=seed, corpus=corpus, parser=parser)
    negs = gen.generate_many((it["caption"], g, it["others"]) for it, g in zip(items, graphs, strict=True))
    return items, negs, gen


def draw(data: Path, seed: int = 0, n: int = 100, parser=None) -> tuple[list[dict], dict]:
    """The seeded sample (>= n // 8 per rule, the rest spread over the core rules) and the coverage summary."""
    items, negs, gen = generate_all(data, seed, parser)
    by_rule: dict[str, list[dict]] = {r: [] for r in RULES}
    for it, ns in zip(items, negs, strict=True):
        for neg in ns:
            rec = neg.record(it["image_id"])
            rec["file_name"] = it["file_name"]
            by_rule[neg.rule].append({k: rec[k] for k in SAMPLE_FIELDS})
    rng = random.Random(seed)
    per = n // len(RULES)
    sample: list[dict] = []
    for r in RULES:
        sample.extend(rng.sample(by_rule[r], min(per, len(by_rule[r]))))
    extra = [r for r in CORE_RULES]
    i = 0
    while len(sample) < n and any(by_rule[r] for r in extra):
        r = extra[i % len(extra)]
        left = [x for x in by_rule[r] if x not in sample]
        if left:
            sample.append(rng.choice(left))
        i += 1
    covered = sum(1 for ns in negs if any(x.rule in CORE_RULES for x in ns))
    summary = {
        "captions": len(items),
        "coverage_core": round(covered / len(items), 4),
        "coverage_any": round(sum(1 for ns in negs if ns) / len(items), 4),
        "negatives_per_rule": {r: len(by_rule[r]) for r in RULES},
        "captions_per_rule": {r: round(len(by_rule[r]) / len(items), 4) for r in RULES},
        "rejected": {f"{r}:{why}": c for (r, why), c in sorted(gen.rejected.items())},
        "parser": getattr(gen.parser, "version", None),
        "seed": seed,
    }
    return sample, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "coco_mini")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--out", type=Path, help="write the drawn sample here (JSON lines)")
    args = ap.parse_args()
    sample, summary = draw(args.data, args.seed, args.n)
    if args.out:
        write_jsonl(args.out, [{**s, "parser": summary["parser"]} for s in sample])
    summary["sample_per_rule"] = dict(Counter(s["rule"] for s in sample))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
