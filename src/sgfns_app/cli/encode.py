"""`sgfns encode --run RUN --data DIR --split S --out DIR`: encode a split's images and captions once, to disk.

Writes global vectors and node sets of both modalities (safetensors, plus float32 .npy global vectors),
`index.json` (run, checkpoint sha256, split, image ids, captions) and the first stage of `sgfns search`: the
node-set projections (`--first-stage-dim`, default 32; fitted on the split's images, `sgfns.index.NodeStage`) —
the input of `sgfns search`."""

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
    p.add_argument(
        "--first-stage-dim",
        type=int,
        default=32,
        help="projection dimension of the node first stage (default 32; 0 = global vectors only)",
    )
    add_run_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sgfns import load_model
    from sgfns.data.dataset import load_split
    from sgfns.errors import UserError
    from sgfns.eval.evaluator import caption_graphs_as_trained
    from sgfns.index.store import save_gallery
    from sgfns.models.scoring import encode_captions, encode_images

    if args.first_stage_dim < 0:
        raise UserError(f"--first-stage-dim must be >= 0, got {args.first_stage_dim}")
    model = load_model(args.run, checkpoint=args.checkpoint, device=args.device)
    split = load_split(args.data, args.split)
    progress = not args.no_progress
    img = encode_images(model, split, args.device, args.batch_size, progress=progress)
    if split.n_captions:
        graphs, _ = caption_graphs_as_trained(split, model.run.config, model.parser)
        cap = encode_captions(model, split.captions, graphs, args.device, args.batch_size, progress=progress)
    else:  # a caption-less gallery (`sgfns prepare` on a folder of photos): an empty caption side
        cap = _no_captions(model, args.device)
    meta = {
        "run": str(Path(args.run).resolve()),
        "checkpoint": args.checkpoint,
        "checkpoint_sha256": model.run.checkpoint_sha256,
        "model": model.name,
        "data": str(Path(args.data).resolve()),
        "data_meta": split.meta,  # the prepared folder's settings: `sgfns search --image FILE` prepares a photo so
        "split": args.split,
        "image_ids": [str(x) for x in split.ids],
        "captions": list(split.captions),
        "caption_image": [int(x) for x in split.caption_image()],
    }
    stage = None
    if args.first_stage_dim > 0 and len(img) and len(cap):
        from sgfns.index import NodeStage

        stage = NodeStage.fit(model, img, cap, args.first_stage_dim)
        if not stage.weights:  # a model without node terms: the flat global index is the first stage
            stage = None
    out = save_gallery(args.out, img, cap, meta, stage=stage)
    first = f"node first stage d'={stage.dim} ({'+'.join(stage.weights)})" if stage else "global first stage"
    print(f"encoded {len(img)} images and {len(cap)} captions of {args.split} ({first}) -> {out}")
    return 0


def _no_captions(model, device):
    """An Encoded with zero captions but the model's own shapes (one placeholder encoded, then dropped)."""
    from sgfns.models.scoring import encode_captions

    text = "a photo"
    return encode_captions(model, [text], model.parser([text]), device).select(slice(0, 0))
