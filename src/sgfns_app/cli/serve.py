"""`sgfns serve --run RUN --index INDEX [--host 127.0.0.1] [--port 8000]`: the retrieval service and its page.

Loads the run's model and the gallery `sgfns encode` wrote once (`sgfns.index.Searcher`, the route `sgfns search`
uses), then answers the JSON API and serves the search page at http://HOST:PORT/ (docs/serve.md). It listens on
the loopback interface unless `--host` says otherwise, and says so when it starts."""

from __future__ import annotations

import argparse
import os

from sgfns_app.cli.options import add_run_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve an encoded gallery: JSON API and a search page that shows why each image matched",
        description="HTTP service over a folder written by `sgfns encode` (needs the [serve] extra).",
    )
    p.add_argument("--run", required=True, help="run folder (the one the index was encoded with)")
    p.add_argument("--index", required=True, help="folder written by `sgfns encode`")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    add_run_options(p, batch_size=False)
    p.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    p.add_argument("--workers", type=int, default=1, help="searches run at once (default 1)")
    p.add_argument("--queue", type=int, default=64, help="searches that may wait beyond those; more get 503")
    p.add_argument("--max-batch", type=int, default=32,
                   help="most text searches one call answers together (default 32; 1: no batching)")  # fmt: skip
    p.add_argument("--max-upload-mb", type=float, default=10.0, help="largest request body in MB (default 10)")
    p.add_argument("--threshold", type=float, default=None,
                   help="best cosine under which a caption object matches no region (default 0.3)")  # fmt: skip
    p.add_argument("--backend", default="auto", choices=["auto", "faiss", "torch"], help="global first stage's index")
    p.add_argument("--first-stage", default="auto", choices=["auto", "node", "global"],
                   help="auto (default): node when the index has a node first stage, else global")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sgfns.errors import UserError

    try:
        import uvicorn

        from sgfns_app.serve.app import create_app
        from sgfns_app.serve.limits import Limits
    except ImportError as e:
        raise UserError(f"`sgfns serve` needs the serve extra (pip install 'sgfns[serve]'): {e}") from None
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be 0..65535, got {args.port}")
    if args.workers < 1 or args.queue < 0 or args.max_upload_mb <= 0 or args.max_batch < 1:
        raise UserError("--workers must be >= 1, --queue >= 0, --max-batch >= 1 and --max-upload-mb > 0")
    # oneDNN (torch's bf16 matmuls on CPU) keeps up to 1,024 compiled matmuls, one per shape; a first stage's
    # shapes follow each batch's caption nodes, so the cache filled with ~300 MB of matmuls that were rarely met
    # again, and rebuilding them was faster than looking them up (docs/serve.md). Read once, at the first matmul.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    if args.threads is not None:
        import torch

        torch.set_num_threads(max(1, args.threads))
    from sgfns_app.cli.search import open_searcher

    args.k = 10
    searcher = open_searcher(args)
    limits = Limits(max_body_bytes=int(args.max_upload_mb * (1 << 20)), workers=args.workers, queue=args.queue,
                    max_batch=args.max_batch)  # fmt: skip
    searcher.warm_up(batch=limits.max_batch, k=limits.max_k)
    app = create_app(searcher, limits)
    where = "this machine only (loopback)" if args.host in ("127.0.0.1", "localhost", "::1") else (
        f"ALL clients that can reach {args.host}")  # fmt: skip
    print(f"sgfns serve: {searcher.model.name} over {len(searcher.ids)} images of {searcher.meta.get('split')} "
          f"at http://{args.host}:{args.port}/ — listening on {args.host}, {where}", flush=True)  # fmt: skip
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", limit_concurrency=512)
    return 0
