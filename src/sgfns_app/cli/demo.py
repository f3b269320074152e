"""`sgfns demo [--out DIR] [--quick]`: the README's main job (see `sgfns_app.demo`)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="generate a small synthetic world, train every model, evaluate, print one table (<= 10 min)",
        description="Generates a smaller synthetic world in a new folder, trains sgfns, scan, sgm and vsepp with one "
        "loop and one budget (symbolic needs no training), evaluates all on the same test split, prints one table "
        "beside the README's full-size table, and writes results.json and figure.png.",
    )
    p.add_argument("--out", help="folder for this demo (created; if it exists, a new sub-folder is made in it). "
                   "Default: demo_runs/<timestamp>")  # fmt: skip
    p.add_argument("--quick", action="store_true", help="a much smaller world and budget (about a minute)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--models", help="comma-separated subset of: sgfns + L_neg, sgfns, sgm, scan, vsepp, symbolic "
                   "(default: all)")  # fmt: skip
    p.add_argument("--epochs", type=int, help="training epochs per model (same for all)")
    p.add_argument("--train", type=int, dest="n_train", help="train images")
    p.add_argument("--val", type=int, dest="n_val", help="validation images")
    p.add_argument("--test", type=int, dest="n_test", help="test images")
    p.add_argument("--workers", type=int, help="models trained at once, each in its own process on one thread "
                   "(default: one per CPU core, at most 2)")  # fmt: skip
    p.add_argument("--config", dest="train_config", help="training preset or file (default: synth)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("overrides", nargs="*", metavar="key=value", help="training config overrides for every model")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sgfns.errors import UserError
    from sgfns_app.demo import MODELS, DemoConfig, new_demo_dir, run_demo

    out = new_demo_dir(Path(args.out) if args.out else None)
    kw = {k: getattr(args, k) for k in ("n_train", "n_val", "n_test", "epochs", "train_config", "workers")
          if getattr(args, k) is not None}  # fmt: skip
    kw.update(seed=args.seed, progress=not args.no_progress, overrides=list(args.overrides))
    if args.models:
        models = tuple(m.strip() for m in args.models.split(",") if m.strip())
        bad = [m for m in models if m not in MODELS]
        if bad:
            raise UserError(f"--models: unknown {', '.join(bad)}; choose from {', '.join(MODELS)}")
        kw["models"] = models
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be at least 1, got {args.workers}")
    cfg = DemoConfig.quick(out, **kw) if args.quick else DemoConfig(out=out, **kw)
    run_demo(cfg)
    return 0
