"""`sgfns eval-parser --gold FILE.csv [--ids IDS.txt] [--limit N] [--json OUT]`: score the parser on FACTUAL gold.

Figures (percent): SPICE-F (FACTUAL's scorer: synonym merging, exact then WordNet-synonym matching, F1 per
caption averaged), the same without synonyms, per-type P/R/F (object / attribute / relation tuples, pooled),
relation-F (over relation facts only, captions whose gold has a relation) and Set Match, overall and by caption
length in words. `--ids` scores only the rows of the listed image ids (one per line), e.g. the FACTUAL train captions
set apart from the learned parser's training (`src/sgfns/resources/factual_heldout_ids.txt`)."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval-parser",
        help="score the caption parser on FACTUAL gold (SPICE-F, relation-F, Set Match)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--gold", required=True, help="FACTUAL csv with caption and scene_graph columns")
    p.add_argument("--ids", default=None, help="score only rows whose image_id is listed in this file")
    p.add_argument("--limit", type=int, default=None, help="score only the first N rows")
    p.add_argument("--json", default=None, help="write the figures as JSON to this file")
    p.add_argument("--per-row", default=None, help="write per-row candidate facts and scores (JSON lines)")
    p.add_argument(
        "--backend",
        choices=("rules", "learned"),
        default="rules",
        help="rules (default) or learned (rules plus edits fitted on FACTUAL train; docs/parser.md)",
    )
    p.add_argument("--batch-size", type=int, default=512)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.errors import UserError
    from sgfns.graphs import spice
    from sgfns.graphs.factual import graph_to_facts, read_factual_csv
    from sgfns.graphs.parser import load_parser

    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be >= 1, got {args.limit}")
    ids = None
    if args.ids:
        try:
            with open(args.ids, encoding="utf-8") as f:
                ids = set(f.read().split())
        except OSError as e:
            raise UserError(f"{args.ids}: cannot read ({e.strerror or e})") from None
    rows = read_factual_csv(args.gold, limit=args.limit, image_ids=ids)
    if not rows:
        raise UserError(f"{args.gold}: no rows to score")
    parser = load_parser(backend=args.backend)
    graphs = parser.parse_batch([c for c, _ in rows], batch_size=args.batch_size)
    cands = [graph_to_facts(g, c) for g, (c, _) in zip(graphs, rows, strict=True)]
    scores = [spice.score_caption(c, gold) for c, (_, gold) in zip(cands, rows, strict=True)]
    summary = spice.summarize(scores)
    by_length = {}
    for name, lo, hi in LENGTHS:
        part = [s for s, (c, _) in zip(scores, rows, strict=True) if lo <= len(c.split()) <= hi]
        if part:
            by_length[name] = {k: v for k, v in spice.summarize(part).items() if k != "per_type"}
    summary = {"gold": str(args.gold), "ids": args.ids, "parser": parser.version, **summary, "by_length": by_length}
    try:
        _write_outputs(args, summary, rows, cands, scores)
    except OSError as e:
        raise UserError(f"{e.filename or args.json or args.per_row}: cannot write ({e.strerror or e})") from None
    out = sys.stdout
    out.write(f"parser {parser.version} on {args.gold} ({summary['n']} captions)\n")
    out.write(f"  SPICE-F        {summary['spice_f']:6.2f}\n")
    out.write(f"  SPICE-F no syn {summary['spice_f_nosyn']:6.2f}\n")
    rel = summary["relation_f"]
    rel_s = f"{rel:6.2f}" if rel is not None else "   n/a"
    out.write(f"  relation-F     {rel_s}  ({summary['relation_n']} captions with gold relations)\n")
    out.write(f"  Set Match      {summary['set_match']:6.2f}\n")
    for name, d in summary["per_type"].items():
        out.write(f"  {name:<10} P {d['precision']:6.2f}  R {d['recall']:6.2f}  F {d['f1']:6.2f}\n")
    for name, d in by_length.items():
        rel = f"{d['relation_f']:6.2f}" if d["relation_f"] is not None else "   n/a"
        out.write(f"  {name:<12} n {d['n']:5d}  SPICE-F {d['spice_f']:6.2f}  relation-F {rel}  "
                  f"Set Match {d['set_match']:6.2f}\n")  # fmt: skip
    out.write(json.dumps(summary) + "\n")
    return 0


LENGTHS = (("1-3 words", 1, 3), ("4-6 words", 4, 6), ("7-9 words", 7, 9), ("10+ words", 10, 10**9))


def _write_outputs(args, summary, rows, cands, scores) -> None:
    from sgfns.io import write_json, write_jsonl

    if args.json:
        write_json(args.json, summary)
    if args.per_row:
        write_jsonl(
            args.per_row,
            (
                {"row": i, "caption": cap, "candidate": c, "gold": gold, "spice_f": s.spice_f,
                 "relation_f": s.relation_f, "set_match": s.set_match}
                for i, ((cap, gold), c, s) in enumerate(zip(rows, cands, scores, strict=True))
            ),
        )  # fmt: skip
