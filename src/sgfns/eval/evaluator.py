"""One evaluator for every model: encode a split once, score all pairs, and build the result (docs/evaluation.md).

Works on any `Matcher` (the model contract): images and captions are encoded independently in batches, the
similarity matrix is computed in blocks (SCAN's cross attention is per pair and needs them), and the metrics come
from `recall`/`protocols`/`compositional`. Negative captions of the compositional suite are free text: each item's
caption and negative are both parsed by the `parse` callable the caller passes (the project parser), so a graph
model sees each text's own graph and the two sides of a comparison are processed identically."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from sgfns.eval.compositional import compositional_block, load_split_suites, twin_scores
from sgfns.eval.protocols import ProtocolResult, check_counts, get_protocol
from sgfns.eval.protocols import evaluate as evaluate_protocol
from sgfns.eval.recall import KS, recall_at
from sgfns.graphs.types import SceneGraph
from sgfns.models import scoring
from sgfns.models.base import Encoded, Matcher, total

log = logging.getLogger(__name__)

ParseFn = Callable[[Sequence[str]], Sequence[SceneGraph | None]]


@dataclass
class Scorer:
    """A model (with its `text_processor` attached, as `load_run` does) on a device; sizes bound the memory.

    A thin layer over `sgfns.models.scoring`, the one encoding/scoring API shared with training, the index and
    the service, so the evaluator scores exactly what the other stages score."""

    model: Matcher
    device: torch.device | str = "cpu"
    batch_size: int = 128
    chunk: tuple[int, int] = (256, 1024)  # images x captions per similarity block
    progress: bool = True

    def __post_init__(self) -> None:
        self.model.to(self.device)
        self.model.eval()

    @property
    def tp(self):
        return self.model.text_processor

    def encode_images(self, inputs) -> Encoded:
        """`inputs`: a `Split` or its prepared `sgfns.data.batching.SplitInputs`."""
        return scoring.encode_images(self.model, inputs, self.device, self.batch_size, progress=self.progress)

    def encode_texts(self, texts: Sequence[str], graphs: Sequence[SceneGraph | None] | None) -> Encoded:
        return scoring.encode_captions(
            self.model, list(texts), graphs, self.device, self.batch_size, progress=self.progress
        )

    def similarity(self, img: Encoded, cap: Encoded) -> Tensor:
        """[n_images, n_captions] float32 on the CPU."""
        return scoring.similarity_matrix(self.model, img, cap, self.chunk, progress=self.progress)

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        return scoring.similarity_parts_matrix(self.model, img, cap, self.chunk, progress=self.progress)

    def pair_parts(self, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> dict[str, Tensor]:
        """Named score parts [P] of the listed pairs only (the model's `pair_parts`), on the CPU."""
        return scoring.pair_parts(self.model, img.to(self.device), cap.to(self.device), pair_img, pair_cap)

    def pair_scores(self, img: Encoded, image_index: Sequence[int], cap: Encoded) -> Tensor:
        """S(image_index[j], caption j) for each j, without the full [n_images, n_captions] matrix."""
        idx = torch.as_tensor(list(image_index), dtype=torch.long)
        if len(idx) == 0:
            return torch.empty(0)
        parts = self.pair_parts(img, cap, idx, torch.arange(len(idx)))
        return total(parts)


@dataclass
class SplitEvaluation:
    """Everything one evaluation produced; `record()` is the JSON of docs/evaluation.md#sgfns-eval (without run
    provenance)."""

    split: Any
    result: ProtocolResult
    sim: Tensor
    img_enc: Encoded
    cap_enc: Encoded
    compositional: dict[str, float] | None = None
    by_relations: dict[str, dict[str, float]] = field(default_factory=dict)
    #: per compositional item: S(I, T) and S(I, T-) (None without the suite)
    comp_scores: tuple[np.ndarray, np.ndarray] | None = None

    def record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "protocol": self.result.protocol,
            "split": self.split.name,
            "n_images": self.result.n_images,
            "n_captions": self.result.n_captions,
            "metrics": self.result.metrics,
        }
        if self.result.folds and len(self.result.folds) > 1:
            rec["folds"] = self.result.folds
        if self.by_relations:
            rec["by_relations"] = self.by_relations
        if self.compositional is not None:
            rec["compositional"] = self.compositional
        return rec


def recalls_by_relations(t2i_ranks: Tensor, caption_graphs: Sequence[SceneGraph | None] | None) -> dict[str, dict]:
    """Text-to-image R@K for captions whose graph has relations and for those without (`by_relations`,
    docs/evaluation.md#sgfns-eval)."""
    if caption_graphs is None or t2i_ranks is None:
        return {}
    has = torch.tensor([g is not None and len(g.relations) > 0 for g in caption_graphs])
    out = {}
    for name, sel in (("with_relations", has), ("without_relations", ~has)):
        n = int(sel.sum())
        block: dict[str, float] = {"n_captions": n}
        if n:
            for k in KS:
                block[f"t2i_r{k}"] = recall_at(t2i_ranks[sel], k)
        out[name] = block
    return out


def evaluate_split(
    scorer: Scorer,
    split,
    protocol: str = "full",
    parse: ParseFn | None = None,
    caption_graphs: Sequence[SceneGraph | None] | None = None,
) -> SplitEvaluation:
    """Encode `split`, compute the similarity, evaluate under `protocol`, and run the compositional suites.

    `caption_graphs` overrides the split's own caption graphs (e.g. graphs the run's parser made). Compositional
    items (caption and negative) are parsed with `parse`; without it they are encoded without graphs."""
    graphs = caption_graphs if caption_graphs is not None else split.caption_graphs
    img = scorer.encode_images(split)
    cap = scorer.encode_texts(split.captions, graphs)
    sim = scorer.similarity(img, cap)
    where = f"{split.root} ({split.name})"
    result = evaluate_protocol(sim, split.positive_mask(), split.caption_image(), protocol, where=where)
    out = SplitEvaluation(split=split, result=result, sim=sim, img_enc=img, cap_enc=cap)
    out.by_relations = recalls_by_relations(result.t2i_ranks, graphs)

    comp_items, twins = load_split_suites(split)
    comp_pos = comp_neg = tw_pos = tw_neg = None
    if comp_items:
        # The caption and its negative go through the same text pipeline (both parsed here), so the comparison
        # S(I,T) > S(I,T-) is between two texts treated identically, whatever graphs the retrieval split uses.
        texts = [it.caption for it in comp_items] + [it.negative for it in comp_items]
        if parse is None:
            log.warning("no parser given: compositional items are scored without scene graphs")
            text_graphs = None
        else:
            text_graphs = list(parse(texts))
        enc = scorer.encode_texts(texts, text_graphs)
        images = [it.image for it in comp_items]
        scores = scorer.pair_scores(img, images + images, enc).numpy()
        comp_pos, comp_neg = scores[: len(comp_items)], scores[len(comp_items) :]
    if twins:
        tw_pos, tw_neg = twin_scores(sim, twins)
    if comp_items:
        out.comp_scores = (comp_pos, comp_neg)
    out.compositional = compositional_block(comp_items, comp_pos, comp_neg, tw_pos, tw_neg)
    return out


PartsFn = Callable[[Tensor, Tensor], dict[str, Tensor]]


def ranks_records(ev: SplitEvaluation, parts_fn: PartsFn | None = None, k: int = 5) -> list[dict[str, Any]]:
    """Per query (every image for i2t, every caption for t2i): its rank, its top-k candidates with their scores, and
    its best positive. With `parts_fn(pair_img, pair_cap) -> {name: [P]}` (e.g. `Scorer.pair_parts`) each listed
    score also carries its named parts; only the listed pairs are scored, never a full parts matrix. Needs a
    one-block protocol."""
    res = ev.result
    if res.i2t_ranks is None:
        raise ValueError("per-query ranks need a one-block protocol (not a k-fold one)")
    sim = ev.sim
    n_i, n_c = sim.shape
    pos = torch.as_tensor(ev.split.positive_mask())
    ids = ev.split.ids
    caps = ev.split.captions
    neg_inf = torch.tensor(float("-inf"))
    ki, kc = min(k, n_c), min(k, n_i)
    i2t_vals, i2t_idx = torch.topk(sim, ki, dim=1)
    t2i_vals, t2i_idx = torch.topk(sim.t(), kc, dim=1)
    i2t_best = torch.where(pos, sim, neg_inf).argmax(dim=1)
    t2i_best = torch.where(pos, sim, neg_inf).argmax(dim=0)
    ar_i, ar_c = torch.arange(n_i), torch.arange(n_c)
    # every listed pair, in four blocks: i2t best positives, i2t top-k, t2i best positives, t2i top-k
    pair_img = torch.cat([ar_i, ar_i.repeat_interleave(ki), t2i_best, t2i_idx.flatten()])
    pair_cap = torch.cat([i2t_best, i2t_idx.flatten(), ar_c, ar_c.repeat_interleave(kc)])
    off = [0, n_i, n_i + n_i * ki, n_i + n_i * ki + n_c]
    parts = None
    if parts_fn is not None:
        parts = {name: v.float().cpu().tolist() for name, v in parts_fn(pair_img, pair_cap).items()}

    def part_at(p: int) -> dict[str, float] | None:
        return None if parts is None else {name: round(v[p], 6) for name, v in parts.items()}

    recs: list[dict[str, Any]] = []
    for i in range(n_i):
        b = int(i2t_best[i])
        top = []
        for j, (v, c) in enumerate(zip(i2t_vals[i].tolist(), i2t_idx[i].tolist(), strict=True)):
            top.append(
                {"caption_index": c, "score": v, "positive": bool(pos[i, c]), "parts": part_at(off[1] + i * ki + j)}
            )
        recs.append({"direction": "i2t", "image": i, "image_id": ids[i], "rank": int(res.i2t_ranks[i]),
                     "best_positive": {"caption_index": b, "score": float(sim[i, b]), "parts": part_at(off[0] + i)},
                     "top": top})  # fmt: skip
    for c in range(n_c):
        b = int(t2i_best[c])
        top = []
        for j, (v, i) in enumerate(zip(t2i_vals[c].tolist(), t2i_idx[c].tolist(), strict=True)):
            top.append({"image": i, "image_id": ids[i], "score": v, "positive": bool(pos[i, c]),
                        "parts": part_at(off[3] + c * kc + j)})  # fmt: skip
        recs.append({"direction": "t2i", "caption_index": c, "caption": caps[c], "rank": int(res.t2i_ranks[c]),
                     "best_positive": {"image": b, "score": float(sim[b, c]), "parts": part_at(off[2] + c)},
                     "top": top})  # fmt: skip
    return recs


def as_numpy(x) -> np.ndarray:
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


# --- a trained matcher on a dataset split: the evaluation record ---------------------------------------------------
def evaluate(
    matcher: Matcher,
    data,
    split: str = "test",
    protocol: str = "full",
    *,
    batch_size: int = 128,
    progress: bool = False,
    ranks_path=None,
    parse: ParseFn | None = None,
) -> dict[str, Any]:
    """Evaluate a loaded matcher (`sgfns.load_model`) on `split` of dataset folder `data` under a named protocol
    (`sgfns.eval.protocols`): the evaluation record (metrics, recalls by relations, compositional block, model,
    checkpoint sha256, versions, config id). `ranks_path`: also write each query's rank, top-5 and score parts
    (one-block protocols). `record["_evaluation"]` is not set; use `evaluate_split` for the raw matrices."""
    return evaluate_with_split(matcher, data, split, protocol, batch_size=batch_size, progress=progress,
                               ranks_path=ranks_path, parse=parse)[0]  # fmt: skip


def evaluate_with_split(matcher: Matcher, data, split: str = "test", protocol: str = "full", *,
                        batch_size: int = 128, progress: bool = False, ranks_path=None,
                        parse: ParseFn | None = None) -> tuple[dict[str, Any], SplitEvaluation]:  # fmt: skip
    """`evaluate`, also returning the `SplitEvaluation` (similarity matrix, encodings) for figures and reports."""
    from pathlib import Path

    from sgfns.data.dataset import load_split
    from sgfns.errors import UserError
    from sgfns.eval.provenance import config_id, versions
    from sgfns.graphs.lazy import LazyParser
    from sgfns.io import write_jsonl
    from sgfns.models.inputs import check_split_inputs

    proto = get_protocol(protocol)
    sp = load_split(data, split)
    check_split_inputs(matcher, sp, "evaluating")  # never null graphs in place of missing ones
    check_counts(proto, sp.n_images, sp.n_captions, f"{sp.root} ({sp.name})")
    if ranks_path is not None and proto.folds > 1:
        raise UserError(f"--ranks needs a one-block protocol; '{proto.name}' has {proto.folds} folds")
    run = getattr(matcher, "run", None)
    cfg = run.config if run is not None else {}
    parse = parse or getattr(matcher, "parser", None) or LazyParser()
    graphs, source = caption_graphs_as_trained(sp, cfg, parse)
    overlap = vocabulary_overlap(matcher, sp)
    device = scoring.model_device(matcher)
    scorer = Scorer(matcher, device=device, batch_size=batch_size, progress=progress)
    ev = evaluate_split(scorer, sp, protocol, parse=parse, caption_graphs=graphs)
    rec = ev.record()
    model_json = cfg.get("model_json") or {}
    rec.update(
        {
            "model": model_json.get("name") or getattr(matcher, "name", "?"),
            "checkpoint_sha256": run.checkpoint_sha256 if run is not None else None,
            "versions": versions(cfg),
            "caption_graphs": source,
            "vocabulary_overlap": None if overlap is None else round(overlap, 4),
            "run": str(run.run_dir) if run is not None else None,
            "seed": cfg.get("seed"),
            "config_id": config_id(cfg),
            "data": Path(data).resolve().name,
        }
    )
    if ranks_path is not None:
        write_jsonl(ranks_path, ranks_records(ev, lambda pi, pc: scorer.pair_parts(ev.img_enc, ev.cap_enc, pi, pc)))
    return rec, ev


MIN_VOCABULARY_OVERLAP = 0.5


def vocabulary_overlap(matcher: Matcher, split) -> float | None:
    """Share of the split's caption words in the run's vocabulary (None without a text processor); under
    `MIN_VOCABULARY_OVERLAP` a warning: the run reads most of these captions as unknown words, so its rSum says
    little about the model (a run trained on one dataset evaluated on another)."""
    tp = getattr(matcher, "text_processor", None)
    if tp is None:
        return None
    share = tp.known_share(split.captions)
    if share < MIN_VOCABULARY_OVERLAP:
        log.warning("%s/%s: only %.0f%% of the caption words are in the run's vocabulary (under %.0f%%): the run "
                    "was trained on other language, read this evaluation with care", split.root, split.name,
                    100 * share, 100 * MIN_VOCABULARY_OVERLAP)  # fmt: skip
    return share


def caption_graphs_as_trained(split, run_config: dict[str, Any], parse) -> tuple[list | None, str]:
    """The split's caption graphs as the run was trained to see them (its `data.text_graphs` mode: auto =
    provided graphs when the split has them, else the parser's), through the one caption-graph route
    (`sgfns.graphs.cache.caption_graphs_for`); and their source ("provided" or "parser@VERSION")."""
    from sgfns.graphs.cache import caption_graphs_for

    mode = (run_config.get("data") or {}).get("text_graphs") or "auto"
    has_provided = split.caption_graphs is not None and split.caption_graph_source in (None, "provided")
    if mode == "provided" and not has_provided:
        log.warning("%s: split '%s' has no provided caption graphs; parsing its captions", split.root, split.name)
        mode = "parser"
    if mode == "auto" and has_provided or mode == "provided":
        return caption_graphs_for(split, "provided"), "provided"
    trained_with = str((run_config.get("versions") or {}).get("parser") or "")
    now = f"parser@{parse.version}"
    if trained_with.startswith("parser@") and trained_with != now:
        log.warning("the run was trained on caption graphs from %s, this evaluation parses with %s: graphs may differ",
                    trained_with, now)  # fmt: skip
    return caption_graphs_for(split, "parser", parser=parse), now
