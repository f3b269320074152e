"""What each model reads from a split, so a split that lacks it is refused instead of being filled with nulls.

A graph model given a split without its image graphs still runs: every image gets empty object and relation sets
and the score rests on what is left, so evaluation prints a plausible but wrong rSum. Caption graphs are never
missing in this sense: the parser makes them from the captions."""

from __future__ import annotations

from typing import Any

from sgfns.errors import UserError
from sgfns.models.base import Matcher
from sgfns.models.registry import model_class

INPUTS = {"features": "{split}_ims.npy (the split is graphs-only)", "image_graphs": "{split}_image_sg.jsonl"}


def required_inputs(name: str | Matcher) -> list[str]:
    """The split inputs a model (by name, or a built one) needs: "features", "image_graphs" (visual graphs)."""
    cls = model_class(name) if isinstance(name, str) else name
    need = []
    if getattr(cls, "needs_features", True):
        need.append("features")
    if getattr(cls, "needs_image_graphs", False):
        need.append("image_graphs")
    return need


def missing_inputs(name: str | Matcher, split: Any) -> list[str]:
    """File names of the inputs model `name` needs that `split` lacks (a `Split`, or `data check`'s summary of
    one: anything with `name`, `graphs_only` and `image_graphs`); [] when the model can use the split."""
    have = {"features": not split.graphs_only, "image_graphs": split.image_graphs is not None}
    return [INPUTS[k].format(split=split.name) for k in required_inputs(name) if not have[k]]


def check_split_inputs(name: str | Matcher, split: Any, what: str) -> None:
    """UserError naming the missing files when model `name` cannot use `split` for `what` (e.g. "training")."""
    missing = missing_inputs(name, split)
    name = name if isinstance(name, str) else getattr(name, "name", type(name).__name__)
    if missing:
        raise UserError(
            f"{split.root}: split '{split.name}' has no {' and no '.join(missing)}; {what} {name} needs "
            f"{'them' if len(missing) > 1 else 'it'} (`sgfns data check {split.root}` lists the models it suits)"
        )
