"""Epoch time with and without L_neg (generated caption + image negatives) under one training config.

    .venv/bin/python benchmarks/neg_overhead.py --data WORLD [--config synth] [--model sgfns]
        [--repeats 2] [--max-train-images N] [key=value ...]

Runs `sgfns train` in-process with `neg.weight=0` ("without") and `neg.weight=1` (per_positive=1: one caption and
one image negative per positive pair), the latter four times: negatives encoded with gradient ("with", the full
gradient), without (`neg.stop_gradient=true`, "with_stop_gradient"), and without on one side only
(`neg.stop_gradient=images` / `captions`: "with_stop_gradient_images" / "with_stop_gradient_captions").

Two measures: the fastest wall-clock epoch (`train_seconds`, noisy on a shared machine) and the CPU time of one
epoch, taken as CPU(2 epochs) - CPU(1 epoch) of the whole process (robust to other processes on the machine; setup
and the one-off negative precomputation cancel out). A third, the steadiest on a loaded machine: the CPU time of one
training step (collation, negatives, forward, backward, optimizer step — the loop's `LossModule`), the variants
taking turns on the same batches of one process (`--step-passes` passes over the epoch's batches; validation and
checkpoints excluded, which makes the step ratio the upper bound of the epoch ratio). The caption negatives are
precomputed (and cached) before timing, as in a real run where they are made once per dataset. Prints one JSON
object on the last line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


STOP_GRADIENT = {"with": False, "with_stop_gradient": True, "with_stop_gradient_images": "images",
                 "with_stop_gradient_captions": "captions"}  # fmt: skip
VARIANTS = {"without": ["neg.weight=0"]} | {
    v: ["neg.weight=1.0", f"neg.stop_gradient={str(sg).lower()}"] for v, sg in STOP_GRADIENT.items()
}


def epoch_seconds(data: Path, model: str, config: str, overrides: list[str], variant: str, epochs: int = 1) -> dict:
    import resource

    from sgfns_app.cli.main import main

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        args = ["train", "--data", str(data), "--out", str(run), "--model", model, "--config", str(config),
                "--no-progress", f"epochs={epochs}", "log_every=0", "neg.per_positive=1", *VARIANTS[variant],
                *overrides]  # fmt: skip
        rc = main(args)
        if rc != 0:
            raise SystemExit(f"sgfns train failed ({rc}): {' '.join(args)}")
        recs = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
        ep = [r for r in recs if "train_seconds" in r][-1]
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        return {"train_seconds": ep["train_seconds"], "pairs_per_s": ep["pairs_per_s"], "cpu_seconds": round(cpu, 2)}


def setup(data: Path, model: str, config: str, overrides: list[str]):
    """(config, split, inputs, model, L_neg term) as the training loop builds them, with L_neg on."""
    import torch

    from sgfns.data.batching import SplitInputs
    from sgfns.losses.generated import build_term
    from sgfns.text import TextProcessor
    from sgfns_app.train import loop as L
    from sgfns_app.train.presets import build_train_config

    cfg = build_train_config(config, [f"model.name={model}", *overrides, "neg.weight=1.0", "neg.per_positive=1"])
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    split = L.load_training_split(data, "train", cfg.data.text_graphs, cfg.data.max_train_images)
    tp = TextProcessor.build(split.captions, list(split.image_graphs or []) + list(split.caption_graphs or []),
                             cfg.data.min_word_freq)  # fmt: skip
    torch.manual_seed(cfg.seed)
    net = L.build_model(cfg, tp, split.feature_dim)
    inputs = SplitInputs(split, tp, split.caption_graphs)
    return cfg, split, inputs, net, build_term(cfg.neg, inputs, cfg.seed)


def part_cpu_ms(built, steps: int, bf16: bool = False, on_batch=None) -> dict[str, float]:
    """Mean CPU milliseconds per batch of each part of a step with L_neg, forward + backward of that part alone
    (a part's encodings summed and backpropagated; the pair-scoring parts on detached encodings): where the
    overhead of L_neg goes. Positive images are encoded as the loop encodes them (one padded batch). Also the
    forward CPU of each encoder stage while the negatives are encoded (sgfns: `negative_images_forward_by_stage`,
    `negative_captions_forward_by_stage`). `built`: what `setup` returns. `bf16`: every forward under CPU bfloat16
    autocast (a probe of mixed precision; training has no such option). `on_batch(caps, imgs, extra)` is called
    after each batch's negatives are drawn (untimed)."""
    import torch

    from sgfns.losses.generated import encode_bucketed
    from sgfns_app.train import loop as L

    cfg, split, inputs, net, term = built
    k = split.captions_per_image
    spent: dict[str, float] = {}

    @contextlib.contextmanager
    def timed(name):
        t = time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext():
            yield
        spent[name] = spent.get(name, 0.0) + time.process_time() - t

    def fwd_bwd(enc):
        """`enc`'s backward (its encodings summed), then `enc` detached: a leaf for the pair-scoring parts."""
        (enc.glob.sum() + sum(v[0].sum() for v in enc.sets.values())).backward()
        net.zero_grad(set_to_none=True)
        return type(enc)(glob=enc.glob.detach().requires_grad_(),
                         sets={s: (v.detach().requires_grad_(), m) for s, (v, m) in enc.sets.items()},
                         extra=enc.extra)  # fmt: skip

    # forward CPU time of the encoder stages while the negatives of one side are encoded (side -> stage -> s):
    # which of them an edit leaves equal to rows already encoded for the batch (benchmarks/neg_reuse_bound.py)
    stage_s: dict[str, dict[str, float]] = {side: {} for side in ("images", "captions")}
    timing = [None]  # the side whose negatives are being encoded, else None
    start: dict[str, float] = {}

    def hooks(side: str, name: str):
        def pre(mod, args):
            start[name] = time.process_time()

        def post(mod, args, out):
            if timing[0] == side:
                stage_s[side][name] = stage_s[side].get(name, 0.0) + time.process_time() - start[name]

        return pre, post

    for side, stages in encoder_stages(net).items():
        for name, mod in stages.items():
            pre, post = hooks(side, name)
            mod.register_forward_pre_hook(pre)
            mod.register_forward_hook(post)
    n = 0
    for caps in L.epoch_batches(split.n_captions, cfg.data.batch_size, cfg.seed, 0, L.D.DistInfo())[:steps]:
        imgs = [c // k for c in caps]
        ib, cb = inputs.image_batch(imgs), inputs.caption_batch(caps)
        with timed("positive_images"):
            img = fwd_bwd(net.encode_images(ib))
        with timed("positive_captions"):
            cap = fwd_bwd(net.encode_captions(cb))
        with timed("in_batch_similarity"):
            net.similarity(img, cap).sum().backward()
        with timed("draw_negatives_cpu"):
            extra = term.extra_batch(caps, imgs, 0)
        if on_batch is not None:
            on_batch(caps, imgs, extra)
        with timed("negative_captions"):
            timing[0] = "captions"
            cn = net.encode_captions(extra["cap"])
            timing[0] = None
            cn = fwd_bwd(cn)
        with timed("negative_images"):
            timing[0] = "images"
            im, rows = encode_bucketed(net.encode_images, extra["img"])
            timing[0] = None
            im = fwd_bwd(im)
        oc, oi = extra["own"]["cap"], extra["own"]["img"][rows]
        with timed("paired_scores"):
            ar = torch.arange(len(caps))
            for a, b, ii, ci in ((img, cap, ar, ar), (img, cn, oc, torch.arange(len(oc))),
                                 (im, cap, torch.arange(len(oi)), oi)):  # fmt: skip
                net.pair_scores(a, b, ii, ci).sum().backward()
        n += 1
    out = {p: round(1000 * t / max(1, n), 1) for p, t in spent.items()} | {"steps": n}
    for side, by_stage in stage_s.items():
        if by_stage:
            out[f"negative_{side}_forward_by_stage"] = {p: round(1000 * t / max(1, n), 1) for p, t in by_stage.items()}
    return out


def encoder_stages(net) -> dict[str, dict]:
    """side ("images" / "captions") -> stage name -> module of the sgfns encoders (empty for other models)."""
    if getattr(net, "img_graph", None) is None:
        return {}
    out = {}
    for side, base, g in (("images", {"regions": net.regions}, net.img_graph),
                          ("captions", {"gru": net.text}, net.txt_graph)):  # fmt: skip
        stages = base | {"object_nodes": g.obj, "relation_nodes": g.rel}
        stages.update({f"graph_conv_{i}": m for i, m in enumerate(g.gcn)})
        stages.update({k: getattr(g, k) for k in ("fuse_obj", "fuse_rel") if getattr(g, k) is not None})
        out[side] = stages
    return out


def step_cpu_ms(data: Path, model: str, config: str, overrides: list[str], passes: int) -> dict[str, float]:
    """Mean CPU milliseconds of one training step per variant, the variants taking turns on each batch."""
    import torch

    from sgfns_app.train import loop as L

    cfg, split, inputs, net, term = setup(data, model, config, overrides)
    step = L.LossModule(net, cfg, L.D.DistInfo(), split.extra_positives, term)
    opt = L.make_optimizer(cfg, net)
    k = split.captions_per_image
    spent = {v: 0.0 for v in VARIANTS}
    n = 0
    for p in range(passes):
        for caps in L.epoch_batches(split.n_captions, cfg.data.batch_size, cfg.seed, p, L.D.DistInfo()):
            imgs = [c // k for c in caps]
            for v in VARIANTS:
                t = time.process_time()
                extra = None
                if v != "without":
                    term.stop_gradient = STOP_GRADIENT[v]
                    extra = term.extra_batch(caps, imgs, p)
                loss, _ = step(inputs.image_batch(imgs), inputs.caption_batch(caps), torch.tensor(imgs),
                               torch.tensor(caps), True, extra)  # fmt: skip
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                spent[v] += time.process_time() - t
            n += 1
    return {v: round(1000 * t / max(1, n), 1) for v, t in spent.items()} | {"steps": n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--config", default="synth", help="preset name or YAML file (default: synth)")
    ap.add_argument("--model", default="sgfns")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--step-passes", type=int, default=2, help="passes over the batches for the per-step measure")
    ap.add_argument(
        "--parts-only",
        type=int,
        metavar="STEPS",
        default=0,
        help="only print the CPU ms of each part of a step with L_neg over STEPS batches (part_cpu_ms)",
    )
    ap.add_argument("--bf16", action="store_true", help="with --parts-only: forwards under CPU bfloat16 autocast")
    ap.add_argument("overrides", nargs="*", help="extra key=value training overrides")
    args = ap.parse_args()
    if args.parts_only:
        built = setup(args.data, args.model, args.config, args.overrides)
        print(json.dumps({"parts_cpu_ms": part_cpu_ms(built, args.parts_only, args.bf16)}))
        return 0
    t0 = time.time()
    # make the caption negatives once (cached in the data folder) outside the timed epochs, as a real run would
    pre = time.time()
    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.graphs.parser import load_parser
    from sgfns.negatives.cache import caption_negatives_for

    if not any(o.startswith("data.max_train_images=") for o in args.overrides):
        split = load_split(args.data, "train", check_finite=False)
        parser = load_parser()
        caption_negatives_for(split, caption_graphs_for(split, "auto", parser=parser), seed=0, parser=parser)
    else:  # a subset has captions of its own: one run with L_neg caches its negatives
        epoch_seconds(args.data, args.model, args.config, args.overrides, "with")
    runs: dict[str, list[dict]] = {k: [] for k in VARIANTS}
    for _ in range(args.repeats):  # interleaved, so a change of machine load hits every variant alike
        for k in VARIANTS:
            runs[k].append(epoch_seconds(args.data, args.model, args.config, args.overrides, k))
    best = {k: min(r["train_seconds"] for r in v) for k, v in runs.items()}
    cpu = {}
    for k in VARIANTS:
        two = epoch_seconds(args.data, args.model, args.config, args.overrides, k, epochs=2)
        cpu[k] = round(two["cpu_seconds"] - min(r["cpu_seconds"] for r in runs[k]), 2)
    out = {"data": str(args.data), "model": args.model, "config": str(args.config), "overrides": args.overrides}
    for k in VARIANTS:
        out[f"epoch_seconds_{k}"] = best[k]
        out[f"epoch_cpu_seconds_{k}"] = cpu[k]
    for k in STOP_GRADIENT:
        out[f"slowdown_percent_{k}"] = round(100 * (best[k] / best["without"] - 1), 1)
        out[f"cpu_slowdown_percent_{k}"] = round(100 * (cpu[k] / cpu["without"] - 1), 1)
    steps = step_cpu_ms(args.data, args.model, args.config, args.overrides, args.step_passes)
    out["step_cpu_ms"] = steps
    for k in STOP_GRADIENT:
        out[f"step_cpu_slowdown_percent_{k}"] = round(100 * (steps[k] / steps["without"] - 1), 1)
    out.update({"runs": runs, "warmup_seconds": round(time.time() - pre, 1), "seconds": round(time.time() - t0, 1)})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
