"""The demo (`sgfns demo`, the README's main job): a small synthetic world, every model trained with the one loop
and one budget, evaluated on the same test split, one table, results.json and a figure.

Stages, each with a progress bar, all inside a new folder per demo run:
1. generate a smaller synthetic world (`sgfns.data.synth`): rendered images, pixel features, predicted visual
   scene graphs, suites (docs/synthetic_world.md);
2. train sgfns (with and without its generated negatives), scan, sgm and vsepp through
   `sgfns_app.train.loop.train` with the same config, two models at a time in their own processes on a 2-core
   machine (symbolic needs no training and goes through the same loop, which only checkpoints and validates it);
3. evaluate every run on the test split (`sgfns.eval.evaluate`: the same code as `sgfns eval`);
4. print the table (the same markdown as `sgfns report`), the README's full-size table beside it, and a warning
   when the two rank the trained models differently; write `results.json` and `figure.png` (text queries with their
   top-5 images, the true one framed in green).

The full-size figures are the package's reference results (`sgfns_app/resources/reference_results.json`, a copy of
docs/results/synthetic-world.json from which the README's table is generated; a test keeps the three equal), so
an installed package compares too."""

from __future__ import annotations

import dataclasses
import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: demo label -> (registered model, overrides): SGFNS with its generated negatives (the default recipe) and without
MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sgfns + L_neg": ("sgfns", ()),
    "sgfns": ("sgfns", ("neg.weight=0",)),
    "sgm": ("sgm", ()),
    "scan": ("scan", ()),
    "vsepp": ("vsepp", ()),
    "symbolic": ("symbolic", ()),
}


@dataclass
class DemoConfig:
    """Sizes and budget. The defaults fit the 10-minute budget on 2 CPU cores; `quick()` is for a first look/tests."""

    out: Path
    seed: int = 0
    n_train: int = 1000
    n_val: int = 100
    n_test: int = 200
    image_size: int = 128
    #: 6 epochs over 1,000 images in batches of 64: 468 optimisation steps, about 1.5x the README budget's (the
    #: synth preset: 2 epochs over 4,000 images in batches of 128); None: the config's own epochs
    epochs: int | None = 6
    #: batch size for every model (None: the config's). 64 rather than the preset's 128, chosen on the validation
    #: split of the demo worlds of seeds 0 and 1 (docs/evaluation.md, "`sgfns demo`"): with 128, sgm had not
    #: converged in 6 epochs on 1,000 images and fell below scan
    batch_size: int | None = 64
    models: tuple[str, ...] = tuple(MODELS)
    #: training preset (name or file; every model gets its entry of it); the synthetic world's budget by default
    train_config: str = "synth"
    #: key=value training overrides for every model (`model.KEY=...` ones for the models that take KEY)
    overrides: list[str] = field(default_factory=list)
    figure_queries: int = 4
    progress: bool = True
    #: models trained at once, each in its own process on one thread (None: one per CPU core, at most 2). Every
    #: model is seeded on its own, so the runs are the same whichever worker trains them.
    workers: int | None = None

    @classmethod
    def quick(cls, out: Path, **kw) -> DemoConfig:
        base = dict(n_train=200, n_val=40, n_test=60, epochs=2, image_size=64)
        base.update(kw)
        return cls(out=out, **base)


# --- 1. the world ---------------------------------------------------------------------------------------------------
WorldFn = Callable[[Path, DemoConfig], Path]


def synth_world(path: Path, cfg: DemoConfig) -> Path:
    """Generate the synthetic world with the synth package's Python entry point."""
    from sgfns.data import synth

    synth.generate(
        path,
        seed=cfg.seed,
        sizes={"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test},
        image_size=cfg.image_size,
        log=log.info,
    )
    return path


# --- 2. training ----------------------------------------------------------------------------------------------------
def run_folder(label: str) -> str:
    return label.replace(" + L_neg", "-neg").replace(" ", "-")


def train_model(data: Path, run: Path, label: str, cfg: DemoConfig) -> dict[str, Any]:
    from sgfns_app.train.loop import train
    from sgfns_app.train.presets import build_train_config

    model, extra = MODELS[label]
    # threads=1: on a 2-core machine shared with anything else, two spinning OpenMP threads per step were 10-30x
    # slower than one (measured under load ~10: 12-17 s vs ~1 s per sgfns step); one thread costs < 2x when idle.
    overrides = [f"model.name={model}", f"seed={cfg.seed}", "data.text_graphs=parser", "threads=1",
                 f"progress={'true' if cfg.progress else 'false'}", *extra]  # fmt: skip
    if cfg.epochs is not None:
        overrides.append(f"epochs={cfg.epochs}")
    if cfg.batch_size is not None:
        overrides.append(f"data.batch_size={cfg.batch_size}")
    overrides += [o for o in cfg.overrides if _takes(model, o)]
    return train(data, run, build_train_config(cfg.train_config, overrides))


#: rough relative training cost, so the longest jobs start first and two workers finish close together
_COST = {"sgfns + L_neg": 5, "sgfns": 3, "sgm": 3, "scan": 3, "vsepp": 1, "symbolic": 0}


def _train_job(data: Path, run: Path, label: str, cfg: DemoConfig) -> tuple[dict[str, Any], float]:
    t = time.perf_counter()
    summary = train_model(data, run, label, cfg)
    return summary, time.perf_counter() - t


def _quiet_worker() -> None:
    """A training worker logs everything to its run's train.log and only warnings to the console."""
    from sgfns_app.logs import setup_logging

    setup_logging()
    for h in logging.getLogger().handlers:
        h.setLevel(logging.WARNING)


def demo_workers(cfg: DemoConfig) -> int:
    import os

    n = cfg.workers if cfg.workers is not None else min(2, os.cpu_count() or 1)
    return max(1, min(n, len(cfg.models)))


def train_all(data: Path, runs: dict[str, Path], cfg: DemoConfig, done: Callable[[str, dict, float], None]) -> None:
    """Train every model of `cfg` into `runs[label]`: in this process with one worker, else in `demo_workers`
    processes (longest jobs first; each on one thread). `done(label, summary, seconds)` as each finishes. The
    training split's caption graphs are parsed once here first, so the workers read them instead of each parsing."""
    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for

    for name in ("train", "val"):
        caption_graphs_for(load_split(data, name, load_graphs=False), "parser")
    order = sorted(cfg.models, key=lambda m: -_COST.get(m, 1))
    n = demo_workers(cfg)
    if n == 1:
        for m in order:
            done(m, *_train_job(data, runs[m], m, cfg))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    quiet = dataclasses.replace(cfg, progress=False)  # bars from several processes would overwrite each other
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked torch thread pools
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_quiet_worker) as pool:
        jobs = {pool.submit(_train_job, data, runs[m], m, quiet): m for m in order}
        for fut in as_completed(jobs):
            done(jobs[fut], *fut.result())


def _takes(model: str, override: str) -> bool:
    """The demo's overrides are for every model: a `model.KEY=...` one goes to the models that take KEY."""
    from sgfns.models import model_options

    key = override.split("=", 1)[0].strip()
    return not key.startswith("model.") or key[len("model.") :] in model_options(model)


def _config_epochs(preset: str) -> int:
    from sgfns_app.train.presets import build_train_config

    return build_train_config(preset, []).epochs


# --- 4. the reference table ----------------------------------------------------------------------------------------


def reference_results() -> list[dict[str, Any]]:
    """The full-size result rows shipped with the package (`sgfns report --json` records, the README's table)."""
    import json
    from importlib.resources import files

    text = (files("sgfns_app") / "resources" / "reference_results.json").read_text(encoding="utf-8")
    return json.loads(text)["results"]


def reference_rsum(rows: list[dict[str, Any]] | None = None) -> dict[str, float]:
    """Row label (a model name for a model's plain row) -> mean rSum of the reference results."""
    rows = reference_results() if rows is None else rows
    return {r["label"]: float(r["metrics"]["rsum"]["mean"]) for r in rows}


def ranking(scores: dict[str, float]) -> list[str]:
    return [m for m, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


#: the models a demo ranks: the ones the loop trains. symbolic is shown but not ranked: it has no training, so the
#: demo's short budget says nothing about it, and its place moves with the world's size (many tied scores).
RANKED = ("sgfns + L_neg", "sgfns", "sgm", "scan", "vsepp")


def compare_rankings(ours: dict[str, float], ref: dict[str, float] | None) -> tuple[bool | None, str]:
    """(agree?, message) comparing the order by rSum of the trained models (`RANKED`) both tables have."""
    if not ref:
        return None, "the README has no full-size table yet: nothing to compare with"
    common = [m for m in ours if m in ref and m in RANKED]
    if len(common) < 2:
        return None, "the README table shares fewer than two trained models with this demo"
    a = ranking({m: ours[m] for m in common})
    b = ranking({m: ref[m] for m in common})
    if a == b:
        return True, f"same ranking of the trained models as the README's full-size table: {' > '.join(a)}"
    return False, (
        f"WARNING: this demo ranks the trained models {' > '.join(a)}, the README's full-size table "
        f"{' > '.join(b)} (a small world and a short budget are noisy; see the README for the full-size, "
        "multi-seed figures)"
    )


def side_by_side(ours: dict[str, float], ref: dict[str, float] | None) -> str:
    lines = ["| model | rSum (this demo) | rSum (README, full size) |", "|---|---|---|"]
    for m in ranking(ours):
        r = f"{ref[m]:.1f}" if ref and m in ref else "–"
        lines.append(f"| {m} | {ours[m]:.1f} | {r} |")
    return "\n".join(lines)


# --- 5. the figure --------------------------------------------------------------------------------------------------
def _image_tile(split, index: int, size: int):
    from PIL import Image, ImageDraw

    img_dir = Path(split.root) / "images"
    for cand in (img_dir / f"{split.ids[index]}", img_dir / f"{split.ids[index]}.png",
                 img_dir / split.name / f"{split.ids[index]}.png"):  # fmt: skip
        if cand.is_file():
            try:
                return Image.open(cand).convert("RGB").resize((size, size))
            except OSError:
                break
    tile = Image.new("RGB", (size, size), (235, 235, 235))
    ImageDraw.Draw(tile).text((4, size // 2 - 6), str(split.ids[index])[:14], fill=(60, 60, 60))
    return tile


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > width and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: bitmap font only
        return ImageFont.load_default()


def draw_figure(path: Path, split, sim, queries: Sequence[int], model: str, tile: int = 96) -> None:
    """Rows: a caption, then its top-5 images by `sim`; a true image gets a green frame, others grey. When no true
    image is in the top 5, the row says at which rank the first one is."""
    import torch
    from PIL import Image, ImageDraw

    from sgfns.eval.recall import t2i_ranks
    from sgfns.io import atomic_save

    pos = split.positive_mask()
    ranks = t2i_ranks(sim, pos)
    font, small = _font(13), _font(11)
    text_w, pad, k = 270, 8, 5
    row_h = tile + 2 * pad + 16
    W = text_w + k * (tile + pad) + pad
    H = 30 + len(queries) * row_h
    canvas = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(canvas)
    d.text((pad, 8), f"{model}: text queries and their top-5 test images (green frame: a true image)", fill="black",
           font=font)  # fmt: skip
    simt = torch.as_tensor(sim)
    for row, c in enumerate(queries):
        y = 30 + row * row_h
        lines = _wrap(f'"{split.captions[c]}"', 36)[:5]
        for j, line in enumerate(lines):
            d.text((pad, y + pad + 16 * j), line, fill="black", font=font)
        r = int(ranks[c])
        d.text((pad, y + pad + 16 * len(lines) + 4), f"true image at rank {r}", font=small,
               fill=(20, 140, 40) if r <= k else (190, 60, 40))  # fmt: skip
        top = torch.topk(simt[:, c], min(k, simt.shape[0])).indices.tolist()
        for j, i in enumerate(top):
            x = text_w + j * (tile + pad)
            canvas.paste(_image_tile(split, i, tile), (x, y + pad))
            colour = (20, 170, 40) if pos[i, c] else (170, 170, 170)
            for w in range(4 if pos[i, c] else 1):
                d.rectangle([x - w, y + pad - w, x + tile - 1 + w, y + pad + tile - 1 + w], outline=colour)
            d.text((x, y + pad + tile + 3), f"#{j + 1}  score {float(simt[i, c]):.2f}", fill=(80, 80, 80), font=small)
    atomic_save(path, lambda tmp: canvas.save(tmp, format="PNG"))


def pick_queries(split, n: int, seed: int) -> list[int]:
    import numpy as np

    rng = np.random.default_rng(seed)
    return sorted(rng.choice(split.n_captions, size=min(n, split.n_captions), replace=False).tolist())


# --- the whole demo -------------------------------------------------------------------------------------------------
def new_demo_dir(base: Path | None) -> Path:
    """A fresh folder for this demo run: `base` itself if it does not exist, else a new timestamped child."""
    from sgfns.errors import UserError

    if base is not None and not base.exists():
        base.mkdir(parents=True)
        return base
    root = base if base is not None else Path("demo_runs")
    if root.exists() and not root.is_dir():
        raise UserError(f"{root}: exists and is not a folder")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        p = root / (stamp if n == 0 else f"{stamp}-{n}")
        if not p.exists():
            p.mkdir(parents=True)
            return p
    raise UserError(f"{root}: could not create a new demo folder")


def run_demo(cfg: DemoConfig, world_fn: WorldFn | None = None, echo: Callable[[str], None] = print) -> dict:
    """Run every stage; returns the results.json content. `world_fn` replaces the synthetic world (tests)."""
    from tqdm.auto import tqdm

    from sgfns import load_model
    from sgfns.data.dataset import load_split
    from sgfns.eval.evaluator import evaluate_with_split
    from sgfns.eval.report import group, markdown, tables
    from sgfns.graphs.lazy import LazyParser
    from sgfns.io import write_json

    t0 = time.perf_counter()
    out = Path(cfg.out)
    timing: dict[str, float] = {}
    stages = tqdm(total=2 + 2 * len(cfg.models), desc="demo", unit="stage", disable=not cfg.progress, position=0)

    stages.set_postfix_str("synthetic world")
    t = time.perf_counter()
    data = (world_fn or synth_world)(out / "data", cfg)
    timing["world_s"] = time.perf_counter() - t
    stages.update(1)

    runs = {m: out / "runs" / run_folder(m) for m in cfg.models}
    stages.set_postfix_str(f"train {len(runs)} models, {demo_workers(cfg)} at a time")
    t = time.perf_counter()

    def trained(m: str, summary: dict, seconds: float) -> None:
        timing[f"train_{m}_s"] = seconds
        best = summary.get("best_val_rsum")
        stages.write(f"trained {m} in {seconds:.0f} s" + ("" if best is None else f" (best val rSum {best:.1f})"))
        stages.update(1)

    train_all(data, runs, cfg, trained)
    timing["train_s"] = time.perf_counter() - t

    parse = LazyParser()
    records, evals = [], {}
    for m in cfg.models:
        stages.set_postfix_str(f"evaluate {m}")
        t = time.perf_counter()
        matcher = load_model(runs[m])
        rec, ev = evaluate_with_split(matcher, data, "test", "full", progress=cfg.progress, parse=parse)
        rec["model"] = m
        rec["data"] = "demo world"
        write_json(runs[m] / "eval" / f"{Path(data).name}-test-full.json", rec)  # as `sgfns eval` saves it
        records.append(rec)
        evals[m] = ev
        timing[f"eval_{m}_s"] = time.perf_counter() - t
        stages.update(1)

    stages.set_postfix_str("table and figure")
    test = load_split(data, "test", load_graphs=False)
    fig_model = next((m for m in ("sgfns + L_neg", "sgfns") if m in evals), cfg.models[0])
    draw_figure(out / "figure.png", test, evals[fig_model].sim, pick_queries(test, cfg.figure_queries, cfg.seed),
                fig_model)  # fmt: skip
    stages.update(1)
    stages.close()
    timing["total_s"] = time.perf_counter() - t0

    table = markdown(group(records))
    ours = {r["model"]: r["metrics"]["rsum"] for r in records}
    ref = reference_rsum()
    agree, message = compare_rankings(ours, ref)
    result = {
        "demo": {**{k: v for k, v in asdict(cfg).items() if k != "out"}, "out": str(out)},
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "timing": {k: round(v, 1) for k, v in timing.items()},
        "results": records,
        "readme_rsum": ref,
        "ranking_agrees_with_readme": agree,
    }
    write_json(out / "results.json", result)
    echo("")
    epochs = cfg.epochs if cfg.epochs is not None else _config_epochs(cfg.train_config)
    echo(f"Demo world: {cfg.n_train}/{cfg.n_val}/{cfg.n_test} images (train/val/test), seed {cfg.seed}, "
         f"{epochs} epochs per model" + (f" in batches of {cfg.batch_size}" if cfg.batch_size else "")
         + f" ({cfg.train_config or 'default config'}); everything is in {out}")  # fmt: skip
    echo("")
    echo(table)
    echo("The README's table (full-size world, several seeds; docs/results/synthetic-world.json):\n")
    echo(tables(reference_results()))
    echo("This demo beside the README's full-size table (rSum):\n")
    echo(side_by_side(ours, ref))
    echo("")
    echo(message)
    echo(f"\nresults: {out / 'results.json'}   figure: {out / 'figure.png'}   wall time: {timing['total_s']:.0f} s")
    from sgfns_app.cli.encode import encode_split  # the page: encode the test split once, print the command

    encode_split(runs[fig_model], data, "test", out / "index")
    echo(f"\nSee why each image matched, in a browser: sgfns serve --run {runs[fig_model]} --index {out / 'index'}"
         "\n(then open http://127.0.0.1:8000/)")  # fmt: skip
    return result
