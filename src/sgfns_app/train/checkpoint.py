"""Run folders, checkpoints and `load_run`.

A run folder:
    config.yaml            the resolved training config
    model.json             model name and options (open_clip-style self-describing weights)
    vocab.json             tokenizer name/version + vocabulary (captions of any dataset are re-read with it)
    versions.json          sgfns / torch versions, caption-graph source (parser version), tokenizer
    metrics.jsonl          one record per logged step and per epoch
    train.log
    checkpoints/last.safetensors + last.state.pt   weights, then training state (optimizer, scheduler, epoch,
                                                   RNG, the sha256 of the weights it belongs to)
    checkpoints/best.safetensors + best.json       the weights with the best validation rSum
Weights are safetensors; the training state holds only tensors and plain containers and is read with
`torch.load(weights_only=True)`. Every file is written to a temporary name and renamed, so a SIGKILL at any
moment leaves the previous checkpoint intact; the state records the sha256 of its weights, so a state and weights
from different moments are never paired."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NamedTuple

import torch
from safetensors.torch import load_file, save_file

from sgfns.errors import UserError
from sgfns.io import atomic_save, read_json, sha256_file, write_json
from sgfns.models import create_model
from sgfns.models.base import Matcher
from sgfns.text import TextProcessor

log = logging.getLogger(__name__)

CKPT_DIR = "checkpoints"


def save_weights(model: Matcher, path: str | Path) -> str:
    """Atomically write the model's weights (safetensors); returns their sha256."""
    state = {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}
    atomic_save(path, lambda tmp: save_file(state, tmp, metadata={"model": getattr(model, "name", "")}))
    return sha256_file(path)


def load_weights(model: Matcher, path: str | Path) -> str:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: checkpoint not found")
    try:
        state = load_file(str(path))
    except Exception as e:  # safetensors raises its own error types on a corrupt file
        raise UserError(f"{path}: not a readable safetensors file ({e})") from None
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise UserError(
            f"{path}: weights do not fit model {model.name!r} (missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    return sha256_file(path)


def save_state(path: str | Path, state: dict[str, Any]) -> None:
    atomic_save(path, lambda tmp: torch.save(state, tmp))


def load_state(path: str | Path) -> dict[str, Any]:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise UserError(f"{path}: unreadable training state ({e})") from None


def write_model_json(run_dir: Path, model: Matcher) -> None:
    write_json(run_dir / "model.json", {"name": model.name, "options": dict(model.config)})


def build_from_run(run_dir: Path) -> tuple[Matcher, TextProcessor, dict[str, Any]]:
    mj = read_json(run_dir / "model.json")
    if not isinstance(mj, dict) or "name" not in mj:
        raise UserError(f"{run_dir / 'model.json'}: expected {{'name': ..., 'options': {{...}}}}")
    tp = TextProcessor.load(run_dir / "vocab.json")
    model = create_model(mj["name"], **mj.get("options", {}))
    model.text_processor = tp
    return model, tp, mj


class LoadedRun(NamedTuple):
    model: Matcher
    text_processor: TextProcessor
    config: dict[str, Any]
    checkpoint_sha256: str


def resolve_checkpoint(run_dir: Path, which: str = "best") -> Path:
    ck = run_dir / CKPT_DIR
    for name in [which] if which != "best" else ["best", "last"]:
        p = ck / f"{name}.safetensors"
        if p.exists():
            return p
    raise UserError(f"{run_dir}: no checkpoint ({ck}/{which}.safetensors); was the run trained?")


def load_run(run_dir: str | Path, device: str | torch.device = "cpu", which: str = "best") -> LoadedRun:
    """Model (eval mode, on `device`, `text_processor` attached) + text processor + run config + weights sha256.

    `config` is the resolved training config as a dict, plus `run_dir`, `versions` (versions.json) and `model`
    (model.json's name and options)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: run folder not found")
    if not (run_dir / "model.json").exists():
        raise UserError(f"{run_dir}: not a run folder (no model.json)")
    model, tp, mj = build_from_run(run_dir)
    path = resolve_checkpoint(run_dir, which)
    sha = load_weights(model, path)
    model.to(device).eval()
    cfg: dict[str, Any] = {}
    if (run_dir / "config.yaml").exists():
        import yaml

        cfg = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8")) or {}
    cfg["run_dir"] = str(run_dir)
    cfg["model_json"] = mj
    cfg["checkpoint"] = str(path)
    cfg["versions"] = read_json(run_dir / "versions.json") if (run_dir / "versions.json").exists() else {}
    return LoadedRun(model, tp, cfg, sha)
