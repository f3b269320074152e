"""The one seeding helper: Python, NumPy and PyTorch from one integer."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, deterministic: bool = False) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard dependency, but keep graphs-only tools importable
        return
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)


def worker_seed(base_seed: int, worker_id: int, rank: int = 0) -> int:
    """Distinct, reproducible seed for a data-loader worker on a given rank."""
    return (base_seed * 1_000_003 + rank * 1_009 + worker_id) % (2**31)
