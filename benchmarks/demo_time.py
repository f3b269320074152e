"""Wall and CPU time of `sgfns demo` (the README's main job, budget: 10 minutes on 2 CPU cores).

Usage: .venv/bin/python benchmarks/demo_time.py [--quick] [--keep DIR]
Runs the demo in a temporary folder (or DIR), then prints one JSON object on its last line: wall and CPU seconds,
the load average before and after (the figure means little on a machine busy with other work), per-stage timing and
each model's rSum."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", help="demo folder to create and keep (default: a temporary one)")
    args = ap.parse_args()
    sgfns = Path(sys.executable).with_name("sgfns")
    tmp = None
    if args.keep:
        out = Path(args.keep)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="sgfns-demo-")
        out = Path(tmp.name) / "demo"
    load_before = os.getloadavg()
    t = time.perf_counter()
    cmd = [str(sgfns), "demo", "--out", str(out), "--no-progress", *(["--quick"] if args.quick else [])]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    wall = time.perf_counter() - t
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = json.loads((out / "results.json").read_text())
    print(json.dumps({
        "quick": args.quick, "wall_s": round(wall, 1), "cpu_user_s": round(ru.ru_utime, 1),
        "cpu_sys_s": round(ru.ru_stime, 1), "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "timing": res["timing"], "rsum": {r["model"]: round(r["metrics"]["rsum"], 1) for r in res["results"]},
    }))  # fmt: skip
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
