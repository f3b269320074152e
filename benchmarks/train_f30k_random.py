"""Training throughput of the Flickr30K recipe on random 36x2048 features (steps/s), any device.

    python benchmarks/train_f30k_random.py --device cuda --steps 300 [--model sgfns] [--images 2000]

Writes a random dataset in the canonical layout (features, 5 template captions per image, simple graphs) to a
temporary folder, trains `--model` with the f30k preset for `--warmup` + `--steps` steps (`max_steps`; L_neg off),
and prints JSON on its last line: steps/s and pairs/s from the loop's logged step and data-wait times after
`--warmup` steps."""

from __future__ import annotations

import argparse
import json
import tempfile
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

    from sgfns_app.train import loop
    from sgfns_app.train.presets import build_train_config

    total = args.warmup + args.steps
    cfg = build_train_config("f30k", [f"device={args.device}", "epochs=1", "progress=false", "log_every=1",
                                      f"max_steps={total}", f"model.name={args.model}", "neg.weight=0"])  # fmt: skip
    n_images = args.images or max(200, (total * cfg.data.batch_size) // 5 + 1)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        write_random(data, n_images)
        loop.train(data, Path(tmp) / "run", cfg, val_split="val")
        t = loop.step_timings(Path(tmp) / "run", warmup=args.warmup)  # the loop's own per-step timings
    steps_s = 1.0 / (t["step_s"] + t["data_s"])
    print(json.dumps({"model": args.model, "device": args.device, "batch": cfg.data.batch_size, "steps": t["steps"],
                      "steps_per_s": round(steps_s, 3), "pairs_per_s": round(steps_s * cfg.data.batch_size, 1),
                      "torch": torch.__version__}))  # fmt: skip


if __name__ == "__main__":
    main()
