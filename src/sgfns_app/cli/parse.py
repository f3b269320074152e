"""`sgfns parse [INPUT|-] [-o OUTPUT|-] [--format json|factual]`: one caption per line -> one graph per line.

The output always has exactly as many lines as the input, in order: an empty line gives an empty graph, bytes that
are not UTF-8 are replaced (U+FFFD), and only "\\n" ends a line (other Unicode line separators stay inside the
caption). JSON lines carry the caption under "caption" and spans index that string."""

from __future__ import annotations

import argparse
import json
import sys

FORMATS = ("json", "factual")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "parse",
        help="parse captions (one per line) into scene graphs",
        description="Parse captions, one per line, into scene-graph JSON lines (docs/data_formats.md) or FACTUAL "
        "fact text.",
    )
    p.add_argument("input", nargs="?", default="-", help="text file, one caption per line ('-' = stdin, default)")
    p.add_argument("-o", "--output", default="-", help="output file ('-' = stdout, default); written atomically")
    p.add_argument("--format", choices=FORMATS, default="json", help="json (default) or factual fact text")
    p.add_argument("--batch-size", type=int, default=512, help="captions per spaCy batch (default 512)")
    p.add_argument("--n-process", type=int, default=1, help="spaCy worker processes (default 1)")
    p.set_defaults(func=run)


def read_lines(source: str) -> list[str]:
    """Lines of a file or stdin, split on b"\\n" only, decoded leniently."""
    from sgfns.errors import UserError

    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(source, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise UserError(f"{source}: file not found") from None
        except IsADirectoryError:
            raise UserError(f"{source}: is a directory, expected a text file") from None
        except PermissionError:
            raise UserError(f"{source}: permission denied") from None
    if not data:
        return []
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return [
        p[:-1].decode("utf-8", errors="replace") if p.endswith(b"\r") else p.decode("utf-8", "replace") for p in parts
    ]


def format_line(caption: str, graph, fmt: str) -> str:
    if fmt == "factual":
        from sgfns.graphs.factual import graph_to_facts

        return graph_to_facts(graph, caption)
    rec = {"caption": caption}
    rec.update(graph.to_dict())
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sgfns.errors import UserError
    from sgfns.graphs.parser import load_parser
    from sgfns.io import atomic_write

    if args.batch_size < 1:
        raise UserError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.n_process < 1:
        raise UserError(f"--n-process must be >= 1, got {args.n_process}")
    lines = read_lines(args.input)
    parser = load_parser()
    chunk = max(args.batch_size * max(args.n_process, 1) * 4, 2048)

    def produce():
        bar = tqdm(total=len(lines), unit="cap", desc="parse", disable=len(lines) < 5000 or None, file=sys.stderr)
        for start in range(0, len(lines), chunk):
            part = lines[start : start + chunk]
            graphs = parser.parse_batch(part, batch_size=args.batch_size, n_process=args.n_process)
            for cap, g in zip(part, graphs, strict=True):
                yield format_line(cap, g, args.format)
            bar.update(len(part))
        bar.close()

    if args.output == "-":
        out = sys.stdout
        for line in produce():
            out.write(line + "\n")
        out.flush()
    else:
        try:
            with atomic_write(args.output) as out:
                for line in produce():
                    out.write(line + "\n")
        except OSError as e:
            raise UserError(f"{args.output}: cannot write ({e.strerror or e})") from None
    return 0
