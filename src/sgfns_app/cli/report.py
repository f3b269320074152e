"""`sgfns report RUN_OR_JSON ...`: markdown tables over runs, grouped by model and config, mean ± std over seeds."""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="tables over evaluated runs and seeds (mean ± std)",
        description="Read evaluation JSONs (files, demo results.json, or run folders with eval/*.json) and print a "
        "markdown table per data/split/protocol: one row per model and config, mean ± std over seeds, and every "
        "seed's rSum.",
    )
    p.add_argument("inputs", nargs="+", metavar="RUN_OR_JSON", help="run folders or evaluation JSON files")
    p.add_argument("-o", "--output", help="also write the markdown to this file")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the aggregated numbers as JSON")
    p.add_argument("--digits", type=int, default=1, help="decimals in the table (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.eval.report import collect, group, markdown, summary
    from sgfns.io import atomic_write, write_json

    groups = group(collect(args.inputs))
    text = markdown(groups, digits=args.digits)
    sys.stdout.write(text)
    if args.output:
        with atomic_write(args.output) as f:
            f.write(text)
    if args.json_out:
        write_json(args.json_out, summary(groups))
    return 0
