"""Shared fixtures. Real data lives in ../shared/data (or $SGFNS_SHARED_DATA); tests that need it skip without it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    env = os.environ.get("SGFNS_SHARED_DATA")
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared data folder (../shared/data or $SGFNS_SHARED_DATA) is absent")
    return path


@pytest.fixture
def cli(capsys):
    """Run the `sgfns` command line in-process; returns (exit_code, stdout, stderr)."""
    from sgfns_app.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            rc = main([str(a) for a in args])
        except SystemExit as e:  # argparse exits
            rc = e.code if isinstance(e.code, int) else 2
        out, err = capsys.readouterr()
        return rc, out, err

    return run


@pytest.fixture
def train_cut_and_resume(cli, tmp_path):
    """Train `sgfns-tiny` on `data` for `epochs` in one go (tmp_path/full) and, separately, stopped by `max_steps`
    after `cut` epochs' worth of steps (or after `cut_steps` steps when given) then `--resume`d to the end
    (tmp_path/cut); returns the two runs' last weights (safetensors dicts)."""
    from safetensors.torch import load_file

    def run(data, epochs: int, cut: int, *overrides: str, cut_steps: int | None = None):
        flags = ["--model", "sgfns-tiny", "--no-progress", "threads=1", "deterministic=true", f"epochs={epochs}",
                 *overrides]  # fmt: skip
        rc, _, err = cli("train", "--data", data, "--out", tmp_path / "full", *flags)
        assert rc == 0, err
        if cut_steps is None:
            recs = [json.loads(x) for x in (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()]
            cut_steps = [r["step"] for r in recs if "train_seconds" in r][cut - 1]
        for extra in ([f"max_steps={cut_steps}"], ["--resume", "max_steps=0"]):
            rc, _, err = cli("train", "--data", data, "--out", tmp_path / "cut", *flags, *extra)
            assert rc == 0, err
        return tuple(load_file(str(tmp_path / r / "checkpoints/last.safetensors")) for r in ("full", "cut"))

    return run


@pytest.fixture(scope="session")
def toy_inputs():
    """f(folder, n_images=16, regions=6) -> the training `SplitInputs` (with caption graphs) of a toy dataset
    written to `folder` (16-d features)."""
    from sgfns.data.batching import SplitInputs
    from sgfns.data.dataset import load_split
    from sgfns.data.toy import write_toy_dataset
    from sgfns.text import TextProcessor

    def make(folder, n_images: int = 16, regions: int = 6):
        root = write_toy_dataset(folder, n_images=n_images, feature_dim=16, regions=regions)
        split = load_split(root, "train")
        tp = TextProcessor.build(split.captions, list(split.image_graphs) + list(split.caption_graphs), 1)
        return SplitInputs(split, tp, split.caption_graphs)

    return make


@pytest.fixture
def toy_run(cli, tmp_path):
    """f(*overrides, n_images=16, regions=6, batch_size=8) -> (data folder, run folder): a toy dataset and an
    `sgfns-tiny` run trained on it for one epoch through the CLI, with `overrides` (key=value) added."""
    from sgfns.data.toy import write_toy_dataset

    def make(*overrides: str, n_images: int = 16, regions: int = 6, batch_size: int = 8):
        data = write_toy_dataset(tmp_path / "toy", n_images=n_images, feature_dim=16, regions=regions)
        run = tmp_path / "run"
        rc, _, err = cli("train", "--data", data, "--out", run, "--model", "sgfns-tiny", "--no-progress", "epochs=1",
                         f"data.batch_size={batch_size}", "threads=1", *overrides)  # fmt: skip
        assert rc == 0, err
        return data, run

    return make
