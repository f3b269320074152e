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


def _max_len(n: int, device) -> int:
    t = torch.tensor([n], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return int(t.item())


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
    from torch.distributed.nn.functional import all_gather

    return torch.cat(all_gather(t.contiguous()))


def gather_encoded(enc: Encoded) -> Encoded:
    """All-gather an Encoded across ranks (differentiable for float tensors), padding node sets to a common length."""
    sets = {}
    for k, (v, m) in enc.sets.items():
        L = _max_len(v.shape[1], v.device)
        sets[k] = (gather_diff(_pad_dim1(v, L)), gather_plain(_pad_dim1(m, L, False)))
    extra = {}
    for k, v in enc.extra.items():
        L = _max_len(v.shape[1], v.device) if v.dim() >= 2 else 0
        v = _pad_dim1(v, L, -1 if not v.is_floating_point() else 0) if v.dim() >= 2 else v
        extra[k] = gather_diff(v) if v.is_floating_point() and v.requires_grad else gather_plain(v)
    return Encoded(glob=gather_diff(enc.glob), sets=sets, extra=extra)
