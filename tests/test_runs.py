"""Run folders refuse to be overwritten unless resuming; the resolved config round-trips through config.yaml."""

import dataclasses
import os
from pathlib import Path

import pytest

from sgfns.errors import UserError
from sgfns_app.runs import load_config, prepare_run_dir, save_config


@dataclasses.dataclass
class Opt:
    lr: float = 0.001
    betas: tuple[float, float] = (0.9, 0.999)


@dataclasses.dataclass
class Cfg:
    name: str = "sgfns"
    epochs: int = 2
    out: Path | None = None
    opt: Opt = dataclasses.field(default_factory=Opt)


def test_new_run_folder_is_created(tmp_path):
    run = prepare_run_dir(tmp_path / "a" / "run", resume=False)
    assert run.is_dir() and not any(run.iterdir())


def test_existing_non_empty_run_is_refused_unless_resuming(tmp_path):
    run = prepare_run_dir(tmp_path / "run", resume=False)
    (run / "metrics.jsonl").write_text("{}\n")
    with pytest.raises(UserError, match="run folder exists and is not empty; use --resume"):
        prepare_run_dir(run, resume=False)
    assert (run / "metrics.jsonl").read_text() == "{}\n"  # untouched
    assert prepare_run_dir(run, resume=True) == run
    # an empty existing folder is fine without resuming
    (tmp_path / "empty").mkdir()
    assert prepare_run_dir(tmp_path / "empty", resume=False).is_dir()


def test_a_file_is_not_a_run_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    for resume in (False, True):
        with pytest.raises(UserError, match="exists and is not a directory"):
            prepare_run_dir(tmp_path / "f", resume=resume)


def test_save_and_load_config_round_trip(tmp_path):
    cfg = Cfg(epochs=7, out=tmp_path / "x", opt=Opt(lr=0.5))
    path = save_config(tmp_path, cfg)
    assert path == tmp_path / "config.yaml" and "epochs: 7" in path.read_text()
    back = load_config(tmp_path, Cfg)
    assert back.epochs == 7 and back.opt.lr == 0.5 and back.opt.betas == (0.9, 0.999) and back.name == "sgfns"
    assert load_config(tmp_path, Cfg, ["opt.lr=0.25"]).opt.lr == 0.25
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary file left behind


def test_load_config_without_file(tmp_path):
    with pytest.raises(UserError, match="config.yaml: file not found"):
        load_config(tmp_path, Cfg)
