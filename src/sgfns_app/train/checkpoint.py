"""Training-state files of a run folder (the library reads the rest: `sgfns.checkpoint`, `sgfns.load_model`).

    checkpoints/last.safetensors + last.state.pt   weights, then training state (optimizer, scheduler, epoch,
                                                   RNG, the sha256 of the weights it belongs to)
    checkpoints/best.safetensors + best.json       the weights with the best validation rSum
The training state holds only tensors and plain containers and is read with `torch.load(weights_only=True)`.
Every file is written to a temporary name and renamed, so a SIGKILL at any moment leaves the previous checkpoint
intact; the state records the sha256 of its weights, so a state and weights from different moments are never
paired."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from sgfns.checkpoint import CKPT_DIR, load_weights, save_weights, sha256_file  # noqa: F401  (the run-folder API)
from sgfns.errors import UserError
from sgfns.io import atomic_save, write_json
from sgfns.models.base import Matcher


def save_state(path: str | Path, state: dict[str, Any]) -> None:
    atomic_save(path, lambda tmp: torch.save(state, tmp))


def load_state(path: str | Path) -> dict[str, Any]:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise UserError(f"{path}: unreadable training state ({e})") from None


def write_model_json(run_dir: Path, model: Matcher) -> None:
    write_json(run_dir / "model.json", {"name": model.name, "options": dict(model.config)})
