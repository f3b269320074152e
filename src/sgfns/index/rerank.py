"""Two-stage retrieval: a flat inner-product index over global vectors gives a shortlist of k per query, and the
model's fine-grained score re-ranks it.

Re-ranking scores only the listed (image, caption) pairs. A model that defines
`similarity_parts_pairs(img, cap, pair_img, pair_cap) -> {name: [P]}` (sgfns, sgm: grouped matmuls over real
nodes, `sgfns.models.similarity.node_match_pairs`) is used directly; any other `Matcher` is scored through its
`similarity_parts` one query at a time (correct, slower)."""

from __future__ import annotations

import torch
from torch import Tensor

from sgfns.index.flat import FlatIndex
from sgfns.models.base import Encoded, Matcher

__all__ = ["pair_parts", "rerank", "two_stage_search"]


def _fallback_pairs(model: Matcher, img: Encoded, cap: Encoded, pi: Tensor, pc: Tensor) -> dict[str, Tensor]:
    out: dict[str, Tensor] = {}
    n = pi.numel()
    for i in torch.unique(pi).tolist():
        sel = torch.nonzero(pi == i).flatten()
        caps = pc[sel]
        parts = model.similarity_parts(img.select(slice(i, i + 1)), cap.select(caps))
        for name, v in parts.items():
            if name not in out:
                out[name] = torch.zeros(n, dtype=torch.float32, device=v.device)
            out[name][sel.to(v.device)] = v[0].float()
    return out


def pair_parts(model: Matcher, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> dict[str, Tensor]:
    """Named score terms [P] for the pairs (img[pair_img[p]], cap[pair_cap[p]]); their sum is the model's score."""
    pair_img, pair_cap = torch.as_tensor(pair_img).long(), torch.as_tensor(pair_cap).long()
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            fn = getattr(model, "similarity_parts_pairs", None)
            if fn is not None:
                return fn(img, cap, pair_img, pair_cap)
            return _fallback_pairs(model, img, cap, pair_img, pair_cap)
    finally:
        model.train(was_training)


def rerank(
    model: Matcher, img: Encoded, cap: Encoded, queries: Tensor, shortlist: Tensor, query_side: str
) -> tuple[Tensor, Tensor]:
    """Re-rank `shortlist` [Q, k] (gallery ids) of `queries` [Q] (query ids) by the fine-grained score.

    `query_side` "caption": queries index `cap`, the shortlist indexes `img` (text-to-image); "image": the reverse.
    Returns (scores [Q, k], ids [Q, k]) sorted by descending score, ties kept in shortlist order."""
    if query_side not in ("caption", "image"):
        raise ValueError(f"query_side must be 'caption' or 'image', got {query_side!r}")
    q, k = shortlist.shape
    qs = torch.as_tensor(queries).long().view(q, 1).expand(q, k).reshape(-1)
    gs = shortlist.reshape(-1).long()
    pi, pc = (gs, qs) if query_side == "caption" else (qs, gs)
    pi, pc = pi.to(img.glob.device), pc.to(img.glob.device)
    parts = pair_parts(model, img, cap, pi, pc)
    total = torch.stack([v.float().cpu() for v in parts.values()]).sum(0).view(q, k)
    o = torch.argsort(-total, dim=1, stable=True)
    return total.gather(1, o), shortlist.gather(1, o)


def two_stage_search(
    model: Matcher,
    img: Encoded,
    cap: Encoded,
    index: FlatIndex,
    queries: Tensor,
    k: int,
    query_side: str,
) -> tuple[Tensor, Tensor]:
    """Shortlist k gallery items per query from `index` (built over the *other* side's global vectors), then
    re-rank them by the fine-grained score. Queries are ids into `cap` ("caption") or `img` ("image")."""
    queries = torch.as_tensor(queries).long()
    qv = (cap if query_side == "caption" else img).glob[queries]
    _, ids = index.search(qv, k)
    return rerank(model, img, cap, queries, ids, query_side)
