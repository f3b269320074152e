"""Paired bootstrap over photos: is model A better than model B on the same test photos, or is it a tie?

Every figure compared here is a ratio of sums over photos — rSum is a mean over photos of each photo's share
(`photo_rsum_shares`: its image-to-text hits plus the mean text-to-image hits of its captions, in percent), and a
two-way accuracy is wins over pairs, grouped by the pair's photo. Resampling photos with replacement, with both
models scored on the same resample, gives the distribution of the difference; its 2.5 and 97.5 percentiles are
the 95 % interval. An interval that contains 0 is a tie.

That interval holds the seeds fixed: it says how far the same trained models would move on other photos, not how far
other training runs would. `seed_photo_bootstrap` also redraws each model's seeds (with replacement) in every
resample, so a difference that three seeds of training noise could make is a tie there too."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sgfns.eval.recall import KS, i2t_ranks, t2i_ranks


def photo_rsum_shares(sim, positives) -> np.ndarray:
    """[n_images] each photo's share of rSum (their mean is the rSum of `sim`), with every caption true of exactly
    one photo: 100 × (Σ_k [i2t rank ≤ k] + Σ_k mean over its captions of [t2i rank ≤ k]), k in 1, 5, 10."""
    pos = np.asarray(positives, dtype=bool)
    if (pos.sum(0) != 1).any():
        raise ValueError("photo_rsum_shares needs every caption to be true of exactly one photo")
    ri = np.asarray(i2t_ranks(sim, pos))
    rt = np.asarray(t2i_ranks(sim, pos))
    owner = pos.argmax(0)
    n = pos.shape[0]
    per_caps = np.bincount(owner, minlength=n).astype(np.float64)
    share = np.zeros(n)
    for k in KS:
        share += ri <= k
        share += np.bincount(owner, weights=(rt <= k).astype(np.float64), minlength=n) / per_caps
    return 100.0 * share


def _groups(groups: Sequence | None, n_items: int) -> np.ndarray:
    if groups is None:
        return np.arange(n_items)
    _, gid = np.unique(np.asarray(groups), return_inverse=True)
    if gid.size != n_items:
        raise ValueError(f"{gid.size} groups for {n_items} items")
    return gid


def _interval(diffs: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2
    low, high = np.quantile(diffs, [tail, 1.0 - tail])
    return float(low), float(high)


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], groups: Sequence | None = None, *, n_boot: int = 10_000,
    seed: int = 0, level: float = 0.95,
) -> dict[str, float]:  # fmt: skip
    """Difference mean(a) − mean(b) over items scored by both models, and its bootstrap interval over `groups`.

    `a`, `b`: one value per item (a photo's rSum share, or a pair's win 1 / tie 0.5 / loss 0); `groups`: the photo
    of each item (None: each item its own photo). Returns `diff`, `low`, `high`, `n_groups`, `n_boot`."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(f"paired values must be 1-D, non-empty and equal in length, got {a.shape} and {b.shape}")
    gid = _groups(groups, a.size)
    n_g = int(gid.max()) + 1
    d_sum = np.bincount(gid, weights=a - b, minlength=n_g)
    count = np.bincount(gid, minlength=n_g).astype(np.float64)
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for s in range(0, n_boot, 1000):  # draws in blocks of 1,000 resamples: bounded memory
        m = min(1000, n_boot - s)
        idx = rng.integers(0, n_g, size=(m, n_g))
        diffs[s : s + m] = d_sum[idx].sum(1) / count[idx].sum(1)
    low, high = _interval(diffs, level)
    return {"diff": float(d_sum.sum() / count.sum()), "low": low, "high": high, "n_groups": n_g, "n_boot": n_boot}


def seed_photo_bootstrap(
    a: np.ndarray, b: np.ndarray, groups: Sequence | None = None, *, n_boot: int = 10_000, seed: int = 0,
    level: float = 0.95,
) -> dict[str, float]:  # fmt: skip
    """`paired_bootstrap` of seed-averaged values whose resamples also redraw each model's seeds.

    `a` [seeds of A, items], `b` [seeds of B, items]: one row per trained run. Every resample draws the photos (as
    `paired_bootstrap`) and, independently, as many rows of `a` and of `b` as each has, with replacement; the
    difference is that of the drawn runs' means on the drawn photos. A model of one run adds no seed spread.
    Returns `diff` (that of the seed means, as `paired_bootstrap` gives it), `low`, `high`, `n_groups`, `n_seeds`
    ([A, B]) and `n_boot`."""
    a, b = np.atleast_2d(np.asarray(a, dtype=np.float64)), np.atleast_2d(np.asarray(b, dtype=np.float64))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or a.size == 0 or b.size == 0:
        raise ValueError(f"runs × items arrays with equal item counts expected, got {a.shape} and {b.shape}")
    gid = _groups(groups, a.shape[1])
    n_g = int(gid.max()) + 1
    count = np.bincount(gid, minlength=n_g).astype(np.float64)
    sums = [np.stack([np.bincount(gid, weights=row, minlength=n_g) for row in x]) for x in (a, b)]  # [runs, groups]
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for s in range(0, n_boot, 1000):
        m = min(1000, n_boot - s)
        idx = rng.integers(0, n_g, size=(m, n_g))
        drawn = []
        for x in sums:  # each model: the mean of its drawn runs, per group, then over the drawn groups
            runs = rng.integers(0, x.shape[0], size=(m, x.shape[0]))
            per_group = x[runs].mean(1)  # [m, groups]
            drawn.append(np.take_along_axis(per_group, idx, 1).sum(1))
        diffs[s : s + m] = (drawn[0] - drawn[1]) / count[idx].sum(1)
    low, high = _interval(diffs, level)
    diff = float((sums[0].mean(0).sum() - sums[1].mean(0).sum()) / count.sum())
    return {"diff": diff, "low": low, "high": high, "n_groups": n_g, "n_seeds": [a.shape[0], b.shape[0]],
            "n_boot": n_boot}  # fmt: skip
