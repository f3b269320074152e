"""Time `load_split` (memory-mapped features, NaN/Inf scan) and `convert lgsgm`; prints JSON on the last line.

    .venv/bin/python benchmarks/data_load.py [--images 2000] [--regions 36] [--dim 2048]

Writes a random float32 feature array of the given size to a temporary folder, then times opening it with and
without the finite scan (the scan reads every byte once, in 64 MiB chunks). With ../shared/data present it also
times the LGSGM val conversion."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from sgfns.data.dataset import load_split


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--regions", type=int, default=36)
    ap.add_argument("--dim", type=int, default=2048)
    args = ap.parse_args()
    out: dict = {"images": args.images, "regions": args.regions, "dim": args.dim}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        feats = np.lib.format.open_memmap(root / "test_ims.npy", mode="w+", dtype=np.float32,
                                          shape=(args.images, args.regions, args.dim))  # fmt: skip
        rng = np.random.default_rng(0)
        for s in range(0, args.images, 256):
            feats[s : s + 256] = rng.standard_normal(feats[s : s + 256].shape, dtype=np.float32)
        feats.flush()
        del feats
        (root / "test_caps.txt").write_text("".join(f"caption {i}\n" for i in range(5 * args.images)))
        out["feature_gb"] = round(args.images * args.regions * args.dim * 4 / 1e9, 3)
        t = time.perf_counter()
        load_split(root, "test", check_finite=False)
        out["open_no_scan_s"] = round(time.perf_counter() - t, 4)
        t = time.perf_counter()
        load_split(root, "test")
        out["open_with_scan_s"] = round(time.perf_counter() - t, 4)
        out["scan_gb_per_s"] = round(out["feature_gb"] / max(out["open_with_scan_s"], 1e-9), 2)
        shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "flickr30k_sg"
        if shared.is_dir():
            from sgfns.data.convert_lgsgm import convert_lgsgm

            t = time.perf_counter()
            convert_lgsgm(shared, "val", root / "lgsgm")
            out["convert_lgsgm_val_s"] = round(time.perf_counter() - t, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
