"""The one training loop: every registered model, one process or many (torchrun), same selection rule.

Per step: a batch of captions and their images -> encodings -> (optionally gathered over ranks) in-batch similarity
-> VSE++ hinge (sum of hinges during warm-up, hardest negatives after) [+ λ · generated-negative term] -> Adam(W),
gradient clipping, per-step lr schedule. Per epoch: validation rSum on the val split, `last` checkpoint, `best`
when rSum improves. Sampling is a permutation seeded by (seed, epoch), so a resumed run replays exactly the batches
it would have seen."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from sgfns import __version__
from sgfns.config import to_dict
from sgfns.data.batching import SplitInputs, to_device
from sgfns.data.dataset import Split, load_split
from sgfns.errors import UserError
from sgfns.eval.recall import recall_metrics as _recall_metrics
from sgfns.graphs.cache import caption_graphs_for
from sgfns.io import atomic_write, write_json
from sgfns.losses import batch_positive_mask, hinge_triplet, info_nce
from sgfns.models import create_model, model_options, scoring
from sgfns.models.base import Matcher, total
from sgfns.models.inputs import check_split_inputs
from sgfns.seed import seed_everything
from sgfns.text import TOKENIZER_NAME, TOKENIZER_VERSION, TextProcessor
from sgfns_app.logs import add_file_handler
from sgfns_app.runs import prepare_run_dir
from sgfns_app.train import checkpoint as ckpt
from sgfns_app.train import distributed as D
from sgfns_app.train.config import TrainConfig

log = logging.getLogger(__name__)


# --- data -----------------------------------------------------------------------------------------------------
def resolve_val_split(data_dir: Path, requested: str | None) -> str | None:
    from sgfns.data.dataset import available_splits

    have = set(available_splits(data_dir))
    if requested:
        if requested not in have and not ({"val", "dev"} & {requested} and {"val", "dev"} & have):
            raise UserError(f"{data_dir}: no split '{requested}' for validation; available: {', '.join(sorted(have))}")
        return requested
    for name in ("val", "dev"):
        if name in have:
            return name
    return None


def subset_split(split: Split, n_images: int) -> Split:
    """The first `n_images` images of a split with their captions (validation on a bounded gallery)."""
    if n_images <= 0 or n_images >= split.n_images:
        return split
    k = split.captions_per_image
    nc = n_images * k
    extra = {c: [i for i in imgs if i < n_images] for c, imgs in split.extra_positives.items() if c < nc}
    return dataclasses.replace(
        split,
        captions=split.captions[:nc],
        ids=split.ids[:n_images],
        features=None if split.features is None else split.features[:n_images],
        boxes=None if split.boxes is None else split.boxes[:n_images],
        image_graphs=None if split.image_graphs is None else split.image_graphs[:n_images],
        caption_graphs=None if split.caption_graphs is None else split.caption_graphs[:nc],
        extra_positives={c: v for c, v in extra.items() if v},
    )


def load_training_split(data_dir: Path, name: str, text_graphs: str, max_images: int, model: str = "") -> Split:
    """A split as training reads it: loaded, with its caption graphs (`text_graphs` mode, cached), cut to its first
    `max_images` images (0 = all). `model`: a model name whose inputs (features, image graphs) are checked first."""
    split = load_split(data_dir, name)
    if model:
        check_split_inputs(model, split, "training")
    split.caption_graphs = caption_graphs_for(split, text_graphs)
    return subset_split(split, max_images)


def model_kwargs(cfg: TrainConfig, vocab_size: int, img_dim: int | None) -> dict[str, Any]:
    """The model's options from the config, plus what the data sets (vocabulary size, feature dimension)."""
    opts = model_options(cfg.model_name)
    values = dict(cfg.model_options())
    values["vocab_size"] = vocab_size
    if img_dim is not None:
        values["img_dim"] = img_dim
    return {k: v for k, v in values.items() if k in opts}


def build_model(cfg: TrainConfig, tp: TextProcessor, img_dim: int | None) -> Matcher:
    """A fresh model for `cfg`; a model with pretrained word vectors (`init_words`) gets them for `tp`'s words."""
    model = create_model(cfg.model_name, **model_kwargs(cfg, len(tp.vocab), img_dim))
    model.text_processor = tp
    init_words = getattr(model, "init_words", None)
    if init_words is not None:
        init_words(list(tp.vocab.itos))
    return model


# --- validation ------------------------------------------------------------------------------------------------
def recall_metrics(sim: Tensor, positives: np.ndarray) -> dict[str, float]:
    return _recall_metrics(sim, torch.as_tensor(positives))


def validate(model: Matcher, split: Split, graphs, device, batch_size: int, progress: bool = False) -> dict[str, float]:
    img = scoring.encode_images(model, split, device, batch_size, progress=progress)
    cap = scoring.encode_captions(model, split.captions, graphs, device, batch_size, progress=progress)
    sim = scoring.similarity_matrix(model, img, cap)
    return recall_metrics(sim, split.positive_mask())


# --- the loss module (what DDP wraps) ---------------------------------------------------------------------------
class LossModule(nn.Module):
    """forward(batch) -> loss. Wrapping the whole step in one module lets DDP see every parameter use."""

    def __init__(self, model: Matcher, cfg: TrainConfig, dist: D.DistInfo, extra_positives, term=None) -> None:
        super().__init__()
        self.model = model
        self.cfg = cfg
        self.dist = dist
        self.extra_positives = extra_positives
        self.term = term

    def forward(self, ib: dict[str, Tensor], cb: dict[str, Tensor], img_idx: Tensor, cap_idx: Tensor,
                hardest: bool, neg_extra: dict | None = None) -> tuple[Tensor, dict[str, float]]:  # fmt: skip
        img = self.model.encode_images(ib)
        cap = self.model.encode_captions(cb)
        gather = self.dist.enabled and self.cfg.dist.gather_negatives
        if gather:
            img_all, cap_all = D.gather_encoded_many([img, cap])
            ii, ci = D.gather_plain(img_idx), D.gather_plain(cap_idx)
        else:
            img_all, cap_all, ii, ci = img, cap, img_idx, cap_idx
        terms = self.cfg.loss.terms
        if terms:
            parts = self.model.similarity_parts(img_all, cap_all)
            missing = [t for t in terms if t not in parts]
            if missing:
                raise UserError(f"loss.terms: {self.model.name} has no score term {missing[0]!r} "
                                f"(its terms: {', '.join(parts)})")  # fmt: skip
            sim = total(parts)
        else:
            sim = self.model.similarity(img_all, cap_all)
        pos = batch_positive_mask(ii.cpu(), ci.cpu(), self.extra_positives).to(sim.device)

        def match(s: Tensor) -> Tensor:
            if self.cfg.loss.name == "infonce":
                return info_nce(s, pos, self.cfg.loss.temperature)
            return hinge_triplet(s, pos, self.cfg.loss.margin, hardest=hardest)

        scale = self.dist.world if self.dist.enabled and not gather else 1  # DDP averages gradients; sums over pairs
        loss = match(sim) * scale
        stats = {"match": float(loss.detach())}
        if terms:
            term_loss = sum(match(parts[t]) for t in terms) * scale
            stats["terms"] = float(term_loss.detach())
            loss = loss + self.cfg.loss.term_weight * term_loss
        if self.term is not None and neg_extra is not None:
            neg = self.term.loss(self.model, neg_extra, img, cap)
            stats["neg"] = float(neg.detach())
            if self.dist.enabled:
                neg = neg * self.dist.world  # DDP averages gradients; L_neg is a sum over this rank's positives
            loss = loss + self.cfg.neg.weight * neg
        return loss, stats


def make_optimizer(cfg: TrainConfig, model: Matcher) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.optim.name == "adamw":
        return torch.optim.AdamW(params, lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)
    return torch.optim.Adam(params, lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)


def lr_factor(cfg: TrainConfig, step: int, steps_per_epoch: int) -> float:
    o = cfg.optim
    f = 1.0
    if o.warmup_steps > 0 and step < o.warmup_steps:
        f = (step + 1) / o.warmup_steps
    if o.schedule == "step":
        f *= o.step_gamma ** ((step // max(1, steps_per_epoch)) // max(1, o.step_epochs))
    elif o.schedule == "cosine":
        total = max(1, cfg.epochs * steps_per_epoch)
        f *= 0.5 * (1 + math.cos(math.pi * min(step, total) / total))
    return f


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int, dist: D.DistInfo) -> list[list[int]]:
    """This rank's batches of caption indices for `epoch`: a seeded permutation, split evenly over ranks
    (DistributedSampler semantics: padded by wrapping so every rank has the same number of batches)."""
    if dist.enabled:
        from torch.utils.data import DistributedSampler

        sampler = DistributedSampler(range(n), num_replicas=dist.world, rank=dist.rank, shuffle=True, seed=seed)
        sampler.set_epoch(epoch)
        order = list(sampler)
    else:
        g = torch.Generator().manual_seed(seed * 100_003 + epoch)
        order = torch.randperm(n, generator=g).tolist()
    return [order[s : s + batch_size] for s in range(0, len(order), batch_size)]


# --- run folder -----------------------------------------------------------------------------------------------
def step_timings(run_dir: str | Path, warmup: int = 0) -> dict[str, float]:
    """Mean seconds per step waiting for data (`data_s`) and computing (`step_s`) over the logged intervals of a
    run's metrics.jsonl after the first `warmup` steps (benchmarks train with `log_every=1` and `max_steps`)."""
    recs = [json.loads(x) for x in (Path(run_dir) / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [r for r in recs if "step_s" in r and r["step"] > warmup]
    n = sum(r["steps"] for r in rows)
    if not n:
        raise UserError(f"{run_dir}: no logged steps after step {warmup} in metrics.jsonl")
    return {"steps": n, "step_s": sum(r["step_s"] * r["steps"] for r in rows) / n,
            "data_s": sum(r["data_s"] * r["steps"] for r in rows) / n}  # fmt: skip


class Metrics:
    """`metrics.jsonl`, appended one line per record. A line cut short by a crash is left alone on its line, so the
    records a resumed run appends stay whole."""

    def __init__(self, path: Path, enabled: bool) -> None:
        self.path, self.enabled = path, enabled
        self._start = ""
        if enabled and path.exists() and path.stat().st_size:
            with open(path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                self._start = "" if f.read(1) == b"\n" else "\n"

    def write(self, rec: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(self._start + json.dumps(rec) + "\n")
            f.flush()
        self._start = ""


# --- the loop -------------------------------------------------------------------------------------------------
def train(data_dir: str | Path, out_dir: str | Path, cfg: TrainConfig, *, val_split: str | None = None,
          resume: bool = False, config_text: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Train `cfg.model["name"]` on `data_dir`'s train split into run folder `out_dir`; returns a summary dict."""
    cfg.validate()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    dist = D.setup(cfg.device, cfg.dist.backend)
    root_logger = logging.getLogger()
    handlers_before = list(root_logger.handlers)
    try:
        state = setup_training(data_dir, out_dir, cfg, dist, val_split, resume)
        if state.term is _UNTRAINED:
            return _finish_untrained(state)
        return run_training(state)
    finally:
        for h in [h for h in root_logger.handlers if h not in handlers_before]:
            root_logger.removeHandler(h)
            h.close()
        D.cleanup(dist)


_UNTRAINED = object()  # `TrainingState.term` of a model without trainable parameters (symbolic)


@dataclass
class TrainingState:
    """Everything a run needs between steps: built by `setup_training` (fresh or resumed), advanced by `train_step`
    / `run_epoch`, checkpointed by `end_epoch`."""

    cfg: TrainConfig
    dist: D.DistInfo
    out_dir: Path
    model: Matcher
    inputs: SplitInputs | None
    val_split: Split | None
    val_graphs: Any
    metrics: Metrics
    term: Any = None
    runner: nn.Module | None = None
    opt: torch.optim.Optimizer | None = None
    sched: Any = None
    steps_per_epoch: int = 0
    start_epoch: int = 0
    step: int = 0
    skip: int = 0  # batches of `start_epoch` already done (a mid-epoch resume)
    best: dict[str, float] = field(default_factory=lambda: {"rsum": -1.0, "epoch": -1})

    @property
    def ck_dir(self) -> Path:
        return self.out_dir / ckpt.CKPT_DIR

    def done(self) -> bool:
        return bool(self.cfg.max_steps) and self.step >= self.cfg.max_steps


def setup_training(data_dir: Path, out_dir: Path, cfg: TrainConfig, dist: D.DistInfo, val_name: str | None,
                   resume: bool) -> TrainingState:  # fmt: skip
    """Data, run folder, model, optimizer, schedule and L_neg term; the saved state when resuming."""
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    if dist.device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device {cfg.device}: CUDA is not available on this machine")
    seed_everything(cfg.seed, deterministic=cfg.deterministic)
    name = cfg.model_name
    # caption graphs are looked up (and cached) for the whole split, then cut with it; under DDP rank 0 parses
    # and caches first, the other ranks then read the cache
    if dist.enabled and not dist.main:
        torch.distributed.barrier()
    train_split = load_training_split(data_dir, "train", cfg.data.text_graphs, cfg.data.max_train_images, name)
    val_name = resolve_val_split(data_dir, val_name)
    val_split = None
    if val_name:
        val_split = load_training_split(data_dir, val_name, cfg.data.text_graphs, cfg.data.max_val_images, name)
    if dist.enabled and dist.main:
        torch.distributed.barrier()
    train_graphs = train_split.caption_graphs
    val_graphs = val_split.caption_graphs if val_split is not None else None
    if train_graphs is None:
        log.warning("no caption graphs for %s/train: every caption uses null graph nodes", data_dir)

    if dist.main:
        out_dir = prepare_run_dir(out_dir, resume=resume)
    if dist.enabled:
        torch.distributed.barrier()
    resuming = resume and (out_dir / ckpt.CKPT_DIR / "last.state.pt").exists()
    if resuming:
        tp = TextProcessor.load(out_dir / "vocab.json")
    else:
        tp = TextProcessor.build(
            train_split.captions,
            list(train_split.image_graphs or []) + list(train_graphs or []),
            cfg.data.min_word_freq,
        )
    model = build_model(cfg, tp, train_split.feature_dim)
    model.to(dist.device)
    if dist.main and not resuming:
        _write_run_files(out_dir, cfg, model, tp, train_split)
    if dist.main:
        add_file_handler(out_dir / "train.log")  # removed again when `train` returns
    metrics = Metrics(out_dir / "metrics.jsonl", dist.main)
    log.info("model %s: %d parameters", name, sum(p.numel() for p in model.parameters()))
    st = TrainingState(cfg, dist, out_dir, model, None, val_split, val_graphs, metrics)
    if not getattr(model, "trainable", True) or not any(p.requires_grad for p in model.parameters()):
        st.term = _UNTRAINED
        return st

    st.inputs = SplitInputs(train_split, tp, train_graphs)
    st.steps_per_epoch = len(epoch_batches(train_split.n_captions, cfg.data.batch_size, cfg.seed, 0, dist))
    st.opt = make_optimizer(cfg, model)
    st.sched = torch.optim.lr_scheduler.LambdaLR(st.opt, lambda s: lr_factor(cfg, s, st.steps_per_epoch))
    if resuming:
        _load_last(st)
    st.term = _extra_term(cfg, st.inputs)
    if st.term is not None and dist.enabled and cfg.dist.gather_negatives:
        st.term.global_batch = D.batch_gatherer(dist)  # image negatives draw donors from the global batch
    step_module = LossModule(model, cfg, dist, train_split.extra_positives, st.term)
    st.runner = step_module
    if dist.enabled:
        st.runner = torch.nn.parallel.DistributedDataParallel(
            step_module, device_ids=[dist.local_rank] if dist.device.type == "cuda" else None,
            find_unused_parameters=True,
        )  # fmt: skip
    return st


def _load_last(st: TrainingState) -> None:
    state = ckpt.load_state(st.ck_dir / "last.state.pt")
    sha = ckpt.load_weights(st.model, st.ck_dir / "last.safetensors")
    if sha != state.get("weights_sha256"):
        raise UserError(
            f"{st.ck_dir}: last.safetensors does not belong to last.state.pt (sha256 mismatch: the run was stopped "
            "while saving); it cannot be resumed, start a new run (checkpoints/best.safetensors is whole)"
        )
    st.opt.load_state_dict(state["optimizer"])
    st.sched.load_state_dict(state["scheduler"])
    st.start_epoch, st.step, st.skip = int(state["epoch"]), int(state["step"]), int(state.get("batch_in_epoch", 0))
    st.best = {"rsum": float(state["best_rsum"]), "epoch": int(state["best_epoch"])}
    torch.set_rng_state(state["torch_rng"])
    log.info("resuming %s at epoch %d, batch %d (step %d)", st.out_dir, st.start_epoch, st.skip, st.step)
    st.metrics.write({"event": "resume", "epoch": st.start_epoch, "step": st.step})


def save_last(st: TrainingState, epoch: int, batch_in_epoch: int) -> None:
    """The `last` checkpoint: weights, then the training state that names their sha256."""
    if not st.dist.main:
        return
    sha = ckpt.save_weights(st.model, st.ck_dir / "last.safetensors")
    ckpt.save_state(st.ck_dir / "last.state.pt", {
        "epoch": epoch, "batch_in_epoch": batch_in_epoch, "step": st.step, "best_rsum": st.best["rsum"],
        "best_epoch": st.best["epoch"], "optimizer": st.opt.state_dict(), "scheduler": st.sched.state_dict(),
        "torch_rng": torch.get_rng_state(), "weights_sha256": sha,
    })  # fmt: skip


def load_batch(st: TrainingState, cap_list: list[int], epoch: int) -> tuple:
    """Collate one batch (images, captions, their indices, the L_neg draws) on the run's device."""
    k = st.inputs.split.captions_per_image
    img_list = [c // k for c in cap_list]
    dev = st.dist.device
    ib = to_device(st.inputs.image_batch(img_list), dev)
    cb = to_device(st.inputs.caption_batch(cap_list), dev)
    neg_extra = None
    if st.term is not None:
        neg_extra = st.term.extra_batch(cap_list, img_list, epoch)
        neg_extra = {kk: to_device(v, dev) if isinstance(v, dict) else v for kk, v in neg_extra.items()}
    return ib, cb, torch.tensor(img_list), torch.tensor(cap_list), neg_extra


def train_step(st: TrainingState, batch: tuple, hardest: bool, epoch: int) -> tuple[float, dict, float | None]:
    """One optimisation step on a collated batch: (loss, its parts, gradient norm before clipping)."""
    ib, cb, img_idx, cap_idx, neg_extra = batch
    loss, stats = st.runner(ib, cb, img_idx, cap_idx, hardest, neg_extra)
    st.opt.zero_grad(set_to_none=True)
    loss.backward()
    gnorm = None
    if st.cfg.optim.grad_clip > 0:
        gnorm = float(torch.nn.utils.clip_grad_norm_(st.model.parameters(), st.cfg.optim.grad_clip))
    st.opt.step()
    st.sched.step()
    st.step += 1
    value = float(loss.detach())
    if not math.isfinite(value):
        raise UserError(f"loss became {value} at epoch {epoch + 1} step {st.step}; lower optim.lr")
    return value, stats, gnorm


def run_epoch(st: TrainingState, epoch: int) -> dict[str, Any]:
    """The epoch's batches (from `st.skip` on, until `max_steps`); logs every `log_every` steps the loss and the mean
    seconds per step spent waiting for data (`data_s`: collation and L_neg draws) and computing (`step_s`)."""
    cfg = st.cfg
    st.model.train()
    hardest = cfg.loss.hardest and epoch >= cfg.loss.warmup_epochs
    batches = epoch_batches(st.inputs.split.n_captions, cfg.data.batch_size, cfg.seed, epoch, st.dist)
    bar = None
    if cfg.progress and st.dist.main:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(batches), initial=st.skip, desc=f"epoch {epoch + 1}/{cfg.epochs}", dynamic_ncols=True)
    t0, seen = time.time(), 0
    data_s = step_s = 0.0  # this epoch
    win = {"data": 0.0, "step": 0.0, "n": 0}  # this logging interval
    stopped_at = None
    for b_i, cap_list in enumerate(batches):
        if b_i < st.skip:
            continue
        if st.done():
            stopped_at = b_i  # max_steps reached inside the epoch: a resume continues from this batch
            break
        t = time.perf_counter()
        batch = load_batch(st, cap_list, epoch)
        t_data = time.perf_counter()
        loss, stats, gnorm = train_step(st, batch, hardest, epoch)
        t_step = time.perf_counter()
        win["data"] += t_data - t
        win["step"] += t_step - t_data
        win["n"] += 1
        seen += len(cap_list)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.3f}")
        if cfg.log_every and st.step % cfg.log_every == 0:
            st.metrics.write({"step": st.step, "epoch": epoch, "loss": loss, **stats, "grad_norm": gnorm,
                              "lr": st.sched.get_last_lr()[0], "data_s": round(win["data"] / win["n"], 5),
                              "step_s": round(win["step"] / win["n"], 5), "steps": win["n"]})  # fmt: skip
            data_s, step_s = data_s + win["data"], step_s + win["step"]
            win = {"data": 0.0, "step": 0.0, "n": 0}
        if cfg.save_every_steps and st.step % cfg.save_every_steps == 0 and b_i + 1 < len(batches):
            save_last(st, epoch, b_i + 1)
    if bar is not None:
        bar.close()
    data_s, step_s = data_s + win["data"], step_s + win["step"]
    st.skip = 0
    wall = max(1e-9, time.time() - t0)
    rec = {"epoch": epoch + 1, "step": st.step, "train_seconds": round(wall, 2), "pairs_per_s": round(seen / wall, 1),
           "data_seconds": round(data_s, 2), "step_seconds": round(step_s, 2)}  # fmt: skip
    if stopped_at is not None:
        rec["stopped_at_batch"] = stopped_at
    return rec


def end_epoch(st: TrainingState, epoch: int, rec: dict[str, Any]) -> None:
    """Validation rSum (the `best` checkpoint when it improves), the `last` checkpoint, the epoch's metrics."""
    if st.dist.main and st.val_split is not None:
        val = validate(st.model, st.val_split, st.val_graphs, st.dist.device, st.cfg.eval_batch_size)
        rec.update({f"val_{kk}": v for kk, v in val.items()})
        if val["rsum"] > st.best["rsum"]:
            st.best = {"rsum": val["rsum"], "epoch": epoch + 1}
            sha = ckpt.save_weights(st.model, st.ck_dir / "best.safetensors")
            best_rec = {"epoch": epoch + 1, "val_rsum": val["rsum"], "val_split": st.val_split.name}
            best_rec.update({"weights_sha256": sha, **{f"val_{kk}": v for kk, v in val.items()}})
            write_json(st.ck_dir / "best.json", best_rec)
        log.info("epoch %d: val rSum %.2f (best %.2f at epoch %d)", epoch + 1, val["rsum"], st.best["rsum"],
                 st.best["epoch"])  # fmt: skip
    elif st.dist.main:
        st.best = {"rsum": float("nan"), "epoch": epoch + 1}
        ckpt.save_weights(st.model, st.ck_dir / "best.safetensors")
    if "stopped_at_batch" in rec:  # cut by max_steps: `last` resumes inside this epoch
        save_last(st, epoch, rec["stopped_at_batch"])
    else:
        save_last(st, epoch + 1, 0)
    st.metrics.write(rec)
    if st.dist.enabled:
        torch.distributed.barrier()


def run_training(st: TrainingState) -> dict[str, Any]:
    """Epochs from where the state is until `epochs` (or `max_steps`: the epoch it falls in is validated and
    checkpointed where it stopped, so `--resume` with a larger `max_steps` continues exactly); returns the summary
    of the last epoch."""
    summary: dict[str, Any] = {}
    t_start = time.time()
    for epoch in range(st.start_epoch, st.cfg.epochs):
        if st.done():
            break
        rec = run_epoch(st, epoch)
        end_epoch(st, epoch, rec)
        summary = rec
    summary.update({"best_epoch": st.best["epoch"], "best_val_rsum": st.best["rsum"], "run": str(st.out_dir),
                    "seconds": round(time.time() - t_start, 1)})  # fmt: skip
    return summary


def _extra_term(cfg: TrainConfig, inputs: SplitInputs):
    if cfg.neg.weight <= 0:
        return None
    try:
        from sgfns.losses.generated import build_term
    except ImportError as e:
        raise UserError(f"neg.weight={cfg.neg.weight} needs sgfns.losses.generated.build_term ({e})") from None
    return build_term(cfg.neg, inputs, cfg.seed)


def _write_run_files(out_dir: Path, cfg: TrainConfig, model: Matcher, tp: TextProcessor, split: Split) -> None:
    import yaml

    with atomic_write(out_dir / "config.yaml") as f:
        yaml.safe_dump(to_dict(cfg), f, sort_keys=False)
    ckpt.write_model_json(out_dir, model)
    tp.save(out_dir / "vocab.json")
    write_json(out_dir / "versions.json", {
        "sgfns": __version__, "torch": torch.__version__, "tokenizer": f"{TOKENIZER_NAME}@{TOKENIZER_VERSION}",
        "parser": _graph_source(split),
        "text_graphs": cfg.data.text_graphs, "data": str(split.root),
    })  # fmt: skip


def _graph_source(split: Split) -> str:
    """Where the caption graphs came from: 'provided' or 'parser@VERSION' (the cache's meta beside the data)."""
    from sgfns.io import read_json

    meta = Path(split.root) / f"{split.name}_caps_sg.meta.json"
    try:
        source = read_json(meta).get("source") if meta.exists() else None
    except (UserError, AttributeError):
        source = None
    return source or split.caption_graph_source or "unknown (parser user cache)"


def _finish_untrained(st: TrainingState) -> dict[str, Any]:
    """Models without parameters (symbolic): no optimisation, but the same checkpoint files and validation."""
    rec: dict[str, Any] = {"epoch": 0, "step": 0}
    if st.dist.main:
        sha = ckpt.save_weights(st.model, st.ck_dir / "best.safetensors")
        ckpt.save_weights(st.model, st.ck_dir / "last.safetensors")
        if st.val_split is not None:
            val = validate(st.model, st.val_split, st.val_graphs, st.dist.device, st.cfg.eval_batch_size)
            rec.update({f"val_{k}": v for k, v in val.items()})
        write_json(st.ck_dir / "best.json", {"epoch": 0, "val_rsum": rec.get("val_rsum"), "weights_sha256": sha})
        st.metrics.write(rec)
    rec.update({"best_epoch": 0, "best_val_rsum": rec.get("val_rsum"), "run": str(st.out_dir)})
    return rec
