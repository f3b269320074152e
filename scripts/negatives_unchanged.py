"""Regenerate a data folder's cached caption negatives with this code and compare them with the cache.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/negatives_unchanged.py DATA [--split train] [--limit N] [--any-parser]

The cache (`{split}_negs.jsonl` + `.meta.json`, written when a run trains with L_neg) records the generator version,
the seed, the rules and the sha256 of the captions and graphs it was made from. This script finds the caption graphs
with that sha256 (the folder's own, else the parser's), generates every caption's negatives again with the same
rules, seed and re-parse check, and compares rule, text and graph of each negative. It is how a change to the
generator shows that it leaves a world's training negatives as they were (the synthetic world's, when the change
was meant for real captions). A cache whose negatives were re-parsed by another parser version is refused, unless
`--any-parser` asks to re-parse with this code's parser anyway: how a parser change shows that it leaves the
world's negatives as they were. A cache written by a run with `data.max_train_images` holds the first images'
captions only; those are compared. Prints one JSON line (`captions`, `differ`, the cache's generator and seed) and up to
five differing captions; exit status 0 when nothing differs, 1 when something does, 2 on bad input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def _matching_graphs(split, meta: dict, n: int):
    """The first n caption graphs of the split (its own, else the parser's) whose cache key is the one the cache was
    made with."""
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.negatives.cache import cache_key

    for mode in ("provided", "parser"):
        try:
            graphs = caption_graphs_for(split, mode)[:n]
        except Exception:  # no provided graphs in this folder
            continue
        key = cache_key(split.captions[:n], graphs, meta["rules"], meta["per_rule"], meta["seed"],
                        meta["reparse_parser"])  # fmt: skip
        if key["graphs_sha256"] == meta["graphs_sha256"]:
            return graphs
    return None


def _cached_captions(path: Path, split) -> int:
    """How many captions the cache holds: all of the split's, or the first images' only (a run trained with
    `data.max_train_images` caches the captions it read)."""
    with open(path, encoding="utf-8") as f:
        lines = sum(1 for _ in f)
    whole_images = lines % split.captions_per_image == 0
    return lines if 0 < lines < len(split.captions) and whole_images else len(split.captions)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", help="a data folder holding SPLIT_negs.jsonl and SPLIT_negs.meta.json")
    ap.add_argument("--split", default="train")
    ap.add_argument("--limit", type=int, default=0, help="first N captions only (0 = all)")
    ap.add_argument("--any-parser", action="store_true",
                    help="re-parse with this code's parser even if the cache was made with another version")
    args = ap.parse_args(argv)
    from sgfns.data.dataset import load_split
    from sgfns.negatives import cache as C

    root = Path(args.data)
    meta_path, negs_path = root / f"{args.split}_negs.meta.json", root / f"{args.split}_negs.jsonl"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        split = load_split(root, args.split)
        cached = _cached_captions(negs_path, split)
        old = C._read(negs_path, list(split.captions)[:cached])
    except Exception as e:
        print(f"{meta_path if not meta_path.exists() else negs_path}: cannot read the negatives cache ({e})",
              file=sys.stderr)  # fmt: skip
        return 2
    graphs = _matching_graphs(split, meta, cached)
    if graphs is None:
        print(f"{meta_path}: no caption graphs of {root} match the cache's graphs_sha256", file=sys.stderr)
        return 2
    parser = None
    if meta.get("reparse_parser"):
        from sgfns.graphs.parser import load_parser

        parser = load_parser()
        if parser.version != meta["reparse_parser"] and not args.any_parser:
            print(f"{meta_path}: cache re-parsed with {meta['reparse_parser']}, this parser is {parser.version}",
                  file=sys.stderr)  # fmt: skip
            return 2
    caps = list(split.captions)[:cached]
    n = min(args.limit or len(caps), len(caps))
    new = C.generate_split(caps[:n], graphs[:n], split.captions_per_image, meta["rules"], meta["per_rule"],
                           meta["seed"], parser)  # fmt: skip

    def facts(negs):
        return [(x.rule, x.negative, x.graph.to_dict()) for x in negs]

    differ = [i for i in range(n) if facts(old[i]) != facts(new[i])]
    parsers = {"cache_parser": meta.get("reparse_parser"), "parser": getattr(parser, "version", None)}
    print(json.dumps({"captions": n, "differ": len(differ), "cache_generator": meta["generator"],
                      "generator": C.GENERATOR_VERSION, "seed": meta["seed"], **parsers}))  # fmt: skip
    for i in differ[:5]:
        print(json.dumps({"caption": caps[i], "cache": [x[:2] for x in facts(old[i])],
                          "now": [x[:2] for x in facts(new[i])]}, ensure_ascii=False))  # fmt: skip
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
