"""`sgfns eval --run RUN --data DIR [--split test] [--protocol NAME] [--json OUT] [--ranks OUT.jsonl]`.

Evaluates a trained run (any model) on a split with a named protocol and writes the evaluation JSON
(docs/evaluation.md#sgfns-eval):
metrics, t2i recalls for captions with and without relations, the compositional block when the split has suites,
the model, the checkpoint's sha256 and versions. The JSON is always saved in `RUN/eval/` (so `sgfns report RUN`
finds it) and also at `--json OUT` when given; a summary is printed."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from sgfns_app.cli.options import add_run_options

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval",
        help="evaluate a trained run: Recall@K, rSum, compositional accuracy",
        description="Exact retrieval evaluation (pessimistic ranks, explicit positives) of a run on one split.",
    )
    p.add_argument("--run", required=True, help="run folder (from `sgfns train`)")
    p.add_argument("--data", required=True, help="dataset folder (canonical layout)")
    p.add_argument("--split", default="test", help="split to evaluate (default: test)")
    p.add_argument(
        "--protocol", default="full", help="f30k-1k | coco-1k-5fold | coco-5k | full (default: full, any size)"
    )
    p.add_argument("--json", dest="json_out", metavar="OUT", help="also write the evaluation JSON here")
    p.add_argument("--ranks", metavar="OUT.jsonl", help="write each query's rank, top-5 and score parts")
    add_run_options(p)
    p.set_defaults(func=run)


# --- shared with `score` and the demo ------------------------------------------------------------------------------
def config_id(cfg: dict[str, Any]) -> str:
    """Short hash of a run's resolved config without what does not change the model (seed, paths, device, logging),
    so runs that differ only in seed share one id and `report` groups them."""
    import hashlib
    import json

    skip = {"seed", "device", "threads", "progress", "log_every", "eval_batch_size", "run_dir", "checkpoint",
            "versions", "model_json", "deterministic"}  # fmt: skip
    clean = {k: v for k, v in cfg.items() if k not in skip}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()[:12]


def versions(loaded_cfg: dict[str, Any]) -> dict[str, str]:
    import torch

    from sgfns import __version__

    run_versions = loaded_cfg.get("versions") or {}
    out = {"sgfns": __version__, "torch": torch.__version__}
    parser = run_versions.get("parser") or run_versions.get("caption_graphs")
    if parser:
        out["parser"] = str(parser)
    return out


class LazyParser:
    """The caption parser, loaded on first use (spaCy takes seconds to load), remembering what it parsed so that
    evaluating several runs on one split (the demo) parses each compositional text once."""

    def __init__(self) -> None:
        self._p = None
        self._memo: dict[str, Any] = {}

    @property
    def version(self) -> str:
        return self._load().version

    def _load(self):
        if self._p is None:
            from sgfns.graphs.parser import load_parser

            self._p = load_parser()
        return self._p

    def __call__(self, texts):
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            self._memo.update(zip(todo, self._load().parse_batch(todo), strict=True))
        return [self._memo[t] for t in texts]


def caption_graphs_for(split, cfg: dict[str, Any], parse: LazyParser):
    """The split's caption graphs as the run was trained to see them (`data.text_graphs`: provided | parser).

    Goes through the parser's cache (`sgfns.graphs.cache`, the same call training makes) when it exists."""
    want = ((cfg.get("data") or {}).get("text_graphs")) or "provided"
    try:
        from sgfns.graphs.cache import caption_graphs_for as cached
    except ImportError:
        cached = None
    if want == "provided" and split.caption_graphs is not None:
        return split.caption_graphs
    if want == "provided":
        log.warning("%s: split '%s' has no caption graphs; parsing its captions", split.root, split.name)
    trained_with = str((cfg.get("versions") or {}).get("parser") or "")
    if trained_with.startswith("parser@") and trained_with != f"parser@{parse.version}":
        log.warning(
            "the run was trained on caption graphs from %s, this evaluation parses with parser@%s: graphs may differ",
            trained_with,
            parse.version,
        )
    if cached is not None:
        return cached(split, "parser")
    return parse(split.captions)


def evaluate_run(
    run_dir: str | Path,
    data: str | Path,
    split_name: str = "test",
    protocol: str = "full",
    *,
    device: str = "cpu",
    batch_size: int = 128,
    checkpoint: str = "best",
    progress: bool = True,
    ranks_path: str | Path | None = None,
    loaded=None,
    parse: LazyParser | None = None,
):
    """Evaluate one run on one split; returns (record, SplitEvaluation). Used by `eval` and by the demo."""
    from sgfns.data.dataset import load_split
    from sgfns.eval.evaluate import Scorer, evaluate_split, ranks_records
    from sgfns.eval.protocols import check_counts, get_protocol
    from sgfns.io import write_jsonl
    from sgfns_app.train.checkpoint import load_run

    proto = get_protocol(protocol)
    split = load_split(data, split_name)
    check_counts(proto, split.n_images, split.n_captions, f"{split.root} ({split.name})")
    if ranks_path is not None and proto.folds > 1:
        from sgfns.errors import UserError

        raise UserError(f"--ranks needs a one-block protocol; '{proto.name}' has {proto.folds} folds")
    if loaded is None:
        loaded = load_run(run_dir, device=device, which=checkpoint)
    parse = parse or LazyParser()
    cfg = loaded.config
    graphs = caption_graphs_for(split, cfg, parse)
    scorer = Scorer(loaded.model, device=device, batch_size=batch_size, progress=progress)
    ev = evaluate_split(scorer, split, proto, parse=parse, caption_graphs=graphs)
    rec = ev.record()
    model_json = cfg.get("model_json") or {}
    rec.update(
        {
            "model": model_json.get("name") or getattr(loaded.model, "name", "?"),
            "checkpoint_sha256": loaded.checkpoint_sha256,
            "versions": versions(cfg),
            "run": str(run_dir),
            "seed": cfg.get("seed"),
            "config_id": config_id(cfg),
            "data": Path(data).resolve().name,
        }
    )
    if ranks_path is not None:
        parts_fn = lambda pi, pc: scorer.pair_parts(ev.img_enc, ev.cap_enc, pi, pc)  # noqa: E731
        write_jsonl(ranks_path, ranks_records(ev, parts_fn))
    return rec, ev


def summary_line(rec: dict[str, Any]) -> str:
    m = rec["metrics"]
    s = (
        f"{rec['model']} on {rec['data']}/{rec['split']} ({rec['protocol']}, {rec['n_images']} images, "
        f"{rec['n_captions']} captions): "
        f"i2t R@1/5/10 {m['i2t_r1']:.1f}/{m['i2t_r5']:.1f}/{m['i2t_r10']:.1f}  "
        f"t2i R@1/5/10 {m['t2i_r1']:.1f}/{m['t2i_r5']:.1f}/{m['t2i_r10']:.1f}  rSum {m['rsum']:.1f}  "
        f"medr {m['i2t_medr']}/{m['t2i_medr']}"
    )
    comp = rec.get("compositional")
    if comp:
        s += "\ncompositional: " + "  ".join(f"{k} {v:.1f}" for k, v in comp.items())
    return s


def run(args: argparse.Namespace) -> int:
    from sgfns.io import write_json

    rec, _ = evaluate_run(
        args.run,
        args.data,
        args.split,
        args.protocol,
        device=args.device,
        batch_size=args.batch_size,
        checkpoint=args.checkpoint,
        progress=not args.no_progress,
        ranks_path=args.ranks,
    )
    own = Path(args.run) / "eval" / f"{rec['data']}-{rec['split']}-{rec['protocol']}.json"
    try:
        write_json(own, rec)
    except OSError as e:
        log.warning("could not save the evaluation in the run folder (%s)", e)
    if args.json_out:
        write_json(args.json_out, rec)
    print(summary_line(rec), file=sys.stdout)
    return 0
