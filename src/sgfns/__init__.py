"""SGFNS: image-text matching with scene graphs (library).

    import sgfns
    matcher = sgfns.load_model("runs/sgfns")                 # a run folder written by `sgfns train`
    out = matcher.similarity_pairs(["0"], ["a red car left of a tree"], data="WORLD", split="test")
    rec = sgfns.eval.evaluate(matcher, "WORLD", split="test", protocol="full")

`load_model`, `create_model`, `list_models` and the subpackages are imported on first use, so `import sgfns` stays
cheap for commands that never touch a model. The library never imports the application package (`sgfns_app`)."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_model": ("sgfns.checkpoint", "load_model"),
    "create_model": ("sgfns.models", "create_model"),
    "list_models": ("sgfns.models", "list_models"),
    "PairScores": ("sgfns.models.scoring", "PairScores"),
}
_SUBPACKAGES = {"data", "eval", "graphs", "index", "losses", "models", "negatives", "text"}

__all__ = ["__version__", *_LAZY, *sorted(_SUBPACKAGES)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    if name in _SUBPACKAGES:
        return importlib.import_module(f"sgfns.{name}")
    raise AttributeError(f"module 'sgfns' has no attribute {name!r}")
