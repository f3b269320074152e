"""Training throughput of the Flickr30K recipe on random 36x2048 features (steps/s), any device.

    python benchmarks/train_f30k_random.py --device cuda --steps 300 [--model sgfns] [--images 2000]

Writes a random dataset in the canonical layout (features, 5 template captions per image, simple graphs) to a
temporary folder, trains `--model` with configs/f30k.yaml for `--steps` steps (one epoch, no validation), and
prints JSON on its last line: steps/s and pairs/s measured after `--warmup` steps."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


def write_random(root: Path, n: int, seed: int = 0) -> None:
    from sgfns.io import write_jsonl

    rng = np.random.default_rng(seed)
    words = ["man", "dog", "ball", "red", "blue", "park", "woman", "car", "street", "tree", "green", "hat"]
    for split, m in (("train", n), ("val", 100)):
        np.save(root / f"{split}_ims.npy", rng.standard_normal((m, 36, 2048), dtype=np.float32))
        caps, cg, ig = [], [], []
        for _ in range(m):
            objs = [{"name": str(rng.choice(words)), "attributes": [str(rng.choice(words))], "count": None,
                     "region": int(r)} for r in range(10)]  # fmt: skip
            rels = [{"subject": i, "predicate": "near", "object": i + 1} for i in range(9)]
            ig.append({"objects": objs, "relations": rels})
            for _ in range(5):
                a, b, c = rng.choice(words, 3)
                text = f"a {a} {b} near the {c} in the park"
                caps.append(text)
                s1 = text.index(b)
                s2 = text.index(c, s1 + len(b))
                cg.append({"objects": [{"name": str(b), "attributes": [str(a)], "count": 1, "span": [s1, s1 + len(b)]},
                                       {"name": str(c), "attributes": [], "count": 1, "span": [s2, s2 + len(c)]}],
                           "relations": [{"subject": 0, "predicate": "near", "object": 1}]})  # fmt: skip
        (root / f"{split}_caps.txt").write_text("".join(c + "\n" for c in caps))
        write_jsonl(root / f"{split}_image_sg.jsonl", ig)
        write_jsonl(root / f"{split}_caps_sg.jsonl", cg)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--model", default="sgfns")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--images", type=int, default=0, help="train images (default: enough for --steps)")
    args = ap.parse_args()

    from sgfns.config import build
    from sgfns_app.train import loop
    from sgfns_app.train.config import TrainConfig

    cfg = build(
        TrainConfig,
        ROOT / "configs" / "f30k.yaml",
        [f"device={args.device}", "epochs=1", "progress=false", f"model.name={args.model}"],
    )
    n_images = args.images or max(200, (args.steps * cfg.data.batch_size) // 5 + 1)
    times: list[float] = []
    orig = loop.LossModule.forward

    def timed(self, *a, **k):  # wall time per step, synchronised on CUDA
        if self.model.training:
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            times.append(time.perf_counter())
            if len(times) > args.steps:
                raise KeyboardInterrupt
        return orig(self, *a, **k)

    loop.LossModule.forward = timed
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        write_random(data, n_images)
        try:
            loop.train(data, Path(tmp) / "run", cfg, val_split="val")
        except KeyboardInterrupt:
            pass
    t = times[args.warmup :]
    steps_s = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 else float("nan")
    print(json.dumps({"model": args.model, "device": args.device, "batch": cfg.data.batch_size, "steps": len(t) - 1,
                      "steps_per_s": round(steps_s, 3), "pairs_per_s": round(steps_s * cfg.data.batch_size, 1),
                      "torch": torch.__version__}))  # fmt: skip


if __name__ == "__main__":
    main()
