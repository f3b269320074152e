"""`sgfns score --run RUN --data DIR --split S --pairs PAIRS.jsonl [-o OUT]`: score arbitrary image-caption pairs.
`sgfns score ... --benchmark FILE [FILE ...]`: accuracy per published compositional pair file (SugarCrepe JSON,
ARO-style JSON; `sgfns.eval.pair_files`), its photos matched to the split's image ids by file name.

Each input line is `{"image_id": str | "image": int, "caption": str, "negative"?: str}`
(docs/evaluation.md#sgfns-score); each output line is the same record with `score` and, when a negative was given,
`negative_score`. Captions and negatives are parsed with the project parser (they are free text), images are the
split's. Output goes to `-o` (atomically) or stdout."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sgfns_app.cli.options import add_run_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "score",
        help="score arbitrary (image, caption[, negative]) pairs with a trained run",
        description="Score JSON-lines pairs {image_id|image, caption, negative?} against a split's images.",
    )
    p.add_argument("--run", required=True, help="run folder")
    p.add_argument("--data", required=True, help="dataset folder holding the images' features and graphs")
    p.add_argument("--split", required=True, help="split the images belong to")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pairs", help="JSON lines: {image_id|image, caption, negative?} ('-': stdin)")
    src.add_argument("--benchmark", nargs="+", metavar="FILE",
                     help="published pair files (SugarCrepe or ARO-style JSON): print the accuracy of each")
    p.add_argument("-o", "--output", help="output JSON lines (default: stdout); with --benchmark, one JSON summary")
    add_run_options(p)
    p.set_defaults(func=run)


def read_pairs(path: str, ids: list[str]) -> list[tuple[dict[str, Any], int]]:
    """(record, image index) per line; errors name the file and line."""
    from sgfns.errors import located
    from sgfns.io import read_jsonl
    from sgfns.limits import check_text_length

    index = {x: i for i, x in enumerate(ids)}
    if path == "-":
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            f.write(sys.stdin.read())
        src = Path(f.name)
        shown = "<stdin>"
    else:
        src = Path(path)
        shown = path
    out = []
    try:
        for lineno, rec in read_jsonl(src):
            if not isinstance(rec, dict):
                raise located(shown, lineno, "expected a JSON object")
            if ("image_id" in rec) == ("image" in rec):
                raise located(shown, lineno, "give exactly one of 'image_id' (string) and 'image' (index)")
            if "image_id" in rec:
                if str(rec["image_id"]) not in index:
                    raise located(shown, lineno, f"image_id {rec['image_id']!r} is not in the split")
                img = index[str(rec["image_id"])]
            else:
                img = rec["image"]
                if not isinstance(img, int) or isinstance(img, bool) or not 0 <= img < len(ids):
                    raise located(shown, lineno, f"image {img!r} out of range (0..{len(ids) - 1})")
            for key in ("caption", "negative"):
                if key in rec and (not isinstance(rec[key], str) or not rec[key].strip()):
                    raise located(shown, lineno, f"'{key}' must be a non-empty string")
                if key in rec:
                    check_text_length(rec[key], f"{shown}:{lineno}", key)
            if "caption" not in rec:
                raise located(shown, lineno, "missing 'caption'")
            out.append((rec, img))
    finally:
        if path == "-":
            src.unlink(missing_ok=True)
    return out


def score_pairs(model, split, pairs, parse, *, device="cpu", batch_size=128, progress=True) -> list[dict[str, Any]]:
    """Add `score` (and `negative_score`) to each pair record (`model`: a loaded matcher, `sgfns.load_model`)."""
    from sgfns.eval.evaluator import Scorer

    scorer = Scorer(model, device=device, batch_size=batch_size, progress=progress)
    if not pairs:
        return []
    used = sorted({img for _, img in pairs})
    pos_of = {img: j for j, img in enumerate(used)}
    from sgfns.models import scoring

    img = scoring.encode_images(model, split, device, batch_size, indices=used, progress=progress)
    texts = [r["caption"] for r, _ in pairs]
    neg_rows = [k for k, (r, _) in enumerate(pairs) if "negative" in r]
    negs = [pairs[k][0]["negative"] for k in neg_rows]
    graphs = parse(texts + negs)
    cap = scorer.encode_texts(texts + negs, graphs)
    image_index = [pos_of[i] for _, i in pairs] + [pos_of[pairs[k][1]] for k in neg_rows]
    scores = scorer.pair_scores(img, image_index, cap).tolist()
    out = [dict(r, score=round(scores[k], 6)) for k, (r, _) in enumerate(pairs)]
    for j, k in enumerate(neg_rows):
        out[k]["negative_score"] = round(scores[len(pairs) + j], 6)
    return out


def run(args: argparse.Namespace) -> int:
    from sgfns import load_model
    from sgfns.data.dataset import load_split
    from sgfns.io import write_jsonl
    from sgfns.models.inputs import check_split_inputs

    split = load_split(args.data, args.split)
    if args.benchmark:
        return run_benchmarks(args, split)
    pairs = read_pairs(args.pairs, split.ids)
    model = load_model(args.run, checkpoint=args.checkpoint, device=args.device)
    check_split_inputs(model, split, "scoring with")
    out = score_pairs(
        model, split, pairs, model.parser, device=args.device, batch_size=args.batch_size,
        progress=not args.no_progress,
    )  # fmt: skip
    if args.output:
        write_jsonl(args.output, out)
    else:
        for r in out:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


def benchmark_accuracy(model, split, pair_file, parse, **kw) -> dict[str, Any]:
    """Two-way accuracy (true caption scored above its negative on the same photo; a tie counts one half)."""
    from sgfns.errors import UserError
    from sgfns.eval.compositional import pairwise_accuracy

    if not pair_file.images:
        raise UserError(f"{pair_file.path}: none of its {pair_file.skipped} photos is in split '{split.name}'")
    pairs = [({"caption": c, "negative": n}, i)
             for i, c, n in zip(pair_file.images, pair_file.captions, pair_file.negatives, strict=True)]  # fmt: skip
    scored = score_pairs(model, split, pairs, parse, **kw)
    acc = pairwise_accuracy([r["score"] for r in scored], [r["negative_score"] for r in scored])
    return {"file": pair_file.path, "format": pair_file.format, "accuracy": round(acc, 2), "pairs": len(pairs),
            "skipped": pair_file.skipped, "chance": 50.0}  # fmt: skip


def run_benchmarks(args: argparse.Namespace, split) -> int:
    from sgfns import load_model
    from sgfns.eval.pair_files import read_pair_file
    from sgfns.io import write_json

    files = [read_pair_file(f, split.ids) for f in args.benchmark]  # every file checked before the model loads
    model = load_model(args.run, checkpoint=args.checkpoint, device=args.device)
    kw = dict(device=args.device, batch_size=args.batch_size, progress=not args.no_progress)
    results = []
    for pf in files:
        r = benchmark_accuracy(model, split, pf, model.parser, **kw)
        results.append(r)
        print(f"{r['file']}: {r['format']} accuracy {r['accuracy']:.2f}% over {r['pairs']} pairs (chance 50%; "
              f"{r['skipped']} pairs skipped: photo not in split '{split.name}')")  # fmt: skip
    if args.output:
        write_json(args.output, {"run": str(args.run), "split": split.name, "files": results})
    return 0
