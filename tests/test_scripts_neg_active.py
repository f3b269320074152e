"""scripts/neg_active.py on a toy run trained with L_neg: counts of active hinges per side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "neg_active.py"


def test_active_hinges_of_a_toy_run(toy_run):
    data, run = toy_run("neg.weight=1.0")
    r = subprocess.run([sys.executable, str(SCRIPT), "--run", str(run), "--data", str(data), "--batches", "3",
                        "--epoch", "0"], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    for side in ("caption", "image"):
        assert 0 < out[side]["negatives"] <= 3 * 8  # one negative per positive at most, 8 positives per batch
        assert 0 <= out[side]["active"] <= out[side]["negatives"]
        assert out[side]["share"] == round(out[side]["active"] / out[side]["negatives"], 3)
