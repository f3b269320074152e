"""Run folders: `config.yaml`, `train.log`, `metrics.jsonl`, `checkpoints/` (STYLE.md, "Configuration, runs").

A run folder is never overwritten by accident: starting a run in a folder that already holds files is refused
unless the caller resumes it. The resolved configuration is saved beside the results, atomically, as plain YAML
that `sgfns.config.build` reads back."""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import Any

import yaml

from sgfns.config import build
from sgfns.errors import UserError
from sgfns.io import atomic_write

CONFIG_FILE = "config.yaml"


def prepare_run_dir(path: str | Path, *, resume: bool) -> Path:
    """Create (or, when resuming, reuse) the run folder `path` and return it.

    Without `resume`, an existing non-empty folder is refused with a UserError. With `resume`, the folder must
    exist (a mistyped path would otherwise start a fresh, possibly full-size run); whether there is a checkpoint
    in it to resume is for the caller to decide, so a run killed before its first checkpoint starts again."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: exists and is not a directory")
    if resume and not path.exists():
        raise UserError(f"{path}: no run folder to resume; check the path, or drop --resume to start a new run")
    if not resume and path.is_dir() and any(path.iterdir()):
        raise UserError(
            f"{path}: run folder exists and is not empty; use --resume to continue it or choose another --out"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"{path}: cannot create the run folder ({e.strerror})") from None
    return path


def save_config(run_dir: str | Path, cfg: Any) -> Path:
    """Write `cfg` (a config dataclass or a mapping) to `run_dir/config.yaml` atomically; returns the path."""
    path = Path(run_dir) / CONFIG_FILE
    data = _plain(dataclasses.asdict(cfg) if dataclasses.is_dataclass(cfg) else cfg)
    if not isinstance(data, dict):
        raise TypeError("save_config expects a dataclass instance or a mapping")
    with atomic_write(path) as f:
        yaml.safe_dump(data, f, sort_keys=False, allow_unicode=True)
    return path


def load_config(run_dir: str | Path, cls: type, overrides: list[str] | None = None):
    """The run's saved configuration as `cls` (unknown keys in the file are an error naming the file)."""
    path = Path(run_dir) / CONFIG_FILE
    if not path.exists():
        raise UserError(f"{path}: file not found (is {run_dir} a run folder?)")
    return build(cls, path, overrides)


def _plain(x: Any) -> Any:
    """YAML-safe values: tuples -> lists, paths -> strings, enums -> their value."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, Path):
        return str(x)
    if isinstance(x, enum.Enum):
        return x.value
    return x
