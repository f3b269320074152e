"""`sgfns convert lgsgm|sgm SRC --split S --out DIR`: bring other scene-graph formats into the canonical layout."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "convert", help="convert LGSGM/SGM scene graphs to the canonical layout", description=__doc__
    )
    sub = p.add_subparsers(dest="format", metavar="FORMAT", required=True, parser_class=type(p))
    lg = sub.add_parser(
        "lgsgm",
        help="LGSGM's pickled Flickr30K graphs (graphs-only dataset)",
        description="Convert LGSGM's flickr30k_{S}_lowered_{images,caps}_data.joblib and "
        "image_caption_matching_flickr_{S}.joblib (read with a restricted unpickler) into a graphs-only split.",
    )
    sg = sub.add_parser(
        "sgm",
        help="SGM's JSON scene graphs (img_to_sg + caps_with_rel)",
        description="Convert SGM's image scene graphs (*{S}*image_sg*.json: img_to_sg with -1 padding) and caption "
        "tuples (*{S}*caps_with_rel*.json: SPICE tuples, relations in subject, object, relation order).",
    )
    for q in (lg, sg):
        q.add_argument("src", type=Path, metavar="SRC", help="folder holding the source files")
        q.add_argument("--split", required=True, metavar="S", help="split to convert (train, val, test, ...)")
        q.add_argument("--out", required=True, type=Path, metavar="DIR", help="canonical dataset folder to write")
        q.add_argument("--out-split", metavar="NAME", help="split name in DIR (default: the --split name)")
        q.add_argument("--overwrite", action="store_true", help="replace the split if DIR already has it")
    sg.add_argument("--image-sg", type=Path, metavar="FILE", help="image scene-graph JSON (default: found in SRC)")
    sg.add_argument("--captions", type=Path, metavar="FILE", help="caps_with_rel JSON (default: found in SRC)")
    lg.set_defaults(func=run_lgsgm)
    sg.set_defaults(func=run_sgm)


def _summary(split, out: Path) -> None:
    from sgfns.data.check import summarise

    for line in summarise(split).lines():
        print(line)
    print(f"wrote {out}")


def run_lgsgm(args: argparse.Namespace) -> int:
    from sgfns.data.convert_lgsgm import convert_lgsgm

    sp = convert_lgsgm(args.src, args.split, args.out, out_split=args.out_split, overwrite=args.overwrite)
    _summary(sp, args.out)
    return 0


def run_sgm(args: argparse.Namespace) -> int:
    from sgfns.data.convert_sgm import convert_sgm

    sp = convert_sgm(args.src, args.split, args.out, image_sg=args.image_sg, captions=args.captions,
                     out_split=args.out_split, overwrite=args.overwrite)  # fmt: skip
    _summary(sp, args.out)
    return 0
