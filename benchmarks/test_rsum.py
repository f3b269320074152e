"""Test-split retrieval (protocol `full`, no compositional block) of one or more run folders, quickly.

    python benchmarks/test_rsum.py --data WORLD RUN [RUN ...]

The same recall code as `sgfns eval` (sgfns.eval.recall over the scoring API), without the compositional suites,
so a grid of runs is scored in seconds each. Prints one JSON record per run; the last line is the list of all."""

from __future__ import annotations

import argparse
import json
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("runs", nargs="+")
    args = ap.parse_args()

    from sgfns import load_model
    from sgfns.data.dataset import load_split
    from sgfns.eval.evaluator import caption_graphs_as_trained
    from sgfns.eval.recall import recall_metrics
    from sgfns.models import scoring

    split = load_split(args.data, args.split)
    out = []
    for run in args.runs:
        t = time.time()
        model = load_model(run, device=args.device)
        graphs, _ = caption_graphs_as_trained(split, model.run.config, model.parser)
        img = scoring.encode_images(model, split, args.device, 512)
        cap = scoring.encode_captions(model, split.captions, graphs, args.device, 512)
        m = recall_metrics(scoring.similarity_matrix(model, img, cap), torch.as_tensor(split.positive_mask()))
        rec = {"run": run, "model": model.run.config["model_json"]["name"], "seed": model.run.config.get("seed"),
               "rsum": round(m["rsum"], 2), **{k: round(v, 2) for k, v in m.items() if k != "rsum"},
               "seconds": round(time.time() - t, 1)}  # fmt: skip
        print(json.dumps(rec), flush=True)
        out.append(rec)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
