"""scripts/rule_shares.py: expected rule shares of the drawn caption negatives, uniform vs balanced."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "rule_shares.py"


def _run(path, *args):
    return subprocess.run([sys.executable, str(SCRIPT), str(path), *args], capture_output=True, text=True)


def test_shares_of_a_small_cache(tmp_path):
    # caption 0: replace-obj + count; captions 1-3: replace-obj only; caption 4: none
    lines = [[{"rule": "replace-obj"}, {"rule": "count"}]] + [[{"rule": "replace-obj"}]] * 3 + [[]]
    p = tmp_path / "train_negs.jsonl"
    p.write_text("".join(json.dumps(x) + "\n" for x in lines))
    r = _run(p)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["count"]["captions_with_it"] == 20.0 and out["replace-obj"]["captions_with_it"] == 80.0
    assert out["count"]["uniform"] == 12.5  # half of one draw in four
    # balanced: caption 0 draws count with weight 1 against replace-obj's 1/4 -> 0.8 of a draw
    assert out["count"]["balanced"] == 20.0 and out["replace-obj"]["balanced"] == 80.0
    only = json.loads(_run(p, "--rules", "replace-obj").stdout)  # as neg.rules=[replace-obj] trains
    assert set(only) == {"replace-obj"} and only["replace-obj"]["balanced"] == 100.0


def test_a_bad_line_is_a_one_line_error(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('[{"rule": "count"}]\n{"oops": 1}\n')
    r = _run(p)
    assert r.returncode == 2 and f"{p}:2:" in r.stderr and r.stderr.count("\n") == 1
