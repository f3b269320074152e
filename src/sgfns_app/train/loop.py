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
import time
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
from sgfns.io import atomic_write, write_json
from sgfns.losses import batch_positive_mask, hinge_triplet, info_nce
from sgfns.models import create_model, model_options, scoring
from sgfns.models.base import Matcher
from sgfns.models.registry import needs_features
from sgfns.seed import seed_everything
from sgfns.text import TOKENIZER_NAME, TOKENIZER_VERSION, TextProcessor
from sgfns_app.logs import add_file_handler
from sgfns_app.runs import prepare_run_dir
from sgfns_app.train import checkpoint as ckpt
from sgfns_app.train import distributed as D
from sgfns_app.train.config import TrainConfig

log = logging.getLogger(__name__)


# --- data -----------------------------------------------------------------------------------------------------
def caption_graphs(split: Split, mode: str):
    """Caption graphs for `split` in `mode` (provided | parser), through the parser's cache when it exists."""
    try:
        from sgfns.graphs.cache import caption_graphs_for
    except ImportError:
        caption_graphs_for = None
    if caption_graphs_for is not None:
        return caption_graphs_for(split, mode)
    if mode == "parser":
        raise UserError("text_graphs=parser needs the caption parser (sgfns.graphs.cache), not installed")
    return split.caption_graphs


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


def load_training_split(data_dir: Path, name: str, text_graphs: str, max_images: int, features_for: str = "") -> Split:
    """A split as training reads it: loaded, with its caption graphs (`text_graphs` mode, cached), cut to its first
    `max_images` images (0 = all). `features_for`: a model name that needs region features (checked first)."""
    split = load_split(data_dir, name)
    if features_for:
        split.require_features(f"training {features_for}")
    split.caption_graphs = caption_graphs(split, text_graphs)
    return subset_split(split, max_images)


def model_kwargs(cfg: TrainConfig, vocab_size: int, img_dim: int | None) -> dict[str, Any]:
    opts = model_options(cfg.model.name)
    values = {k: v for k, v in to_dict(cfg.model).items() if k != "name" and v is not None}
    values["vocab_size"] = vocab_size
    if img_dim is not None:
        values["img_dim"] = img_dim
    return {k: v for k, v in values.items() if k in opts}


def build_model(cfg: TrainConfig, tp: TextProcessor, img_dim: int | None) -> Matcher:
    """A fresh model for `cfg`; a model with pretrained word vectors (`init_words`) gets them for `tp`'s words."""
    model = create_model(cfg.model.name, **model_kwargs(cfg, len(tp.vocab), img_dim))
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
        sim = self.model.similarity(img_all, cap_all)
        pos = batch_positive_mask(ii.cpu(), ci.cpu(), self.extra_positives).to(sim.device)
        if self.cfg.loss.name == "infonce":
            loss = info_nce(sim, pos, self.cfg.loss.temperature)
        else:
            loss = hinge_triplet(sim, pos, self.cfg.loss.margin, hardest=hardest)
        if self.dist.enabled and not gather:
            loss = loss * self.dist.world  # DDP averages gradients; the loss is a sum over pairs
        stats = {"match": float(loss.detach())}
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
class Metrics:
    def __init__(self, path: Path, enabled: bool) -> None:
        self.path, self.enabled = path, enabled

    def write(self, rec: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
            f.flush()


# --- the loop -------------------------------------------------------------------------------------------------
def train(data_dir: str | Path, out_dir: str | Path, cfg: TrainConfig, *, val_split: str | None = None,
          resume: bool = False, config_text: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Train `cfg.model.name` on `data_dir`'s train split into run folder `out_dir`; returns a summary dict."""
    cfg.validate()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    dist = D.setup(cfg.device, cfg.dist.backend)
    root_logger = logging.getLogger()
    handlers_before = list(root_logger.handlers)
    try:
        return _train(data_dir, out_dir, cfg, dist, val_split, resume)
    finally:
        for h in [h for h in root_logger.handlers if h not in handlers_before]:
            root_logger.removeHandler(h)
            h.close()
        D.cleanup(dist)


def _train(data_dir: Path, out_dir: Path, cfg: TrainConfig, dist: D.DistInfo, val_name, resume) -> dict[str, Any]:
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    if dist.device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device {cfg.device}: CUDA is not available on this machine")
    seed_everything(cfg.seed, deterministic=cfg.deterministic)
    # caption graphs are looked up (and cached) for the whole split, then cut with it; under DDP rank 0 parses
    # and caches first, the other ranks then read the cache
    if dist.enabled and not dist.main:
        torch.distributed.barrier()
    features_for = cfg.model.name if needs_features(cfg.model.name) else ""
    train_split = load_training_split(data_dir, "train", cfg.data.text_graphs, cfg.data.max_train_images, features_for)
    val_name = resolve_val_split(data_dir, val_name)
    val_split = None
    if val_name:
        val_split = load_training_split(data_dir, val_name, cfg.data.text_graphs, cfg.data.max_val_images)
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
    ck_dir = out_dir / ckpt.CKPT_DIR
    resuming = resume and (ck_dir / "last.state.pt").exists()

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
    log.info("model %s: %d parameters", cfg.model.name, sum(p.numel() for p in model.parameters()))

    if not getattr(model, "trainable", True) or not any(p.requires_grad for p in model.parameters()):
        return _finish_untrained(model, cfg, dist, out_dir, val_split, val_graphs, metrics)

    inputs = SplitInputs(train_split, tp, train_graphs)
    k = train_split.captions_per_image
    n_caps = train_split.n_captions
    steps_per_epoch = len(epoch_batches(n_caps, cfg.data.batch_size, cfg.seed, 0, dist))
    opt = make_optimizer(cfg, model)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(cfg, s, steps_per_epoch))
    start_epoch, step, skip, best = 0, 0, 0, {"rsum": -1.0, "epoch": -1}
    if resuming:
        state = ckpt.load_state(ck_dir / "last.state.pt")
        sha = ckpt.load_weights(model, ck_dir / "last.safetensors")
        if sha != state.get("weights_sha256"):
            raise UserError(f"{ck_dir}: last.safetensors does not belong to last.state.pt (sha256 mismatch)")
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        start_epoch, step, skip = int(state["epoch"]), int(state["step"]), int(state.get("batch_in_epoch", 0))
        best = {"rsum": float(state["best_rsum"]), "epoch": int(state["best_epoch"])}
        torch.set_rng_state(state["torch_rng"])
        log.info("resuming %s at epoch %d, batch %d (step %d)", out_dir, start_epoch, skip, step)
        metrics.write({"event": "resume", "epoch": start_epoch, "step": step})

    term = _extra_term(cfg, inputs)
    if term is not None and dist.enabled and cfg.dist.gather_negatives:
        term.global_batch = D.batch_gatherer(dist)  # image negatives draw donors from the global batch
    step_module = LossModule(model, cfg, dist, train_split.extra_positives, term)
    runner: nn.Module = step_module
    if dist.enabled:
        runner = torch.nn.parallel.DistributedDataParallel(
            step_module, device_ids=[dist.local_rank] if dist.device.type == "cuda" else None,
            find_unused_parameters=True,
        )  # fmt: skip

    def save_last(epoch: int, batch_in_epoch: int) -> None:
        if not dist.main:
            return
        sha = ckpt.save_weights(model, ck_dir / "last.safetensors")
        ckpt.save_state(ck_dir / "last.state.pt", {
            "epoch": epoch, "batch_in_epoch": batch_in_epoch, "step": step, "best_rsum": best["rsum"],
            "best_epoch": best["epoch"], "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
            "torch_rng": torch.get_rng_state(), "weights_sha256": sha,
        })  # fmt: skip

    summary: dict[str, Any] = {}
    t_start = time.time()
    for epoch in range(start_epoch, cfg.epochs):
        model.train()
        hardest = cfg.loss.hardest and epoch >= cfg.loss.warmup_epochs
        batches = epoch_batches(n_caps, cfg.data.batch_size, cfg.seed, epoch, dist)
        it = enumerate(batches)
        bar = None
        if cfg.progress and dist.main:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(batches), initial=skip, desc=f"epoch {epoch + 1}/{cfg.epochs}", dynamic_ncols=True)
        t0, seen = time.time(), 0
        for b_i, cap_list in it:
            if b_i < skip:
                continue
            img_list = [c // k for c in cap_list]
            ib = to_device(inputs.image_batch(img_list), dist.device)
            cb = to_device(inputs.caption_batch(cap_list), dist.device)
            neg_extra = None
            if term is not None:
                neg_extra = term.extra_batch(cap_list, img_list, epoch)
                neg_extra = {kk: to_device(v, dist.device) if isinstance(v, dict) else v for kk, v in neg_extra.items()}
            loss, stats = runner(ib, cb, torch.tensor(img_list), torch.tensor(cap_list), hardest, neg_extra)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = None
            if cfg.optim.grad_clip > 0:
                gnorm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip))
            opt.step()
            sched.step()
            step += 1
            seen += len(cap_list)
            if not math.isfinite(float(loss.detach())):
                raise UserError(f"loss became {float(loss)} at epoch {epoch + 1} step {step}; lower optim.lr")
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
            if cfg.log_every and step % cfg.log_every == 0:
                metrics.write({"step": step, "epoch": epoch, "loss": float(loss.detach()), **stats, "grad_norm": gnorm,
                               "lr": sched.get_last_lr()[0]})  # fmt: skip
            if cfg.save_every_steps and step % cfg.save_every_steps == 0 and b_i + 1 < len(batches):
                save_last(epoch, b_i + 1)
        if bar is not None:
            bar.close()
        skip = 0
        rec: dict[str, Any] = {"epoch": epoch + 1, "step": step, "train_seconds": round(time.time() - t0, 2),
                               "pairs_per_s": round(seen / max(1e-9, time.time() - t0), 1)}  # fmt: skip
        if dist.main and val_split is not None:
            val = validate(model, val_split, val_graphs, dist.device, cfg.eval_batch_size)
            rec.update({f"val_{kk}": v for kk, v in val.items()})
            if val["rsum"] > best["rsum"]:
                best = {"rsum": val["rsum"], "epoch": epoch + 1}
                sha = ckpt.save_weights(model, ck_dir / "best.safetensors")
                best_rec = {"epoch": epoch + 1, "val_rsum": val["rsum"], "val_split": val_split.name}
                best_rec.update({"weights_sha256": sha, **{f"val_{kk}": v for kk, v in val.items()}})
                write_json(ck_dir / "best.json", best_rec)
            log.info(
                "epoch %d: val rSum %.2f (best %.2f at epoch %d)", epoch + 1, val["rsum"], best["rsum"], best["epoch"]
            )
        elif dist.main:
            best = {"rsum": float("nan"), "epoch": epoch + 1}
            ckpt.save_weights(model, ck_dir / "best.safetensors")
        save_last(epoch + 1, 0)
        metrics.write(rec)
        summary = rec
        if dist.enabled:
            torch.distributed.barrier()
    summary.update({"best_epoch": best["epoch"], "best_val_rsum": best["rsum"], "run": str(out_dir),
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


def _finish_untrained(model, cfg, dist, out_dir, val_split, val_graphs, metrics) -> dict[str, Any]:
    """Models without parameters (symbolic): no optimisation, but the same checkpoint files and validation."""
    rec: dict[str, Any] = {"epoch": 0, "step": 0}
    if dist.main:
        ck_dir = out_dir / ckpt.CKPT_DIR
        sha = ckpt.save_weights(model, ck_dir / "best.safetensors")
        ckpt.save_weights(model, ck_dir / "last.safetensors")
        if val_split is not None:
            val = validate(model, val_split, val_graphs, dist.device, cfg.eval_batch_size)
            rec.update({f"val_{k}": v for k, v in val.items()})
        write_json(ck_dir / "best.json", {"epoch": 0, "val_rsum": rec.get("val_rsum"), "weights_sha256": sha})
        metrics.write(rec)
    rec.update({"best_epoch": 0, "best_val_rsum": rec.get("val_rsum"), "run": str(out_dir)})
    return rec
