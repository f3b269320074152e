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
from sgfns.eval.protocols import ProtocolResult, evaluate
from sgfns.eval.recall import KS, recall_at
from sgfns.graphs.types import SceneGraph
from sgfns.models import scoring
from sgfns.models.base import Encoded, Matcher

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
        """Named score parts [P] of the listed pairs only (`sgfns.index.rerank.pair_parts`), in blocks, on the CPU."""
        from sgfns.index.rerank import pair_parts

        img_d, cap_d = img.to(self.device), cap.to(self.device)
        out: dict[str, list[Tensor]] = {}
        step = 1 << 16
        for s in range(0, len(pair_img), step):
            parts = pair_parts(self.model, img_d, cap_d, pair_img[s : s + step].to(self.device),
                               pair_cap[s : s + step].to(self.device))  # fmt: skip
            for name, v in parts.items():
                out.setdefault(name, []).append(v.float().cpu())
        return {name: torch.cat(v) for name, v in out.items()}

    def pair_scores(self, img: Encoded, image_index: Sequence[int], cap: Encoded) -> Tensor:
        """S(image_index[j], caption j) for each j, in blocks, without the full [n_images, n_captions] matrix."""
        idx = torch.as_tensor(list(image_index), dtype=torch.long)
        out = []
        for s in range(0, len(cap), self.batch_size):
            sl = slice(s, s + self.batch_size)
            uniq, inv = torch.unique(idx[sl], return_inverse=True)
            m = scoring.similarity_matrix(self.model, img.select(uniq), cap.select(sl), self.chunk)
            out.append(m[inv, torch.arange(len(inv))])
        return torch.cat(out) if out else torch.empty(0)


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
    result = evaluate(sim, split.positive_mask(), split.caption_image(), protocol, where=f"{split.root} ({split.name})")
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
