"""Shared fixtures. Real data lives in ../shared/data (or $SGFNS_SHARED_DATA); tests that need it skip without it."""

from __future__ import annotations

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
