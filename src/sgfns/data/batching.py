"""Turn a Split's images and captions into model inputs (dicts of padded tensors).

Items are prepared once (tokenized, graph labels looked up) and collated per batch. Every node set has at least
one slot so an empty graph is a row whose mask is all False; the models fill such rows with a learned null node.

Image batch keys: `feats` [B,R,D] (absent for graphs-only data), `boxes` [B,R,4] (when present), `obj_name`
[B,O,K] word ids of each object's label, `obj_attr` [B,O,A,K], `obj_region` [B,O] (-1: no region), `obj_mask`
[B,O], `rel_subj`/`rel_obj` [B,E], `rel_pred` [B,E,K], `rel_mask` [B,E], plus `*_h` label hashes for symbolic
matching (`obj_name_h` [B,O], `obj_attr_h` [B,O,A], `rel_pred_h` [B,E]).
Caption batch keys: `tokens` [B,T], `lengths` [B], `text` (`Texts`: the caption strings), `obj_span` [B,O,2]
token range of the head word ([-1,-1]: none), `obj_count` [B,O] (-1: unknown) and the same graph keys as images."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from sgfns.graphs.types import SceneGraph
from sgfns.text.vocab import TextProcessor, label_hash


class Texts(tuple):
    """The caption strings of a batch, for pretrained sentence encoders. Rows select like a tensor's: indexing with
    an index tensor, list or slice gives a `Texts` (also for one row), so batch code can index every key alike."""

    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.reshape(-1).tolist()
        if isinstance(index, list):
            return Texts(tuple.__getitem__(self, int(i)) for i in index)
        if isinstance(index, slice):
            return Texts(tuple.__getitem__(self, index))
        return tuple.__getitem__(self, index)


@dataclass
class GraphItem:
    names: list[list[int]] = field(default_factory=list)
    attrs: list[list[list[int]]] = field(default_factory=list)
    name_h: list[int] = field(default_factory=list)
    attr_h: list[list[int]] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    rel_subj: list[int] = field(default_factory=list)
    rel_obj: list[int] = field(default_factory=list)
    rel_pred: list[list[int]] = field(default_factory=list)
    rel_pred_h: list[int] = field(default_factory=list)


@dataclass
class CaptionItem:
    tokens: list[int]
    graph: GraphItem
    text: str = ""


def graph_item(g: SceneGraph | None, tp: TextProcessor, token_spans: list[tuple[int, int]] | None = None) -> GraphItem:
    item = GraphItem()
    if g is None:
        return item
    for o in g.objects:
        item.names.append(tp.label_ids(o.name))
        item.attrs.append([tp.label_ids(a) for a in o.attributes])
        item.name_h.append(label_hash(o.name))
        item.attr_h.append([label_hash(a) for a in o.attributes])
        item.regions.append(-1 if o.region is None else o.region)
        item.counts.append(-1 if o.count is None else o.count)
        span = None
        if token_spans is not None and o.span is not None:
            span = tp.span_tokens(token_spans, o.span[0], o.span[1])
        item.spans.append(span if span is not None else (-1, -1))
    for r in g.relations:
        item.rel_subj.append(r.subject)
        item.rel_obj.append(r.object)
        item.rel_pred.append(tp.label_ids(r.predicate))
        item.rel_pred_h.append(label_hash(r.predicate))
    return item


def prepare_captions(
    texts: Sequence[str], graphs: Sequence[SceneGraph | None] | None, tp: TextProcessor
) -> list[CaptionItem]:
    out = []
    for i, t in enumerate(texts):
        ids, spans = tp.encode(t)
        out.append(CaptionItem(ids, graph_item(graphs[i] if graphs is not None else None, tp, spans), t))
    return out


def prepare_image_graphs(graphs: Sequence[SceneGraph | None] | None, n: int, tp: TextProcessor) -> list[GraphItem]:
    if graphs is None:
        return [GraphItem() for _ in range(n)]
    return [graph_item(g, tp) for g in graphs]


def _pad2(rows: list[list[int]], fill: int = 0, min_len: int = 1) -> Tensor:
    L = max([min_len, *(len(r) for r in rows)])
    out = torch.full((len(rows), L), fill, dtype=torch.long)
    for i, r in enumerate(rows):
        if r:
            out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out


def _pad3(rows: list[list[list[int]]], fill: int = 0) -> Tensor:
    L = max([1, *(len(r) for r in rows)])
    K = max([1, *(len(x) for r in rows for x in r)])
    out = torch.full((len(rows), L, K), fill, dtype=torch.long)
    for i, r in enumerate(rows):
        for j, x in enumerate(r):
            if x:
                out[i, j, : len(x)] = torch.tensor(x, dtype=torch.long)
    return out


def _pad4(rows: list[list[list[list[int]]]]) -> Tensor:
    L = max([1, *(len(r) for r in rows)])
    A = max([1, *(len(x) for r in rows for x in r)])
    K = max([1, *(len(w) for r in rows for x in r for w in x)])
    out = torch.zeros((len(rows), L, A, K), dtype=torch.long)
    for i, r in enumerate(rows):
        for j, x in enumerate(r):
            for a, w in enumerate(x):
                out[i, j, a, : len(w)] = torch.tensor(w, dtype=torch.long)
    return out


def collate_graphs(items: Sequence[GraphItem]) -> dict[str, Tensor]:
    obj_n = [len(it.names) for it in items]
    rel_n = [len(it.rel_subj) for it in items]
    b: dict[str, Tensor] = {
        "obj_name": _pad3([it.names for it in items]),
        "obj_attr": _pad4([it.attrs for it in items]),
        "obj_name_h": _pad2([it.name_h for it in items]),
        "obj_attr_h": _pad3([it.attr_h for it in items]),
        "obj_region": _pad2([it.regions for it in items], fill=-1),
        "obj_count": _pad2([it.counts for it in items], fill=-1),
        "rel_subj": _pad2([it.rel_subj for it in items]),
        "rel_obj": _pad2([it.rel_obj for it in items]),
        "rel_pred": _pad3([it.rel_pred for it in items]),
        "rel_pred_h": _pad2([it.rel_pred_h for it in items]),
    }
    O, E = b["obj_name"].shape[1], b["rel_subj"].shape[1]
    b["obj_mask"] = torch.arange(O)[None] < torch.tensor(obj_n)[:, None]
    b["rel_mask"] = torch.arange(E)[None] < torch.tensor(rel_n)[:, None]
    return b


def collate_captions(items: Sequence[CaptionItem]) -> dict[str, Tensor]:
    b = collate_graphs([it.graph for it in items])
    b["tokens"] = _pad2([it.tokens for it in items])
    b["lengths"] = torch.tensor([len(it.tokens) for it in items], dtype=torch.long)
    b["text"] = Texts(it.text for it in items)
    spans = [[list(s) for s in it.graph.spans] for it in items]
    O = b["obj_name"].shape[1]
    sp = torch.full((len(items), O, 2), -1, dtype=torch.long)
    for i, r in enumerate(spans):
        if r:
            sp[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    b["obj_span"] = sp
    return b


def collate_images(
    graphs: Sequence[GraphItem],
    indices: Sequence[int],
    features: np.ndarray | None,
    boxes: np.ndarray | None = None,
) -> dict[str, Tensor]:
    """Images `indices` of a split: features read from the memory map for just these rows."""
    b = collate_graphs([graphs[i] for i in indices])
    idx = np.asarray(indices)
    if features is not None:
        order = np.argsort(idx, kind="stable")  # sorted reads are friendlier to the memory map
        rows = np.asarray(features[idx[order]], dtype=np.float32)
        out = np.empty_like(rows)
        out[order] = rows
        b["feats"] = torch.from_numpy(out)
    if boxes is not None:
        b["boxes"] = torch.from_numpy(np.asarray(boxes[idx], dtype=np.float32))
    return b


def to_device(batch: dict[str, Tensor], device: torch.device | str) -> dict[str, Tensor]:
    return {k: v.to(device, non_blocking=True) if isinstance(v, Tensor) else v for k, v in batch.items()}


class SplitInputs:
    """A Split prepared once for a text processor: prepared captions and image graphs, and collation by index."""

    def __init__(self, split, tp: TextProcessor, caption_graphs: Sequence[SceneGraph | None] | None = None) -> None:
        self.split = split
        self.tp = tp
        cg = caption_graphs if caption_graphs is not None else split.caption_graphs
        self.caption_graphs = cg  # the SceneGraphs themselves (generated negatives edit them)
        self.captions = prepare_captions(split.captions, cg, tp)
        self.images = prepare_image_graphs(split.image_graphs, split.n_images, tp)

    def image_batch(self, indices: Sequence[int]) -> dict[str, Tensor]:
        return collate_images(self.images, indices, self.split.features, self.split.boxes)

    def caption_batch(self, indices: Sequence[int]) -> dict[str, Tensor]:
        return collate_captions([self.captions[i] for i in indices])
