"""`sgfns negatives [INPUT|-] [-o OUTPUT|-] [--rules R,...] [--per-rule K] [--seed N] [--evidence FILE]`: hard
caption negatives.

Input lines are plain captions or JSON `{"caption", "image_id"?, "other_captions"?}` (docs/negatives.md); each output
line is `{"image_id"?, "caption", "negative", "rule", "edit": {"from", "to"}}` — zero or more per input caption, in
input order. The same input and seed always give the same output. Captions are parsed once; the edited captions are
re-parsed only to check the edit reads as intended (`--no-reparse-check` skips that). What the captions write
together (which nouns, which predicates with which things) decides which edits are plausible; `--evidence` adds
captions to read for that (a training set's, when INPUT is a validation split) without making their negatives."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    from sgfns.negatives.rules import DEFAULT_RULES, RULES

    p = subparsers.add_parser(
        "negatives",
        help="generate hard negative captions (validated edits of the parsed scene graph)",
        description=__doc__.split("\n\n", 1)[1].replace("\n", " ") if "\n\n" in __doc__ else None,
    )
    p.add_argument("input", nargs="?", default="-", help="captions: text or JSON lines ('-' = stdin, default)")
    p.add_argument("-o", "--output", default="-", help="output JSON lines ('-' = stdout, default); written atomically")
    p.add_argument("--rules", default=",".join(DEFAULT_RULES),
                   help=f"comma-separated rules (default: {','.join(DEFAULT_RULES)}; known: {','.join(RULES)})")
    p.add_argument("--per-rule", type=int, default=1, metavar="K", help="at most K negatives per rule and caption")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--graphs", action="store_true", help="also write each negative's scene graph under 'graph'")
    p.add_argument("--no-reparse-check", action="store_true", help="skip re-parsing edited captions (faster)")
    p.add_argument("--evidence", action="append", default=[], metavar="FILE",
                   help="more captions (text or JSON lines, as INPUT) that the generator reads for what captions "
                        "write together, without making their negatives; repeatable")  # fmt: skip
    p.set_defaults(func=run)


def read_inputs(source: str) -> list[dict]:
    from sgfns.errors import UserError, located
    from sgfns.limits import check_text_length
    from sgfns_app.cli.parse import read_lines

    where = "<stdin>" if source == "-" else source
    out = []
    for lineno, line in enumerate(read_lines(source), start=1):
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            out.append({"caption": check_text_length(line, f"{where}:{lineno}")})
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise located(where, lineno, f"not valid JSON ({e.msg} at column {e.colno})") from None
        if not isinstance(rec, dict):
            raise located(where, lineno, "expected a JSON object")
        unknown = set(rec) - {"caption", "image_id", "other_captions", "image"}
        if unknown:
            raise located(
                where, lineno, f"unknown key(s) {sorted(unknown)}; expected caption, image_id, other_captions"
            )
        cap = rec.get("caption")
        if not isinstance(cap, str) or not cap.strip():
            raise located(where, lineno, "'caption' must be a non-empty string")
        check_text_length(cap, f"{where}:{lineno}")
        others = rec.get("other_captions", [])
        if not isinstance(others, list) or not all(isinstance(o, str) for o in others):
            raise located(where, lineno, "'other_captions' must be a list of strings")
        for o in others:
            check_text_length(o, f"{where}:{lineno}", "other caption")
        if "image_id" in rec and not isinstance(rec["image_id"], (str, int)):
            raise located(where, lineno, "'image_id' must be a string or an integer")
        out.append(rec)
    if not out:
        raise UserError(f"{where}: no captions")
    return out


def run(args: argparse.Namespace) -> int:
    from sgfns.errors import UserError
    from sgfns.graphs.parser import load_parser
    from sgfns.io import atomic_write
    from sgfns.negatives.corpus import Corpus
    from sgfns.negatives.generator import Generator
    from sgfns.negatives.rules import RULES

    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    unknown = [r for r in rules if r not in RULES]
    if unknown or not rules:
        raise UserError(f"--rules: unknown rule(s) {unknown or '(none given)'}; known: {', '.join(RULES)}")
    if args.per_rule < 1:
        raise UserError(f"--per-rule must be >= 1, got {args.per_rule}")
    items = read_inputs(args.input)
    evidence = [it["caption"] for source in args.evidence for it in read_inputs(source)]
    parser = load_parser()
    graphs = parser.parse_batch([it["caption"] for it in items])
    gen = Generator(
        rules=rules,
        per_rule=args.per_rule,
        seed=args.seed,
        corpus=Corpus.build([it["caption"] for it in items] + evidence, graphs + parser.parse_batch(evidence)),
        parser=None if args.no_reparse_check else parser,
    )

    def produce():
        negs = gen.stream((it["caption"], g, it.get("other_captions", [])) for it, g in zip(items, graphs, strict=True))
        for it, ns in zip(items, negs, strict=True):
            image_id = it.get("image_id", it.get("image"))
            for neg in ns:
                yield json.dumps(neg.record(image_id, with_graph=args.graphs), ensure_ascii=False)

    if args.output == "-":
        for line in produce():
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    else:
        with atomic_write(args.output) as f:
            for line in produce():
                f.write(line + "\n")
    return 0
