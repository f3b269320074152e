"""`sgfns search --run RUN --index DIR ("TEXT" | --image ID) [-k N]`: two-stage retrieval over an encoded split.

A text query is parsed with the project parser and encoded; the first stage returns `--shortlist` candidates,
which the model's fine-grained score re-ranks; the top `-k` are printed (rank, score, image id or caption).
`--image ID` searches captions for one of the index's images; `--image FILE` (a photo not in the index) prepares the
photo on the fly with the settings of the folder the index was encoded from (its meta.json: backbone input size,
region settings) and searches captions for it. Each hit is printed with its score, the score's
terms, the image's file (where the dataset has image files) and, per caption object, the image region it matched
(`sgfns.index.Searcher`, the route `sgfns serve` answers with); a text query's parsed graph comes first. `--json`
prints one JSON document in the service's shape (`GET /api/search`, `GET /api/search_image`).
First stage (`--first-stage`): "node" — global
score + the model's node terms with nodes projected to the dimension `sgfns encode` fitted (`NodeIndex`; the
default when the index has one); "global" — a flat inner-product index over global vectors (FAISS when installed,
else torch: the same shortlist)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sgfns_app.cli.options import add_run_options

log = logging.getLogger(__name__)


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
    p.add_argument("-k", type=int, default=10, help="results to print (default 10, at most 100)")
    p.add_argument("--shortlist", type=int, default=None, help="candidates re-ranked (default max(5k, 100))")
    add_run_options(p, batch_size=False)
    p.add_argument("--backend", default="auto", choices=["auto", "faiss", "torch"], help="global first stage's index")
    p.add_argument(
        "--first-stage",
        default="auto",
        choices=["auto", "node", "global"],
        help="auto (default): node when the index has a node first stage, else global",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document (the service's shape) instead of text")
    p.add_argument("--threshold", type=float, default=None,
                   help="best cosine under which a caption object matches no region (default 0.3)")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    from sgfns.errors import UserError

    if (args.text is None) == (args.image is None):
        raise UserError("give exactly one query: a TEXT argument or --image ID")
    if args.text is not None and not args.text.strip():
        raise UserError("the text query is empty")
    if args.text is not None:
        from sgfns.limits import check_text_length

        check_text_length(args.text, "TEXT", "query")
    if args.shortlist is not None and args.shortlist < 1:
        raise UserError(f"--shortlist must be >= 1, got {args.shortlist}")
    searcher = open_searcher(args)
    if args.text is not None:
        out = searcher.text(args.text, args.k, args.shortlist)
        if not out["query_known"]:
            names = ", ".join(o["name"] for o in out["graph"]["objects"]) or "none found"
            log.warning("the query has no known words: no object of its graph (%s) is in the run's vocabulary, "
                        "so the ranking does not reflect what it says", names)  # fmt: skip
            if not args.json:
                print("# query without known words: this ranking does not reflect its meaning")
    else:
        if not searcher.captions:
            raise UserError(f"{args.index}: the index has no captions to search (a photo gallery answers text queries)")
        if args.image in searcher.where:
            out = searcher.image(args.image, args.k, args.shortlist)
        elif Path(args.image).is_file():
            out = _photo_query(searcher, Path(args.image), args.k)
        else:
            raise UserError(
                f"{args.index}: {args.image!r} is neither an image id of the index ({len(searcher.ids)} images) "
                "nor a file"
            )
    if args.json:
        print(json.dumps(out))
    else:
        print_hits(out, searcher.data)
    return 0


def _photo_query(searcher, path: Path, k: int) -> dict:
    """Captions for a photo file that is not in the index, prepared with the index's data settings (the same
    route as the service's photo upload)."""
    from sgfns.errors import UserError
    from sgfns_app.serve.upload import PhotoSearch

    photos = PhotoSearch(searcher)
    why = photos.unavailable()
    if why is not None:
        raise UserError(f"{path}: {why[1]}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from None
    return {**photos.search(data, k), "file": str(path)}


def open_searcher(args: argparse.Namespace):
    """The run's model and the encoded gallery as a `Searcher` (shared with `sgfns serve`)."""
    from sgfns import load_model
    from sgfns.errors import UserError
    from sgfns.index.searcher import DEFAULT_THRESHOLD, MAX_K, Searcher
    from sgfns.index.store import load_gallery

    if not 1 <= args.k <= MAX_K:
        raise UserError(f"-k must be between 1 and {MAX_K}, got {args.k}")
    load_gallery(args.index)  # a wrong index folder is reported before the model loads
    model = load_model(args.run, checkpoint=args.checkpoint, device=args.device)
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    return Searcher(model, args.index, checkpoint_sha256=model.run.checkpoint_sha256, device=args.device,
                    backend=args.backend, first_stage=args.first_stage, threshold=threshold)  # fmt: skip


def graph_text(graph: dict | None) -> str:
    """A caption graph on one line: objects (with attributes and counts) and relations."""
    if not graph:
        return "(no graph)"
    objs = graph["objects"]

    def name(o: dict) -> str:
        count = [str(o["count"])] if o.get("count") not in (None, 1) else []
        return " ".join([*count, *o.get("attributes", []), o["name"]])

    parts = [name(o) for o in objs] + [
        f"{name(objs[r['subject']])} -{r['predicate']}-> {name(objs[r['object']])}" for r in graph["relations"]
    ]
    return "; ".join(parts) or "(empty graph)"


def _parts_text(parts: dict[str, float]) -> str:
    return " ".join(f"{k} {v:+.3f}" for k, v in parts.items())


def print_hits(out: dict, data) -> None:
    """The table `sgfns search` prints: per hit rank, score, its terms, the file or caption, and the matches."""
    from pathlib import Path

    if "graph" in out and isinstance(out["query"], str):
        print(f"query: {out['query']}\ngraph: {graph_text(out['graph'])}")
    else:
        file = out.get("file")
        print(f"query image: {out['image_id']}" + (f"  ({Path(data) / file})" if file and data else ""))
    for hit in out["results"]:
        if "image_id" in hit and "caption" not in hit:
            where = str(Path(data) / hit["file"]) if hit.get("file") and data else hit["image_id"]
            print(f"{hit['rank']:>3}  {hit['score']:.4f}  {where}")
        else:
            mark = "*" if hit.get("own_image") else " "
            print(f"{hit['rank']:>3}  {hit['score']:.4f} {mark} {hit['caption']}")
        print(f"       = {_parts_text(hit['parts'])}")
        for m in hit["matches"]:
            region = f"region {m['region']}" if m["region"] is not None else "no region"
            print(f"       {m['label']} -> {region} (cos {m['cosine']:.2f}, {m['weight']:+.3f})")
        for m in hit["relations"]:
            regions = f"regions {m['regions'][0]}, {m['regions'][1]}" if m["regions"] else "no region pair"
            print(f"       {m['label']} -> {regions} (cos {m['cosine']:.2f}, {m['contribution']:+.3f})")
