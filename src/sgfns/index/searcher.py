"""Search an encoded gallery and say why each hit ranked: the one route `sgfns search` and `sgfns serve` share.

A `Searcher` holds a run's model, the gallery `sgfns encode` wrote, its two first-stage indexes (built once), and —
when the dataset folder the gallery names is present — its images' scene graphs, boxes and files and its captions'
graphs. `text(query, k)` and `image(image_id, k)` return plain dicts (the service's JSON): ranked hits, each with
the terms of its score (summing to it) and, per caption object and relation, the image region it found with that
region's box and its share of the score (`sgfns.index.explain`). A caption object whose best cosine is under
`threshold` is reported with no region: the score still counts its (small) share, the page draws no box."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from sgfns.errors import UserError
from sgfns.graphs.types import SceneGraph, SGObject
from sgfns.index.explain import PairExplanation, explain_pairs
from sgfns.index.flat import FlatIndex
from sgfns.index.nodestage import NodeIndex
from sgfns.index.rerank import rerank_parts, shortlist
from sgfns.index.store import load_gallery, load_stage
from sgfns.models.base import Encoded, Matcher

__all__ = ["DEFAULT_THRESHOLD", "MAX_K", "Searcher", "object_label"]

log = logging.getLogger(__name__)

#: best cosine under which a caption object is shown as matching no region
DEFAULT_THRESHOLD = 0.3
#: the most hits one query may ask for
MAX_K = 100


def shortlist_length(k: int) -> int:
    """Candidates the first stage hands the re-rank for a top-k answer: 5k, at least 100. Chosen on the synthetic
    world's validation split (docs/performance.md, "Shortlist length for a top-k answer"): on two trained runs the
    node first stage's first 500 hold 99.87-99.90 % of the exhaustive top-100 (10k = 1,000, the length before,
    99.99 % for twice the re-ranked pairs), and its first 100 hold 99.68-99.73 % of the top-10 (50: 99.42-99.58 %)."""
    return max(5 * k, 100)


def object_label(o: SGObject | None) -> str | None:
    """'2 red cube' style label of a graph object (count when known and not 1, attributes, name)."""
    if o is None:
        return None
    words = [str(o.count)] if o.count not in (None, 1) else []
    return " ".join([*words, *o.attributes, o.name])


def _relation_label(g: SceneGraph | None, e: int) -> str | None:
    if g is None or e >= len(g.relations):
        return None
    r = g.relations[e]
    return f"{object_label(g.objects[r.subject])} {r.predicate} {object_label(g.objects[r.object])}"


class Searcher:
    """Text -> images and image -> captions over one encoded gallery, with explanations.

    `model`: the run's model (eval mode, `text_processor` attached); `checkpoint_sha256`: the weights' digest,
    checked against the one the gallery was encoded with. `first_stage`: "auto" (the node stage when the gallery
    has one), "node" or "global"; `backend`: the global index's ("auto", "faiss", "torch")."""

    def __init__(
        self,
        model: Matcher,
        index_dir: str | Path,
        *,
        checkpoint_sha256: str | None = None,
        device: str = "cpu",
        backend: str = "auto",
        first_stage: str = "auto",
        threshold: float = DEFAULT_THRESHOLD,
        parser=None,
    ) -> None:
        self.index_dir = Path(index_dir)
        meta, img, cap = load_gallery(self.index_dir)
        if checkpoint_sha256 is not None and meta.get("checkpoint_sha256") != checkpoint_sha256:
            raise UserError(
                f"{self.index_dir}: encoded with checkpoint {str(meta.get('checkpoint_sha256'))[:12]}, but the run's "
                f"weights are {checkpoint_sha256[:12]}; re-run `sgfns encode`"
            )
        self.meta, self.model, self.threshold = meta, model.eval(), float(threshold)
        self.device = torch.device(device)
        self.img, self.cap = img.to(self.device), cap.to(self.device)
        self.ids: list[str] = list(meta["image_ids"])
        self.captions: list[str] = list(meta["captions"])
        self.caption_image: list[int] = list(meta.get("caption_image") or [])
        self.where = {x: i for i, x in enumerate(self.ids)}
        stage = load_stage(self.index_dir, meta)
        if first_stage == "node" and stage is None:
            raise UserError(
                f"{self.index_dir}: encoded without a node first stage (re-run `sgfns encode --first-stage-dim N`)"
            )
        if first_stage == "global":
            stage = None
        if stage is not None:  # bf16 where the device has fast bf16 (as benchmarks/eval_speed.py times it)
            from sgfns.index.nodestage import first_stage_dtype

            stage.dtype = first_stage_dtype(device)
        self.first_stage = "node" if stage is not None else "global"
        if stage is not None:
            self.image_index = NodeIndex(stage, self.img, "image")
            self.caption_index = NodeIndex(stage, self.cap, "caption")
        else:
            self.image_index = FlatIndex(self.img.glob, backend=backend)
            self.caption_index = FlatIndex(self.cap.glob, backend=backend)
        if parser is None:
            from sgfns.graphs.lazy import LazyParser

            parser = getattr(model, "parser", None) or LazyParser()
        self._parser = parser  # callable: texts -> graphs (`sgfns.graphs.lazy.LazyParser`)
        self._parse_lock = threading.Lock()
        self._files: dict[str, str | None] = {}  # image id -> file (`image_file`); at most one per gallery image
        self._load_dataset()

    # --- the dataset beside the gallery (graphs, boxes, files), when it is there ----------------------------------
    def _load_dataset(self) -> None:
        from sgfns.data.dataset import load_split

        self.data: Path | None = None
        self.image_graphs: list[SceneGraph] | None = None
        self.caption_graphs: list[SceneGraph] | None = None
        self.boxes = None
        self.box_format = "xyxy_norm"
        self.data_meta: dict[str, Any] = {}
        data = Path(str(self.meta.get("data", "")))
        if not self.meta.get("data") or not data.is_dir():
            log.warning("%s: dataset folder %s not found; hits carry no graphs, boxes or image files",
                        self.index_dir, data)  # fmt: skip
            return
        split = load_split(data, self.meta["split"], check_finite=False)
        if [str(x) for x in split.ids] != self.ids or list(split.captions) != self.captions:
            log.warning("%s: %s (%s) no longer holds the encoded images and captions; hits carry no graphs or boxes",
                        self.index_dir, data, self.meta["split"])  # fmt: skip
            return
        from sgfns.eval.evaluator import caption_graphs_as_trained

        self.data, self.data_meta = data, split.meta
        self.image_graphs = split.image_graphs
        run = getattr(self.model, "run", None)  # the graphs `sgfns encode` encoded: as the run was trained
        self.caption_graphs, _ = caption_graphs_as_trained(split, run.config if run else {}, self._parser)
        self.boxes = split.boxes
        self.box_format = split.meta.get("box_format") or "xyxy_norm"
        self.images_dir = (data / str(split.meta.get("images_dir") or "images")).resolve()

    def image_path(self, image_id: str) -> Path | None:
        """The file of a gallery image, or None (an id not in the gallery, or a dataset without image files).

        Only ids of the gallery are looked up, and the path is checked to lie inside the dataset's image folder,
        so no request can name a file elsewhere."""
        if self.data is None or image_id not in self.where:
            return None
        template = self.data_meta.get("image_file")
        names = [template] if template else ["images/{id}.png", "images/{id}.jpg", "images/{id}.jpeg"]
        for name in names:
            p = (self.data / str(name).format(id=image_id)).resolve()
            if p.is_relative_to(self.images_dir) and p.is_file():
                return p
        return None

    def image_file(self, image_id: str) -> str | None:
        """The image's file relative to the dataset folder (None as `image_path`), looked up once per image: the
        checks resolve paths on disk, which cost more than the rest of a hit's answer."""
        if image_id not in self._files:
            p = self.image_path(image_id)
            self._files[image_id] = (str(p.relative_to(self.data.resolve()))
                                     if p is not None and self.data is not None else None)  # fmt: skip
        return self._files[image_id]

    def parse(self, text: str) -> SceneGraph:
        """The query's scene graph by the run's parser (`model.parser`, as `sgfns.load_model` attaches it)."""
        return self.parse_many([text])[0]

    def parse_many(self, texts: Sequence[str]) -> list[SceneGraph]:
        """The queries' scene graphs in one parser call (spaCy's `nlp.pipe`). A `LazyParser` is asked not to
        remember them (`parse_fresh`): a service sees endless distinct queries, and every search parses its own."""
        parse = getattr(self._parser, "parse_fresh", self._parser)
        with self._parse_lock:  # spaCy pipelines are not documented as thread-safe
            return parse(list(texts))

    def warm_up(self, batch: int = 1, k: int = 1) -> None:
        """Searches before the first request: loads the parser's pipeline and the lexicon it reads on demand
        (seconds each), and finds every gallery image's file (a path checked on disk per image, more than the rest
        of a hit's answer costs), so that no client's search pays for them. Then what is loaded is frozen out of
        the garbage collector's full passes (`gc.freeze`).

        `batch`, `k`: the warm-up search answers that many gallery captions together at top-k. A service passes
        its largest batch and k, so that the memory such a batch first takes (the allocator's arenas, buffers
        sized by the batch's shapes: about 40 MB on the load benchmark's gallery) is taken at start rather than
        in the first busy moment (docs/serve.md)."""
        from sgfns.text.lexicon import is_lemma

        is_lemma("cube")
        queries = [c for c in self.captions[: max(1, batch)] if c.strip()] or ["a red cube"]
        self.texts(queries, max(1, min(k, len(self.ids))))
        if self.data is not None:
            for image_id in self.ids:
                self.image_file(image_id)
        # What is loaded now (the model, the gallery's graphs, the parser, the lexicon: millions of objects) stays
        # for the searcher's life: freeze it out of the garbage collector's full passes. Each of those passes
        # walked all of it, about 0.4 s with the interpreter lock held, every few batches of a busy service, and
        # held every other request (a health check) that long (docs/serve.md). Cycles created later are still found.
        gc.collect()
        gc.freeze()

    def describe(self) -> dict[str, Any]:
        """The loaded run and gallery: model, data, sizes, versions."""
        import platform

        import sgfns

        return {
            "model": self.model.name,
            "run": self.meta.get("run"),
            "checkpoint": self.meta.get("checkpoint"),
            "checkpoint_sha256": self.meta.get("checkpoint_sha256"),
            "data": self.meta.get("data"),
            "data_name": self.data_meta.get("name"),
            "split": self.meta.get("split"),
            "images": len(self.ids),
            "captions": len(self.captions),
            "first_stage": self.first_stage,
            "image_files": self.data is not None and bool(self.ids) and self.image_path(self.ids[0]) is not None,
            "box_format": self.box_format,
            "threshold": self.threshold,
            "max_k": MAX_K,
            "versions": {"sgfns": sgfns.__version__, "torch": torch.__version__, "python": platform.python_version()},
        }

    # --- queries -----------------------------------------------------------------------------------------------
    def _check_k(self, k: int) -> None:
        if not 1 <= k <= MAX_K:
            raise UserError(f"k must be between 1 and {MAX_K}, got {k}")

    def text(self, query: str, k: int = 10, n_short: int | None = None) -> dict[str, Any]:
        """Images for a text query: {"query", "graph", "results": [{"rank", "image_id", "score", "parts",
        "matches", "relations", "counts", ...}]} — `texts` of one query."""
        return self.texts([query], [k], n_short)[0]

    def texts(
        self, queries: Sequence[str], ks: Sequence[int] | int = 10, n_short: int | None = None
    ) -> list[dict[str, Any]]:
        """`text` of several queries at once, one answer per query in order; each answer is the one `text` gives
        for that query alone (tested).

        Why: the service's searches arrive concurrently, and most of a search's cost is per call, not per query —
        the parser's pipeline, one forward of the text encoder, one pass over the gallery's first stage (a matrix
        product that is as cheap for 32 query columns as for one), one pass of the re-rank over the images that
        the shortlists share. So the queries are parsed in one parser call, encoded in one forward, shortlisted in
        one first-stage pass and re-ranked and explained together; only assembling the answers is per query."""
        from sgfns.models.scoring import encode_captions

        queries = list(queries)
        ks = [ks] * len(queries) if isinstance(ks, int) else [int(k) for k in ks]
        if len(ks) != len(queries):
            raise ValueError(f"{len(queries)} queries but {len(ks)} values of k")
        for query, k in zip(queries, ks, strict=True):
            if not query.strip():
                raise UserError("the text query is empty")
            self._check_k(k)
        if not queries:
            return []
        graphs = self.parse_many(queries)
        q = encode_captions(self.model, queries, graphs, self.device).to(self.device)
        shorts = [n_short or shortlist_length(k) for k in ks]
        # one first-stage pass for every query; a shorter shortlist is a prefix of a longer one (ties -> lower id)
        first = shortlist(self.img, q, self.image_index, torch.arange(len(queries)), max(shorts), "caption")
        ranked: list[tuple[Tensor, Tensor, dict[str, Tensor]]] = [None] * len(queries)  # type: ignore[list-item]
        for n in sorted(set(shorts)):  # re-rank the queries with the same shortlist length together
            rows = [j for j, s in enumerate(shorts) if s == n]
            scores, ids, parts = rerank_parts(self.model, self.img, q, torch.tensor(rows), first[rows, :n], "caption")
            for r, j in enumerate(rows):
                ranked[j] = (scores[r, : ks[j]], ids[r, : ks[j]], {name: v[r, : ks[j]] for name, v in parts.items()})
        # every hit of every query explained in one call
        pair_img = torch.cat([ids for _, ids, _ in ranked]).tolist()
        pair_cap = [j for j, (_, ids, _) in enumerate(ranked) for _ in range(len(ids))]
        names = list(ranked[0][2])
        exs = explain_pairs(self.model, self.img, q, pair_img, pair_cap,
                            {n: torch.cat([p[n] for _, _, p in ranked]) for n in names})  # fmt: skip
        out, at = [], 0
        for j, (scores, ids, _) in enumerate(ranked):
            graph, results = graphs[j], []
            for r, i in enumerate(ids.tolist()):
                ex = exs[at + r]
                ex.score = float(scores[r])  # the ranking's own sum of the parts
                hit = {"rank": r + 1, "image_id": self.ids[i], "image": i, "file": self.image_file(self.ids[i])}
                ig = self.image_graphs[i] if self.image_graphs is not None else None
                boxes = self.boxes[i] if self.boxes is not None else None
                results.append({**hit, **self._explained(ex, graph, ig, boxes)})
            at += len(ids)
            # a query none of whose objects the run knows is ranked by noise: say so (the CLI and the page warn)
            known = any(self.model.text_processor.knows(o.name) for o in graph.objects)
            out.append({**self._header(ks[j]), "query": queries[j], "graph": graph.to_dict(), "query_known": known,
                        "results": results})  # fmt: skip
        return out

    def image(self, image_id: str, k: int = 10, n_short: int | None = None) -> dict[str, Any]:
        """Captions for a gallery image: {"query": {"image_id"}, "results": [{"rank", "caption_index", "caption",
        "graph", "score", "parts", "matches", ...}]}; an id not in the gallery is a `KeyError`."""
        if image_id not in self.where:
            raise KeyError(image_id)
        i = self.where[image_id]
        ig = self.image_graphs[i] if self.image_graphs is not None else None
        boxes = self.boxes[i] if self.boxes is not None else None
        out = self._captions_for(self.img, i, ig, boxes, k, n_short)
        return {**out, "query": {"image_id": image_id}, "image_id": image_id, "file": self.image_file(image_id)}

    def new_image(self, enc: Encoded, graph: SceneGraph | None, boxes, k: int = 10) -> dict[str, Any]:
        """Captions for an image outside the gallery (an uploaded photo), encoded by the run's model (`enc`, one
        image) with its visual graph and region boxes [R, 4]; the same shape as `image` without an id."""
        return {**self._captions_for(enc.to(self.device), 0, graph, boxes, k, None), "query": {"image_id": None}}

    def _captions_for(self, img: Encoded, i: int, ig: SceneGraph | None, boxes, k: int, n_short) -> dict[str, Any]:
        self._check_k(k)
        ids = shortlist(img, self.cap, self.caption_index, torch.tensor([i]), n_short or shortlist_length(k), "image")
        scores, ids, parts = rerank_parts(self.model, img, self.cap, torch.tensor([i]), ids, "image")
        top = ids[0, :k].tolist()
        top_parts = {n: v[0, :k] for n, v in parts.items()}
        exs = explain_pairs(self.model, img, self.cap, [i] * len(top), top, top_parts)
        results = []
        for r, (c, ex) in enumerate(zip(top, exs, strict=True)):
            ex.score = float(scores[0, r])
            g = self.caption_graphs[c] if self.caption_graphs is not None else None
            hit: dict[str, Any] = {"rank": r + 1, "caption_index": c, "caption": self.captions[c]}
            if self.caption_image:
                hit["image_id"] = self.ids[self.caption_image[c]]
                hit["own_image"] = self.caption_image[c] == i and img is self.img
            hit["graph"] = g.to_dict() if g is not None else None
            results.append({**hit, **self._explained(ex, g, ig, boxes)})
        return {**self._header(k), "results": results}

    def _header(self, k: int) -> dict[str, Any]:
        return {"k": k, "threshold": self.threshold, "box_format": self.box_format}

    # --- explanations: node indices -> labels, regions, boxes ---------------------------------------------------
    def _explained(self, ex: PairExplanation, cap_graph: SceneGraph | None, ig: SceneGraph | None, boxes):
        """Score, parts and the per-node shares of one hit: an image with visual graph `ig` and region boxes
        `boxes` [R, 4] (either may be None), a caption with graph `cap_graph`."""

        rows = None if boxes is None else np.asarray(boxes).tolist()  # one conversion, not one per coordinate

        def box(region: int | None) -> list[float] | None:
            if region is None or rows is None or region >= len(rows):
                return None
            return [round(x, 5) for x in rows[region]]

        def cap_obj(j: int) -> SGObject | None:
            return cap_graph.objects[j] if cap_graph is not None and j < len(cap_graph.objects) else None

        def img_obj(j: int) -> SGObject | None:
            return ig.objects[j] if ig is not None and 0 <= j < len(ig.objects) else None

        matches = []
        for m in ex.nodes.get("object", []):
            io = img_obj(m.image_node)
            found = m.cosine >= self.threshold and io is not None and io.region is not None
            region = io.region if found else None
            matches.append({
                "caption_object": m.caption_node,
                "label": object_label(cap_obj(m.caption_node)) or "(no objects)",
                "region": region,
                "box": box(region),
                "image_object": m.image_node,
                "image_label": object_label(io),
                "cosine": m.cosine,
                "weight": m.contribution,
            })  # fmt: skip
        relations = []
        for m in ex.nodes.get("relation", []):
            regions, boxes_ = None, None
            if ig is not None and m.image_node < len(ig.relations) and m.cosine >= self.threshold:
                r = ig.relations[m.image_node]
                regions = [ig.objects[r.subject].region, ig.objects[r.object].region]
                boxes_ = [box(x) for x in regions]
            relations.append({
                "caption_relation": m.caption_node,
                "label": _relation_label(cap_graph, m.caption_node) or "(no relations)",
                "image_relation": m.image_node,
                "image_label": _relation_label(ig, m.image_node),
                "regions": regions,
                "boxes": boxes_,
                "cosine": m.cosine,
                "contribution": m.contribution,
            })  # fmt: skip
        counts = [
            {"caption_object": m.caption_node, "label": object_label(cap_obj(m.caption_node)), "count": m.count,
             "soft_count": m.cosine, "contribution": m.contribution}
            for m in ex.nodes.get("count", [])
        ]  # fmt: skip
        return {"score": ex.score, "parts": ex.parts, "matches": matches, "relations": relations, "counts": counts}
