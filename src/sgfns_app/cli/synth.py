"""`sgfns synth`: generate the synthetic world (docs/synthetic_world.md) in the canonical layout."""

from __future__ import annotations

import argparse
import logging


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "synth",
        help="generate the synthetic world (images, captions, features, graphs, suites)",
        description="Generate the synthetic world: rendered scenes with 5 captions each, region features from "
        "pixel proposals, a predicted visual scene graph, ground truth, positives, twins and compositional suites.",
    )
    p.add_argument("--out", required=True, help="output folder (created; a previous world there is replaced)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed and sizes: identical files)")
    p.add_argument("--train", type=int, default=8000, help="train images (default 8000)")
    p.add_argument("--val", type=int, default=1000, help="val images (default 1000)")
    p.add_argument("--test", type=int, default=1000, help="test images (default 1000)")
    p.add_argument("--image-size", type=int, default=128, help="image side in pixels (default 128)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes for rendering and features (default: 2 for worlds of >= 2,000 images); the "
                   "output does not depend on it")  # fmt: skip
    p.add_argument("--suites-only", action="store_true",
                   help="rewrite the balanced compositional items (count, add-obj, add-att) of the world in "
                   "--out in place (nothing is rendered; other items are kept)")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.data.synth import generate

    log = logging.getLogger("sgfns.synth")
    if args.suites_only:
        from sgfns.data.synth.writer import rewrite_suites

        counts = rewrite_suites(args.out, log=log.info)
        for split, per in counts.items():
            print(f"{args.out}: {split}_compositional.jsonl " + ", ".join(f"{k} {v}" for k, v in per.items()))
        return 0
    meta = generate(
        args.out,
        seed=args.seed,
        sizes={"train": args.train, "val": args.val, "test": args.test},
        image_size=args.image_size,
        log=log.info,
        progress=True,
        workers=args.workers,
    )
    acc = meta["accuracies"]["test"]
    print(
        f"wrote {args.out}: "
        + ", ".join(f"{k} {v}" for k, v in meta["sizes"].items())
        + f" images; test proposal recall {acc['proposal_recall']}%, object accuracy {acc['object_accuracy']}%, "
        f"oracle rSum {meta['oracle']['rsum']}, {meta['timings_s']['total']}s"
    )
    return 0
