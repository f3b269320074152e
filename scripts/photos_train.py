"""Train the real-photo results' runs with the `photos` preset, one after another in ONE process.

    .venv/bin/python scripts/photos_train.py --data DATA --out runs/photos --seeds 0,1,2 \
        --job frozen-proj=frozen-proj:neg.weight=0 --job sgfns-neg=sgfns --job sgfns=sgfns:neg.weight=0

`--job NAME=MODEL[:key=value,...]` trains MODEL with the preset plus the overrides into OUT/NAME-s{seed}, for every
seed. It is `sgfns train --config photos` run in a loop: one process keeps the frozen text encoder's sentence
vectors (a frozen encoder gives a caption the same vector in every run), so only the first run pays for encoding
the captions. A run folder holding `summary.json` (written when its training ended) is skipped, so the script can
be restarted.

Several processes started with the same arguments share the runs: each claims a run before training it (a
file `.NAME-sSEED.claim` beside the run folder, created exclusively, holding its process id; removed when the run
ends or fails) and passes over
runs another live process has claimed. So two cores are used by starting the same command twice, each with
`OMP_NUM_THREADS=1`. A claim left by a process that is gone (killed) is taken over."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sgfns.io import write_json  # noqa: E402
from sgfns_app.train.loop import train  # noqa: E402
from sgfns_app.train.presets import build_train_config  # noqa: E402


def claim(run: Path) -> bool:
    """Claim `run` for this process; False when another live process holds it."""
    run.parent.mkdir(parents=True, exist_ok=True)
    path = claim_path(run)
    mine = path.with_name(f"{path.name}.{os.getpid()}")
    mine.write_text(str(os.getpid()))
    try:
        for _ in range(2):
            try:
                os.link(mine, path)  # atomic: the claim appears with its process id in it, or not at all
                return True
            except FileExistsError:
                try:
                    holder = int(path.read_text())
                except (OSError, ValueError):
                    return False  # unreadable: leave it to whoever made it
                if holder == os.getpid():
                    return True
                if _alive(holder):
                    return False
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # left by a process that is gone: take it over
        return False
    finally:
        mine.unlink()


def claim_path(run: Path) -> Path:
    return run.parent / f".{run.name}.claim"  # beside the run: a run folder must start empty


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--job", action="append", required=True, metavar="NAME=MODEL[:key=value,...]")
    args = ap.parse_args(argv)
    for seed in [int(s) for s in args.seeds.split(",")]:
        for job in args.job:
            name, spec = job.split("=", 1)
            model, _, extra = spec.partition(":")
            overrides = [f"model.name={model}", f"seed={seed}", "progress=false"]
            overrides += [o for o in extra.split(",") if o]
            cfg = build_train_config("photos", overrides)
            run = args.out / f"{name}-s{seed}"
            if (run / "summary.json").exists():
                print(json.dumps({"run": str(run), "skipped": "done"}), flush=True)
                continue
            if not claim(run):
                held = f"claimed by another process ({claim_path(run)})"
                print(json.dumps({"run": str(run), "skipped": held}), flush=True)
                continue
            try:
                if (run / "summary.json").exists():  # finished by another process since the check above
                    continue
                t0 = time.time()
                summary = train(args.data, run, cfg, resume=(run / "checkpoints" / "last.state.pt").exists())
                summary = {**summary, "job": name, "wall_s": round(time.time() - t0, 1)}
                write_json(run / "summary.json", summary)  # written last: the run is complete
                print(json.dumps(summary), flush=True)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    claim_path(run).unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
