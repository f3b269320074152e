"""Fine-grained node matching: for each (image, caption) pair, the mean over the caption's real nodes of the best
dot product with any of the image's real nodes (nodes are L2-normalised, so dot product = cosine; SGM's "node
matching").

Why this shape: the score decomposes into one big matmul between *independently* encoded node sets followed by
cheap reductions, so exhaustive retrieval is dense algebra rather than per-pair cross attention. The fast path
keeps it that way without spending FLOPs on padding:

* image nodes are grouped into buckets of images with the same number of real nodes, so each bucket is a dense
  [n, L, d] block with no padding and the max over an image's nodes is a plain `amax` over a view;
* caption nodes are flattened to [sum Lt, d] (real nodes only) and taken in chunks of whole captions;
* the mean over a caption's nodes is linear, so it is one small matmul with a [cols, captions] averaging matrix
  (exact, no cumsum cancellation, cost ~ captions / (L * d) of the main matmul);
* blocks are sized so the [n*L, cols] score tile stays in cache between the matmul that writes it and the max
  that reads it.

Every operation is differentiable (gather, matmul, amax, matmul), so the same code serves training; under
`torch.inference_mode` it also runs in bf16 where the device has fast bf16 matmuls."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

__all__ = [
    "default_dtype",
    "node_match",
    "node_match_count",
    "node_match_inference",
    "node_match_pairs",
    "node_match_reference",
]

#: caption-node columns per chunk; with d = 1024 the [d, cols] right operand is 2 MB in fp32
DEFAULT_COLS = 512
#: elements of one [n*L, cols] score tile (2 MB in fp32 — one core's L2)
DEFAULT_TILE = 1 << 19
#: elements of the gathered caption-node columns one image meets at a time in the CPU pairs path (4 MB in fp32)
PAIRS_BUF = 1 << 20


def _check(img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor) -> None:
    if img_nodes.dim() != 3 or txt_nodes.dim() != 3:
        raise ValueError(f"node sets must be [N, L, d], got {tuple(img_nodes.shape)} and {tuple(txt_nodes.shape)}")
    if img_nodes.shape[-1] != txt_nodes.shape[-1]:
        raise ValueError(f"node dims differ: {img_nodes.shape[-1]} vs {txt_nodes.shape[-1]}")
    if img_mask.shape != img_nodes.shape[:2] or txt_mask.shape != txt_nodes.shape[:2]:
        raise ValueError("masks must be [N, L] matching their node sets")
    if img_mask.dtype != torch.bool or txt_mask.dtype != torch.bool:
        raise ValueError("masks must be bool tensors")


def default_dtype(device: torch.device | str) -> torch.dtype:
    """bf16 on CUDA devices that support it, fp32 elsewhere (CPU bf16 rounding moves near-tied ranks)."""
    device = torch.device(device)
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def node_match_reference(img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor) -> Tensor:
    """Padded brute-force version: [Ni, Li, Nc, Lt] scores, padded image nodes set to -inf before the max,
    padded caption nodes excluded from the mean. Kept as the reference for tests; memory grows with padding."""
    _check(img_nodes, img_mask, txt_nodes, txt_mask)
    ni, li, d = img_nodes.shape
    nc, lt, _ = txt_nodes.shape
    s = (img_nodes.reshape(ni * li, d) @ txt_nodes.reshape(nc * lt, d).T).view(ni, li, nc, lt)
    s = s.masked_fill(~img_mask.view(ni, li, 1, 1), float("-inf"))
    best = s.amax(dim=1)  # [Ni, Nc, Lt]
    tm = txt_mask.view(1, nc, lt)
    best = torch.where(tm, best, torch.zeros((), dtype=best.dtype, device=best.device))
    return best.sum(-1) / tm.sum(-1).clamp_min(1).to(best.dtype)


def _caption_chunks(counts: list[int], cols: int) -> list[tuple[int, int]]:
    """Contiguous ranges of whole captions holding about `cols` nodes each (at least one caption)."""
    out, start, acc = [], 0, 0
    for i, c in enumerate(counts):
        if acc and acc + c > cols:
            out.append((start, i))
            start, acc = i, 0
        acc += c
    if start < len(counts):
        out.append((start, len(counts)))
    return out


class ImageBlocks:
    """The image side of a `_Plan`: images with the same number of real nodes as dense [n, L, d] blocks (no
    padding), and `inv`, each image's row in the blocks' order. Built once for a fixed gallery (the first stage's
    `NodeIndex`), it is reused by every query instead of being rebuilt per call."""

    def __init__(self, img_nodes: Tensor, img_mask: Tensor) -> None:
        ni, _, d = img_nodes.shape
        dev = img_nodes.device
        self.ni, self.d, self.device = ni, d, dev
        i_counts = img_mask.sum(1)
        if bool((i_counts == 0).any()):
            raise ValueError("every node set needs at least one real node (models add a learned null node)")
        buckets: dict[int, list[int]] = {}
        for i, c in enumerate(i_counts.tolist()):
            buckets.setdefault(c, []).append(i)
        order, self.blocks = [], []
        for L in sorted(buckets):
            idx = torch.tensor(buckets[L], device=dev)
            order.append(idx)
            sel_nodes, sel_mask = img_nodes.index_select(0, idx), img_mask.index_select(0, idx)
            self.blocks.append((L, sel_nodes[sel_mask].view(len(buckets[L]), L, d)))
        perm = torch.cat(order)
        self.perm = perm
        self.inv = torch.empty_like(perm)
        self.inv[perm] = torch.arange(ni, device=dev)


class _Plan:
    """The padding-free layout of one (images, captions) problem, shared by the match and count terms."""

    def __init__(self, img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor, cols: int,
                 images: ImageBlocks | None = None) -> None:  # fmt: skip
        images = images if images is not None else ImageBlocks(img_nodes, img_mask)
        nc = txt_nodes.shape[0]
        dev = images.device
        self.ni, self.nc, self.d, self.device = images.ni, nc, images.d, dev
        t_counts = txt_mask.sum(1)
        if bool((t_counts == 0).any()):
            raise ValueError("every node set needs at least one real node (models add a learned null node)")
        self.blocks, self.inv = images.blocks, images.inv
        # caption nodes flattened, real nodes only, captions kept contiguous
        self.t_flat = txt_nodes[txt_mask]  # [sum Lt, d]
        self.t_counts = t_counts
        t_counts_l = t_counts.tolist()
        self.offsets = [0]
        for c in t_counts_l:
            self.offsets.append(self.offsets[-1] + c)
        self.cap_of_node = torch.repeat_interleave(torch.arange(nc, device=dev), t_counts)
        self.chunks = _caption_chunks(t_counts_l, cols)

    def averaging(self, c0: int, c1: int, weight: Tensor) -> Tensor:
        """[cols, captions] matrix putting node j's `weight[j]` on its caption (a segment sum as a matmul)."""
        n0, n1 = self.offsets[c0], self.offsets[c1]
        avg = torch.zeros(n1 - n0, c1 - c0, device=self.device, dtype=weight.dtype)
        avg[torch.arange(n1 - n0, device=self.device), self.cap_of_node[n0:n1] - c0] = weight[n0:n1]
        return avg


def _node_match_flat(
    img_nodes: Tensor,
    img_mask: Tensor,
    txt_nodes: Tensor,
    txt_mask: Tensor,
    cols: int,
    tile: int,
    count: tuple[Tensor, float, Tensor | float] | None = None,
) -> tuple[Tensor, Tensor | None]:
    """Match term and, with `count = (counts [Nc, Lt], kappa, tau)`, the soft-count term from the same tiles."""
    ni, nc = img_nodes.shape[0], txt_nodes.shape[0]
    if ni == 0 or nc == 0:
        z = img_nodes.new_zeros(ni, nc)
        return z, (z.clone() if count is not None else None)
    plan = _Plan(img_nodes, img_mask, txt_nodes, txt_mask, cols)
    d = plan.d
    # reductions after the max run in fp32 at least (bf16 tiles, fp32 means), in fp64 for fp64 inputs
    acc = torch.promote_types(img_nodes.dtype, torch.float32)
    mean_w = (1.0 / plan.t_counts.to(acc)).repeat_interleave(plan.t_counts)
    if count is not None:
        counts, kappa, tau = count
        n_of_node = counts[txt_mask]  # [sum Lt] caption-object counts (-1 unknown)
        known = n_of_node >= 1
        known_per_cap = torch.zeros(nc, device=plan.device, dtype=acc).index_add_(0, plan.cap_of_node, known.to(acc))
        count_w = known.to(acc) / known_per_cap.clamp_min(1)[plan.cap_of_node]
        log_n = torch.log1p(n_of_node.clamp_min(0).to(acc))
    match_cols, count_cols = [], []
    for c0, c1 in plan.chunks:
        n0, n1 = plan.offsets[c0], plan.offsets[c1]
        w = n1 - n0
        tct = plan.t_flat[n0:n1].T  # [d, cols]
        avg = plan.averaging(c0, c1, mean_w)
        if count is not None:
            cavg = plan.averaging(c0, c1, count_w)
            cols_known = bool(known[n0:n1].any())
        rows, crows = [], []
        for L, blk in plan.blocks:
            step = max(1, tile // max(1, L * w))
            for a in range(0, blk.shape[0], step):
                b = blk[a : a + step]
                s = (b.reshape(-1, d) @ tct).view(b.shape[0], L, w)  # one cache-sized tile of real pairs
                rows.append(s.amax(dim=1).to(acc) @ avg)
                if count is not None:
                    if not cols_known:
                        crows.append(s.new_zeros(b.shape[0], c1 - c0, dtype=acc))
                        continue
                    if torch.is_inference_mode_enabled() or not torch.is_grad_enabled():
                        soft = s.sub_(tau).mul_(kappa).sigmoid_().sum(1, dtype=acc)  # in place: the max is taken
                    else:
                        soft = torch.sigmoid(kappa * (s - tau)).sum(1, dtype=acc)  # [n, cols]
                    diff = -(torch.log1p(soft) - log_n[n0:n1]).abs()
                    crows.append(diff @ cavg)
        match_cols.append(torch.cat(rows) if len(rows) > 1 else rows[0])
        if count is not None:
            count_cols.append(torch.cat(crows) if len(crows) > 1 else crows[0])
    out = torch.cat(match_cols, dim=1) if len(match_cols) > 1 else match_cols[0]
    cnt = None
    if count is not None:
        cnt = (torch.cat(count_cols, dim=1) if len(count_cols) > 1 else count_cols[0]).index_select(0, plan.inv)
    return out.index_select(0, plan.inv), cnt


def _buffer(bufs: dict[str, Tensor], name: str, numel: int, dtype: torch.dtype, device=None) -> Tensor:
    buf = bufs.get(name)
    if buf is None or buf.numel() < numel or buf.dtype != dtype:
        buf = bufs[name] = torch.empty(max(numel, 1), dtype=dtype, device=device)
    return buf[:numel]


def _gather(bufs: dict[str, Tensor], name: str, src: Tensor, index: Tensor) -> Tensor:
    """`src.index_select(0, index)` into a reused buffer."""
    out = _buffer(bufs, name, index.numel() * src.shape[1], src.dtype, src.device).view(index.numel(), src.shape[1])
    return torch.index_select(src, 0, index, out=out)


def _prepare(img_nodes: Tensor, txt_nodes: Tensor, dtype: torch.dtype | None) -> tuple[Tensor, Tensor]:
    if dtype is not None and dtype != img_nodes.dtype:
        img_nodes = img_nodes.to(dtype)
    if txt_nodes.dtype != img_nodes.dtype:
        txt_nodes = txt_nodes.to(img_nodes.dtype)
    return img_nodes.contiguous(), txt_nodes


def node_match(
    img_nodes: Tensor,
    img_mask: Tensor,
    txt_nodes: Tensor,
    txt_mask: Tensor,
    *,
    cols: int = DEFAULT_COLS,
    tile: int = DEFAULT_TILE,
    dtype: torch.dtype | None = None,
) -> Tensor:
    """[Ni, Nc] matrix: for each pair, mean over the caption's real nodes of the max over the image's real nodes
    of the dot product. Masks are True on real nodes; every set must have at least one.

    Differentiable when autograd is on. `dtype` (e.g. `torch.bfloat16`) casts the node sets for the matmuls
    (accumulation stays in the matmul's accumulator); the result is returned in the input dtype. `cols` and
    `tile` size the blocks (caption-node columns per chunk, elements per score tile)."""
    _check(img_nodes, img_mask, txt_nodes, txt_mask)
    out_dtype = img_nodes.dtype
    a, b = _prepare(img_nodes, txt_nodes, dtype)
    out, _ = _node_match_flat(a, img_mask, b, txt_mask, cols, tile)
    return out.to(out_dtype)


def node_match_count(
    img_nodes: Tensor,
    img_mask: Tensor,
    txt_nodes: Tensor,
    txt_mask: Tensor,
    counts: Tensor,
    kappa: float,
    tau: Tensor | float,
    *,
    cols: int = DEFAULT_COLS,
    tile: int = DEFAULT_TILE,
    dtype: torch.dtype | None = None,
) -> tuple[Tensor, Tensor]:
    """(`node_match`, soft-count term) from one pass over the node-pair scores.

    The count term is `sgfns.models.count.SoftCount`'s: for each caption object with a known count n (`counts`
    [Nc, Lt], -1 unknown), ĉ = Σ_l σ(κ (cos − τ)) over the image's real nodes and the term is −|log(1+ĉ) −
    log(1+n)| averaged over the caption's counted objects (0 when none). Computing it from the tiles the match
    term already holds avoids a second [Ni, Nc, Lt, Li] padded einsum. Differentiable in the nodes and `tau`."""
    _check(img_nodes, img_mask, txt_nodes, txt_mask)
    if counts.shape != txt_mask.shape:
        raise ValueError(f"counts must be [Nc, Lt] = {tuple(txt_mask.shape)}, got {tuple(counts.shape)}")
    out_dtype = img_nodes.dtype
    a, b = _prepare(img_nodes, txt_nodes, dtype)
    m, c = _node_match_flat(a, img_mask, b, txt_mask, cols, tile, count=(counts, kappa, tau))
    return m.to(out_dtype), c.to(out_dtype)


@torch.inference_mode()
def node_match_inference(
    img_nodes: Tensor,
    img_mask: Tensor,
    txt_nodes: Tensor,
    txt_mask: Tensor,
    *,
    cols: int = DEFAULT_COLS,
    tile: int = DEFAULT_TILE,
    dtype: torch.dtype | None = None,
) -> Tensor:
    """`node_match` under `torch.inference_mode`, in `default_dtype(device)` unless `dtype` is given."""
    if dtype is None:
        dtype = default_dtype(img_nodes.device)
    return node_match(img_nodes, img_mask, txt_nodes, txt_mask, cols=cols, tile=tile, dtype=dtype)


@torch.inference_mode()
def node_match_pairs(
    img_nodes: Tensor,
    img_mask: Tensor,
    txt_nodes: Tensor,
    txt_mask: Tensor,
    pair_img: Tensor,
    pair_txt: Tensor,
    *,
    count: tuple[Tensor, float, Tensor | float] | None = None,
    tile: int = DEFAULT_TILE,
    dtype: torch.dtype | None = None,
    method: str = "auto",
) -> tuple[Tensor, Tensor | None]:
    """`node_match` (and, with `count = (counts, kappa, tau)`, the soft-count term) for listed pairs only:
    pair p is (image `pair_img[p]`, caption `pair_txt[p]`) -> ([P], [P] or None), in fp32 or wider.

    `method` "image" (on CPU when the images have many pairs each, `_cpu_method`): one image at a time, its
    listed captions' nodes gathered into a cache-sized buffer (`_pairs_by_image`; about 1.4x faster on the re-rank
    workload of docs/performance.md, 3.5x for one-node sets such as global vectors). "bmm" (the default on CUDA,
    where one call per image would be launch-bound, and on CPU for a few pairs per image, e.g. text queries'
    shortlists): the stacked-bmm tiles described below. Both give the same values up to float rounding.

    For re-ranking a shortlist: pairs are grouped by image, and each image's real nodes meet the real nodes of
    all captions paired with it ([L, d] x [d, cols], no pair outside the list). Images with the same node count
    and similar column counts are stacked into one bmm whose score tile holds about `tile` elements, so the
    work is a few large calls rather than one small matmul per image."""
    if method == "auto":
        method = "bmm" if img_nodes.device.type == "cuda" else _cpu_method(pair_img)
    if method == "image":
        return _pairs_by_image(img_nodes, img_mask, txt_nodes, txt_mask, pair_img, pair_txt, count=count, dtype=dtype)
    if method != "bmm":
        raise ValueError(f"method must be 'auto', 'image' or 'bmm', got {method!r}")
    dev = img_nodes.device
    img_nodes, txt_nodes, acc, pair_img, pair_txt, out, cnt, i_counts = _pairs_start(
        img_nodes, img_mask, txt_nodes, txt_mask, pair_img, pair_txt, count, dtype
    )
    if i_counts is None:  # no pairs
        return out, cnt
    if img_nodes.shape[1] == 1 and txt_nodes.shape[1] == 1 and count is None:
        # one node per side (a global vector): each pair is one dot product; gathered in chunks into reused
        # buffers (a fresh [P, d] gather costs a page fault per 4 KB), no grouping or bmm tiles needed
        return _pair_dots(img_nodes[:, 0], txt_nodes[:, 0], pair_img, pair_txt, acc), cnt
    pc = _pair_columns(pair_img, pair_txt, txt_mask, count, acc)
    t_flat = txt_nodes.reshape(-1, txt_nodes.shape[-1])
    imgs, col_begin, col_node, n_cols = pc.imgs, pc.col_begin, pc.col_node, pc.n_cols
    # images of equal node count L and similar column count C are stacked into one bmm [G, L, d] x [G, d, Cmax]
    # (padding only up to Cmax, masked out)
    n_cols_img = pc.col_end - col_begin
    L_img = i_counts[imgs]
    best = torch.empty(n_cols, device=dev, dtype=acc)
    soft = torch.empty(n_cols, device=dev, dtype=acc) if count is not None else None
    kappa, tau = (count[1], count[2]) if count is not None else (None, None)
    order_img = torch.argsort(L_img * (n_cols + 1) - n_cols_img, stable=True)  # by L, then C descending
    L_sorted, C_sorted = L_img[order_img].tolist(), n_cols_img[order_img].tolist()
    ar = torch.arange(int(n_cols_img.max()), device=dev)
    bufs: dict[str, Tensor] = {}  # reused across groups: fresh large tensors cost a page fault per 4 KB
    g0 = 0
    while g0 < len(L_sorted):
        L, cmax = L_sorted[g0], C_sorted[g0]
        g1 = g0 + 1
        while g1 < len(L_sorted) and L_sorted[g1] == L and (g1 - g0 + 1) * L * cmax <= tile:
            g1 += 1
        sel = order_img[g0:g1]
        gi = imgs[sel]
        n_g = g1 - g0
        if L == img_nodes.shape[1]:  # every slot real: no mask copy
            blk = _gather(bufs, "img", img_nodes.view(img_nodes.shape[0], -1), gi).view(n_g, L, -1)
        else:
            blk = img_nodes.index_select(0, gi)[img_mask.index_select(0, gi)].view(n_g, L, -1)
        pos = col_begin[sel, None] + ar[None, :cmax]  # [G, Cmax] column positions
        valid = ar[None, :cmax] < n_cols_img[sel, None]
        pos = torch.where(valid, pos, col_begin[sel, None])
        tn = _gather(bufs, "txt", t_flat, col_node[pos.flatten()]).view(n_g, cmax, -1)
        s = _buffer(bufs, "s", n_g * L * cmax, blk.dtype, blk.device).view(n_g, L, cmax)
        torch.bmm(blk, tn.transpose(1, 2), out=s)  # [G, L, Cmax]
        pv = pos[valid]
        best[pv] = s.amax(1)[valid].to(acc)
        if count is not None:
            soft[pv] = s.sub_(tau).mul_(kappa).sigmoid_().sum(1, dtype=acc)[valid]
        g0 = g1
    return _scatter_pairs(pc, best, soft, out, cnt)


#: pairs per listed image under which the CPU re-rank stacks images into bmm tiles (`node_match_pairs`)
BMM_BELOW_PAIRS_PER_IMAGE = 32


def _cpu_method(pair_img: Tensor) -> str:
    """"bmm" when the listed images have few pairs each, else "image". Why: the one-image-at-a-time path pays a
    Python step per image, which a text query's shortlist (one pair per image) makes the whole cost; measured on
    the 5,000-image benchmark gallery (one thread), stacking was 2-4x faster at 4-16 pairs per image, and about
    even from 64 (docs/serve.md)."""
    pair_img = torch.as_tensor(pair_img)
    n = pair_img.numel()
    if n == 0:
        return "image"
    return "bmm" if n < BMM_BELOW_PAIRS_PER_IMAGE * torch.unique(pair_img).numel() else "image"


def _pairs_start(img_nodes, img_mask, txt_nodes, txt_mask, pair_img, pair_txt, count, dtype):
    """The common start of both re-rank paths: checks, dtype, pair tensors, zeroed outputs; `i_counts` (real
    image nodes) is None when there are no pairs."""
    _check(img_nodes, img_mask, txt_nodes, txt_mask)
    dev = img_nodes.device
    img_nodes, txt_nodes = _prepare(img_nodes, txt_nodes, dtype)
    acc = torch.promote_types(img_nodes.dtype, torch.float32)
    pair_img = torch.as_tensor(pair_img, device=dev, dtype=torch.long)
    pair_txt = torch.as_tensor(pair_txt, device=dev, dtype=torch.long)
    out = torch.zeros(pair_img.numel(), device=dev, dtype=acc)
    cnt = torch.zeros(pair_img.numel(), device=dev, dtype=acc) if count is not None else None
    if pair_img.numel() == 0:
        return img_nodes, txt_nodes, acc, pair_img, pair_txt, out, cnt, None
    i_counts, t_counts = img_mask.sum(1), txt_mask.sum(1)
    if bool((i_counts[pair_img] == 0).any()) or bool((t_counts[pair_txt] == 0).any()):
        raise ValueError("every node set needs at least one real node (models add a learned null node)")
    return img_nodes, txt_nodes, acc, pair_img, pair_txt, out, cnt, i_counts


class _PairColumns(NamedTuple):
    """The caption-node columns of listed pairs sorted by image (both re-rank paths of `node_match_pairs`)."""

    order: Tensor  # sorted position -> original pair index
    pair_of_col: Tensor  # column -> sorted pair
    col_node: Tensor  # column -> row of the real caption node in the [Nc * Lt, d] view
    mean_w: Tensor  # column -> 1 / (caption's real nodes): the mean over caption nodes as a weighted sum
    count_w: Tensor | None  # column -> weight in the count term (known counts only)
    log_n: Tensor | None  # column -> log(1 + the caption's count)
    imgs: Tensor  # the images in sorted order (one run of pairs each)
    col_begin: Tensor  # image run -> first column
    col_end: Tensor  # image run -> end column
    n_cols: int


def _pair_columns(pair_img: Tensor, pair_txt: Tensor, txt_mask: Tensor, count, acc: torch.dtype) -> _PairColumns:
    """Sort the pairs by image and lay out one column per real caption node of each pair, touching only the
    captions that occur in pairs (so the cost follows the pairs, not the gallery)."""
    dev = pair_img.device
    n_pairs = pair_img.numel()
    order = torch.argsort(pair_img, stable=True)
    pi, pt = pair_img[order], pair_txt[order]
    lt = txt_mask.shape[1]
    uc, u_of_pair = torch.unique(pt, return_inverse=True)
    sub = txt_mask.index_select(0, uc)
    rows_u = (uc[:, None] * lt + torch.arange(lt, device=dev)[None])[sub]  # real-node rows, caption by caption
    cnt_u = sub.sum(1)
    off_u = torch.cumsum(cnt_u, 0) - cnt_u
    lens = cnt_u[u_of_pair]  # columns of each (sorted) pair
    n_cols = int(lens.sum())
    pair_of_col = torch.repeat_interleave(torch.arange(n_pairs, device=dev), lens)
    col_start = torch.cumsum(lens, 0) - lens
    col_node = rows_u[off_u[u_of_pair][pair_of_col] + torch.arange(n_cols, device=dev) - col_start[pair_of_col]]
    mean_w = (1.0 / lens.to(acc))[pair_of_col]
    count_w = log_n = None
    if count is not None:
        n_of_col = count[0].reshape(-1)[col_node]
        known = n_of_col >= 1
        known_pp = torch.zeros(n_pairs, device=dev, dtype=acc).index_add_(0, pair_of_col, known.to(acc))
        count_w = known.to(acc) / known_pp.clamp_min(1)[pair_of_col]
        log_n = torch.log1p(n_of_col.clamp_min(0).to(acc))
    # image runs in the sorted pair list -> column ranges
    imgs, runs = torch.unique_consecutive(pi, return_counts=True)
    col_end = torch.cumsum(lens, 0)[torch.cumsum(runs, 0) - 1]
    col_begin = torch.cat([col_end.new_zeros(1), col_end[:-1]])
    return _PairColumns(order, pair_of_col, col_node, mean_w, count_w, log_n, imgs, col_begin, col_end, n_cols)


def _scatter_pairs(pc: _PairColumns, best: Tensor, soft: Tensor | None, out: Tensor, cnt: Tensor | None):
    """Per-column maxima (and soft counts) -> per-pair scores in the caller's pair order (written into out/cnt)."""
    n_pairs, acc = out.numel(), out.dtype
    out[pc.order] = torch.zeros(n_pairs, device=out.device, dtype=acc).index_add_(0, pc.pair_of_col, best * pc.mean_w)
    if cnt is not None:
        diff = -(torch.log1p(soft) - pc.log_n).abs() * pc.count_w
        cnt[pc.order] = torch.zeros(n_pairs, device=out.device, dtype=acc).index_add_(0, pc.pair_of_col, diff)
    return out, cnt


def _pair_dots(a: Tensor, b: Tensor, pa: Tensor, pb: Tensor, acc: torch.dtype, chunk: int = 2048) -> Tensor:
    """[P] dot products a[pa[p]] · b[pb[p]] of rows of `a` [Na, d] and `b` [Nb, d], in chunks of pairs."""
    out = torch.empty(pa.numel(), device=a.device, dtype=acc)
    bufs: dict[str, Tensor] = {}
    for s in range(0, pa.numel(), chunk):
        ga = _gather(bufs, "a", a, pa[s : s + chunk])
        gb = _gather(bufs, "b", b, pb[s : s + chunk])
        out[s : s + chunk] = torch.bmm(ga[:, None, :], gb[:, :, None]).view(-1).to(acc)
    return out


@torch.inference_mode()
def _pairs_by_image(
    img_nodes: Tensor,
    img_mask: Tensor,
    txt_nodes: Tensor,
    txt_mask: Tensor,
    pair_img: Tensor,
    pair_txt: Tensor,
    *,
    count: tuple[Tensor, float, Tensor | float] | None = None,
    buf: int = PAIRS_BUF,
    dtype: torch.dtype | None = None,
) -> tuple[Tensor, Tensor | None]:
    """`node_match_pairs`' CPU path, one image at a time: the pairs are sorted by image, so the
    caption-node columns of one image's pairs are one contiguous range; they are gathered (at most `cols` at a
    time, `buf` elements) into a reused buffer that stays in cache, and one matmul [L, d] x [d, C] of the image's
    real nodes against them is followed by the max over the image's nodes (and the soft count) on the cache-hot
    tile. Per pair this is what exhaustive scoring does (each caption-node column loaded once against all of the
    image's nodes) plus one copy of the column; the stacked-bmm path gathered whole groups (tens of MB) first."""
    dev = img_nodes.device
    img_nodes, txt_nodes, acc, pair_img, pair_txt, out, cnt, i_counts = _pairs_start(
        img_nodes, img_mask, txt_nodes, txt_mask, pair_img, pair_txt, count, dtype
    )
    if i_counts is None:  # no pairs
        return out, cnt
    pc = _pair_columns(pair_img, pair_txt, txt_mask, count, acc)
    d = txt_nodes.shape[-1]
    t_flat = txt_nodes.reshape(-1, d)
    col_node = pc.col_node
    best = torch.empty(pc.n_cols, device=dev, dtype=acc)
    soft = torch.empty(pc.n_cols, device=dev, dtype=acc) if count is not None else None
    kappa, tau = (count[1], count[2]) if count is not None else (None, None)
    full = bool(img_mask.all())
    cols = max(16, buf // d)
    bufs: dict[str, Tensor] = {}
    for i, c0, c1 in zip(pc.imgs.tolist(), pc.col_begin.tolist(), pc.col_end.tolist(), strict=True):
        blk = img_nodes[i] if full else img_nodes[i][img_mask[i]]
        L = blk.shape[0]
        for a in range(c0, c1, cols):
            b = min(c1, a + cols)
            tn = _gather(bufs, "txt", t_flat, col_node[a:b])
            s = _buffer(bufs, "s", L * (b - a), blk.dtype, dev).view(L, b - a)
            torch.mm(blk, tn.T, out=s)
            if s.dtype == acc:
                torch.amax(s, 0, out=best[a:b])
            else:
                best[a:b] = s.amax(0)
            if count is not None:
                soft[a:b] = s.sub_(tau).mul_(kappa).sigmoid_().sum(0, dtype=acc)
    return _scatter_pairs(pc, best, soft, out, cnt)
