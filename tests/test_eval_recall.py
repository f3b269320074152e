"""Recall, ranks and protocols against a brute-force pure-Python reference on random matrices."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
import torch

from sgfns.errors import UserError
from sgfns.eval.protocols import evaluate, fold_indices, get_protocol
from sgfns.eval.recall import i2t_ranks, recall_metrics, t2i_ranks


def brute_rank(scores: list[float], positive: list[bool]) -> int:
    """1 + number of non-positives scoring >= the best positive (docs/evaluation.md#ranks-and-recalls), written as
    plainly as possible."""
    best = max(s for s, p in zip(scores, positive, strict=True) if p)
    return 1 + sum(1 for s, p in zip(scores, positive, strict=True) if not p and s >= best)


def brute_metrics(sim: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    n_i, n_c = sim.shape
    r_i2t = [brute_rank(list(sim[i]), list(mask[i])) for i in range(n_i)]
    r_t2i = [brute_rank(list(sim[:, c]), list(mask[:, c])) for c in range(n_c)]
    m = {}
    for name, ranks in (("i2t", r_i2t), ("t2i", r_t2i)):
        for k in (1, 5, 10):
            m[f"{name}_r{k}"] = 100.0 * sum(r <= k for r in ranks) / len(ranks)
        m[f"{name}_medr"] = statistics.median(ranks)
    m["rsum"] = sum(m[f"{d}_r{k}"] for d in ("i2t", "t2i") for k in (1, 5, 10))
    return m


def own_image_mask(caps_per_image: list[int]) -> tuple[np.ndarray, np.ndarray]:
    owner = np.repeat(np.arange(len(caps_per_image)), caps_per_image)
    mask = np.zeros((len(caps_per_image), len(owner)), dtype=bool)
    mask[owner, np.arange(len(owner))] = True
    return mask, owner


def assert_metrics_equal(got: dict, want: dict) -> None:
    assert set(want) <= set(got)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=1e-9), k


@pytest.mark.parametrize("seed", range(6))
def test_random_matrices_with_ties_multiple_positives_and_unequal_captions(seed):
    rng = np.random.default_rng(seed)
    n_img = int(rng.integers(5, 30))
    caps = list(rng.integers(1, 7, size=n_img))  # unequal captions per image
    mask, owner = own_image_mask(caps)
    # captions true of other images too
    for c in rng.choice(len(owner), size=len(owner) // 3, replace=False):
        mask[rng.choice(n_img, size=int(rng.integers(1, 3)), replace=False), c] = True
    # coarse values -> many exact ties, including ties between positives and negatives
    sim = rng.integers(0, 4, size=mask.shape).astype(np.float32) / 4
    want = brute_metrics(sim, mask)
    got = recall_metrics(sim, mask, chunk_elements=37)  # tiny chunks exercise the chunking
    assert_metrics_equal(got, want)
    assert_metrics_equal(recall_metrics(torch.from_numpy(sim), torch.from_numpy(mask)), want)


def test_ranks_match_brute_force_elementwise():
    rng = np.random.default_rng(7)
    mask, _ = own_image_mask([5] * 12)
    sim = rng.normal(size=mask.shape).round(1)
    r = i2t_ranks(sim, mask).tolist()
    assert r == [brute_rank(list(sim[i]), list(mask[i])) for i in range(12)]
    r = t2i_ranks(sim, mask).tolist()
    assert r == [brute_rank(list(sim[:, c]), list(mask[:, c])) for c in range(60)]


def test_constant_matrix_scores_chance_not_perfect():
    mask, owner = own_image_mask([5] * 100)
    sim = np.zeros(mask.shape, dtype=np.float32)
    m = recall_metrics(sim, mask)
    # every non-positive ties with the best positive: pessimistic rank = #non-positives + 1
    assert m["i2t_r1"] == 0.0 and m["t2i_r10"] == 0.0 and m["rsum"] == 0.0
    assert m["i2t_medr"] == 500 - 5 + 1
    assert m["t2i_medr"] == 100
    # a random matrix is near chance too: R@10 over 100 images ~ 10%
    sim = np.random.default_rng(0).normal(size=mask.shape)
    assert recall_metrics(sim, mask)["t2i_r10"] < 20


def test_perfect_matrix_scores_600():
    mask, _ = own_image_mask([5] * 20)
    m = recall_metrics(mask.astype(np.float32), mask)
    assert m["rsum"] == 600.0 and m["i2t_medr"] == 1 and m["t2i_medr"] == 1


def test_i2t_uses_best_positive_caption():
    # image 0 has captions 0,1; caption 1 is top-1, caption 0 is last: i2t rank 1
    sim = np.array([[0.0, 0.9, 0.5, 0.4], [0.2, 0.1, 0.8, 0.7]])
    mask, _ = own_image_mask([2, 2])
    assert i2t_ranks(sim, mask).tolist() == [1, 1]
    assert t2i_ranks(sim, mask).tolist() == [2, 1, 1, 1]


def test_query_without_positive_is_an_error_and_nan_is_rejected():
    mask = np.zeros((2, 3), dtype=bool)
    mask[0, :] = True
    with pytest.raises(ValueError, match="no positive"):
        recall_metrics(np.zeros((2, 3)), mask)
    mask, _ = own_image_mask([1, 1])
    sim = np.array([[0.1, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match="NaN"):
        recall_metrics(sim, mask)


@pytest.mark.parametrize("seed", range(3))
def test_five_fold_protocol_is_average_of_brute_force_folds(seed):
    rng = np.random.default_rng(100 + seed)
    # scaled-down coco-1k-5fold: same code path with a custom-size protocol
    from sgfns.eval.protocols import Protocol

    proto = Protocol("mini-5fold", 50, 250, 5)
    mask, owner = own_image_mask([5] * 50)
    for c in rng.choice(250, size=40, replace=False):  # extra positives, some in other folds
        mask[rng.integers(0, 50), c] = True
    sim = rng.integers(0, 6, size=mask.shape) / 6.0
    res = evaluate(sim, mask, owner, proto)
    folds = []
    for f in range(5):
        ii = np.arange(f * 10, f * 10 + 10)
        cc = np.arange(f * 50, f * 50 + 50)
        folds.append(brute_metrics(sim[np.ix_(ii, cc)], mask[np.ix_(ii, cc)]))
    for k in ("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10", "i2t_medr", "t2i_medr"):
        assert res.metrics[k] == pytest.approx(sum(f[k] for f in folds) / 5), k
    # rSum of the averages
    six = ("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10")
    assert res.metrics["rsum"] == pytest.approx(sum(res.metrics[k] for k in six))
    assert res.metrics["rsum"] == pytest.approx(sum(f["rsum"] for f in folds) / 5)
    assert len(res.folds) == 5
    # and differs from evaluating all 50 images in one block
    assert res.metrics != evaluate(sim, mask, owner, "full").metrics


def test_fold_membership_follows_caption_owner_not_position():
    owner = np.array([0, 0, 1, 2, 2, 2, 3])  # unequal captions per image
    folds = fold_indices(4, owner, 2)
    assert [c.tolist() for _, c in folds] == [[0, 1, 2], [3, 4, 5, 6]]


def test_named_protocols_check_counts():
    mask, owner = own_image_mask([5] * 10)
    sim = np.zeros(mask.shape)
    for name in ("f30k-1k", "coco-1k-5fold", "coco-5k"):
        with pytest.raises(UserError, match=f"protocol '{name}'.*10 images \\(expected"):
            evaluate(sim, mask, owner, name)
    with pytest.raises(UserError, match="unknown protocol"):
        get_protocol("f30k")
    assert evaluate(sim, mask, owner, "full").n_images == 10


def test_coco_5fold_folds_are_1000_images_and_their_5000_captions():
    owner = np.repeat(np.arange(5000), 5)
    proto = get_protocol("coco-1k-5fold")
    folds = fold_indices(proto.n_images, owner, proto.folds)
    assert [(len(i), len(c)) for i, c in folds] == [(1000, 5000)] * 5
    assert folds[3][0][0] == 3000 and folds[3][1][0] == 15000
