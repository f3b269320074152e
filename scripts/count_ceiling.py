"""How well counting the predicted visual graph's labels can do on a world's `count` suite items.

    .venv/bin/python scripts/count_ceiling.py WORLD [--split test]

For each `count` item of WORLD/{split}_compositional.jsonl: the caption's counted object (its graph in
{split}_caps_sg.jsonl, the object with a number ≥ 2), the number of objects with that label in the image's
predicted graph ({split}_image_sg.jsonl), and whether that number is closer (in log(1 + n), as S_count measures) to
the caption's number than to the negative's. Prints one JSON object: the share of items a perfect label counter
gets right, and the (caption number, predicted label count) table. No model involved: the ceiling of a count term
that reads labels, set by the visual graph's detection errors."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _number(text: str) -> int | None:
    words = [w for w in re.findall(r"[a-z]+|\d+", text.lower()) if w in NUMBERS or w.isdigit()]
    return (int(words[0]) if words[0].isdigit() else NUMBERS[words[0]]) if words else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path)
    ap.add_argument("--split", default="test")
    args = ap.parse_args()
    files = {k: args.world / f"{args.split}_{k}.jsonl" for k in ("compositional", "caps_sg", "image_sg")}
    for f in files.values():
        if not f.exists():
            print(f"{f}: not found", file=sys.stderr)
            return 2
    read = lambda f: [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]  # noqa: E731
    items = [x for x in read(files["compositional"]) if x["category"] == "count"]
    caps, images = read(files["caps_sg"]), read(files["image_sg"])
    right, table = 0, Counter()
    for it in items:
        objs = [o for o in caps[it["caption_index"]]["objects"] if (o.get("count") or 0) >= 2]
        n_true, n_false = _number(it["caption"]), _number(it["negative"])
        if not objs or n_true is None or n_false is None:
            continue
        seen = sum(1 for o in images[it["image"]]["objects"] if o["name"] == objs[0]["name"])
        right += abs(math.log1p(seen) - math.log1p(n_true)) < abs(math.log1p(seen) - math.log1p(n_false))
        table[f"{n_true} -> seen {seen}"] += 1
    acc = round(100 * right / max(1, len(items)), 1)
    print(
        json.dumps(
            {"items": len(items), "label_counter_right": right, "accuracy": acc, "table": dict(sorted(table.items()))}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
