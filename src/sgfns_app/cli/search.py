"""`sgfns search --run RUN --index DIR ("TEXT" | --image ID) [-k N]`: two-stage retrieval over an encoded split.

A text query is parsed with the project parser and encoded; the first stage returns `--shortlist` candidates,
which the model's fine-grained score re-ranks; the top `-k` are printed (rank, score, image id or caption).
`--image ID` searches captions for one of the index's images; `--image FILE` (a photo not in the index) prepares the
photo on the fly with the settings of the folder the index was encoded from (its meta.json: backbone input size,
region settings) and searches captions for it. First stage (`--first-stage`): "node" — global
score + the model's node terms with nodes projected to the dimension `sgfns encode` fitted (`NodeIndex`; the
default when the index has one); "global" — a flat inner-product index over global vectors (FAISS when installed,
else torch: the same shortlist)."""

from __future__ import annotations

import argparse

from sgfns_app.cli.options import add_run_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "search",
        help="search an encoded split: text -> images or image -> captions (shortlist + fine-grained re-rank)",
        description="Two-stage retrieval over a folder written by `sgfns encode`.",
    )
    p.add_argument("text", nargs="?", help="text query (searches images)")
    p.add_argument("--image", help="image id in the index, or a photo file, as the query (searches captions)")
    p.add_argument("--run", required=True, help="run folder (the one the index was encoded with)")
    p.add_argument("--index", required=True, help="folder written by `sgfns encode`")
    p.add_argument("-k", type=int, default=10, help="results to print (default 10)")
    p.add_argument("--shortlist", type=int, default=None, help="candidates re-ranked (default max(10k, 100))")
    add_run_options(p, batch_size=False)
    p.add_argument("--backend", default="auto", choices=["auto", "faiss", "torch"], help="global first stage's index")
    p.add_argument(
        "--first-stage",
        default="auto",
        choices=["auto", "node", "global"],
        help="auto (default): node when the index has a node first stage, else global",
    )
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    import torch

    from sgfns import load_model
    from sgfns.errors import UserError
    from sgfns.index import FlatIndex, NodeIndex, two_stage_search
    from sgfns.index.store import load_gallery, load_stage

    if (args.text is None) == (args.image is None):
        raise UserError("give exactly one query: a TEXT argument or --image ID")
    if args.text is not None and not args.text.strip():
        raise UserError("the text query is empty")
    if args.k < 1:
        raise UserError(f"-k must be >= 1, got {args.k}")
    meta, img, cap = load_gallery(args.index)
    model = load_model(args.run, checkpoint=args.checkpoint, device=args.device)
    if meta.get("checkpoint_sha256") != model.run.checkpoint_sha256:
        raise UserError(
            f"{args.index}: encoded with checkpoint {str(meta.get('checkpoint_sha256'))[:12]}, but {args.run} "
            f"({args.checkpoint}) is {model.run.checkpoint_sha256[:12]}; re-run `sgfns encode`"
        )
    if args.shortlist is not None and args.shortlist < 1:
        raise UserError(f"--shortlist must be >= 1, got {args.shortlist}")
    stage = load_stage(args.index, meta)
    if args.first_stage == "node" and stage is None:
        raise UserError(f"{args.index}: encoded without a node first stage (re-run `sgfns encode --first-stage-dim N`)")
    if args.first_stage == "global":
        stage = None
    if stage is not None:  # bf16 where the device has fast bf16 (as benchmarks/eval_speed.py times it)
        from sgfns.index.nodestage import first_stage_dtype

        stage.dtype = first_stage_dtype(args.device)

    def make_index(gallery, side):
        if stage is not None:
            return NodeIndex(stage, gallery, side)
        return FlatIndex(gallery.glob, backend=args.backend)

    shortlist = args.shortlist or max(10 * args.k, 100)
    dev = torch.device(args.device)
    img, cap = img.to(dev), cap.to(dev)
    ids, caps = meta["image_ids"], meta["captions"]
    rows = []
    if args.text is not None:
        from sgfns.models.scoring import encode_captions

        graph = model.parser([args.text])[0]
        q = encode_captions(model, [args.text], [graph], dev).to(dev)
        index = make_index(img, "image")
        scores, found = two_stage_search(model, img, q, index, torch.tensor([0]), shortlist, "caption")
        for r, (s, i) in enumerate(zip(scores[0][: args.k].tolist(), found[0][: args.k].tolist(), strict=True)):
            rows.append({"rank": r + 1, "score": round(s, 6), "image": i, "image_id": ids[i]})
    else:
        if len(cap) == 0:
            raise UserError(f"{args.index}: the index has no captions to search (a photo gallery answers text queries)")
        where = {x: i for i, x in enumerate(ids)}
        qi, query_img = where.get(args.image), img
        if qi is None:
            from pathlib import Path

            if not Path(args.image).is_file():
                raise UserError(
                    f"{args.index}: {args.image!r} is neither an image id of the index ({len(ids)} images) nor a file"
                )
            query_img, qi = _photo_query(model, meta, args.image, dev), -1
        index = make_index(cap, "caption")
        scores, found = two_stage_search(model, query_img, cap, index, torch.tensor([max(qi, 0)]), shortlist, "image")
        c2i = meta.get("caption_image") or []
        for r, (s, c) in enumerate(zip(scores[0][: args.k].tolist(), found[0][: args.k].tolist(), strict=True)):
            row = {"rank": r + 1, "score": round(s, 6), "caption_index": c, "caption": caps[c]}
            if c2i:
                row["own_image"] = c2i[c] == qi
            rows.append(row)
    for row in rows:
        if args.json:
            print(json.dumps(row))
        elif "image_id" in row:
            print(f"{row['rank']:>3}  {row['score']:.4f}  {row['image_id']}")
        else:
            mark = "*" if row.get("own_image") else " "
            print(f"{row['rank']:>3}  {row['score']:.4f} {mark} {row['caption']}")
    return 0


def _photo_query(model, meta: dict, path: str, device):
    """Encode a photo file that is not in the index, prepared with the index's data settings."""
    from sgfns.errors import UserError
    from sgfns.models.scoring import encode_images
    from sgfns.photos.describe import as_split, prepare_photo

    data_meta = meta.get("data_meta") or {}
    if "backbone" not in data_meta:
        raise UserError(
            f"the index was encoded from {meta.get('data')}, which `sgfns prepare` did not make: "
            "a photo file can only be searched against prepared photos"
        )
    photo = prepare_photo(path, meta=data_meta, device=str(device))
    return encode_images(model, as_split([photo], [path]), device).to(device)
