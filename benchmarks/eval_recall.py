"""Time the exact evaluator at COCO scale: 5,000 images x 25,000 captions, `coco-5k` and `coco-1k-5fold`.

Usage: .venv/bin/python benchmarks/eval_recall.py   (prints JSON on its last line)"""

from __future__ import annotations

import json
import time

import numpy as np
import torch

from sgfns.eval.protocols import evaluate


def main() -> None:
    torch.manual_seed(0)
    owner = np.repeat(np.arange(5000), 5)
    mask = torch.zeros(5000, 25000, dtype=torch.bool)
    mask[torch.from_numpy(owner), torch.arange(25000)] = True
    sim = torch.randn(5000, 25000) + 1.5 * mask.float()
    out = {"threads": torch.get_num_threads()}
    for proto in ("coco-5k", "coco-1k-5fold"):
        t = time.perf_counter()
        res = evaluate(sim, mask, owner, proto)
        out[f"{proto}_seconds"] = round(time.perf_counter() - t, 3)
        out[f"{proto}_rsum"] = round(res.metrics["rsum"], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
