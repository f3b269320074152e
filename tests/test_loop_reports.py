"""The loop reports instead of being patched: metrics.jsonl records data-wait and step time per logging interval,
and `max_steps` stops a run after that many optimisation steps (benchmarks read these)."""

from __future__ import annotations

import json

import pytest


def test_max_steps_and_step_timings_in_metrics(toy_run):
    from sgfns_app.train.loop import step_timings

    data, run = toy_run("max_steps=3", "log_every=1", "epochs=5")
    recs = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in recs if "step_s" in r]
    assert [r["step"] for r in steps] == [1, 2, 3]
    assert all(r["data_s"] > 0 and r["step_s"] > 0 and r["steps"] == 1 for r in steps)
    epochs = [r for r in recs if "train_seconds" in r]
    assert len(epochs) == 1 and epochs[0]["step"] == 3 and "val_rsum" in epochs[0]
    assert epochs[0]["data_seconds"] > 0 and epochs[0]["step_seconds"] > 0
    assert (run / "checkpoints" / "best.safetensors").exists()
    t = step_timings(run, warmup=1)
    assert t["steps"] == 2 and t["step_s"] == pytest.approx((steps[1]["step_s"] + steps[2]["step_s"]) / 2)


def test_logging_interval_averages_its_steps(toy_run):
    data, run = toy_run("log_every=2", "epochs=1")  # 16 images x 5 captions / batch 8: 10 steps
    recs = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in recs if "step_s" in r]
    assert [r["step"] for r in steps] == [2, 4, 6, 8, 10] and all(r["steps"] == 2 for r in steps)


def test_a_run_stopped_inside_an_epoch_by_max_steps_resumes_exactly(train_cut_and_resume, toy_inputs, tmp_path):
    import torch

    from sgfns.data.toy import write_toy_dataset

    data = write_toy_dataset(tmp_path / "toy", n_images=16, feature_dim=16, regions=6)
    a, b = train_cut_and_resume(data, 2, 1, "data.batch_size=16", cut_steps=3)  # 5 steps an epoch: cut inside it
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_score_term_matched_alone_adds_its_loss(toy_run, cli, tmp_path):
    """`loss.terms=[relation]`: the relation term is also matched alone, its loss logged as `terms` and added to
    the step's loss; a term the model does not score is a one-line error naming it and the model's terms."""
    data, run = toy_run("loss.terms=[relation]", "loss.term_weight=0.5", "log_every=1", "max_steps=2")
    steps = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in steps if "step_s" in r]
    assert steps and all(r["terms"] > 0 for r in steps)
    assert all(r["loss"] == pytest.approx(r["match"] + 0.5 * r["terms"] + r.get("neg", 0.0), rel=1e-4) for r in steps)
    rc, _, err = cli("train", "--data", data, "--out", tmp_path / "bad", "--model", "sgfns-tiny", "--no-progress",
                     "epochs=1", "data.batch_size=8", "threads=1", "loss.terms=[colour]")  # fmt: skip
    assert rc == 2 and "loss.terms" in err and "'colour'" in err and "relation" in err
    assert [ln for ln in err.splitlines() if "error" in ln] == [err.strip().splitlines()[-1]]
    assert not (tmp_path / "bad" / "checkpoints").exists()
