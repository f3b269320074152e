"""Compositional accuracy: pairwise wins with half-credit ties, per category, twins, and the suite readers."""

from __future__ import annotations

import numpy as np
import pytest

from sgfns.eval.compositional import (
    CompositionalItem,
    accuracy_by_category,
    compositional_block,
    pairwise_accuracy,
    twin_scores,
)


def test_ties_count_half_and_order_matters():
    assert pairwise_accuracy([1.0, 1.0, 0.0, 2.0], [0.0, 1.0, 1.0, 2.0]) == pytest.approx(50.0)
    assert pairwise_accuracy([0.3], [0.1]) == 100.0
    assert pairwise_accuracy([0.1], [0.3]) == 0.0
    # a constant model is at chance, never perfect
    assert pairwise_accuracy(np.zeros(7), np.zeros(7)) == 50.0


def test_per_category_mean_is_over_caption_categories_present_not_twins():
    items = [
        CompositionalItem(0, 0, "a", "b", "swap-att"),
        CompositionalItem(0, 1, "a", "b", "replace-obj"),
        CompositionalItem(1, 2, "a", "b", "replace-obj"),
        CompositionalItem(1, 3, "a", "b", "count"),
    ]
    block = compositional_block(items, [1, 1, 0, 5], [0, 0, 1, 5], twin_pos=[1.0, 0.0], twin_neg=[0.0, 0.0])
    assert list(block) == ["replace-obj", "swap-att", "count", "twins", "mean"]  # report order (CATEGORIES)
    assert block["replace-obj"] == 50.0 and block["swap-att"] == 100.0 and block["count"] == 50.0
    assert block["twins"] == 75.0
    assert block["mean"] == pytest.approx((50 + 100 + 50) / 3)  # macro mean, twins excluded
    assert compositional_block(None) is None
    assert "mean" not in compositional_block(None, twin_pos=[1.0], twin_neg=[0.0])


def test_accuracy_by_category_is_per_category_not_pooled():
    got = accuracy_by_category(["count"] * 9 + ["add-att"], [1] * 9 + [0], [0] * 9 + [1])
    assert got == {"count": 100.0, "add-att": 0.0}


def test_twin_scores_read_the_right_cells():
    sim = np.arange(12, dtype=float).reshape(3, 4)  # [images, captions]
    from sgfns.eval.compositional import TwinItem

    pos, neg = twin_scores(sim, [TwinItem(caption_index=3, image=1, twin=2)])
    assert pos.tolist() == [7.0] and neg.tolist() == [11.0]
