"""Trained runs as the library reads them: `load_model(run_dir)` and the safetensors weight files.

A run folder (written by `sgfns train`) is self-describing, as open_clip's model folders are:
    model.json             model name and options        vocab.json     tokenizer name/version + vocabulary
    config.yaml            the resolved training config  versions.json  sgfns/torch versions, caption-graph source
    checkpoints/best.safetensors (+ best.json), last.safetensors (+ last.state.pt, training state)
Weights are safetensors only, so loading a run never unpickles anything; a weight file is identified by its sha256
(evaluations, indexes and the training state record it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from sgfns.errors import UserError
from sgfns.io import atomic_save, read_json, sha256_file
from sgfns.models import create_model
from sgfns.models.base import Matcher
from sgfns.text import TextProcessor

CKPT_DIR = "checkpoints"


def save_weights(model: Matcher, path: str | Path) -> str:
    """Atomically write the model's weights (safetensors); returns their sha256."""
    state = {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}
    atomic_save(path, lambda tmp: save_file(state, tmp, metadata={"model": getattr(model, "name", "")}))
    return sha256_file(path)


def load_weights(model: Matcher, path: str | Path) -> str:
    """Load safetensors weights into `model` (every tensor must fit); returns the file's sha256."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: checkpoint not found")
    try:
        state = load_file(str(path))
    except Exception as e:  # safetensors raises its own error types on a corrupt file
        raise UserError(f"{path}: not a readable safetensors file ({e})") from None
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    reshaped = [k for k in state if k in own and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or reshaped:  # another model's weights, or this model with other sizes
        detail = [f"{len(missing)} missing" if missing else "", f"{len(unexpected)} unexpected" if unexpected else ""]
        if reshaped:
            k = reshaped[0]
            detail.append(f"{len(reshaped)} of other shapes, e.g. {k} {list(state[k].shape)} vs {list(own[k].shape)}")
        saved = _saved_model_name(path)
        raise UserError(
            f"{path}: weights{f' of model {saved!r}' if saved else ''} do not fit model {model.name!r} of model.json "
            f"({', '.join(d for d in detail if d)} tensors); use the checkpoints this run wrote"
        )
    model.load_state_dict(state)
    return sha256_file(path)


def _saved_model_name(path: Path) -> str:
    """The model name `save_weights` recorded in the file's metadata ("" when absent)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return (f.metadata() or {}).get("model", "")
    except Exception:  # already read once; a metadata problem only loses the name from the message
        return ""


def build_from_run(run_dir: Path) -> tuple[Matcher, TextProcessor, dict[str, Any]]:
    """The untrained model a run folder describes (model.json + vocab.json), with its text processor attached."""
    mj = read_json(run_dir / "model.json")
    if not isinstance(mj, dict) or "name" not in mj:
        raise UserError(f"{run_dir / 'model.json'}: expected {{'name': ..., 'options': {{...}}}}")
    tp = TextProcessor.load(run_dir / "vocab.json")
    model = create_model(mj["name"], **mj.get("options", {}))
    model.text_processor = tp
    return model, tp, mj


def resolve_checkpoint(run_dir: Path, which: str = "best") -> Path:
    """`best` falls back to `last` (a run stopped before its first validation); any other name must exist."""
    ck = run_dir / CKPT_DIR
    for name in [which] if which != "best" else ["best", "last"]:
        p = ck / f"{name}.safetensors"
        if p.exists():
            return p
    raise UserError(f"{run_dir}: no checkpoint ({ck}/{which}.safetensors); was the run trained?")


@dataclass
class RunInfo:
    """Where a loaded model came from. `config` is the resolved training config (config.yaml) plus `run_dir`,
    `model_json`, `checkpoint` and `versions` (versions.json)."""

    run_dir: Path
    checkpoint: Path
    checkpoint_sha256: str
    config: dict[str, Any] = field(default_factory=dict)


def read_run_config(run_dir: Path, mj: dict[str, Any], checkpoint: Path) -> dict[str, Any]:
    import yaml

    cfg: dict[str, Any] = {}
    if (run_dir / "config.yaml").exists():
        try:
            cfg = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise UserError(f"{run_dir / 'config.yaml'}: not valid YAML ({e})") from None
        if not isinstance(cfg, dict):
            raise UserError(f"{run_dir / 'config.yaml'}: expected a mapping")
    cfg["run_dir"] = str(run_dir)
    cfg["model_json"] = mj
    cfg["checkpoint"] = str(checkpoint)
    cfg["versions"] = read_json(run_dir / "versions.json") if (run_dir / "versions.json").exists() else {}
    return cfg


def load_model(run_dir: str | Path, checkpoint: str = "best", device: str | torch.device = "cpu") -> Matcher:
    """The trained matcher of a run folder, in eval mode on `device`.

    The returned model carries `text_processor` (captions -> ids), `parser` (the caption parser, loaded on first
    use) and `run` (a `RunInfo`: the run's config, the checkpoint file and its sha256). Score pairs with
    `matcher.similarity_pairs(...)`, evaluate with `sgfns.eval.evaluate(matcher, data, split, protocol)`."""
    from sgfns.graphs.lazy import LazyParser

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: run folder not found")
    if not (run_dir / "model.json").exists():
        raise UserError(f"{run_dir}: not a run folder (no model.json)")
    model, _, mj = build_from_run(run_dir)
    path = resolve_checkpoint(run_dir, checkpoint)
    sha = load_weights(model, path)
    model.to(device).eval()
    model.run = RunInfo(run_dir, path, sha, read_run_config(run_dir, mj, path))
    model.parser = LazyParser()
    return model
