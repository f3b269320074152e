"""How well a first-stage shortlist agrees with exhaustive fine-grained retrieval (the agreement figures of
docs/performance.md).

Given the full score matrix and shortlists in first-stage order (so a shorter list is a prefix), report for each k
the fraction of the exhaustive top-10 (or top-`top`) inside the shortlist (both directions) and the rSum of the
two-stage ranking (fine scores inside the shortlist, the lowest float outside) against the exhaustive rSum."""

from __future__ import annotations

import torch
from torch import Tensor

from sgfns.eval.recall import i2t_ranks, metrics_from_ranks, t2i_ranks


def shortlist_agreement(
    full: Tensor, pos: Tensor, short_t2i: Tensor, short_i2t: Tensor, ks: list[int], top: int = 10
) -> tuple[float, dict[int, dict[str, float]]]:
    """`full` [Ni, Nc] scores, `pos` [Ni, Nc] bool, `short_t2i` [Nc, K] image ids, `short_i2t` [Ni, K] caption ids.

    Returns (exhaustive rSum, {k: {"recall<top>", "rsum_two_stage", "rsum_delta"}}): "recall10" by default."""
    exh = metrics_from_ranks(i2t_ranks(full, pos), t2i_ranks(full, pos))
    top_t2i = torch.topk(full.T, min(top, full.shape[0]), dim=1).indices
    top_i2t = torch.topk(full, min(top, full.shape[1]), dim=1).indices
    low = torch.finfo(full.dtype).min
    rows: dict[int, dict[str, float]] = {}
    for k in ks:
        t_ids, i_ids = short_t2i[:, :k], short_i2t[:, :k]
        inside = [
            (top_t2i[:, :, None] == t_ids[:, None, :]).any(-1),
            (top_i2t[:, :, None] == i_ids[:, None, :]).any(-1),
        ]
        recall = float(torch.cat([x.flatten() for x in inside]).float().mean())
        s_t2i = torch.full_like(full, low)
        s_t2i.T.scatter_(1, t_ids, full.T.gather(1, t_ids))
        s_i2t = torch.full_like(full, low)
        s_i2t.scatter_(1, i_ids, full.gather(1, i_ids))
        two = metrics_from_ranks(i2t_ranks(s_i2t, pos), t2i_ranks(s_t2i, pos))
        rows[k] = {f"recall{top}": recall, "rsum_two_stage": two["rsum"], "rsum_delta": two["rsum"] - exh["rsum"]}
    return exh["rsum"], rows
