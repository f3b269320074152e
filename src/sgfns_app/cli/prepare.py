"""`sgfns prepare SOURCE --split NAME --out DATA`: photos (+ captions) -> a split of the canonical layout.

SOURCE is a records JSON (coco_mini's train.json/dev.json with `images/` beside it), a COCO `captions_*.json`
(`--instances` adds its boxes for oracle use; `--images` is the photo folder), a JSONL of
`{"image": path, "captions": [...]}` or a folder of photos without captions (a gallery). A second call with an
existing split name appends to it with the same settings; `--shard i/n` prepares one block into its own folder and
`--merge SHARD_DIR ...` appends shard folders in order. Writes nothing of the split until every photo is done."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "prepare",
        help="prepare photos (+ captions) into the canonical layout: regions, features, visual graphs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "source", nargs="?", type=Path, metavar="SOURCE", help="records JSON, COCO captions JSON, JSONL or a folder"
    )
    p.add_argument("--split", required=True, help="split to write or extend (train, dev, test, gallery, ...)")
    p.add_argument("--out", required=True, type=Path, metavar="DATA", help="dataset folder (created when absent)")
    p.add_argument("--images", type=Path, metavar="DIR", help="folder the source's image paths are relative to")
    p.add_argument("--format", choices=["records", "coco", "jsonl", "folder"], help="source kind (default: detected)")
    p.add_argument("--instances", type=Path, metavar="FILE", help="COCO instances_*.json (given boxes, oracle only)")
    p.add_argument(
        "--captions-per-image",
        type=int,
        default=None,
        metavar="K",
        help="captions kept per photo (default: the folder's, else 5, 0 for a folder source)",
    )
    p.add_argument("--regions", type=int, default=16, metavar="R", help="regions per photo, whole photo included (16)")
    p.add_argument("--input-size", type=int, default=384, help="backbone input size in pixels, a multiple of 32 (384)")
    p.add_argument("--dtype", default="float16", choices=["float16", "float32"], help="features on disk (float16)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (each one CPU thread); 0: in process")
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    p.add_argument("--batch-size", type=int, default=8, help="photos per backbone call (8)")
    p.add_argument("--shard", metavar="I/N", help="prepare only block I of N (0-based) of the source")
    p.add_argument("--merge", nargs="+", type=Path, metavar="SHARD_DIR", help="append these prepared folders' split")
    p.add_argument(
        "--oracle-boxes",
        action="store_true",
        help="regions from the source's given boxes (COCO instances): an ORACLE folder, for oracle rows only",
    )
    p.add_argument("--skip-bad", action="store_true", help="skip (and count) bad photos instead of stopping")
    p.add_argument("--link", default="hard", choices=["hard", "copy", "none"], help="how photos go to images/ (hard)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.errors import UserError
    from sgfns.photos.prepare import PrepareOptions, merge_shards, prepare_split
    from sgfns.photos.regions import RegionSettings
    from sgfns.photos.sources import read_source

    if args.merge:
        if args.source is not None:
            raise UserError("give either SOURCE or --merge SHARD_DIR ..., not both")
        report = merge_shards(args.merge, args.out, args.split, link=args.link)
        print(f"merged {len(args.merge)} shard(s): {report.total} photos in split '{args.split}' of {args.out}")
        return 0
    if args.source is None:
        raise UserError("give a SOURCE (records JSON, COCO captions JSON, JSONL or a folder of photos)")
    if args.regions < 1:
        raise UserError(f"--regions must be >= 1, got {args.regions}")
    if args.workers < 0 or args.batch_size < 1:
        raise UserError("--workers must be >= 0 and --batch-size >= 1")
    if args.captions_per_image is not None and args.captions_per_image < 0:
        raise UserError(f"--captions-per-image must be >= 0, got {args.captions_per_image}")
    shard = None
    if args.shard:
        try:
            i, n = (int(x) for x in args.shard.split("/"))
        except ValueError:
            raise UserError(f"--shard must be I/N, got {args.shard!r}") from None
        if not 0 <= i < n:
            raise UserError(f"--shard {args.shard}: need 0 <= I < N")
        shard = (i, n)
    records = read_source(args.source, kind=args.format, images=args.images, instances=args.instances)
    opts = PrepareOptions(
        settings=RegionSettings(
            count=args.regions, methods=("given",) if args.oracle_boxes else RegionSettings.methods
        ),
        input_size=args.input_size,
        dtype=args.dtype,
        captions_per_image=args.captions_per_image,
        workers=args.workers,
        device=args.device,
        batch_size=args.batch_size,
        skip_bad=args.skip_bad,
        shard=shard,
        link=args.link,
        progress=not args.no_progress,
    )
    report = prepare_split(records, args.out, args.split, opts, source_note=str(args.source))
    print(f"prepared {report.added} photos into split '{report.split}' of {report.out} ({report.total} in the split)")
    if report.skipped:
        print(f"skipped {len(report.skipped)} bad input(s):")
        for _, why in report.skipped:
            print(f"  {why}")
    return 0
