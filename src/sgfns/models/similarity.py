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

import torch
from torch import Tensor

__all__ = ["node_match", "node_match_reference", "default_dtype"]

#: caption-node columns per chunk; with d = 1024 the [d, cols] right operand is 2 MB in fp32
DEFAULT_COLS = 512
#: elements of one [n*L, cols] score tile (2 MB in fp32 — one core's L2)
DEFAULT_TILE = 1 << 19


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


def _node_match_flat(
    img_nodes: Tensor, img_mask: Tensor, txt_nodes: Tensor, txt_mask: Tensor, cols: int, tile: int
) -> Tensor:
    ni, _, d = img_nodes.shape
    nc = txt_nodes.shape[0]
    dev, dt = img_nodes.device, img_nodes.dtype
    if ni == 0 or nc == 0:
        return img_nodes.new_zeros(ni, nc)
    i_counts = img_mask.sum(1)
    t_counts = txt_mask.sum(1)
    if bool((i_counts == 0).any()) or bool((t_counts == 0).any()):
        raise ValueError("every node set needs at least one real node (models add a learned null node)")

    # image buckets: images with the same number of real nodes -> dense [n, L, d] blocks, no padding
    i_counts_l = i_counts.tolist()
    buckets: dict[int, list[int]] = {}
    for i, c in enumerate(i_counts_l):
        buckets.setdefault(c, []).append(i)
    order, blocks = [], []
    for L in sorted(buckets):
        idx = torch.tensor(buckets[L], device=dev)
        order.append(idx)
        sel_nodes, sel_mask = img_nodes.index_select(0, idx), img_mask.index_select(0, idx)
        blocks.append((L, sel_nodes[sel_mask].view(len(buckets[L]), L, d)))
    perm = torch.cat(order)
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(ni, device=dev)

    # caption nodes flattened, real nodes only, captions kept contiguous
    t_flat = txt_nodes[txt_mask]  # [sum Lt, d]
    t_counts_l = t_counts.tolist()
    offsets = [0]
    for c in t_counts_l:
        offsets.append(offsets[-1] + c)
    cap_of_node = torch.repeat_interleave(torch.arange(nc, device=dev), t_counts)
    inv_len = (1.0 / t_counts.to(dt)).repeat_interleave(t_counts)

    col_blocks = []
    for c0, c1 in _caption_chunks(t_counts_l, cols):
        n0, n1 = offsets[c0], offsets[c1]
        tc = t_flat[n0:n1]  # [cols, d]
        # averaging matrix: column j of the chunk contributes 1/len to its caption
        avg = torch.zeros(n1 - n0, c1 - c0, device=dev, dtype=dt)
        avg[torch.arange(n1 - n0, device=dev), cap_of_node[n0:n1] - c0] = inv_len[n0:n1]
        tct = tc.T
        rows = []
        for L, blk in blocks:
            step = max(1, tile // max(1, L * (n1 - n0)))
            for a in range(0, blk.shape[0], step):
                b = blk[a : a + step]
                s = (b.reshape(-1, d) @ tct).view(b.shape[0], L, n1 - n0)
                rows.append(s.amax(dim=1) @ avg)
        col_blocks.append(torch.cat(rows) if len(rows) > 1 else rows[0])
    out = torch.cat(col_blocks, dim=1) if len(col_blocks) > 1 else col_blocks[0]
    return out.index_select(0, inv)


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
    if dtype is not None and dtype != out_dtype:
        img_nodes, txt_nodes = img_nodes.to(dtype), txt_nodes.to(dtype)
    elif txt_nodes.dtype != img_nodes.dtype:
        txt_nodes = txt_nodes.to(img_nodes.dtype)
    if not img_nodes.is_contiguous():
        img_nodes = img_nodes.contiguous()
    out = _node_match_flat(img_nodes, img_mask, txt_nodes, txt_mask, cols, tile)
    return out.to(out_dtype)


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
