"""The real-photo results table: retrieval on a prepared split and two-way accuracy on generated caption negatives,
every model against a baseline by a paired bootstrap over photos.

    .venv/bin/python scripts/photos_results.py --data DATA --split dev --negatives NEG.jsonl \
        --model frozen-proj=runs/fp-s0,runs/fp-s1,runs/fp-s2 --model sgfns=runs/sg-s0,... \
        --sum frozen-proj+bridge=frozen-proj,bridge --baseline frozen-proj [--checkpoint last] [-o results.json]

`--model NAME=RUN[,RUN...]`: one run per seed; each is scored with its `--checkpoint` (default `last`: the epochs
are fixed in advance, nothing is chosen on the reported split). `--sum NAME=A,B`: the score matrices of models A
and B added, seed by seed (a model with one run is reused for every seed). `NEG.jsonl`: `sgfns negatives` output
for the split's captions (`image_id`, `caption`, `negative`, `rule`). Per model: R@1/5/10 both ways and rSum (mean
± sd over seeds, with chance), two-way accuracy per rule and over all rules pooled ("all"; chance 50 %; mean, sd
and each seed's), and against the baseline the paired bootstrap of the seed-averaged per-photo rSum shares and
per-pair wins (difference, 95 % interval) and, under `seeds`, the interval of the bootstrap that redraws each model's
runs as well (`sgfns.eval.bootstrap.seed_photo_bootstrap`: what training noise alone could make is a tie there).
Prints the JSON; `-o` also writes it."""

from __future__ import annotations

import argparse
import json
import sys
from math import comb
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sgfns.data.dataset import load_split  # noqa: E402
from sgfns.eval.bootstrap import paired_bootstrap, photo_rsum_shares, seed_photo_bootstrap  # noqa: E402
from sgfns.eval.paired_report import paired_tables  # noqa: E402
from sgfns.eval.recall import KS, RECALL_KEYS, recall_metrics  # noqa: E402
from sgfns.io import read_jsonl, sha256_file, write_json  # noqa: E402


def chance_recalls(positives: np.ndarray) -> dict[str, float]:
    """Expected recalls of a random ranking: P(one of a query's p positives among the top k of n candidates)."""
    pos = np.asarray(positives, dtype=bool)

    def hit(p: int, n: int, k: int) -> float:
        return 1.0 - comb(n - p, k) / comb(n, k)

    out = {}
    for side, m in (("i2t", pos), ("t2i", pos.T)):
        n = m.shape[1]
        for k in KS:
            out[f"{side}_r{k}"] = 100.0 * float(np.mean([hit(int(p), n, k) for p in m.sum(1)]))
    out["rsum"] = sum(out[k] for k in RECALL_KEYS)
    return out


def score_run(run: str, split, negs: list[dict], checkpoint: str, parse, key: str) -> tuple[torch.Tensor, np.ndarray]:
    """(sim [n_images, n_captions], negative-pair margins [n_negatives]: S(I, T) − S(I, T−)), kept in the run folder
    as `scores-{key}.npz` (`key`: split, checkpoint and the negatives file's sha256) so a table can be re-assembled
    without scoring again."""
    cached = Path(run) / f"scores-{key}.npz"
    if cached.exists():
        with np.load(cached, allow_pickle=False) as z:
            return torch.from_numpy(z["sim"]), z["margin"]
    sim, margin = _score_run(run, split, negs, checkpoint, parse)
    tmp = cached.with_suffix(".tmp.npz")
    np.savez(tmp, sim=sim.numpy(), margin=margin)
    tmp.replace(cached)
    return sim, margin


def _score_run(run: str, split, negs: list[dict], checkpoint: str, parse) -> tuple[torch.Tensor, np.ndarray]:
    from sgfns import load_model
    from sgfns.eval.evaluator import Scorer, caption_graphs_as_trained

    model = load_model(run, checkpoint=checkpoint)
    scorer = Scorer(model, device="cpu", batch_size=128, progress=False)
    img = scorer.encode_images(split)
    cap = scorer.encode_texts(split.captions, caption_graphs_as_trained(split, model.run.config, parse)[0])
    sim = scorer.similarity(img, cap)
    neg_texts = [n["negative"] for n in negs]
    rows = [n["image"] for n in negs]
    # each negative against its own photo only: the one pair-scoring route, not a [photos x negatives] matrix
    neg = scorer.pair_scores(img, rows, scorer.encode_texts(neg_texts, parse(neg_texts)))
    margin = sim[torch.tensor(rows), torch.tensor([n["caption_index"] for n in negs])] - neg
    return sim, margin.numpy()


def read_negatives(path: str, split) -> list[dict]:
    """The negatives of the split's captions, each with its image and caption index (captions compared with their
    white space collapsed, as `sgfns prepare` stores them)."""
    where = {(split.ids[c // split.captions_per_image], " ".join(t.split())): c for c, t in enumerate(split.captions)}
    out = []
    for _, rec in read_jsonl(path):
        c = where.get((str(rec["image_id"]), " ".join(rec["caption"].split())))
        if c is None:
            raise SystemExit(f"{path}: caption {rec['caption']!r} of image {rec['image_id']} is not in the split")
        out.append(dict(rec, caption_index=c, image=c // split.captions_per_image))
    return out


def rule_groups(rules: np.ndarray) -> dict[str, np.ndarray]:
    """The pairs of each rule, and of all rules pooled ("all"), as boolean masks over the negatives."""
    return {**{r: rules == r for r in sorted(set(rules.tolist()))}, "all": np.ones(len(rules), dtype=bool)}


def pair_wins(margins: list[np.ndarray]) -> np.ndarray:
    """[runs, pairs] two-way decisions in percent: the caption above its negative 100, a tie 50, below 0."""
    return 100 * np.stack([(m > 0) + 0.5 * (m == 0) for m in margins])


def summarise(sims: list[torch.Tensor], margins: list[np.ndarray], positives, groups: dict[str, np.ndarray]) -> dict:
    recs = [recall_metrics(s, positives) for s in sims]
    out = {k: {"mean": float(np.mean([r[k] for r in recs])), "sd": float(np.std([r[k] for r in recs]))}
           for k in (*RECALL_KEYS, "rsum")}  # fmt: skip
    out["seeds"] = len(sims)
    wins = pair_wins(margins)
    out["negatives"] = {}
    for r, sel in groups.items():
        per_seed = [float(w[sel].mean()) for w in wins]
        out["negatives"][r] = {"mean": float(np.mean(per_seed)), "sd": float(np.std(per_seed)),
                               "pairs": int(sel.sum()), "per_seed": per_seed}  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--negatives", required=True, help="sgfns negatives output for the split's captions")
    ap.add_argument("--model", action="append", default=[], metavar="NAME=RUN[,RUN...]")
    ap.add_argument("--sum", action="append", default=[], metavar="NAME=A,B")
    ap.add_argument("--baseline", required=True, help="the model every other one is compared with")
    ap.add_argument("--checkpoint", default="last")
    ap.add_argument("--n-boot", type=int, default=10_000)
    ap.add_argument("-o", "--output")
    ap.add_argument("--markdown", action="store_true", help="print the markdown tables instead of the JSON")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)

    from sgfns.graphs.lazy import LazyParser

    split = load_split(args.data, args.split)
    positives = split.positive_mask()
    negs = read_negatives(args.negatives, split)
    groups = rule_groups(np.array([n["rule"] for n in negs]))
    neg_photo = np.array([n["image"] for n in negs])
    parse = LazyParser()
    key = f"{args.split}-{args.checkpoint}-{sha256_file(args.negatives)[:16]}"
    scored: dict[str, tuple[list[torch.Tensor], list[np.ndarray]]] = {}
    for spec in args.model:
        name, runs = spec.split("=", 1)
        per_seed = [score_run(r, split, negs, args.checkpoint, parse, key) for r in runs.split(",")]
        scored[name] = ([s for s, _ in per_seed], [m for _, m in per_seed])
    for spec in args.sum:
        name, parts = spec.split("=", 1)
        a, b = (scored[p] for p in parts.split(","))
        n = max(len(a[0]), len(b[0]))
        scored[name] = ([a[0][i % len(a[0])] + b[0][i % len(b[0])] for i in range(n)],
                        [a[1][i % len(a[1])] + b[1][i % len(b[1])] for i in range(n)])  # fmt: skip

    result = {"data": str(args.data), "split": args.split, "checkpoint": args.checkpoint,
              "n_images": split.n_images, "n_captions": split.n_captions, "chance": chance_recalls(positives),
              "negatives_chance": 50.0, "models": {}, "baseline": args.baseline}  # fmt: skip
    def per_run(sims: list[torch.Tensor], margins: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """[runs, photos] rSum shares and [runs, pairs] wins in percent."""
        return np.stack([photo_rsum_shares(s, positives) for s in sims]), pair_wins(margins)

    def compare(a: np.ndarray, b: np.ndarray, photo=None) -> dict:
        """The paired bootstrap over photos of the seed means, with the interval that redraws seeds as well."""
        out = paired_bootstrap(a.mean(0), b.mean(0), photo, n_boot=args.n_boot)
        both = seed_photo_bootstrap(a, b, photo, n_boot=args.n_boot)
        out["seeds"] = {k: both[k] for k in ("low", "high", "n_seeds")}
        return out

    base_share, base_win = per_run(*scored[args.baseline])
    for name, (sims, margins) in scored.items():
        rec = summarise(sims, margins, positives, groups)
        if name != args.baseline:
            share, win = per_run(sims, margins)
            vs = {"rsum": compare(share, base_share)}
            for r, sel in groups.items():
                vs[r] = compare(win[:, sel], base_win[:, sel], neg_photo[sel])
            rec["vs_baseline"] = vs
        result["models"][name] = rec
    print(paired_tables(result) if args.markdown else json.dumps(result, indent=1))
    if args.output:
        write_json(args.output, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
