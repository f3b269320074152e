"""`sgfns encode --run RUN --data DIR --split S --out DIR`: encode a split's images and captions once, to disk.

Writes global vectors and node sets of both modalities (safetensors, plus float32 .npy global vectors) and
`index.json` (run, checkpoint sha256, split, image ids, captions) — the input of `sgfns search`."""

from __future__ import annotations

import argparse

from sgfns_app.cli.options import add_run_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "encode",
        help="encode a split's images and captions with a trained run (input of `sgfns search`)",
        description="Encode a split once: global vectors and node sets of images and captions, to a folder.",
    )
    p.add_argument("--run", required=True, help="run folder")
    p.add_argument("--data", required=True, help="dataset folder")
    p.add_argument("--split", required=True, help="split to encode (train, val, test, ...)")
    p.add_argument("--out", required=True, help="output folder")
    add_run_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.index.store import save_gallery
    from sgfns.models.scoring import encode_captions, encode_images
    from sgfns_app.train.checkpoint import load_run

    loaded = load_run(args.run, args.device, which=args.checkpoint)
    split = load_split(args.data, args.split)
    graphs = caption_graphs_for(split, "auto")
    progress = not args.no_progress
    img = encode_images(loaded.model, split, args.device, args.batch_size, progress=progress)
    cap = encode_captions(loaded.model, split.captions, graphs, args.device, args.batch_size, progress=progress)
    meta = {
        "run": str(Path(args.run).resolve()),
        "checkpoint": args.checkpoint,
        "checkpoint_sha256": loaded.checkpoint_sha256,
        "model": loaded.model.name,
        "data": str(Path(args.data).resolve()),
        "split": args.split,
        "image_ids": [str(x) for x in split.ids],
        "captions": list(split.captions),
        "caption_image": [int(x) for x in split.caption_image()],
    }
    out = save_gallery(args.out, img, cap, meta)
    print(f"encoded {len(img)} images and {len(cap)} captions of {args.split} -> {out}")
    return 0
