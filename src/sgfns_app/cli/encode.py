"""`sgfns encode --run RUN --data DIR --split S --out DIR`: encode a split's images and captions once, to disk.

Writes global vectors and node sets of both modalities (safetensors, plus float32 .npy global vectors),
`index.json` (run, checkpoint sha256, split, image ids, captions) and the first stage of `sgfns search`: the
node-set projections (`--first-stage-dim`, default 32; fitted on the split's images, `sgfns.index.NodeStage`) —
the input of `sgfns search`.

`--append` keeps what OUT already holds: when photos (and captions) were added to the split since OUT was encoded
with the same run checkpoint, only the new ones are encoded and the first stage is fitted again over all of them;
anything else that differs (another checkpoint, split, data settings, or a split whose first items changed) is a
one-line error."""

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
    p.add_argument(
        "--append",
        action="store_true",
        help="reuse the encodings OUT already holds and encode only the images and captions added to the split since",
    )
    add_run_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.errors import UserError

    if args.first_stage_dim < 0:
        raise UserError(f"--first-stage-dim must be >= 0, got {args.first_stage_dim}")
    print(encode_split(args.run, args.data, args.split, args.out, first_stage_dim=args.first_stage_dim,
                       device=args.device, batch_size=args.batch_size, checkpoint=args.checkpoint,
                       progress=not args.no_progress, append=args.append))  # fmt: skip
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
    append: bool = False,
) -> str:
    """Encode one split of `data` with the run into `out` (what `sgfns search` and `sgfns serve` read); returns
    the one-line summary the command prints. `append`: reuse `out`'s encodings of the split's first images and
    captions (`reusable_prefix`) and encode only the rest."""
    from sgfns import load_model
    from sgfns.data.dataset import load_split
    from sgfns.eval.evaluator import caption_graphs_as_trained
    from sgfns.index.store import save_gallery
    from sgfns.models.base import Encoded
    from sgfns.models.inputs import check_split_inputs
    from sgfns.models.scoring import encode_captions, encode_images

    model = load_model(run, checkpoint=checkpoint, device=device)
    split = load_split(data, split_name)
    check_split_inputs(model, split, "encoding with")
    old_img, old_cap = reusable_prefix(out, model, data, split) if append else (None, None)
    n_old = len(old_img) if old_img is not None else 0
    if n_old and n_old == split.n_images:  # nothing added since
        img = old_img
    else:
        img = encode_images(model, split, device, batch_size, indices=range(n_old, split.n_images), progress=progress)
        img = Encoded.cat([old_img, img]) if n_old else img
    c_old = len(old_cap) if old_cap is not None else 0
    if split.n_captions > c_old:
        graphs, _ = caption_graphs_as_trained(split, model.run.config, model.parser)
        cap = encode_captions(model, split.captions[c_old:], None if graphs is None else graphs[c_old:], device,
                              batch_size, progress=progress)  # fmt: skip
        cap = Encoded.cat([old_cap, cap]) if c_old else cap
    elif c_old:
        cap = old_cap
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
    kept = f"; {n_old} images and {c_old} captions kept from the index, the rest encoded" if append else ""
    return f"encoded {len(img)} images and {len(cap)} captions of {split_name} ({first}{kept}) -> {saved}"


def reusable_prefix(out: str | Path, model, data: str | Path, split):
    """(images, captions) `Encoded` that `out` already holds for the first images and captions of `split`, encoded
    by the same run checkpoint from the same data folder and settings; a one-line `UserError` naming what differs
    otherwise. (None, None) when `out` holds no index yet."""
    from sgfns.errors import UserError
    from sgfns.index.store import INDEX_JSON, load_gallery

    if not (Path(out) / INDEX_JSON).is_file():
        return None, None
    meta, img, cap = load_gallery(out)
    where = Path(out) / INDEX_JSON

    def settings(m):  # the data folder's settings, not its record of what was added to it
        return {k: v for k, v in (m or {}).items() if k not in ("prepared", "splits")}

    want = {"checkpoint_sha256": model.run.checkpoint_sha256, "model": model.name,
            "data": str(Path(data).resolve()), "split": split.name, "data_meta": settings(split.meta)}  # fmt: skip
    have = dict(meta, data_meta=settings(meta.get("data_meta")))
    for key, value in want.items():
        if have.get(key) != value:
            what = "the data folder's settings" if key == "data_meta" else f"{key} ({meta.get(key)!r} vs {value!r})"
            raise UserError(f"{where}: {what} differ(s) from this encode's; "
                            "encode into a new folder (without --append)")
    ids, caps = [str(x) for x in split.ids], list(split.captions)
    owner = [int(x) for x in split.caption_image()]
    n, c = len(meta["image_ids"]), len(meta["captions"])
    if ids[:n] != meta["image_ids"] or caps[:c] != meta["captions"] or owner[:c] != meta["caption_image"]:
        raise UserError(f"{where}: the split's first {n} images / {c} captions are not the ones this index holds "
                        "(only additions can be appended); encode into a new folder (without --append)")  # fmt: skip
    return img, cap.select(slice(0, c))


def _no_captions(model, device):
    """An Encoded with zero captions but the model's own shapes (one placeholder encoded, then dropped)."""
    from sgfns.models.scoring import encode_captions

    text = "a photo"
    return encode_captions(model, [text], model.parser([text]), device).select(slice(0, 0))
