"""A blind comparison of two caption parsers on real captions, judged by hand with the rule in docs/parser.md.

    python scripts/parser_blind_judging.py draw --coco ../shared/data/coco_mini --out /tmp/blind   # writes
        blind.txt (items to judge: caption and graph, parser hidden, order shuffled) and key.json (item -> parser)
    python scripts/parser_blind_judging.py score --key /tmp/blind/key.json --judged docs/parser_coco_judged.jsonl

The draw is seeded: 100 captions from coco_mini (train and dev, every caption of every image, shuffled with
`--seed`); each is parsed by both backends and the 200 outputs are shuffled together so the judge cannot tell which
parser wrote an item. The judgement file has one line per item: {"item", "right": true|false, "error": class};
the key is read only when scoring. Captions stay in the shared data; the repository keeps ids and judgements."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path


def draw(args) -> int:
    from sgfns.graphs.factual import graph_to_facts
    from sgfns.graphs.parser import load_parser
    from sgfns.io import read_json

    caps = []
    for split in ("train", "dev"):
        for rec in read_json(args.coco / f"{split}.json")["images"]:
            for k, c in enumerate(rec["captions"]):
                caps.append((str(rec["image_id"]), k, c.strip()))
    rng = random.Random(args.seed)
    sample = rng.sample(caps, args.n)
    items = []
    for backend in ("learned", "rules"):
        parser = load_parser(backend=backend)
        graphs = parser.parse_batch([c for _, _, c in sample])
        for (image_id, k, cap), g in zip(sample, graphs, strict=True):
            items.append({"image_id": image_id, "caption_index": k, "caption": cap, "backend": backend,
                          "parser": parser.version, "facts": graph_to_facts(g, cap)})  # fmt: skip
    rng.shuffle(items)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "blind.txt", "w", encoding="utf-8") as f:
        for i, it in enumerate(items):
            f.write(f"[{i}] {it['caption']}\n     {it['facts']}\n")
    key = [{"item": i, **{k: it[k] for k in ("image_id", "caption_index", "backend", "parser")}}
           for i, it in enumerate(items)]  # fmt: skip
    (args.out / "key.json").write_text(json.dumps(key, indent=0) + "\n", encoding="utf-8")
    print(f"{len(items)} items -> {args.out}/blind.txt (judge these), key in {args.out}/key.json")
    return 0


def score(args) -> int:
    key = {k["item"]: k for k in json.loads(args.key.read_text(encoding="utf-8"))}
    judged = [json.loads(line) for line in args.judged.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict = {}
    for backend in sorted({k["backend"] for k in key.values()}):
        mine = [j for j in judged if key[j["item"]]["backend"] == backend]
        errors = Counter(j["error"] for j in mine if not j["right"])
        out[backend] = {
            "parser": next(k["parser"] for k in key.values() if k["backend"] == backend),
            "judged": len(mine),
            "fully_right_percent": round(100 * sum(j["right"] for j in mine) / max(1, len(mine)), 1),
            "errors": dict(errors.most_common()),
        }
    print(json.dumps(out))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--coco", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_mini")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--n", type=int, default=100)
    s = sub.add_parser("score")
    s.add_argument("--key", type=Path, required=True)
    s.add_argument("--judged", type=Path, required=True)
    args = ap.parse_args()
    return draw(args) if args.cmd == "draw" else score(args)


if __name__ == "__main__":
    sys.exit(main())
