"""Compositional (fine-grained) accuracy from the suites (docs/data_formats.md#3-evaluation-suites).

- Caption side, `{split}_compositional.jsonl`: an item is right when S(I, T) > S(I, T-) (the true caption beats
  its minimally edited negative on the same image); a tie counts one half.
- Image side, `{split}_twins.jsonl`: right when S(I, T) > S(twin, T) (the caption prefers its image over a
  near-duplicate it is false of); a tie counts one half.

Accuracies are percentages per category; `mean` is the unweighted mean over the caption categories present (not
the twins). The functions here take scores, not models: the caller computes S with whatever model it evaluates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sgfns.data.suites import CompositionalItem, TwinItem, read_compositional, read_twins

#: report order of the caption categories (docs/evaluation.md#compositional-accuracy); unknown categories follow, sorted
CATEGORIES = ("replace-obj", "replace-att", "replace-rel", "swap-att", "swap-obj", "count", "add-obj", "add-att")


def pairwise_accuracy(pos, neg) -> float:
    """Percent of items with pos > neg; a tie counts one half. NaN scores count as wrong."""
    pos = np.asarray(pos, dtype=np.float64)
    neg = np.asarray(neg, dtype=np.float64)
    if pos.shape != neg.shape or pos.ndim != 1:
        raise ValueError(f"score arrays must be 1-D and equal in length, got {pos.shape} and {neg.shape}")
    if pos.size == 0:
        raise ValueError("no items")
    win = (pos > neg).astype(np.float64) + 0.5 * (pos == neg)
    return 100.0 * float(win.mean())


def order_categories(cats) -> list[str]:
    known = [c for c in CATEGORIES if c in cats]
    return known + sorted(c for c in cats if c not in CATEGORIES)


def accuracy_by_category(categories: Sequence[str], pos, neg) -> dict[str, float]:
    """Per-category percent accuracy, in report order."""
    pos = np.asarray(pos, dtype=np.float64)
    neg = np.asarray(neg, dtype=np.float64)
    cats = np.asarray(list(categories), dtype=object)
    if len(cats) != len(pos):
        raise ValueError(f"{len(cats)} categories for {len(pos)} scores")
    return {c: pairwise_accuracy(pos[cats == c], neg[cats == c]) for c in order_categories(set(cats.tolist()))}


def compositional_block(
    caption_items: Sequence[CompositionalItem] | None,
    caption_pos=None,
    caption_neg=None,
    twin_pos=None,
    twin_neg=None,
) -> dict[str, float] | None:
    """The JSON block (docs/evaluation.md#sgfns-eval): per-category accuracy, `twins`, and `mean` over caption
    categories present.

    Returns None when there is nothing to report (no suites)."""
    out: dict[str, float] = {}
    if caption_items:
        out.update(accuracy_by_category([it.category for it in caption_items], caption_pos, caption_neg))
    cat_values = list(out.values())
    if twin_pos is not None and len(twin_pos):
        out["twins"] = pairwise_accuracy(twin_pos, twin_neg)
    if not out:
        return None
    if cat_values:
        out["mean"] = float(np.mean(cat_values))
    return out


def twin_scores(sim, twins: Sequence[TwinItem]) -> tuple[np.ndarray, np.ndarray]:
    """S(image, caption) and S(twin, caption) for every twin item, read from the full similarity matrix."""
    sim = np.asarray(sim.detach().cpu() if hasattr(sim, "detach") else sim)
    c = np.array([t.caption_index for t in twins], dtype=np.int64)
    i = np.array([t.image for t in twins], dtype=np.int64)
    w = np.array([t.twin for t in twins], dtype=np.int64)
    return sim[i, c], sim[w, c]


def load_split_suites(split) -> tuple[list | None, list | None]:
    """(caption-side items, twin items) of a loaded `Split`, each None when its file is absent.

    Uses the data package's suite readers, which also check that a twin is a false image of the caption."""
    comp_path = Path(split.root) / f"{split.name}_compositional.jsonl"
    twin_path = Path(split.root) / f"{split.name}_twins.jsonl"
    comp = read_compositional(comp_path, split) if comp_path.exists() else None
    twins = read_twins(twin_path, split) if twin_path.exists() else None
    return comp, twins
