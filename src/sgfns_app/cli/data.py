"""`sgfns data check DIR`: validate a dataset folder before a long run, and print what it holds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("data", help="validate and summarise datasets", description=__doc__)
    sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True, parser_class=type(p))
    c = sub.add_parser(
        "check",
        help="validate every split and suite file; print a summary",
        description="Validate every split and suite file of DIR (features scanned for NaN/Inf, graphs, positives, "
        "gt/compositional/twins suites) and print a summary per split. Exit status 2 names the first problem.",
    )
    c.add_argument("dir", type=Path, metavar="DIR")
    c.add_argument("--split", action="append", dest="splits", metavar="S", help="check only this split (repeatable)")
    c.add_argument("--json", type=Path, metavar="OUT", help="also write the summary as JSON ('-' for stdout)")
    c.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from sgfns.data.check import check_dataset, format_report, report_dict
    from sgfns.io import write_json
    from sgfns.models import list_models
    from sgfns.models.inputs import missing_inputs

    meta, summaries = check_dataset(args.dir, args.splits)
    for s in summaries:  # which models can use each split
        s.models = {name: missing_inputs(name, s) for name in list_models()}
    if args.json is not None and str(args.json) == "-":
        print(json.dumps(report_dict(args.dir, meta, summaries), indent=2))
        return 0
    print(format_report(args.dir, meta, summaries))
    if args.json is not None:
        write_json(args.json, report_dict(args.dir, meta, summaries))
    return 0
