"""`sgfns eval --run RUN --data DIR [--split test] [--protocol NAME] [--json OUT] [--ranks OUT.jsonl]`.

Evaluates a trained run (any model) on a split with a named protocol (docs/evaluation.md#sgfns-eval) through the
library's evaluator (`sgfns.eval.evaluate`) and writes the evaluation JSON: metrics, t2i recalls for captions with and
without relations, the compositional block when the split has suites, the model, the checkpoint's sha256 and versions.
The JSON is always saved in `RUN/eval/` (so `sgfns report RUN` finds it) and also at `--json OUT` when given; a summary
is printed."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from sgfns_app.cli.options import add_run_options

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval",
        help="evaluate a trained run: Recall@K, rSum, compositional accuracy",
        description="Exact retrieval evaluation (pessimistic ranks, explicit positives) of a run on one split.",
    )
    p.add_argument("--run", required=True, help="run folder (from `sgfns train`)")
    p.add_argument("--data", required=True, help="dataset folder (canonical layout)")
    p.add_argument("--split", default="test", help="split to evaluate (default: test)")
    p.add_argument(
        "--protocol", default="full", help="f30k-1k | coco-1k-5fold | coco-5k | full (default: full, any size)"
    )
    p.add_argument("--json", dest="json_out", metavar="OUT", help="also write the evaluation JSON here")
    p.add_argument("--ranks", metavar="OUT.jsonl", help="write each query's rank, top-5 and score parts")
    add_run_options(p)
    p.set_defaults(func=run)


def summary_line(rec: dict[str, Any]) -> str:
    m = rec["metrics"]
    s = (
        f"{rec['model']} on {rec['data']}/{rec['split']} ({rec['protocol']}, {rec['n_images']} images, "
        f"{rec['n_captions']} captions): "
        f"i2t R@1/5/10 {m['i2t_r1']:.1f}/{m['i2t_r5']:.1f}/{m['i2t_r10']:.1f}  "
        f"t2i R@1/5/10 {m['t2i_r1']:.1f}/{m['t2i_r5']:.1f}/{m['t2i_r10']:.1f}  rSum {m['rsum']:.1f}  "
        f"medr {m['i2t_medr']}/{m['t2i_medr']}"
    )
    comp = rec.get("compositional")
    if comp:
        s += "\ncompositional: " + "  ".join(f"{k} {v:.1f}" for k, v in comp.items())
    return s


def run(args: argparse.Namespace) -> int:
    from sgfns import load_model
    from sgfns.eval import evaluate
    from sgfns.io import write_json

    matcher = load_model(args.run, checkpoint=args.checkpoint, device=args.device)
    rec = evaluate(matcher, args.data, args.split, args.protocol, batch_size=args.batch_size,
                   progress=not args.no_progress, ranks_path=args.ranks)  # fmt: skip
    own = Path(args.run) / "eval" / f"{rec['data']}-{rec['split']}-{rec['protocol']}.json"
    try:
        write_json(own, rec)
    except OSError as e:
        log.warning("could not save the evaluation in the run folder (%s)", e)
    if args.json_out:
        write_json(args.json_out, rec)
    print(summary_line(rec), file=sys.stdout)
    return 0
