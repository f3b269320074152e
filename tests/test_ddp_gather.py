"""DDP with negatives mined over the gathered global batch: 2 CPU processes (gloo) take one step on two halves of a
batch; loss and gradients must equal one process's step on the whole batch."""

from __future__ import annotations

import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from sgfns.data.batching import SplitInputs
from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.models import create_model
from sgfns.text import TextProcessor
from sgfns_app.train.config import TrainConfig
from sgfns_app.train.distributed import DistInfo
from sgfns_app.train.loop import LossModule

CAPS = [0, 6, 13, 17, 22, 30, 31, 44, 50, 58, 61, 77]  # captions 30 and 31 share an image: a masked positive


def _setup(data_dir):
    split = load_split(data_dir, "train")
    tp = TextProcessor.build(split.captions, list(split.image_graphs) + list(split.caption_graphs))
    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=len(tp.vocab), img_dim=split.feature_dim)
    cfg = TrainConfig()
    cfg.dist.gather_negatives = True
    return split, SplitInputs(split, tp), model, cfg


def _step(lm, runner, inputs, caps, k):
    imgs = [c // k for c in caps]
    loss, _ = runner(inputs.image_batch(imgs), inputs.caption_batch(caps), torch.tensor(imgs), torch.tensor(caps), True)
    loss.backward()
    return float(loss.detach()), {n: p.grad.clone() for n, p in lm.model.named_parameters() if p.grad is not None}


def _worker(rank, world, init_file, data_dir, out):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        split, inputs, model, cfg = _setup(data_dir)
        lm = LossModule(model, cfg, DistInfo(rank=rank, world=world), split.extra_positives)
        ddp = torch.nn.parallel.DistributedDataParallel(lm, find_unused_parameters=True)
        half = len(CAPS) // world
        loss, grads = _step(lm, ddp, inputs, CAPS[rank * half : (rank + 1) * half], split.captions_per_image)
        if rank == 0:
            torch.save({"loss": loss, "grads": grads}, out)
        del ddp
        dist.barrier()  # every rank's collectives done before any rank tears its process group down
    finally:
        dist.destroy_process_group()


@pytest.mark.skipif(not dist.is_available(), reason="torch.distributed unavailable")
def test_gathered_two_process_step_equals_single_process_step(tmp_path):
    data_dir = write_toy_dataset(tmp_path / "toy", n_images=16, feature_dim=16, regions=6, splits=("train",))
    out = tmp_path / "rank0.pt"
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    mp.spawn(_worker, args=(2, str(tmp_path / "init"), str(data_dir), str(out)), nprocs=2, join=True)
    got = torch.load(out, weights_only=True)

    split, inputs, model, cfg = _setup(data_dir)
    lm = LossModule(model, cfg, DistInfo(), split.extra_positives)
    ref_loss, ref_grads = _step(lm, lm, inputs, CAPS, split.captions_per_image)

    assert ref_loss > 0
    assert abs(got["loss"] - ref_loss) < 1e-4 * max(1.0, abs(ref_loss))
    assert set(ref_grads) <= set(got["grads"]) | {n for n, g in ref_grads.items() if not g.any()}
    for name, g in ref_grads.items():
        h = got["grads"].get(name, torch.zeros_like(g))
        assert torch.allclose(h, g, atol=1e-5, rtol=1e-3), name
