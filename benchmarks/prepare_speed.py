"""Speed and memory of `sgfns prepare`; prints one JSON object on its last line.

    .venv/bin/python benchmarks/prepare_speed.py [--sizes 500 2000] [--workers 2] [--input-size 384]
                                                 [--photos ../shared/data/coco_mini/images ...]

For each size N, a JSONL source of N photos (the shared coco_mini and flickr8k_mini photos repeated under new ids,
one caption each) is prepared by the real command in a subprocess (`sgfns prepare ... --workers W`, each worker one
thread), into a fresh folder. Reported per size: wall seconds, photos/s over the whole command (start-up and the
final file moves included) and the peak resident memory of the command's process tree (main + workers, summed,
sampled every 0.1 s from /proc). `steady_photos_per_s` = (N2 - N1) / (t2 - t1) between the two sizes cancels the
start-up cost; `rss_growth` = peak(N2) / peak(N1) - 1 (the target: within 10 %). CPU seconds (user + system) of
the process tree are sampled the same way: `steady_cpu_s_per_photo` between the two sizes, and
`implied_photos_per_s_on_idle_cores` = cores / that — what the command would reach with the cores to itself
(contention inflates CPU time somewhat, so this too is a lower bound). Targets (issue): >= 8 photos/s on
2 cores, peak RSS <= 2 GB. The machine's load average is recorded before and after: on a shared machine the
figures are lower bounds of what the code does alone."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
SHARED = ROOT.parent / "shared" / "data"


def tree_sample(pid: int, cpu: dict[int, float]) -> int:
    """Resident memory of `pid` and all its descendants (kB), read from /proc; records each process's CPU seconds
    (user + system) so far in `cpu`."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[p] = (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError, ValueError):
            pass
    return total


def run_size(n: int, photos: list[Path], workers: int, input_size: int, tmp: Path) -> dict:
    src = tmp / f"src{n}.jsonl"
    with open(src, "w") as f:
        for i in range(n):
            p = photos[i % len(photos)]
            f.write(json.dumps({"image": str(p), "id": f"{i}-{p.stem}", "captions": [f"photo {i}"]}) + "\n")
    out = tmp / f"data{n}"
    cmd = [str(ROOT / ".venv" / "bin" / "sgfns"), "prepare", str(src), "--split", "train", "--out", str(out),
           "--workers", str(workers), "--input-size", str(input_size), "--no-progress"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    start = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, cpu = 0, {}
    while proc.poll() is None:
        peak = max(peak, tree_sample(proc.pid, cpu))
        time.sleep(0.1)
    wall = time.time() - start
    out_s, err_s = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"sgfns prepare failed ({proc.returncode}): {err_s.strip()[-500:]}")
    cpu_s = sum(cpu.values())
    return {"photos": n, "wall_s": round(wall, 2), "photos_per_s": round(n / wall, 3),
            "peak_rss_mb": round(peak / 1024, 1), "cpu_s": round(cpu_s, 1)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs=2, default=[500, 2000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--input-size", type=int, default=384)
    ap.add_argument("--photos", nargs="+", type=Path,
                    default=[SHARED / "coco_mini" / "images", SHARED / "flickr8k_mini" / "images"])  # fmt: skip
    a = ap.parse_args()
    photos = sorted(p for d in a.photos if d.is_dir() for p in d.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    if not photos:
        raise SystemExit("no photos found (give --photos DIR ...)")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="prepare_speed.") as tmp:
        rows = [run_size(n, photos, a.workers, a.input_size, Path(tmp)) for n in a.sizes]
    (n1, n2), (r1, r2) = a.sizes, rows
    print(json.dumps({
        "command": f"sgfns prepare SOURCE --workers {a.workers} --input-size {a.input_size} (regions 16, float16)",
        "distinct_photos": len(photos),
        "runs": rows,
        "steady_photos_per_s": round((n2 - n1) / max(r2["wall_s"] - r1["wall_s"], 1e-9), 3),
        "rss_growth": round(r2["peak_rss_mb"] / r1["peak_rss_mb"] - 1, 4),
        "steady_cpu_s_per_photo": round((r2["cpu_s"] - r1["cpu_s"]) / (n2 - n1), 4),
        "implied_photos_per_s_on_idle_cores": round(
            (os.cpu_count() or 1) * (n2 - n1) / max(r2["cpu_s"] - r1["cpu_s"], 1e-9), 2
        ),
        "nproc": os.cpu_count(),
        "threads_per_worker": 1,
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg(),
    }))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
