"""Work interrupted while writing: a training run and an `sgfns encode` stopped at every one of their atomic writes
(`$SGFNS_FAULT`, `sgfns.io`), and a write that fails with "no space left on device". The next command resumes or
refuses with one line, and no file that looks complete is half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import torch
import yaml
from safetensors.torch import load_file

from sgfns.data.toy import write_toy_dataset

TRAIN = ["--model", "sgfns-tiny", "--no-progress", "epochs=2", "data.batch_size=8", "threads=1"]
TRAIN3 = [*TRAIN[:3], "epochs=3", *TRAIN[4:]]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_toy_dataset(tmp_path_factory.mktemp("toy"), n_images=12, feature_dim=16, regions=6)


def assert_whole(folder):
    """Every file under `folder` that is not a hidden temporary reads back completely."""
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        if p.suffix == ".json":
            json.loads(p.read_text())
        elif p.suffix == ".yaml":
            assert isinstance(yaml.safe_load(p.read_text()), dict), p
        elif p.suffix == ".safetensors":
            load_file(str(p))
        elif p.suffix == ".pt":
            torch.load(p, weights_only=True)
        elif p.suffix == ".npy":
            import numpy as np

            np.load(p, allow_pickle=False)
        elif p.name == "metrics.jsonl":
            for line in p.read_text().splitlines():
                json.loads(line)


def one_line_error(err: str) -> str:
    lines = [x for x in err.splitlines() if "error:" in x]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.slow
def test_training_stopped_at_every_write_resumes_or_refuses(cli, data, tmp_path, monkeypatch):
    from sgfns import io

    outcomes = {}
    n = 0
    while True:
        n += 1
        run = tmp_path / f"run{n}"
        monkeypatch.setattr(io, "_writes_seen", 0)
        monkeypatch.setenv("SGFNS_FAULT", f"interrupt:{n}")
        rc, _, err = cli("train", "--data", data, "--out", run, *TRAIN3)
        monkeypatch.delenv("SGFNS_FAULT")
        if rc == 0:  # n is past the run's last write: nothing was interrupted
            break
        assert rc == 130, err
        assert_whole(run)
        rc, out, err = cli("train", "--data", data, "--out", run, "--resume", *TRAIN3)
        if rc == 0:
            assert torch.load(run / "checkpoints/last.state.pt", weights_only=True)["epoch"] == 3
            outcomes[n] = "resumed"
        else:
            assert rc == 2
            assert "cannot be resumed" in one_line_error(err)
            outcomes[n] = "refused"
        assert_whole(run)
    assert n > 10, f"only {n - 1} writes in a run"
    assert list(outcomes.values()).count("resumed") >= 10, outcomes


@pytest.mark.slow
def test_training_killed_by_sigkill_at_writes_resumes(data, tmp_path):
    """A real SIGKILL (no clean-up code runs) at one of the run's writes, then `--resume` in a fresh process."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    base = [sys.executable, "-m", "sgfns_app.cli.main", "train", "--data", str(data)]
    for n in (9,):  # after the first checkpoint: weights, state and metrics exist
        run = tmp_path / f"run{n}"
        cmd = [*base, "--out", str(run), *TRAIN]
        res = subprocess.run(cmd, env={**env, "SGFNS_FAULT": f"kill:{n}"}, capture_output=True, timeout=300)
        assert res.returncode == -signal.SIGKILL, res.stderr[-2000:]
        assert_whole(run)
        res = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True, timeout=300)
        assert res.returncode in (0, 2), res.stderr[-2000:]
        if res.returncode == 2:
            one_line_error(res.stderr)
        assert_whole(run)


def test_training_on_a_full_disk_exits_2_and_resumes(cli, data, tmp_path, monkeypatch):
    from sgfns import io

    run = tmp_path / "run"
    monkeypatch.setattr(io, "_writes_seen", 0)
    monkeypatch.setenv("SGFNS_FAULT", "enospc:6")
    rc, _, err = cli("train", "--data", data, "--out", run, *TRAIN)
    monkeypatch.delenv("SGFNS_FAULT")
    assert rc == 2 and "No space left on device" in one_line_error(err)
    assert_whole(run)
    assert not [p for p in run.rglob(".*") if p.is_file()], "a temporary file was left behind"
    rc, _, err = cli("train", "--data", data, "--out", run, "--resume", *TRAIN)
    assert rc == 0, err


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory):
    from sgfns_app.cli.main import main

    run = tmp_path_factory.mktemp("enc") / "run"
    assert main(["train", "--data", str(data), "--out", str(run), *TRAIN]) == 0
    return run


def test_encode_stopped_at_every_write_never_leaves_a_mixed_index(cli, data, trained, tmp_path, monkeypatch):
    from sgfns import io

    out = tmp_path / "index"
    encode = ["encode", "--run", trained, "--data", data, "--split", "test", "--out", out, "--no-progress"]
    rc, _, err = cli(*encode)
    assert rc == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    n = 0
    while True:
        n += 1
        monkeypatch.setattr(io, "_writes_seen", 0)
        monkeypatch.setenv("SGFNS_FAULT", f"interrupt:{n}")
        rc, _, err = cli(*encode[:-1], "--first-stage-dim", "8")  # a different index over the same folder
        monkeypatch.delenv("SGFNS_FAULT")
        if rc == 0:
            break
        assert rc == 130, err
        assert_whole(out)
        # the stopped encode left no index.json: search refuses with one line instead of mixing two encodings
        rc, _, err = cli("search", "--run", trained, "--index", out, "a dog")
        assert rc == 2 and "did not finish" in one_line_error(err)
        rc, _, err = cli(*encode)  # and the next encode finishes
        assert rc == 0, err
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert n > 5, f"only {n - 1} writes in an encode"


def test_encode_on_a_full_disk_exits_2(cli, data, trained, tmp_path, monkeypatch):
    from sgfns import io

    out = tmp_path / "index"
    monkeypatch.setattr(io, "_writes_seen", 0)
    monkeypatch.setenv("SGFNS_FAULT", "enospc:2")
    rc, _, err = cli("encode", "--run", trained, "--data", data, "--split", "test", "--out", out, "--no-progress")
    assert rc == 2 and "No space left on device" in one_line_error(err)
    assert not (out / "index.json").exists()
    assert_whole(out)
