"""Retrieval ranks and Recall@K from a similarity matrix and an explicit positive mask
(docs/evaluation.md#ranks-and-recalls).

Everything takes `sim` [n_images, n_captions] and a boolean `positives` mask of the same shape, true where the
caption is true of the image (CLIP_benchmark's convention). The mask is the only source of truth: no counts are
inferred from array lengths, so unequal captions per image and captions true of several images just work.

Ranks are *pessimistic* and 1-based: the rank of a query is 1 + the number of non-positive candidates whose score
is >= the query's best positive score. A tie therefore counts against the model, and a constant matrix scores
chance (rank = number of non-positives + 1), never perfect. Image-to-text uses each image's best positive caption;
text-to-image runs over every caption.

The computation is vectorised torch over row chunks, so 5,000 x 25,000 (COCO 5K) needs a few hundred MB of
scratch at most."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

KS = (1, 5, 10)
#: the six recalls whose sum is rSum, in report order
RECALL_KEYS = ("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10")
CHUNK_ELEMENTS = 1 << 24  # elements of the [chunk, n_candidates] scratch matrices


def _as_tensor(x, dtype=None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x.detach()
    else:
        t = torch.as_tensor(np.asarray(x))
    if dtype is not None:
        t = t.to(dtype)
    return t


def _check(sim: torch.Tensor, positives: torch.Tensor) -> None:
    if sim.dim() != 2:
        raise ValueError(f"similarity must be 2-D [n_images, n_captions], got shape {list(sim.shape)}")
    if positives.shape != sim.shape:
        raise ValueError(f"positive mask shape {list(positives.shape)} != similarity shape {list(sim.shape)}")
    if sim.is_floating_point() and not bool(torch.isfinite(sim).all()):
        bad = torch.nonzero(~torch.isfinite(sim))[0].tolist()
        raise ValueError(f"similarity has a NaN or Inf (first at image {bad[0]}, caption {bad[1]})")


def query_ranks(sim: torch.Tensor, positives: torch.Tensor, chunk_elements: int = CHUNK_ELEMENTS) -> torch.Tensor:
    """Pessimistic 1-based rank of every row query over the columns.

    `sim`, `positives`: [n_queries, n_candidates]. A query without any positive raises ValueError (its rank is
    undefined; silently dropping it would inflate recall)."""
    sim = _as_tensor(sim)
    positives = _as_tensor(positives, torch.bool)
    _check(sim, positives)
    n_q, n_c = sim.shape
    no_pos = ~positives.any(dim=1)
    if bool(no_pos.any()):
        q = int(torch.nonzero(no_pos)[0])
        raise ValueError(f"query {q} has no positive candidate ({int(no_pos.sum())} such queries)")
    if not sim.is_floating_point():
        sim = sim.double()
    step = max(1, chunk_elements // max(1, n_c))
    out = torch.empty(n_q, dtype=torch.long)
    neg_inf = torch.tensor(float("-inf"), dtype=sim.dtype)
    for s in range(0, n_q, step):
        block = sim[s : s + step]
        pos = positives[s : s + step]
        best = torch.where(pos, block, neg_inf).amax(dim=1, keepdim=True)
        beaten = (block >= best) & ~pos
        out[s : s + step] = 1 + beaten.sum(dim=1)
    return out


def i2t_ranks(sim, positives, chunk_elements: int = CHUNK_ELEMENTS) -> torch.Tensor:
    """[n_images] rank of each image's best positive caption among all captions."""
    return query_ranks(_as_tensor(sim), _as_tensor(positives, torch.bool), chunk_elements)


def t2i_ranks(sim, positives, chunk_elements: int = CHUNK_ELEMENTS) -> torch.Tensor:
    """[n_captions] rank of each caption's best positive image among all images."""
    return query_ranks(_as_tensor(sim).t(), _as_tensor(positives, torch.bool).t(), chunk_elements)


def _median(ranks: torch.Tensor) -> float | int:
    m = float(np.median(ranks.numpy()))
    return int(m) if m.is_integer() else m


def recall_at(ranks: torch.Tensor, k: int) -> float:
    """Percentage (0-100) of queries whose rank is <= k."""
    if ranks.numel() == 0:
        raise ValueError("no queries")
    return 100.0 * float((ranks <= k).double().mean())


@dataclass
class RetrievalResult:
    """Ranks of one block and the metrics they give."""

    i2t: torch.Tensor  # [n_images] 1-based pessimistic ranks
    t2i: torch.Tensor  # [n_captions]

    def metrics(self) -> dict[str, float]:
        return metrics_from_ranks(self.i2t, self.t2i)


def metrics_from_ranks(i2t: torch.Tensor, t2i: torch.Tensor) -> dict[str, float]:
    """The metric block (docs/evaluation.md#sgfns-eval): six recalls (percent), rSum, and the two median ranks."""
    m: dict[str, float] = {}
    for k in KS:
        m[f"i2t_r{k}"] = recall_at(i2t, k)
    for k in KS:
        m[f"t2i_r{k}"] = recall_at(t2i, k)
    m["rsum"] = sum(m[k] for k in RECALL_KEYS)
    m["i2t_medr"] = _median(i2t)
    m["t2i_medr"] = _median(t2i)
    return m


def retrieval(sim, positives, chunk_elements: int = CHUNK_ELEMENTS) -> RetrievalResult:
    sim = _as_tensor(sim)
    positives = _as_tensor(positives, torch.bool)
    return RetrievalResult(i2t=i2t_ranks(sim, positives, chunk_elements), t2i=t2i_ranks(sim, positives, chunk_elements))


def recall_metrics(sim, positives, chunk_elements: int = CHUNK_ELEMENTS) -> dict[str, float]:
    """Recall@1/5/10 both ways (percent), rSum and medians for one block."""
    return retrieval(sim, positives, chunk_elements).metrics()


def topk(sim, k: int, dim: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k scores and indices along `dim` (1: captions for each image; 0: images for each caption).

    Ordering among exact ties is the one torch gives; ranks above do not depend on it."""
    sim = _as_tensor(sim)
    if dim == 0:
        sim = sim.t()
    k = min(k, sim.shape[1])
    vals, idx = torch.topk(sim, k, dim=1)
    return vals, idx
