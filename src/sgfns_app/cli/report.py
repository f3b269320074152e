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
    p.add_argument("--split", help="only evaluations of this split (e.g. test, when runs were evaluated on val too)")
    p.add_argument("--protocol", help="only evaluations under this protocol (e.g. full, coco-5k)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.errors import UserError
    from sgfns.eval.report import collect, group, markdown, summary
    from sgfns.io import atomic_write, write_json

    records = collect(args.inputs)
    kept = [r for r in records if (args.split is None or str(r.get("split", "")) == args.split)
            and (args.protocol is None or str(r.get("protocol", "")) == args.protocol)]  # fmt: skip
    if not kept:
        found = sorted({f"{r.get('split', '')}/{r.get('protocol', '')}" for r in records})
        raise UserError(f"no evaluation of split {args.split or 'any'} / protocol {args.protocol or 'any'} in the "
                        f"inputs; they hold split/protocol {', '.join(found)}")  # fmt: skip
    groups = group(kept)
    text = markdown(groups, digits=args.digits)
    sys.stdout.write(text)
    if args.output:
        with atomic_write(args.output) as f:
            f.write(text)
    if args.json_out:
        write_json(args.json_out, summary(groups))
    return 0
