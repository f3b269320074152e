"""scripts/photos_train.py: processes started with the same arguments share the runs through claim files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import photos_train  # noqa: E402


def test_a_claimed_run_is_passed_over_and_a_dead_claim_taken_over(tmp_path):
    run = tmp_path / "runs" / "sgfns-s0"
    assert photos_train.claim(run)
    assert photos_train.claim(run)  # this process already holds it
    assert not run.exists()  # the claim lies beside the run folder, which must start empty
    claim = photos_train.claim_path(run)
    assert claim.read_text() == str(os.getpid())
    # a live other process holds it: passed over
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        claim.write_text(str(other.pid))
        assert not photos_train.claim(run)
    finally:
        other.kill()
        other.wait()
    # that process is gone: its claim is taken over
    assert photos_train.claim(run)
    assert claim.read_text() == str(os.getpid())
    assert sorted(p.name for p in claim.parent.iterdir()) == [claim.name]  # no temporary file left


def test_an_unreadable_claim_is_left_alone(tmp_path):
    run = tmp_path / "sgfns-s1"
    photos_train.claim_path(run).write_text("")
    assert not photos_train.claim(run)
