"""Compositional accuracy: pairwise wins with half-credit ties, per category, twins, and the suite readers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sgfns.errors import UserError
from sgfns.eval.compositional import (
    CompositionalItem,
    _read_compositional,
    _read_twins,
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
    assert list(block) == ["replace-obj", "swap-att", "count", "twins", "mean"]  # DESIGN order
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


def test_private_readers_check_indices_and_caption_text(tmp_path):
    caps = ["a red cube", "a blue ball"]
    p = tmp_path / "test_compositional.jsonl"
    rec = {
        "image": 0,
        "caption_index": 1,
        "caption": "a blue ball",
        "negative": "a red ball",
        "category": "replace-att",
    }
    p.write_text(json.dumps(rec) + "\n")
    assert _read_compositional(p, 2, caps)[0].negative == "a red ball"
    p.write_text(json.dumps({**rec, "caption": "a green ball"}) + "\n")
    with pytest.raises(UserError, match=r"test_compositional.jsonl:1: 'caption' differs"):
        _read_compositional(p, 2, caps)
    p.write_text(json.dumps({**rec, "image": 5}) + "\n")
    with pytest.raises(UserError, match=r":1: 'image' 5 out of range"):
        _read_compositional(p, 2, caps)
    t = tmp_path / "test_twins.jsonl"
    t.write_text('{"caption_index": 0, "image": 0, "twin": 1}\n{"caption_index": 0, "image": 0, "twin": 0}\n')
    with pytest.raises(UserError, match=r"test_twins.jsonl:2: 'twin' is the same image"):
        _read_twins(t, 2, 2)
