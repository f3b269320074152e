"""scripts/photos_results.py's per-rule summary: each rule's pairs, all rules pooled, and each seed's accuracy."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import photos_results  # noqa: E402


def test_summary_pools_all_rules_and_keeps_each_seed():
    rules = np.array(["count", "swap-att", "count", "swap-att", "swap-att"])
    groups = photos_results.rule_groups(rules)
    assert list(groups) == ["count", "swap-att", "all"]
    positives = np.eye(2, dtype=bool)
    sims = [torch.eye(2), torch.eye(2)]
    margins = [np.array([1.0, -1.0, 1.0, 0.0, 1.0]), np.array([-1.0, -1.0, 1.0, 1.0, 1.0])]
    neg = photos_results.summarise(sims, margins, positives, groups)["negatives"]
    assert neg["count"]["per_seed"] == [100.0, 50.0] and neg["count"]["mean"] == 75.0 and neg["count"]["pairs"] == 2
    assert neg["swap-att"]["per_seed"] == pytest.approx([50.0, 200 / 3])  # a tie (margin 0) counts half
    assert neg["all"]["per_seed"] == [70.0, 60.0] and neg["all"]["pairs"] == 5 and neg["all"]["sd"] == 5.0
