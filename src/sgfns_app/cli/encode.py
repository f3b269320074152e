"""`sgfns encode --run RUN --data DIR --split S --out DIR`: encode a split's images and captions once, to disk.

Writes global vectors and node sets of both modalities (safetensors, plus float32 .npy global vectors),
`index.json` (run, checkpoint sha256, split, image ids, captions) and the first stage of `sgfns search`: the
node-set projections (`--first-stage-dim`, default 32; fitted on the split's images, `sgfns.index.NodeStage`) —
the input of `sgfns search`."""

from __future__ import annotations

import argparse
from pathlib import Path

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
    from sgfns.errors import UserError

    if args.first_stage_dim < 0:
        raise UserError(f"--first-stage-dim must be >= 0, got {args.first_stage_dim}")
    print(encode_split(args.run, args.data, args.split, args.out, first_stage_dim=args.first_stage_dim,
                       device=args.device, batch_size=args.batch_size, checkpoint=args.checkpoint,
                       progress=not args.no_progress))  # fmt: skip
    return 0


def encode_split(
    run: str | Path,
    data: str | Path,
    split_name: str,
    out: str | Path,
    *,
    first_stage_dim: int = 32,
    device: str = "cpu",
    batch_size: int = 128,
    checkpoint: str = "best",
    progress: bool = False,
) -> str:
    """Encode one split of `data` with the run into `out` (what `sgfns search` and `sgfns serve` read); returns
    the one-line summary the command prints."""
    from sgfns import load_model
    from sgfns.data.dataset import load_split
    from sgfns.eval.evaluator import caption_graphs_as_trained
    from sgfns.index.store import save_gallery
    from sgfns.models.inputs import check_split_inputs
    from sgfns.models.scoring import encode_captions, encode_images

    model = load_model(run, checkpoint=checkpoint, device=device)
    split = load_split(data, split_name)
    check_split_inputs(model, split, "encoding with")
    img = encode_images(model, split, device, batch_size, progress=progress)
    if split.n_captions:
        graphs, _ = caption_graphs_as_trained(split, model.run.config, model.parser)
        cap = encode_captions(model, split.captions, graphs, device, batch_size, progress=progress)
    else:  # a caption-less gallery (`sgfns prepare` on a folder of photos): an empty caption side
        cap = _no_captions(model, device)
    meta = {
        "run": str(Path(run).resolve()),
        "checkpoint": checkpoint,
        "checkpoint_sha256": model.run.checkpoint_sha256,
        "model": model.name,
        "data": str(Path(data).resolve()),
        "data_meta": split.meta,  # the prepared folder's settings: `sgfns search --image FILE` prepares a photo so
        "split": split_name,
        "image_ids": [str(x) for x in split.ids],
        "captions": list(split.captions),
        "caption_image": [int(x) for x in split.caption_image()],
    }
    stage = None
    if first_stage_dim > 0 and len(img) and len(cap):
        from sgfns.index import NodeStage

        stage = NodeStage.fit(model, img, cap, first_stage_dim)
        if not stage.weights:  # a model without node terms: the flat global index is the first stage
            stage = None
    saved = save_gallery(out, img, cap, meta, stage=stage)
    first = f"node first stage d'={stage.dim} ({'+'.join(stage.weights)})" if stage else "global first stage"
    return f"encoded {len(img)} images and {len(cap)} captions of {split_name} ({first}) -> {saved}"


def _no_captions(model, device):
    """An Encoded with zero captions but the model's own shapes (one placeholder encoded, then dropped)."""
    from sgfns.models.scoring import encode_captions

    text = "a photo"
    return encode_captions(model, [text], model.parser([text]), device).select(slice(0, 0))
