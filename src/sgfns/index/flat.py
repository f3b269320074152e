"""Flat (exact) inner-product index over global vectors: the first stage of two-stage retrieval.

FAISS `IndexFlatIP` when the `faiss` extra is installed, otherwise a chunked torch matmul + top-k. Both return the
same shortlist: scores in descending order, ties broken by the lower id (what FAISS's flat search does), so a
result never depends on which backend happened to be installed. Scores are computed in fp32."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

__all__ = ["FlatIndex", "faiss_available"]


def faiss_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def _as_f32(x) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x.detach().to("cpu", torch.float32).numpy()
    return np.ascontiguousarray(np.asarray(x, dtype=np.float32))


class FlatIndex:
    """Exact maximum-inner-product search over `vectors` [N, d].

    `backend`: "auto" (FAISS when importable), "faiss" or "torch". `search(queries, k)` -> (scores [Q, k] fp32,
    ids [Q, k] int64), rows sorted by descending score then ascending id."""

    def __init__(self, vectors, backend: str = "auto", chunk: int = 1024) -> None:
        if backend not in ("auto", "faiss", "torch"):
            raise ValueError(f"unknown index backend {backend!r} (auto, faiss, torch)")
        if backend == "auto":
            backend = "faiss" if faiss_available() else "torch"
        self.backend = backend
        self.chunk = chunk
        x = _as_f32(vectors)
        if x.ndim != 2:
            raise ValueError(f"index vectors must be [N, d], got shape {x.shape}")
        self.n, self.d = x.shape
        if backend == "faiss":
            import faiss

            self._faiss = faiss.IndexFlatIP(self.d)
            self._faiss.add(x)
        self._x = torch.from_numpy(x)

    def __len__(self) -> int:
        return self.n

    def search(self, queries, k: int) -> tuple[Tensor, Tensor]:
        q = _as_f32(queries)
        if q.ndim != 2 or q.shape[1] != self.d:
            raise ValueError(f"queries must be [Q, {self.d}], got shape {q.shape}")
        k = max(0, min(int(k), self.n))
        if self.backend == "faiss":
            return self._search_faiss(q, k)
        out_s, out_i = [], []
        with torch.inference_mode():
            qt = torch.from_numpy(q)
            for a in range(0, qt.shape[0], self.chunk):
                s = qt[a : a + self.chunk] @ self._x.T
                out_s_i = _topk_low_id(s, k)
                out_s.append(out_s_i[0])
                out_i.append(out_s_i[1])
        if not out_s:
            return torch.zeros(0, k), torch.zeros(0, k, dtype=torch.long)
        return torch.cat(out_s), torch.cat(out_i)

    def _search_faiss(self, q: np.ndarray, k: int) -> tuple[Tensor, Tensor]:
        """FAISS keeps an arbitrary member of a tie at the k-th place; ask for 2k, keep ties toward lower ids, and
        redo exactly (torch) the rare rows whose tie runs past the 2k returned."""
        if k == 0:
            return torch.zeros(q.shape[0], 0), torch.zeros(q.shape[0], 0, dtype=torch.long)
        k2 = min(self.n, 2 * k)
        scores, ids = self._faiss.search(q, k2)
        s, i = _tie_order(torch.from_numpy(scores), torch.from_numpy(ids).long())
        if k2 < self.n:
            bad = torch.nonzero(s[:, k - 1] == s[:, k2 - 1]).flatten()
            for r in bad.tolist():
                row = torch.from_numpy(q[r : r + 1]) @ self._x.T
                s[r : r + 1, :k], i[r : r + 1, :k] = _topk_low_id(row, k)
        return s[:, :k].contiguous(), i[:, :k].contiguous()


def _tie_order(scores: Tensor, ids: Tensor) -> Tensor:
    """Sort each row by (descending score, ascending id)."""
    if scores.numel() == 0:
        return scores, ids
    o = torch.argsort(ids, dim=1)
    s, i = scores.gather(1, o), ids.gather(1, o)
    o = torch.argsort(-s, dim=1, stable=True)
    return s.gather(1, o), i.gather(1, o)


def _topk_low_id(s: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Top-k per row with ties at the boundary resolved toward lower ids, rows ordered by _tie_order."""
    if k == 0:
        return s[:, :0], torch.zeros(s.shape[0], 0, dtype=torch.long)
    vals, ids = torch.topk(s, k, dim=1)
    kth = vals[:, -1:]
    # rows where more candidates tie with the k-th value than topk kept: redo them with a stable full sort
    n_ge = (s >= kth).sum(1)
    bad = torch.nonzero(n_ge > k).flatten()
    if bad.numel():
        o = torch.argsort(-s[bad], dim=1, stable=True)[:, :k]
        ids[bad] = o
        vals[bad] = s[bad].gather(1, o)
    return _tie_order(vals, ids)
