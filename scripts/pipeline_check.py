#!/usr/bin/env python
"""Compare the parser's spaCy pipeline (`load_pipeline`: the attribute ruler as table lookups, matrix products on
numpy's BLAS) with spaCy's stock pipeline on real captions, token by token.

    OMP_NUM_THREADS=1 python scripts/pipeline_check.py [--shared ../shared/data] [--timing]

Captions: Flickr30K val, coco_mini, flickr8k_mini, FACTUAL train and dev (those present in the shared folder). Both
pipelines parse every caption (cleaned as the parser cleans it); for each token the tag, POS, morphology, lemma,
dependency label and head are compared. Prints one JSON line: captions, tokens, tokens that differ, and each
pipeline's CPU seconds; exit status 1 when any token differs (the first few differences go to stderr).
`--timing` adds, on the Flickr30K val captions, each component's CPU seconds in both pipelines (tokenizer, tok2vec,
tagger, parser, attribute ruler), every component run on the same input docs, best of three passes (`timing`)."""

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


def component_timing(stock, ours, caps: list[str], passes: int = 3) -> dict[str, float]:
    """CPU seconds of each component of both pipelines over `caps`, best of `passes`; each pair of components
    (stock, ours) runs on the same docs, the stock pipeline's output of the component before."""
    best: dict[str, float] = {}

    def clock(name: str, fn):
        t = time.process_time()
        out = fn()
        best[name] = round(min(best.get(name, float("inf")), time.process_time() - t), 3)
        return out

    def run(proc, docs):
        if hasattr(proc, "pipe"):
            return list(proc.pipe(docs, batch_size=512))
        return [proc(d) for d in docs]

    for _ in range(passes):
        docs = clock("tokenizer", lambda: [stock.make_doc(c) for c in caps])
        for name, proc in stock.pipeline:
            mine, copies = ours.get_pipe(name), [d.copy() for d in docs]
            clock(f"{name} (ours)", lambda mine=mine, copies=copies: run(mine, copies))
            docs = clock(f"{name} (spaCy)", lambda proc=proc, docs=docs: run(proc, docs))
    return best


def _attrs(tok) -> tuple:
    return tok.tag_, tok.pos_, str(tok.morph), tok.lemma_, tok.dep_, tok.head.i


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--timing", action="store_true", help="also time each pipeline component (Flickr30K val)")
    args = ap.parse_args()
    import spacy

    from sgfns.graphs.parser import _UNUSED_PIPES, _find_model, clean_text, load_pipeline

    name = _find_model()
    stock = spacy.load(name, exclude=list(_UNUSED_PIPES))
    ours = load_pipeline(name)
    caps = [clean_text(c) for c in captions(args.shared) if c.strip()]
    cpu = {"stock": 0.0, "ours": 0.0}
    tokens = differ = 0
    for i in range(0, len(caps), 2000):
        chunk = caps[i : i + 2000]
        docs = {}
        for label, nlp in (("stock", stock), ("ours", ours)):
            t = time.process_time()
            docs[label] = list(nlp.pipe(chunk, batch_size=512))
            cpu[label] += time.process_time() - t
        for a, b in zip(docs["stock"], docs["ours"], strict=True):
            for u, v in zip(a, b, strict=True):
                tokens += 1
                if _attrs(u) != _attrs(v):
                    differ += 1
                    if differ <= 5:
                        print(f"{a.text!r} token {u.i}: {_attrs(u)} != {_attrs(v)}", file=sys.stderr)
    ops = ours.get_pipe("tok2vec").model.ops
    result = {"ours": {"attribute_ruler": type(ours.get_pipe("attribute_ruler")).__name__,
                       "gemm": "blis" if getattr(ops, "use_blis", False) else type(ops).__name__ + " (numpy BLAS)"},
              "captions": len(caps), "tokens": tokens, "differ": differ,
              "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()}}  # fmt: skip
    if args.timing and (args.shared / "flickr30k_sg").is_dir():
        from parse_speed import load_captions

        f30k = [clean_text(c) for c in load_captions(args.shared / "flickr30k_sg")]
        result["timing"] = component_timing(stock, ours, f30k)
    print(json.dumps(result))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
