#!/usr/bin/env python
"""Compare the parser's table-lookup attribute ruler with spaCy's own on real captions, token by token.

    OMP_NUM_THREADS=1 python scripts/tag_attributes_check.py [--shared ../shared/data] [--timing]

Captions: Flickr30K val, coco_mini, flickr8k_mini, FACTUAL train and dev (those present in the shared folder). Both
pipelines parse every caption (cleaned as the parser cleans it); for each token the tag, POS, morphology, lemma,
dependency label and head are compared. Prints one JSON line: captions, tokens, tokens that differ, and each
pipeline's CPU seconds; exit status 1 when any token differs (the first few differences go to stderr).
`--timing` adds, on the Flickr30K val captions, each pipeline component's CPU seconds (tokenizer, tok2vec, tagger,
parser, spaCy's attribute ruler) and the table lookups' on the same parses, best of three passes (`timing`)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def captions(shared: Path) -> list[str]:
    from neg_coverage import load_items
    from parse_speed import load_captions

    out: list[str] = []
    if (shared / "flickr30k_sg").is_dir():
        out += load_captions(shared / "flickr30k_sg")
    for name in ("coco_mini", "flickr8k_mini"):
        if (shared / name).is_dir():
            out += [it["caption"] for it in load_items(shared / name)]
    for name in ("random_train.csv", "random_dev.csv"):
        path = shared / "factual" / name
        if path.exists():
            with open(path, newline="", encoding="utf-8") as f:
                out += [r["caption"] for r in csv.DictReader(f)]
    return out


def component_timing(stock, fast, caps: list[str], passes: int = 3) -> dict[str, float]:
    """CPU seconds of each stage over `caps`, best of `passes`; the two rulers run on the same parses."""
    best: dict[str, float] = {}

    def clock(name: str, fn):
        t = time.process_time()
        out = fn()
        best[name] = round(min(best.get(name, float("inf")), time.process_time() - t), 3)
        return out

    for _ in range(passes):
        docs = clock("tokenizer", lambda: [stock.make_doc(c) for c in caps])
        for name, proc in stock.pipeline:
            if name == "attribute_ruler":
                continue
            docs = clock(name, lambda proc=proc, docs=docs: list(proc.pipe(docs, batch_size=512)))
        clock("attribute_ruler (spaCy)", lambda docs=docs: [stock.get_pipe("attribute_ruler")(d) for d in docs])
        clock("attribute_ruler (tables)", lambda docs=docs: [fast.get_pipe("attribute_ruler")(d) for d in docs])
    return best


def _attrs(tok) -> tuple:
    return tok.tag_, tok.pos_, str(tok.morph), tok.lemma_, tok.dep_, tok.head.i


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--timing", action="store_true", help="also time each pipeline component (Flickr30K val)")
    args = ap.parse_args()
    import spacy

    from sgfns.graphs.parser import _UNUSED_PIPES, _find_model, clean_text
    from sgfns.graphs.parser.tag_attributes import replace_attribute_ruler

    name = _find_model()
    stock = spacy.load(name, exclude=list(_UNUSED_PIPES))
    fast = spacy.load(name, exclude=list(_UNUSED_PIPES))
    if not replace_attribute_ruler(fast):
        print("the attribute ruler has a pattern the table lookups do not reproduce", file=sys.stderr)
        return 1
    caps = [clean_text(c) for c in captions(args.shared) if c.strip()]
    cpu = {"stock": 0.0, "tables": 0.0}
    tokens = differ = 0
    for i in range(0, len(caps), 2000):
        chunk = caps[i : i + 2000]
        docs = {}
        for label, nlp in (("stock", stock), ("tables", fast)):
            t = time.process_time()
            docs[label] = list(nlp.pipe(chunk, batch_size=512))
            cpu[label] += time.process_time() - t
        for a, b in zip(docs["stock"], docs["tables"], strict=True):
            for u, v in zip(a, b, strict=True):
                tokens += 1
                if _attrs(u) != _attrs(v):
                    differ += 1
                    if differ <= 5:
                        print(f"{a.text!r} token {u.i}: {_attrs(u)} != {_attrs(v)}", file=sys.stderr)
    result = {"captions": len(caps), "tokens": tokens, "differ": differ,
              "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()}}  # fmt: skip
    if args.timing and (args.shared / "flickr30k_sg").is_dir():
        from parse_speed import load_captions

        f30k = [clean_text(c) for c in load_captions(args.shared / "flickr30k_sg")]
        result["timing"] = component_timing(stock, fast, f30k)
    print(json.dumps(result))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
