"""Run folders written before the library API and per-model options (sgfns 0.1.0, checked in under
tests/fixtures/run_v0_1: a one-epoch `sgfns-tiny` run on the toy dataset) still load and evaluate to exactly the
numbers the code that wrote them printed (`expected_eval.json`, written by that code)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import sgfns
from sgfns.errors import UserError

FIXTURE = Path(__file__).parent / "fixtures" / "run_v0_1"


@pytest.fixture
def old_run(tmp_path):
    from sgfns.data.toy import write_toy_dataset

    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    data = write_toy_dataset(tmp_path / "toy", n_images=16, feature_dim=16, regions=6)  # the dataset it was trained on
    return data, run


def test_an_old_run_loads_and_evaluates_to_its_own_numbers(old_run):
    data, run = old_run
    expected = json.loads((FIXTURE / "expected_eval.json").read_text())
    m = sgfns.load_model(run)
    assert m.run.checkpoint_sha256 == expected["checkpoint_sha256"]
    rec = sgfns.eval.evaluate(m, data, split="test", protocol="full")
    assert rec["metrics"] == expected["metrics"]
    assert rec["caption_graphs"] == "provided"
    for k, v in expected["compositional"].items():
        assert rec["compositional"][k] == pytest.approx(v, abs=1e-9), k


def test_an_old_config_resolves_with_the_new_per_model_options(old_run):
    """The old config.yaml saved every model option of every model as null; null is the model's own default."""
    from sgfns_app.train.presets import build_train_config

    _, run = old_run
    cfg = build_train_config(run / "config.yaml", [])
    assert cfg.model == {"name": "sgfns-tiny"} and cfg.neg.weight == 0


def test_a_run_of_an_unknown_model_is_refused_in_one_line(old_run):
    _, run = old_run
    mj = json.loads((run / "model.json").read_text())
    (run / "model.json").write_text(json.dumps({**mj, "name": "sgfns-huge"}))
    with pytest.raises(UserError, match="unknown model 'sgfns-huge'"):
        sgfns.load_model(run)
