"""Distributed setup for `torchrun` (gloo on CPU, nccl on GPU) and the differentiable all-gather of encodings.

Gathering pads every node set to the largest length over ranks (masks pad with False), so ranks whose captions
have different numbers of nodes still exchange equal shapes. `torch.distributed.nn.functional.all_gather`
back-propagates into each rank's own slice, so a loss computed on the gathered global batch trains every rank's
encoders exactly as one process would on the concatenated batch (see `loop.LossModule`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor

from sgfns.models.base import Encoded


@dataclass
class DistInfo:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def setup(device: str, backend: str = "auto") -> DistInfo:
    """Initialise the process group when launched by torchrun (WORLD_SIZE > 1); otherwise one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo(device=torch.device(device))
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = device.startswith("cuda")
    if backend == "auto":
        backend = "nccl" if cuda else "gloo"
    if cuda:
        torch.cuda.set_device(local)
        dev = torch.device("cuda", local)
    else:
        dev = torch.device("cpu")
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return DistInfo(rank=rank, world=world, local_rank=local, device=dev)


def cleanup(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()


def _pad_dim1(t: Tensor, L: int, value=0) -> Tensor:
    if t.dim() < 2 or t.shape[1] == L:
        return t
    pad = [0, 0] * (t.dim() - 2) + [0, L - t.shape[1]]
    return F.pad(t, pad, value=value)


def gather_plain(t: Tensor) -> Tensor:
    """Non-differentiable all-gather of equal-shaped tensors, concatenated along dim 0."""
    out = [torch.empty_like(t) for _ in range(dist.get_world_size())]
    dist.all_gather(out, t.contiguous())
    return torch.cat(out)


def gather_diff(t: Tensor) -> Tensor:
    """Differentiable all-gather (backward sums every rank's gradient into this rank's slice)."""
    from torch.distributed.nn.functional import all_gather

    # the group explicitly: all_gather's default argument is the WORLD group of the first initialisation, stale
    # once a process re-initialises (train() called twice in one process)
    return torch.cat(all_gather(t.contiguous(), group=dist.group.WORLD))


def _fields(enc: Encoded) -> list[tuple[str, Tensor]]:
    out = [("glob", enc.glob)]
    for k, (v, m) in enc.sets.items():
        out += [(f"set:{k}", v), (f"mask:{k}", m)]
    out += [(f"extra:{k}", v) for k, v in enc.extra.items()]
    return out


def gather_encoded_many(encs: list[Encoded]) -> list[Encoded]:
    """All-gather several Encoded of the same batch size in ONE differentiable collective.

    One collective matters: autograd may run the backward of separate gathers in a different order on different
    ranks (their graphs differ, e.g. where a null node was needed), and collectives pair up by order, so several
    gathers could silently exchange the wrong gradients. Node sets are padded to the longest over ranks first."""
    fields = [f for e in encs for f in _fields(e)]
    B = encs[0].glob.shape[0]
    dev = encs[0].glob.device
    lens = torch.tensor([t.shape[1] if t.dim() >= 2 else 0 for _, t in fields], device=dev)
    dist.all_reduce(lens, op=dist.ReduceOp.MAX)
    padded = []
    for (name, t), L in zip(fields, lens.tolist(), strict=True):
        fill = (
            False if t.dtype == torch.bool else (-1 if name.startswith("extra:") and not t.is_floating_point() else 0)
        )
        padded.append(_pad_dim1(t, L, fill) if t.dim() >= 2 else t)
    floats = [t for t in padded if t.is_floating_point()]
    others = [t for t in padded if not t.is_floating_point()]
    dtype = floats[0].dtype
    flat_f = torch.cat([t.reshape(B, -1).to(dtype) for t in floats], 1)
    g_f = gather_diff(flat_f)
    g_o = gather_plain(torch.cat([t.reshape(B, -1).long() for t in others], 1)) if others else None
    out_tensors, of, oo = [], 0, 0
    for t in padded:
        n = t[0].numel() if t.dim() > 1 else 1
        shape = (g_f.shape[0], *t.shape[1:])
        if t.is_floating_point():
            out_tensors.append(g_f[:, of : of + n].reshape(shape).to(t.dtype))
            of += n
        else:
            out_tensors.append(g_o[:, oo : oo + n].reshape(shape).to(t.dtype))
            oo += n
    result, i = [], 0
    for e in encs:
        names = [n for n, _ in _fields(e)]
        vals = dict(zip(names, out_tensors[i : i + len(names)], strict=True))
        i += len(names)
        result.append(
            Encoded(
                glob=vals["glob"],
                sets={k: (vals[f"set:{k}"], vals[f"mask:{k}"]) for k in e.sets},
                extra={k: vals[f"extra:{k}"] for k in e.extra},
            )
        )
    return result


def gather_batch_indices(
    caption_indices: list[int], image_indices: list[int], device: torch.device | str = "cpu"
) -> tuple[list[int], list[int], int]:
    """The global batch (every rank's caption and image indices, in rank order) and where this rank's part starts.

    Two small integer collectives; ranks may hold batches of different lengths. Every rank loads the same split,
    so indices are all another rank needs to read a donor object's label, attributes, feature and box itself."""
    if len(caption_indices) != len(image_indices):
        raise ValueError("one image index per caption index")
    world, rank = dist.get_world_size(), dist.get_rank()
    sizes = gather_plain(torch.tensor([len(caption_indices)], dtype=torch.long, device=device)).tolist()
    m = max(sizes)
    mine = torch.full((m, 2), -1, dtype=torch.long, device=device)
    if caption_indices:
        mine[: len(caption_indices)] = torch.tensor([caption_indices, image_indices], dtype=torch.long).T.to(device)
    rows = gather_plain(mine).view(world, m, 2).cpu()
    caps, imgs = [], []
    for r, n in enumerate(sizes):
        caps += rows[r, :n, 0].tolist()
        imgs += rows[r, :n, 1].tolist()
    return caps, imgs, sum(sizes[:rank])


def batch_gatherer(info: DistInfo):
    """`f(caption_indices, image_indices) -> (global captions, global images, offset)` for this process group: the
    generated-negatives term draws over the global batch with it (`GeneratedNegativesTerm.global_batch`)."""
    device = info.device if dist.get_backend() == "nccl" else torch.device("cpu")

    def gather(caption_indices: list[int], image_indices: list[int]) -> tuple[list[int], list[int], int]:
        return gather_batch_indices(list(caption_indices), list(image_indices), device)

    return gather
