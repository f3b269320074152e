"""What an evaluation record says about the run it came from: a short id of the recipe (runs that differ only in
seed share it, so `sgfns report` groups them) and the versions that produced the numbers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: config keys that do not change the model a run learns (seed, paths, device, logging)
NOT_RECIPE = {"seed", "device", "threads", "progress", "log_every", "eval_batch_size", "run_dir", "checkpoint",
              "versions", "model_json", "deterministic"}  # fmt: skip


def config_id(cfg: dict[str, Any]) -> str:
    """Short hash of a run's resolved config without the keys in `NOT_RECIPE`."""
    clean = {k: v for k, v in cfg.items() if k not in NOT_RECIPE}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()[:12]


def versions(run_config: dict[str, Any]) -> dict[str, str]:
    """sgfns and torch versions of this evaluation, and the parser the run's caption graphs came from."""
    import torch

    from sgfns import __version__

    run_versions = run_config.get("versions") or {}
    out = {"sgfns": __version__, "torch": torch.__version__}
    parser = run_versions.get("parser") or run_versions.get("caption_graphs")
    if parser:
        out["parser"] = str(parser)
    return out
