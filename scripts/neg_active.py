"""Share of a trained run's generated-negative hinges that are still active (inside the margin) on training batches.

    .venv/bin/python scripts/neg_active.py --run RUN --data WORLD [--batches 8] [--epoch 1]

Draws the L_neg negatives of the first BATCHES training batches of EPOCH exactly as training does (the run's config:
training subset, batch size, neg.* settings, seed) and reports, per side, how many of [m' − S(I,T) + S(I,T⁻)]₊ and
[m' − S(I,T) + S(I⁻,T)]₊ are > 0. An inactive hinge has no gradient, so this bounds what skipping the backward of
inactive negatives could save (docs/negatives.md, "Epoch time"). Prints one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sgfns import load_model  # noqa: E402
from sgfns.data.batching import SplitInputs  # noqa: E402
from sgfns.losses.generated import build_term, encode_bucketed  # noqa: E402
from sgfns_app.train import loop as L  # noqa: E402
from sgfns_app.train.presets import build_train_config  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True, type=Path)
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--batches", type=int, default=8)
    ap.add_argument("--epoch", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    net = load_model(args.run)
    tp = net.text_processor
    cfg = build_train_config(args.run / "config.yaml", [])
    split = L.load_training_split(args.data, "train", cfg.data.text_graphs, cfg.data.max_train_images)
    inputs = SplitInputs(split, tp, split.caption_graphs)
    term = build_term(cfg.neg, inputs, cfg.seed)
    k, m = split.captions_per_image, term.margin
    counts = {"caption": [0, 0], "image": [0, 0]}
    batches = L.epoch_batches(split.n_captions, cfg.data.batch_size, cfg.seed, args.epoch, L.D.DistInfo())
    with torch.inference_mode():
        for caps in batches[: args.batches]:
            imgs = [c // k for c in caps]
            extra = term.extra_batch(caps, imgs, args.epoch)
            img, cap = net.encode_images(inputs.image_batch(imgs)), net.encode_captions(inputs.caption_batch(caps))
            ar = torch.arange(len(caps))
            pos = net.pair_scores(img, cap, ar, ar)
            if "cap" in extra:
                o = extra["own"]["cap"]
                neg = net.pair_scores(img, net.encode_captions(extra["cap"]), o, torch.arange(len(o)))
                counts["caption"][0] += int((m - pos[o] + neg > 0).sum())
                counts["caption"][1] += len(o)
            if "img" in extra:
                enc, rows = encode_bucketed(net.encode_images, extra["img"])
                o = extra["own"]["img"][rows]
                neg = net.pair_scores(enc, cap, torch.arange(len(o)), o)
                counts["image"][0] += int((m - pos[o] + neg > 0).sum())
                counts["image"][1] += len(o)
    out = {
        side: {"active": a, "negatives": n, "share": round(a / n, 3) if n else None} for side, (a, n) in counts.items()
    }
    print(json.dumps({"run": str(args.run), "epoch": args.epoch, "batches": args.batches, **out}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
