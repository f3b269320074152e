"""`sgfns train` end to end on toy data: run folder contents, load_model, refusal to overwrite, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from sgfns.data.toy import write_toy_dataset

FAST = ["--no-progress", "epochs=2", "data.batch_size=16", "threads=1"]  # key=value overrides come last


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_toy_dataset(tmp_path_factory.mktemp("toy"), n_images=24, feature_dim=16, regions=6)


def test_train_writes_a_complete_run_and_load_run_reads_it(cli, data, tmp_path):
    run = tmp_path / "run"
    rc, out, err = cli("train", "--data", data, "--out", run, "--model", "sgfns-tiny", *FAST)
    assert rc == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["best_epoch"] in (1, 2) and summary["best_val_rsum"] >= 0
    for f in ("config.yaml", "model.json", "vocab.json", "versions.json", "metrics.jsonl", "train.log",
              "checkpoints/best.safetensors", "checkpoints/last.safetensors", "checkpoints/last.state.pt"):  # fmt: skip
        assert (run / f).exists(), f
    epochs = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in epochs if "val_rsum" in r] == [1, 2]
    state = torch.load(run / "checkpoints/last.state.pt", weights_only=True)
    assert state["epoch"] == 2

    from sgfns import load_model
    from sgfns.checkpoint import sha256_file
    from sgfns.models import scoring

    model = load_model(run, device="cpu")
    assert model.run.checkpoint_sha256 == sha256_file(run / "checkpoints/best.safetensors")
    assert model.run.config["model_json"]["name"] == "sgfns-tiny" and model.text_processor is not None
    assert not model.training
    # captions with words never seen in training still encode (unknown words -> <unk>)
    enc = scoring.encode_captions(model, ["a zebra-striped quokka"], None, "cpu")
    assert torch.isfinite(enc.glob).all()


def test_symbolic_goes_through_the_same_loop(cli, data, tmp_path):
    rc, out, err = cli("train", "--data", data, "--out", tmp_path / "sym", "--model", "symbolic", *FAST)
    assert rc == 0, err
    assert json.loads(out.strip().splitlines()[-1])["best_val_rsum"] > 0


def test_existing_run_is_not_overwritten_and_bad_keys_exit_2(cli, data, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "keep.txt").write_text("x")
    rc, _, err = cli("train", "--data", data, "--out", run, "--model", "vsepp-tiny", *FAST)
    assert rc == 2 and "--resume" in err
    rc, _, err = cli("train", "--data", data, "--out", tmp_path / "r2", "--model", "vsepp-tiny", "optim.lrr=1", *FAST)
    assert rc == 2 and "lrr" in err
    rc, _, err = cli("train", "--data", data, "--out", tmp_path / "r3", "--model", "nope", *FAST)
    assert rc == 2 and "unknown model" in err


def test_resume_at_epoch_boundary_equals_uninterrupted(train_cut_and_resume, data, tmp_path):
    a, b = train_cut_and_resume(data, 3, 1, "data.batch_size=16")
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    # and the interruption changed nothing observable in the model selection either
    best = [json.loads((tmp_path / r / "checkpoints/best.json").read_text())["epoch"] for r in ("full", "cut")]
    assert best[0] == best[1]


def test_sigkill_mid_epoch_then_resume_finishes(data, tmp_path):
    run = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "sgfns_app.cli.main", "train", "--data", str(data), "--out", str(run)]
    cmd += [
        "--model",
        "sgfns-tiny",
        "--no-progress",
        "epochs=2",
        "data.batch_size=4",
        "save_every_steps=3",
        "threads=1",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = run / "checkpoints/last.state.pt"
    deadline = time.time() + 120
    while not state.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training ended before it could be killed"
    st = torch.load(state, weights_only=True)
    assert st["epoch"] < 2
    res = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert torch.load(state, weights_only=True)["epoch"] == 2
    assert json.loads(res.stdout.strip().splitlines()[-1])["epoch"] == 2


def test_graphs_only_dataset_is_refused_before_a_run_folder_is_made(tmp_path, cli):
    from sgfns.data.toy import write_toy_dataset

    data = write_toy_dataset(tmp_path / "toy", n_images=8)
    (data / "train_ims.npy").unlink()
    (data / "val_ims.npy").unlink()
    (data / "test_ims.npy").unlink()
    import json

    meta = json.loads((data / "meta.json").read_text())
    meta["feature_dim"] = None
    (data / "meta.json").write_text(json.dumps(meta))
    run = tmp_path / "run"
    rc, _, err = cli("train", "--data", data, "--out", run, "--model", "sgfns-tiny")
    assert rc == 2
    assert "graphs-only" in err and "training sgfns-tiny" in err
    assert not run.exists()


def test_train_log_handler_is_removed_after_the_run(tmp_path):
    import logging

    from sgfns.data.toy import write_toy_dataset
    from sgfns_app.train.loop import train
    from sgfns_app.train.presets import build_train_config

    data = write_toy_dataset(tmp_path / "toy", n_images=8)
    before = list(logging.getLogger().handlers)
    cfg = build_train_config(None, ["model.name=vsepp-tiny", "epochs=1", "progress=false"])
    train(data, tmp_path / "run", cfg)
    assert logging.getLogger().handlers == before
    assert (tmp_path / "run" / "train.log").read_text().strip()
