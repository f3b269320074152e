"""Two-stage retrieval: a first stage gives a shortlist of k per query — a flat inner-product index over global
vectors (`FlatIndex`) or global + compressed node terms (`NodeIndex`) — and the model's fine-grained score re-ranks
it.

Re-ranking scores only the listed (image, caption) pairs, through the model's one pair-scoring route
(`Matcher.pair_parts`; sgfns and sgm score them with grouped matmuls over real nodes)."""

from __future__ import annotations

import torch
from torch import Tensor

from sgfns.index.flat import FlatIndex
from sgfns.index.nodestage import NodeIndex
from sgfns.models.base import Encoded, Matcher, total
from sgfns.models.scoring import pair_parts

__all__ = ["rerank", "rerank_both", "rerank_parts", "shortlist", "two_stage_search"]


def rerank(
    model: Matcher, img: Encoded, cap: Encoded, queries: Tensor, shortlist: Tensor, query_side: str
) -> tuple[Tensor, Tensor]:
    """Re-rank `shortlist` [Q, k] (gallery ids) of `queries` [Q] (query ids) by the fine-grained score.

    `query_side` "caption": queries index `cap`, the shortlist indexes `img` (text-to-image); "image": the reverse.
    Returns (scores [Q, k], ids [Q, k]) sorted by descending score, ties kept in shortlist order."""
    scores, ids, _ = rerank_parts(model, img, cap, queries, shortlist, query_side)
    return scores, ids


def rerank_parts(
    model: Matcher, img: Encoded, cap: Encoded, queries: Tensor, shortlist: Tensor, query_side: str
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """`rerank`, and each named term [Q, k] (fp32, CPU) in the ranked order: what an explanation of a hit shows
    is what ranked it."""
    if query_side not in ("caption", "image"):
        raise ValueError(f"query_side must be 'caption' or 'image', got {query_side!r}")
    q, k = shortlist.shape
    qs = torch.as_tensor(queries).long().view(q, 1).expand(q, k).reshape(-1)
    gs = shortlist.reshape(-1).long()
    pi, pc = (gs, qs) if query_side == "caption" else (qs, gs)
    parts = {name: v.view(q, k) for name, v in pair_parts(model, img, cap, pi, pc).items()}
    score = total(parts)
    o = torch.argsort(-score, dim=1, stable=True)
    return score.gather(1, o), shortlist.gather(1, o), {name: v.gather(1, o) for name, v in parts.items()}


def rerank_both(
    model: Matcher, img: Encoded, cap: Encoded, t2i: Tensor, i2t: Tensor
) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
    """Re-rank whole-split shortlists in both directions — `t2i` [Nc, k1] image ids per caption, `i2t` [Ni, k2]
    caption ids per image — scoring each distinct (image, caption) pair once (a pair listed in both directions
    is common: the first stage ranks a matching pair high both ways). Returns ((scores, ids) per caption,
    (scores, ids) per image), each sorted by descending score with ties kept in shortlist order (as `rerank`)."""
    nc, k1 = t2i.shape
    ni, k2 = i2t.shape
    dev = img.glob.device
    t2i, i2t = t2i.to(dev).long(), i2t.to(dev).long()
    key = torch.cat([
        t2i.reshape(-1) * nc + torch.arange(nc, device=dev).repeat_interleave(k1),
        torch.arange(ni, device=dev).repeat_interleave(k2) * nc + i2t.reshape(-1),
    ])  # fmt: skip
    uniq, where = torch.unique(key, return_inverse=True)
    parts = pair_parts(model, img, cap, uniq // nc, uniq % nc)
    score = total(parts)[where.cpu()]
    s1, s2 = score[: nc * k1].view(nc, k1), score[nc * k1 :].view(ni, k2)
    o1, o2 = torch.argsort(-s1, dim=1, stable=True), torch.argsort(-s2, dim=1, stable=True)
    return (s1.gather(1, o1), t2i.cpu().gather(1, o1)), (s2.gather(1, o2), i2t.cpu().gather(1, o2))


def two_stage_search(
    model: Matcher,
    img: Encoded,
    cap: Encoded,
    index: FlatIndex | NodeIndex,
    queries: Tensor,
    k: int,
    query_side: str,
) -> tuple[Tensor, Tensor]:
    """Shortlist k gallery items per query from `index` (built over the *other* side: a `FlatIndex` of its global
    vectors, or a `NodeIndex` — global + compressed node terms), then re-rank them by the fine-grained score.
    Queries are ids into `cap` ("caption") or `img` ("image")."""
    return rerank(model, img, cap, queries, shortlist(img, cap, index, queries, k, query_side), query_side)


def shortlist(
    img: Encoded, cap: Encoded, index: FlatIndex | NodeIndex, queries: Tensor, k: int, query_side: str
) -> Tensor:
    """The first stage of `two_stage_search`: gallery ids [Q, k] of the queries (ids into `cap` or `img`)."""
    queries = torch.as_tensor(queries).long()
    side = cap if query_side == "caption" else img
    if isinstance(index, NodeIndex):
        want = "image" if query_side == "caption" else "caption"
        if index.side != want:
            raise ValueError(f"{query_side} queries need a NodeIndex over the {want} side, got {index.side!r}")
        return index.search(side.select(queries.to(side.glob.device)), k)[1]
    return index.search(side.glob[queries], k)[1]
