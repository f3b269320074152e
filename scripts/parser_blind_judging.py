"""A blind comparison of caption parsers on real captions, judged by hand with the rule in docs/parser.md.

    python scripts/parser_blind_judging.py draw --coco ../shared/data/coco_mini --out /tmp/blind \
        [--parser old=/tmp/before/src:rules --parser new=src:rules] [--exclude docs/parser_coco_blind_key.json]
    python scripts/parser_blind_judging.py score --key /tmp/blind/key.json --judged docs/parser_coco_judged.jsonl

The draw is seeded: `--n` captions from coco_mini (its train and dev files, every caption of every image, shuffled
with `--seed`; captions in an `--exclude` key, an earlier round's, are left out); `--coco DIR` draws from another
folder of the same record format (flickr8k_mini, which has only train.json). Each `--parser NAME=SRC:BACKEND`
parses them with the code of the `src/` folder SRC (another checkout's, to compare versions) and that backend, in
a process of its own; without `--parser` the two backends of this checkout are compared. Items are the distinct
(caption, graph) pairs, shuffled together, so the judge cannot tell which parser wrote an item, and a graph that
several parsers write is judged once. The judgement file has one line per item: {"item", "right": true|false,
"error": class}; the key (item -> the parsers that wrote it) is read only when scoring. Captions stay in the
shared data; the repository keeps ids and judgements."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _parse_with(src: str, backend: str, captions: list[str]) -> tuple[str, list[str]]:
    """(parser version, FACTUAL facts per caption) from the code in `src`, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    out = subprocess.run([sys.executable, __file__, "parse", "--backend", backend], input=json.dumps(captions),
                         capture_output=True, text=True, env=env, check=False)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"parser_blind_judging: parsing with {src} ({backend}) failed: {out.stderr.strip()[-300:]}")
    res = json.loads(out.stdout)
    return res["parser"], res["facts"]


def parse(args) -> int:
    from sgfns.graphs.factual import graph_to_facts
    from sgfns.graphs.parser import load_parser

    caps = json.loads(sys.stdin.read())
    parser = load_parser(backend=args.backend)
    facts = [graph_to_facts(g, c) for c, g in zip(caps, parser.parse_batch(caps), strict=True)]
    print(json.dumps({"parser": parser.version, "facts": facts}))
    return 0


def _parser_spec(text: str) -> tuple[str, str, str]:
    name, eq, rest = text.partition("=")
    src, colon, backend = rest.rpartition(":")
    if not (eq and colon and name and src and backend in ("rules", "learned")):
        raise argparse.ArgumentTypeError(f"--parser {text!r}: expected NAME=SRC:rules or NAME=SRC:learned")
    return name, src, backend


def _key_names(k: dict) -> list[str]:
    """The parsers that wrote a key entry's graph (keys of earlier rounds name one backend per item)."""
    return [k["backend"]] if "backend" in k else [b["name"] for b in k["by"]]


def _bad_input(message: str) -> None:
    print(f"parser_blind_judging: {message}", file=sys.stderr)
    raise SystemExit(2)


def draw(args) -> int:
    from sgfns.io import read_json

    left_out = set()
    for path in args.exclude:
        left_out |= {(k["image_id"], k["caption_index"]) for k in json.loads(path.read_text(encoding="utf-8"))}
    caps = []
    splits = [args.coco / f"{name}.json" for name in ("train", "dev", "test")]
    splits = [path for path in splits if path.exists()]
    if not splits:
        _bad_input(f"{args.coco}: no train.json, dev.json or test.json")
    for path in splits:  # coco_mini has train and dev; flickr8k_mini only train
        for rec in read_json(path)["images"]:
            for k, c in enumerate(rec["captions"]):
                if (str(rec["image_id"]), k) not in left_out:
                    caps.append((str(rec["image_id"]), k, c.strip()))
    if args.n > len(caps):
        _bad_input(f"{args.coco}: {len(caps)} captions left after the exclusions, fewer than --n {args.n}")
    rng = random.Random(args.seed)
    sample = rng.sample(caps, args.n)
    specs = args.parser or [("learned", str(ROOT / "src"), "learned"), ("rules", str(ROOT / "src"), "rules")]
    items: dict[tuple[str, int, str], dict] = {}
    for name, src, backend in specs:
        version, facts = _parse_with(src, backend, [c for _, _, c in sample])
        for (image_id, k, cap), f in zip(sample, facts, strict=True):
            it = items.setdefault((image_id, k, f), {"image_id": image_id, "caption_index": k, "caption": cap,
                                                     "facts": f, "by": []})  # fmt: skip
            it["by"].append({"name": name, "backend": backend, "parser": version})
    order = list(items.values())
    rng.shuffle(order)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "blind.txt", "w", encoding="utf-8") as f:
        for i, it in enumerate(order):
            f.write(f"[{i}] {it['caption']}\n     {it['facts']}\n")
    key = [{"item": i, **{k: it[k] for k in ("image_id", "caption_index", "by")}} for i, it in enumerate(order)]
    (args.out / "key.json").write_text(json.dumps(key, indent=0) + "\n", encoding="utf-8")
    print(f"{len(order)} items ({args.n} captions, {len(specs)} parsers) -> {args.out}/blind.txt (judge these), "
          f"key in {args.out}/key.json")  # fmt: skip
    return 0


def score(args) -> int:
    key = {k["item"]: k for k in json.loads(args.key.read_text(encoding="utf-8"))}
    judged = [json.loads(line) for line in args.judged.read_text(encoding="utf-8").splitlines() if line.strip()]
    versions = {}
    for k in key.values():
        for b in k.get("by", [k]):
            versions.setdefault(b.get("name", b.get("backend")), b["parser"])
    out: dict = {}
    for name in sorted(versions):
        mine = [j for j in judged if name in _key_names(key[j["item"]])]
        errors = Counter(j["error"] for j in mine if not j["right"])
        out[name] = {
            "parser": versions[name],
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
    d.add_argument("--parser", type=_parser_spec, action="append", help="NAME=SRC:BACKEND (repeat)")
    d.add_argument("--exclude", type=Path, action="append", default=[], help="an earlier round's key.json")
    s = sub.add_parser("score")
    s.add_argument("--key", type=Path, required=True)
    s.add_argument("--judged", type=Path, required=True)
    p = sub.add_parser("parse", help="(internal) parse a JSON list of captions from stdin with this code")
    p.add_argument("--backend", choices=("rules", "learned"), required=True)
    args = ap.parse_args()
    return {"draw": draw, "score": score, "parse": parse}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
