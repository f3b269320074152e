"""Training throughput and memory of the Flickr30K recipe over a memory-mapped feature file of >= 4 GB; prints one
JSON object on its last line.

    .venv/bin/python benchmarks/train_throughput.py [--device cpu|cuda] [--gb 4.0] [--steps 12] [--warmup 2]
                                                    [--tmp DIR] [--threads N]

Writes, in a temporary folder (deleted afterwards; `--tmp` chooses where, default the system temp dir, whose free
space is checked first), a canonical dataset whose `train_ims.npy` holds random float32 36 x 2048 features of at
least `--gb` GB (13,563 images for 4 GB; 5 template captions each with small provided graphs), then runs the real
training loop (`sgfns_app.train.loop.train`, configs/f30k.yaml: sgfns, embedding 1024, batch 128) for a slice of
the first epoch. Opening the split reads every row of the feature file once (the loader's finite-value scan, in
chunks); the steps then read their batches' rows through the memory map.

Reported: `pairs_per_s` (batch / mean step time after `--warmup` steps), `data_wait_fraction` (time spent
collating batches — reading feature rows, building graph tensors, moving them to the device — over the wall time
of the measured steps), `peak_rss_anon_gb` / `peak_rss_file_gb` (maxima of RssAnon / RssFile in
/proc/self/status, sampled every 20 ms from the start, the scan included), `feature_file_gb`, `train_s` (the whole
training call: opening and scanning the split, setup, the steps, one validation). Step and data-wait times are
the loop's own (`metrics.jsonl` with `log_every=1`, `max_steps`), not measured by patching it."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ROW_BYTES = 36 * 2048 * 4


def rss() -> tuple[float, float]:
    vals = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:")):
                k, v = line.split(":", 1)
                vals[k] = int(v.split()[0]) * 1024 / 1e9
    return vals.get("RssAnon", float("nan")), vals.get("RssFile", float("nan"))


class PeakRss:
    def __init__(self, every: float = 0.02) -> None:
        self.anon = self.file = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            a, f = rss()
            self.anon, self.file = max(self.anon, a), max(self.file, f)
            time.sleep(every)

    def __enter__(self) -> PeakRss:
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def write_dataset(root: Path, n: int, seed: int = 0) -> None:
    """Canonical layout: memory-mapped random train features written in chunks, template captions and graphs."""
    from sgfns.io import write_json, write_jsonl

    rng = np.random.default_rng(seed)
    words = ["man", "dog", "ball", "red", "blue", "park", "woman", "car", "street", "tree", "green", "hat"]
    write_json(
        root / "meta.json",
        {
            "name": "random-f30k",
            "captions_per_image": 5,
            "regions": 36,
            "feature_dim": 2048,
            "box_format": "xyxy_norm",
            "splits": ["train", "val"],
            "source": "benchmarks/train_throughput.py",
            "licence": "none (random)",
        },
    )
    for split, m in (("train", n), ("val", 100)):
        feats = np.lib.format.open_memmap(root / f"{split}_ims.npy", mode="w+", dtype=np.float32, shape=(m, 36, 2048))
        for s in range(0, m, 512):
            feats[s : s + 512] = rng.standard_normal(feats[s : s + 512].shape, dtype=np.float32)
        feats.flush()
        del feats
        caps, cg, ig = [], [], []
        for i in range(m):
            objs = [
                {"name": words[(i + r) % 12], "attributes": [words[(i * 7 + r) % 12]], "count": None, "region": r}
                for r in range(10)
            ]
            ig.append(
                {"objects": objs, "relations": [{"subject": j, "predicate": "near", "object": j + 1} for j in range(9)]}
            )
            for c in range(5):
                a, b, d = words[(i + c) % 12], words[(i + 3 * c + 1) % 12], words[(2 * i + c + 5) % 12]
                text = f"a {a} {b} near the {d} in the park"
                s1 = text.index(b, 2 + len(a))
                s2 = text.index(d, s1 + len(b))
                caps.append(text)
                cg.append(
                    {
                        "objects": [
                            {"name": b, "attributes": [a], "count": 1, "span": [s1, s1 + len(b)]},
                            {"name": d, "attributes": [], "count": 1, "span": [s2, s2 + len(d)]},
                        ],
                        "relations": [{"subject": 0, "predicate": "near", "object": 1}],
                    }
                )
        (root / f"{split}_caps.txt").write_text("".join(c + "\n" for c in caps))
        write_jsonl(root / f"{split}_image_sg.jsonl", ig)
        write_jsonl(root / f"{split}_caps_sg.jsonl", cg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--gb", type=float, default=4.0, help="feature file size (GB, 1e9 bytes)")
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--model", default="sgfns")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--tmp", default=None)
    args = ap.parse_args()
    # before torch starts OpenMP: on shared cores, spinning threads waiting at barriers for a descheduled peer
    # cost up to 10x (measured); passive waiting keeps the kernels at the matmul rate. An explicit setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    import torch

    from sgfns_app.train import loop
    from sgfns_app.train.presets import build_train_config

    if args.threads:
        torch.set_num_threads(args.threads)
    n_images = int(np.ceil(args.gb * 1e9 / ROW_BYTES))
    tmp_parent = Path(args.tmp or tempfile.gettempdir())
    free = shutil.disk_usage(tmp_parent).free
    need = n_images * ROW_BYTES * 1.1 + 1e9
    if free < need:
        raise SystemExit(f"{tmp_parent}: {free / 1e9:.1f} GB free, need {need / 1e9:.1f} GB (use --tmp DIR)")

    cfg = build_train_config("f30k", [f"device={args.device}", "epochs=1", "progress=false", "log_every=1",
                                      f"max_steps={args.warmup + args.steps}", f"model.name={args.model}",
                                      "neg.weight=0", f"threads={args.threads or 0}"])  # fmt: skip
    out: dict = {
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "device": args.device,
        "model": args.model,
        "batch": cfg.data.batch_size,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }
    with tempfile.TemporaryDirectory(dir=tmp_parent, prefix="sgfns-throughput-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        t = time.perf_counter()
        write_dataset(data, n_images)
        out["write_s"] = round(time.perf_counter() - t, 1)
        out["feature_file_gb"] = round((data / "train_ims.npy").stat().st_size / 1e9, 3)
        with PeakRss() as peak:
            t = time.perf_counter()
            loop.train(data, Path(tmp) / "run", cfg, val_split="val")
            out["train_s"] = round(time.perf_counter() - t, 1)
        timing = loop.step_timings(Path(tmp) / "run", warmup=args.warmup)  # the loop's own per-step timings
    per_step = timing["step_s"] + timing["data_s"]
    out.update(
        steps=timing["steps"],
        step_s=round(per_step, 3),
        pairs_per_s=round(cfg.data.batch_size / per_step, 2),
        data_wait_fraction=round(timing["data_s"] / per_step, 4),
        peak_rss_anon_gb=round(peak.anon, 3),
        peak_rss_file_gb=round(peak.file, 3),
        images=n_images,
        temp_deleted=not Path(tmp).exists(),
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
