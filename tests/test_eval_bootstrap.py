"""Paired bootstrap over photos and the per-photo rSum shares it resamples."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sgfns.eval.bootstrap import paired_bootstrap, photo_rsum_shares, seed_photo_bootstrap
from sgfns.eval.recall import recall_metrics


def test_photo_shares_average_to_rsum():
    g = torch.Generator().manual_seed(0)
    n, k = 12, 5
    sim = torch.randn(n, n * k, generator=g)
    pos = torch.zeros(n, n * k, dtype=torch.bool)
    for i in range(n):
        pos[i, i * k : (i + 1) * k] = True
    sim = sim + 1.5 * pos  # better than chance, not perfect
    shares = photo_rsum_shares(sim, pos)
    assert shares.shape == (n,)
    assert shares.mean() == pytest.approx(recall_metrics(sim, pos)["rsum"], abs=1e-6)


def test_identical_models_tie_and_a_clear_gap_excludes_zero():
    rng = np.random.default_rng(1)
    a = rng.normal(50, 10, size=200)
    tie = paired_bootstrap(a, a + rng.normal(0, 1, size=200), n_boot=2000)
    assert tie["low"] < 0 < tie["high"]
    gap = paired_bootstrap(a + 5, a, n_boot=2000)
    assert gap["diff"] == pytest.approx(5.0) and gap["low"] > 0


def test_grouped_items_resample_whole_photos():
    """Pairs grouped by photo: the difference is wins over pairs, and the interval is wider than if every pair were
    an independent photo (pairs of one photo move together)."""
    photos = np.repeat(np.arange(30), 4)
    rng = np.random.default_rng(2)
    per_photo = rng.random(30) < 0.5
    a = np.repeat(per_photo, 4).astype(float)  # all four pairs of a photo right or wrong together
    b = np.full(a.size, 0.5)
    grouped = paired_bootstrap(a, b, photos, n_boot=4000)
    flat = paired_bootstrap(a, b, None, n_boot=4000)
    assert grouped["diff"] == pytest.approx(a.mean() - 0.5)
    assert grouped["n_groups"] == 30 and flat["n_groups"] == 120
    assert (grouped["high"] - grouped["low"]) > 1.5 * (flat["high"] - flat["low"])


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        paired_bootstrap([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        paired_bootstrap([], [])


def test_redrawn_seeds_make_training_noise_a_tie():
    """Two 'models' that differ only by which three of six runs of one model they got: the photo bootstrap of the
    seed means calls the gap real (the runs are held fixed); redrawing the runs as well calls it a tie."""
    rng = np.random.default_rng(3)
    photos = np.repeat(np.arange(80), 2)
    skill = rng.normal(0, 1, size=6)  # each run's own luck, shared by all its pairs
    runs = (rng.random((6, photos.size)) < 0.6 + 0.04 * skill[:, None]).astype(float)
    order = np.argsort(skill)
    lucky, unlucky = runs[order[3:]], runs[order[:3]]
    held = paired_bootstrap(lucky.mean(0), unlucky.mean(0), photos, n_boot=4000)
    both = seed_photo_bootstrap(lucky, unlucky, photos, n_boot=4000)
    assert both["diff"] == pytest.approx(held["diff"])
    assert held["low"] > 0  # the fixed runs differ everywhere, so the photos alone see a gap
    assert both["low"] < 0 < both["high"] and both["n_seeds"] == [3, 3]


def test_redrawn_seeds_keep_a_real_gap_and_one_run_adds_no_spread():
    rng = np.random.default_rng(4)
    base = rng.normal(50, 10, size=(3, 150))
    better = base + 8 + rng.normal(0, 0.5, size=(3, 150))
    r = seed_photo_bootstrap(better, base, n_boot=3000)
    assert r["diff"] == pytest.approx(float((better - base).mean())) and r["low"] > 0
    one = seed_photo_bootstrap(better[:1], base[:1], n_boot=3000, seed=5)
    flat = paired_bootstrap(better[0], base[0], n_boot=3000, seed=5)
    assert (one["low"], one["high"]) == pytest.approx((flat["low"], flat["high"]), abs=1.0)
    with pytest.raises(ValueError):
        seed_photo_bootstrap(np.zeros((2, 5)), np.zeros((2, 4)))
