"""A first stage that sees the node terms: global score + compressed node matching.

Why: on a trained `sgfns` the global vector alone is a weak ranker — the score is carried by the object term, the
mean over a caption's object nodes of the max over the image's object nodes, which no inner product of two pooled
vectors reproduces (docs/performance.md). This stage keeps that max but makes it cheap: every node set the model
scores (object: weight alpha, relation: weight beta) is projected to `dim` dimensions by a matrix P [d, dim] with
orthonormal columns — the top eigenvectors of the second-moment matrix Σ x xᵀ of the *gallery images'* real nodes
of that set (uncentred PCA: it keeps the most of the nodes' energy, hence of their inner products). Captions are
projected by the same P. The first-stage score of a pair is

    g_I · g_T  +  Σ_s w_s · node_match(P_sᵀ image nodes, P_sᵀ caption nodes)

(global term only when the model has one), i.e. the model's own score with the count term dropped and the node
dot products computed in `dim` dimensions: cost per pair = real node pairs x 2·dim instead of x 2·d. With
`dim >= d`, P is a full orthogonal rotation and the stage equals the exact terms (up to float rounding).

`NodeStage.fit(model, images, dim)` fits P on a gallery; `NodeIndex(stage, gallery, side)` holds one side's
compressed gallery and answers `search(queries, k)`; `stage.shortlists(img, cap, k_t2i, k_i2t)` gives both
directions of a whole split from one pass over the first-stage score matrix. Shortlists are in descending
first-stage score, ties toward the lower id (as `FlatIndex`), so a shorter list is a prefix of a longer one. The
stage is pure torch (no FAISS equivalent of a max over node sets); `FlatIndex` stays the global-only first stage."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from sgfns.index.flat import _topk_low_id
from sgfns.models.base import Encoded, Matcher
from sgfns.models.scoring import inference
from sgfns.models.similarity import DEFAULT_COLS, DEFAULT_TILE, ImageBlocks, _Plan, node_match

__all__ = ["NodeIndex", "NodeStage", "fit_projection", "first_stage_dtype", "match_bf16", "stage_terms"]

#: score terms a first stage can compress -> (node set, model attribute holding the term's weight)
TERM_SETS = {"object": ("obj", "alpha"), "relation": ("rel", "beta")}
#: elements of one first-stage score block held at a time ([queries, gallery] chunk)
BLOCK = 1 << 24
#: real nodes a projection is fitted on at most (evenly spaced over the gallery); 2,048 halves the fit's cost but
#: lost 0.2 points of top-10 agreement at 5K on the synthetic world (docs/performance.md)
MAX_FIT_NODES = 4096
#: power iterations of the randomised eigensolver used when dim < d / 4
POWER_ITERS = 8


def first_stage_dtype(device: torch.device | str) -> torch.dtype:
    """bf16 where the device multiplies bf16 fast (CUDA with bf16, CPUs with AVX512-BF16), else fp32. The
    first-stage scores only pick a shortlist, which the fine-grained score then re-ranks in full precision."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    if device.type == "cpu" and getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)():
        return torch.bfloat16
    return torch.float32


class BF16Images:
    """The image side of `match_bf16`, prepared once: each image's shift r_i, its nodes with the two extra
    coordinates in bf16, bucketed into dense blocks (`ImageBlocks`). A `NodeIndex` over a gallery of images builds
    it at start, so a query pays only for its own side (the preparation was most of a single query's first-stage
    time on the 5,000-image benchmark gallery)."""

    @torch.inference_mode()
    def __init__(self, img_nodes: Tensor, img_mask: Tensor) -> None:
        # r_i >= the image's largest real-node norm (margin for bf16 rounding)
        r = img_nodes.float().norm(dim=-1).masked_fill(~img_mask, 0).amax(1) * (1 + 2**-6) + 2**-20  # [Ni]
        if not bool(torch.isfinite(r).all()):
            raise ValueError("node sets must be finite on their real nodes")
        r = r.to(torch.bfloat16)
        ri = r[:, None, None].expand(*img_nodes.shape[:2], 1).to(img_nodes.dtype)
        img_aug = torch.cat([img_nodes, ri, torch.zeros_like(ri)], -1).to(torch.bfloat16).contiguous()
        self.n = img_nodes.shape[0]
        self.blocks = ImageBlocks(img_aug, img_mask)
        self.r_perm = r.float()[self.blocks.perm]  # image order of the blocks


@torch.inference_mode()
def match_bf16(
    img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor, cols: int = DEFAULT_COLS,
    tile: int = DEFAULT_TILE, images: BF16Images | None = None,
) -> Tensor:  # fmt: skip
    """[Ni, Nc] fp32: `node_match` with the node sets in bf16 — the CPU first stage's node term — computed with an
    integer max.

    Why: torch's bf16 `amax` on CPU runs ~10x slower than an int16 `amax` over the same bits (it was half of the
    bf16 stage's time), and the bits of *non-negative* bf16 values order as int16 exactly like the values. So
    every dot product is shifted to be non-negative inside the matmul: the nodes of image i get two extra
    coordinates (r_i, 0), caption node j gets (q_j, 0), with r_i >= the image's largest node norm and q_j >= the
    node's norm, so x·y + r_i·q_j >= 0 (two coordinates, not one: an even inner dimension keeps the bf16 matmul
    at full speed). The int16 max of a tile column is the max of the shifted scores, and r_i·q_j (exact in fp32)
    is subtracted after the max. The cost of the shift is bf16 rounding at the magnitude of the shift (absolute
    error <= shift·2^-8 per dot product, not |x·y|·2^-8); ranks are only used to pick a shortlist, which is
    re-ranked in full precision. Same blocked, padding-free layout as
    `sgfns.models.similarity.node_match` (image buckets, flattened caption nodes). `images`: the image side
    prepared beforehand (`BF16Images` of these `img_nodes`, `img_mask`), the same values without the work."""
    ni, nc = img_nodes.shape[0], txt_nodes.shape[0]
    if ni == 0 or nc == 0:
        return torch.zeros(ni, nc)
    # per image r_i >= its largest real-node norm, per caption node q_j >= its norm (margins for bf16 rounding):
    # the extra coordinates add r_i·q_j >= -x·y, which depends on the pair only (not on the batch), so a query
    # scored alone gets the same value as in a whole-split pass
    if images is None:
        images = BF16Images(img_nodes, img_mask)
    elif images.n != ni:
        raise ValueError(f"prepared images hold {images.n} images, the node sets {ni}")
    q = txt_nodes.float().norm(dim=-1) * (1 + 2**-6) + 2**-20  # [Nc, Lt]
    if not bool(torch.isfinite(q[txt_mask]).all()):
        raise ValueError("node sets must be finite on their real nodes")
    q = q.to(torch.bfloat16)
    qt = q[..., None].to(txt_nodes.dtype)
    txt_aug = torch.cat([txt_nodes, qt, torch.zeros_like(qt)], -1).to(torch.bfloat16)
    plan = _Plan(img_nodes, img_mask, txt_aug, txt_mask, cols, images=images.blocks)
    r_perm = images.r_perm
    q_flat = q.float()[txt_mask]  # caption-node order of the flattened columns
    d = plan.d
    mean_w = (1.0 / plan.t_counts.float()).repeat_interleave(plan.t_counts)
    out_cols = []
    for c0, c1 in plan.chunks:
        n0, n1 = plan.offsets[c0], plan.offsets[c1]
        w = n1 - n0
        tct = plan.t_flat[n0:n1].T
        avg = plan.averaging(c0, c1, mean_w)
        q_cols = q_flat[n0:n1]
        rows, first = [], 0
        for L, blk in plan.blocks:
            step = max(1, tile // max(1, L * w))
            for a in range(0, blk.shape[0], step):
                b = blk[a : a + step]
                s = (b.reshape(-1, d) @ tct).view(b.shape[0], L, w)  # x·y + r_i·q_j >= 0
                best = s.view(torch.int16).amax(dim=1).view(torch.bfloat16).float()
                shift = r_perm[first + a : first + a + b.shape[0], None] * q_cols[None]  # exact: bf16 x bf16
                rows.append(best.sub_(shift) @ avg)
            first += blk.shape[0]
        out_cols.append(torch.cat(rows) if len(rows) > 1 else rows[0])
    out = torch.cat(out_cols, dim=1) if len(out_cols) > 1 else out_cols[0]
    return out.index_select(0, plan.inv)


def _cpu_bf16(nodes: Tensor) -> bool:
    return nodes.dtype == torch.bfloat16 and nodes.device.type == "cpu"


def stage_terms(model: Matcher, img: Encoded, cap: Encoded) -> tuple[bool, dict[str, float]]:
    """(uses the global term, {node set: weight}) of the model's score, read from the terms `similarity_parts`
    returns for one pair (so a model's switches are honoured) and the model's weights (`alpha`, `beta`)."""
    with inference(model):
        names = set(model.similarity_parts(img.select(slice(0, 1)), cap.select(slice(0, 1))))
    weights = {}
    for term, (set_name, attr) in TERM_SETS.items():
        if term in names and set_name in img.sets and set_name in cap.sets:
            weights[set_name] = float(getattr(model, attr, 1.0))
    return "global" in names, weights


def fit_projection(
    nodes: Tensor, mask: Tensor, dim: int, max_nodes: int | None = None, bf16_gram: bool | None = None
) -> Tensor:
    """[d, min(dim, d)] orthonormal columns: the top eigenvectors of Σ x xᵀ over the real nodes (`mask`) of
    `nodes` [N, L, d], in descending eigenvalue order, each column's largest-magnitude entry made positive (so the
    result does not depend on the eigensolver's sign choice). At most `max_nodes` (default `MAX_FIT_NODES`, read at
    call time) real nodes are used, evenly spaced over the gallery (deterministic), so fitting costs at most
    max_nodes·d² multiply-adds; for dim < d/4
    the eigenvectors come from a randomised subspace iteration (fixed seed, 2·dim columns, `POWER_ITERS`
    iterations) instead of a full eigendecomposition. `bf16_gram` (default: on CPUs with AVX512-BF16, only in the
    randomised case) forms Σ x xᵀ from bf16-rounded nodes (fp32 accumulation): ~4x faster at d = 1024, and the
    rounding (2^-9 relative) is far below the sampling error of the node sample; the top-k subspace agrees with
    the fp32 fit (tested) and the shortlist agreement was unchanged (docs/performance.md)."""
    if dim < 1:
        raise ValueError(f"projection dimension must be >= 1, got {dim}")
    d = nodes.shape[-1]
    rows = torch.nonzero(mask.reshape(-1)).flatten()
    if rows.numel() == 0:
        raise ValueError("no real nodes to fit a projection on")
    max_nodes = MAX_FIT_NODES if max_nodes is None else max_nodes
    if bf16_gram is None:
        bf16_gram = first_stage_dtype("cpu") == torch.bfloat16
    if rows.numel() > max_nodes:
        rows = rows[torch.linspace(0, rows.numel() - 1, max_nodes, device=rows.device).round().long()]
    x = nodes.reshape(-1, d).index_select(0, rows).to("cpu", torch.float32)
    if bf16_gram and 4 * min(dim, d) < d:  # ~4x faster on AVX512-BF16; rounding far below the sampling error
        xb = x.to(torch.bfloat16)
        m2 = (xb.T @ xb).float()
    else:
        m2 = x.T @ x
    k = min(dim, d)
    if 4 * k >= d:
        p = torch.linalg.eigh(m2.double())[1][:, -k:].flip(1)  # ascending eigenvalues -> top k, descending
    else:  # randomised subspace iteration (fixed start): top-k eigenvectors without a full d x d eigensolve;
        # the iterations in fp32 (they only need to converge on the subspace), the small Rayleigh-Ritz in fp64
        g = torch.Generator().manual_seed(0)
        q = torch.linalg.qr(m2 @ torch.randn(d, 2 * k, generator=g))[0]
        for _ in range(POWER_ITERS):
            q = torch.linalg.qr(m2 @ q)[0]
        q = q.double()
        vals, vecs = torch.linalg.eigh(q.T @ (m2 @ q.float()).double())
        p = (q @ vecs)[:, -k:].flip(1)
    big = p.abs().argmax(0)
    p = p * torch.sign(p[big, torch.arange(p.shape[1])])[None]
    return p.to(torch.float32).contiguous()


@dataclass
class NodeStage:
    """The compressed first stage: projections per node set, term weights, whether the global term is used."""

    proj: dict[str, Tensor]
    weights: dict[str, float]
    use_global: bool = True
    dim: int = 0
    dtype: torch.dtype | None = None

    @classmethod
    def fit(cls, model: Matcher, img: Encoded, cap: Encoded, dim: int, dtype: torch.dtype | None = None) -> NodeStage:
        """Fit the projections on the gallery images `img`; `cap` (any captions) only serves to read the model's
        terms. `dim` <= 0 means no node terms (global only, what `FlatIndex` computes)."""
        use_global, weights = stage_terms(model, img, cap)
        if dim <= 0:
            weights = {}
        proj = {s: fit_projection(*img.sets[s], dim) for s in weights}
        if not use_global and not weights:
            raise ValueError("the model has neither a global term nor node sets to build a first stage from")
        return cls(proj=proj, weights=weights, use_global=use_global, dim=max(dim, 0), dtype=dtype)

    # -- persistence (sgfns encode stores it beside the encoded gallery) --------------------------------------
    def state(self) -> tuple[dict[str, Tensor], dict]:
        tensors = {f"proj.{s}": p.contiguous() for s, p in self.proj.items()}
        info = {"dim": self.dim, "weights": self.weights, "use_global": self.use_global}
        return tensors, info

    @classmethod
    def from_state(cls, tensors: dict[str, Tensor], info: dict) -> NodeStage:
        weights = {str(k): float(v) for k, v in dict(info.get("weights", {})).items()}
        proj = {}
        for s in weights:
            if f"proj.{s}" not in tensors:
                raise ValueError(f"first stage: no projection for node set {s!r}")
            proj[s] = tensors[f"proj.{s}"].float()
        return cls(proj=proj, weights=weights, use_global=bool(info.get("use_global", True)), dim=int(info["dim"]))

    # -- scoring ---------------------------------------------------------------------------------------------
    def compress(self, enc: Encoded) -> Encoded:
        """The parts of `enc` the stage reads: global vectors and the projected node sets, in `dtype` (fp32 when
        None). bf16 on a CPU scores the node terms with `match_bf16` (an int16 max over shifted bf16 scores)."""
        sets = {}
        with torch.inference_mode():
            for s, p in self.proj.items():
                v, m = enc.sets[s]
                dtype = self.dtype or torch.float32
                p = p.to(v.device)
                if bool(m.all()):  # every slot real (image node sets): one matmul, no copy of the nodes
                    x = (v.float() @ p).to(dtype)
                else:  # every slot projected (one matmul, no gather of the real nodes), padding set to zero
                    x = torch.where(m[..., None], v.float() @ p, 0.0).to(dtype)
                sets[s] = (x, m)
        return Encoded(glob=enc.glob.to(self.dtype or torch.float32), sets=sets)

    def scores(self, img: Encoded, cap: Encoded, prepared: dict[str, BF16Images] | None = None) -> Tensor:
        """First-stage scores [Ni, Nc] (fp32) of compressed images and captions; `prepared` (`prepare`): the
        images' side of the CPU bf16 node terms, built beforehand."""
        with torch.inference_mode():
            if self.use_global:
                out = (img.glob @ cap.glob.T).float()
            else:
                out = img.glob.new_zeros(len(img), len(cap), dtype=torch.float32)
            for s, w in self.weights.items():
                a, b = img.sets[s], cap.sets[s]
                if _cpu_bf16(a[0]):  # CPU bf16: int16 max over shifted scores (see match_bf16)
                    out += w * match_bf16(*a, *b, images=(prepared or {}).get(s))
                else:
                    out += w * node_match(*a, *b).float()
        return out

    def prepare(self, img: Encoded) -> dict[str, BF16Images]:
        """The image side of the node terms that `scores` would otherwise rebuild per call (CPU bf16 only; {}
        elsewhere), for a compressed gallery of images scored against many queries."""
        return {s: BF16Images(*img.sets[s]) for s in self.weights if _cpu_bf16(img.sets[s][0])}

    def shortlists(self, img: Encoded, cap: Encoded, k_t2i: int, k_i2t: int) -> tuple[Tensor, Tensor]:
        """Both directions of a split from one first-stage matrix: (images per caption [Nc, k_t2i], captions per
        image [Ni, k_i2t]); the matrix is built in blocks of images and kept whole ([Ni, Nc] fp32), so this is
        for whole-split evaluation — a large gallery is searched a block of queries at a time with `NodeIndex`."""
        ni, nc = len(img), len(cap)
        full = torch.empty(ni, nc, dtype=torch.float32, device=img.glob.device)
        step = max(1, BLOCK // max(1, nc))
        for a in range(0, ni, step):
            full[a : a + step] = self.scores(img.select(slice(a, a + step)), cap)
        with torch.inference_mode():
            i2t = _topk_low_id(full, min(k_i2t, nc))[1]
            t2i = _topk_low_id(full.T, min(k_t2i, ni))[1]
        return t2i, i2t


class NodeIndex:
    """One side of a gallery, compressed by a `NodeStage`: `search(queries, k)` with queries from the other side.

    `side` "image": the gallery holds images and queries are (encoded) captions — text-to-image; "caption": the
    reverse. Returns (first-stage scores [Q, k], gallery ids [Q, k]) like `FlatIndex.search`."""

    def __init__(self, stage: NodeStage, gallery: Encoded, side: str) -> None:
        if side not in ("image", "caption"):
            raise ValueError(f"side must be 'image' or 'caption', got {side!r}")
        self.stage, self.side = stage, side
        self.gallery = stage.compress(gallery)
        self.backend = "torch"
        self._prepared = stage.prepare(self.gallery) if side == "image" else {}

    def __len__(self) -> int:
        return len(self.gallery)

    def search(self, queries: Encoded, k: int) -> tuple[Tensor, Tensor]:
        q = self.stage.compress(queries)
        n = len(self.gallery)
        k = max(0, min(int(k), n))
        step = max(1, BLOCK // max(1, n))
        out_s, out_i = [], []
        for a in range(0, len(q), step):
            part = q.select(slice(a, a + step))
            s = (
                self.stage.scores(self.gallery, part, self._prepared).T
                if self.side == "image"
                else self.stage.scores(part, self.gallery)
            )
            v, i = _topk_low_id(s, k)
            out_s.append(v)
            out_i.append(i)
        if not out_s:
            return torch.zeros(0, k), torch.zeros(0, k, dtype=torch.long)
        return torch.cat(out_s), torch.cat(out_i)
