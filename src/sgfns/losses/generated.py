"""L_neg: hinge between each positive pair and its generated negatives (docs/method.md#l_neg).

    L_neg = Σ_{T⁻ of (I,T)} [m' − S(I,T) + S(I,T⁻)]₊  +  Σ_{I⁻ of (I,T)} [m' − S(I,T) + S(I⁻,T)]₊

Caption negatives T⁻ are precomputed once per dataset with their graphs (`sgfns.negatives.cache`), so a step only
collates already-tokenised items; image negatives I⁻ are edits of the batch's own images aligned to the caption
(`sgfns.negatives.image`), made per step on the CPU. The training loop reaches this module through
`build_term` (see `sgfns.losses.hooks`). Sampling is a pure function of (seed, epoch, the batch's caption
indices), so a resumed run draws exactly the negatives it would have drawn: there is no RNG state to save."""

from __future__ import annotations

import collections
import contextlib
import hashlib
import logging
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor

from sgfns.data.batching import GraphItem, collate_captions, collate_graphs, prepare_captions
from sgfns.errors import UserError
from sgfns.graphs.types import SceneGraph
from sgfns.models.base import Encoded, Matcher
from sgfns.negatives import image as imneg
from sgfns.negatives.rules import DEFAULT_RULES, RULES

log = logging.getLogger(__name__)


def generated_hinge(pos: Tensor, neg: Tensor, owner: Tensor, margin: float) -> Tensor:
    """Σ_m [margin − pos[owner[m]] + neg[m]]₊ — pos [B] scores of the positive pairs, neg [M] of the negatives."""
    if neg.numel() == 0:
        return pos.sum() * 0.0
    return (margin - pos[owner] + neg).clamp(min=0).sum()


BUCKET_ROWS = 32
MAX_TABLE = 50_000_000  # elements of a padded caption-negative table kept in memory (else collated per step)
MOVED_KEYS = ("obj_name", "obj_attr", "obj_name_h", "obj_attr_h", "obj_count")  # what an edit moves (edited_item)


def _read_rows(store, idx: np.ndarray) -> np.ndarray:
    """float32 copy of rows `idx` of a (memory-mapped) array, read in sorted order."""
    order = np.argsort(idx, kind="stable")
    rows = np.asarray(store[idx[order]], dtype=np.float32)
    out = np.empty_like(rows)
    out[order] = rows
    return out


def _used(t: Tensor, dim: int) -> int:
    """1 + the last index along `dim` where `t` has a non-zero entry (at least 1): the padded size collation gives."""
    hit = (t != 0).transpose(0, dim).reshape(t.shape[dim], -1).any(1)
    idx = torch.nonzero(hit).flatten()
    return max(1, int(idx[-1]) + 1) if len(idx) else 1


def sub_batch(b: dict[str, Tensor], rows: Tensor) -> dict[str, Tensor]:
    """Rows `rows` of a collated graph (image or caption) batch with the padding cut to what those rows use: equal,
    key by key, to collating just those items (`collate_graphs` / `collate_captions`) — so a sub-batch of short
    graphs costs what short graphs cost. Unknown keys are only indexed."""
    out = {k: v[rows] for k, v in b.items()}
    O = max(1, int(out["obj_mask"].sum(1).max())) if len(rows) else 1
    E = max(1, int(out["rel_mask"].sum(1).max())) if len(rows) else 1
    for k, v in list(out.items()):
        if k.startswith("obj_"):
            out[k] = v[:, :O]
        elif k.startswith("rel_"):
            out[k] = v[:, :E]
    A = _used(out["obj_attr_h"], 2)
    out["obj_attr_h"] = out["obj_attr_h"][:, :, :A]
    out["obj_attr"] = out["obj_attr"][:, :, :A, : _used(out["obj_attr"], 3)]
    out["obj_name"] = out["obj_name"][:, :, : _used(out["obj_name"], 2)]
    out["rel_pred"] = out["rel_pred"][:, :, : _used(out["rel_pred"], 2)]
    if "tokens" in out:
        out["tokens"] = out["tokens"][:, : max(1, int(out["lengths"].max())) if len(rows) else 1]
    return out


def size_buckets(b: dict[str, Tensor], rows_per_bucket: int = BUCKET_ROWS) -> list[Tensor]:
    """Row indices of `b` sorted by graph size (relations, then objects, then tokens) and cut into buckets of about
    `rows_per_bucket` rows: encoding each bucket padded to its own largest graph instead of the batch's largest
    one does the same work on far fewer padded relation slots (an image has 3-49 relations on the synthetic world;
    relation nodes, graph convolution and their fusion are most of an image's encoding)."""
    n = int(b["obj_mask"].shape[0])
    size = (b["rel_mask"].sum(1) * (b["obj_mask"].shape[1] + 1) + b["obj_mask"].sum(1)) * 1024
    if "lengths" in b:  # captions: token count as the tie-breaker
        size = size + b["lengths"].clamp(max=1023)
    order = torch.sort(size, stable=True).indices
    k = max(1, math.ceil(n / max(1, rows_per_bucket)))
    return [c for c in torch.tensor_split(order, k) if len(c)]


def encode_bucketed(
    encode: Callable[[dict[str, Tensor]], Encoded], b: dict[str, Tensor], rows_per_bucket: int = BUCKET_ROWS
) -> tuple[Encoded, Tensor]:
    """`encode` of batch `b` in size buckets: (the encodings concatenated in bucket order, the row of `b` each
    encoding belongs to). Every item's encoding is what encoding the whole batch gives it (within float
    tolerance: only the padding differs); the caller reorders whatever it pairs the rows with."""
    buckets = size_buckets(b, rows_per_bucket)
    if len(buckets) == 1:
        return encode(b), torch.arange(int(b["obj_mask"].shape[0]), device=b["obj_mask"].device)
    encs = [encode(sub_batch(b, rows)) for rows in buckets]
    return Encoded.cat(encs), torch.cat(buckets)


def edited_item(prepared: Sequence[GraphItem], pos: int, neg: imneg.ImageNegative) -> GraphItem:
    """The model input (`GraphItem`) of an image negative, made from the already prepared items of the batch's
    images instead of re-tokenising its graph: equal to `graph_item(neg.scene.graph, tp)`, because an edit moves
    an object's label, attributes and count as one unit between node slots (regions and relations stay)."""
    base = prepared[pos]
    out = GraphItem(
        list(base.names), list(base.attrs), list(base.name_h), list(base.attr_h), list(base.regions),
        list(base.counts), list(base.spans), base.rel_subj, base.rel_obj, base.rel_pred, base.rel_pred_h,
    )  # fmt: skip

    def move(j: int, src: GraphItem, k: int) -> None:
        out.names[j], out.attrs[j], out.name_h[j] = src.names[k], src.attrs[k], src.name_h[k]
        out.attr_h[j], out.counts[j] = src.attr_h[k], src.counts[k]

    if neg.edit in ("reverse", "swap"):
        a, b = neg.objects
        move(a, base, b)
        move(b, base, a)
    elif neg.edit in imneg.DONOR_EDITS:
        move(neg.objects[0], prepared[neg.donor[0]], neg.donor[1])
    else:
        raise ValueError(f"unknown image edit {neg.edit!r}")
    return out


@dataclass
class NegConfig:
    """Settings of the generated-negative loss (the `neg` section of a training config; read only by this module).

    `weight` is λ in L = L_match + λ·L_neg (0 switches the term off; the presets turn it on for `sgfns`).
    `stop_gradient`: true encodes every negative without gradient (faster, learns worse); "captions" / "images":
    only that side's (docs/negatives.md, "Epoch time"). `rule_sampling`: how a positive's caption negative is drawn
    among its own: "uniform" (each of its rules alike) or "balanced" (rule r weighted by 1 / the number of training
    captions with an r negative, so rare rules such as count are drawn whenever a caption has one). `rules`: the
    caption-negative rules that train (empty: `sgfns.negatives.rules.DEFAULT_RULES`, the six replace/swap/count
    rules). `image_edits`: the image edits drawn (`sgfns.negatives.image.EDITS`; the default leaves `replace-att`
    out, which was measured and not adopted: docs/negatives.md, "Image negatives")."""

    weight: float = 0.0
    margin: float = 0.2
    rules: list[str] = field(default_factory=list)
    # the seed the caption negatives are generated with (None: the run's seed). A fixed value gives every seed of
    # an experiment the same negatives, generated (and cached) once: generation costs more than a short run on
    # frozen features. The per-step draws among them still follow the run's seed.
    seed: int | None = None
    per_positive: int = 1
    text_side: bool = True
    image_side: bool = True
    stop_gradient: bool | Literal["captions", "images"] = False
    rule_sampling: Literal["uniform", "balanced"] = "balanced"
    image_edits: list[str] = field(default_factory=lambda: ["reverse", "swap", "replace"])

    def validate(self) -> NegConfig:
        if self.weight < 0:
            raise UserError(f"neg.weight: must be >= 0, got {self.weight}")
        if self.margin < 0:
            raise UserError(f"neg.margin: must be >= 0, got {self.margin}")
        if self.per_positive < 1:
            raise UserError(f"neg.per_positive: must be >= 1, got {self.per_positive}")
        _check_stop_gradient(self.stop_gradient)
        _check_rule_sampling(self.rule_sampling)
        bad = [e for e in self.image_edits if e not in imneg.EDITS]
        if bad or not self.image_edits:
            raise UserError(
                f"neg.image_edits: {'unknown edit ' + repr(bad[0]) if bad else 'empty'} (known: "
                f"{', '.join(imneg.EDITS)}; give a list, e.g. neg.image_edits=[reverse,replace-att])"
            )
        unknown = [r for r in self.rules if r not in RULES]
        if unknown:
            raise UserError(f"neg.rules: unknown rule {unknown[0]!r} (known: {', '.join(RULES)}; "
                            f"give a list, e.g. neg.rules=[replace-obj,swap-att])")  # fmt: skip
        return self

    @classmethod
    def coerce(cls, cfg: Any) -> NegConfig:
        """A NegConfig from any object with (some of) its attribute names; the rest keep their defaults here."""
        if isinstance(cfg, cls):
            return cfg
        return cls(**{f.name: getattr(cfg, f.name) for f in fields(cls) if hasattr(cfg, f.name)})


class GeneratedNegativesTerm:
    """The `ExtraLossTerm` of `sgfns.losses.hooks` for generated caption and image negatives."""

    def __init__(
        self,
        inputs,
        caption_negatives: Sequence[Sequence[Any]] | None,
        caption_graphs: Sequence[SceneGraph | None] | None,
        cfg: NegConfig,
        seed: int = 0,
        rows_per_bucket: int = BUCKET_ROWS,
    ) -> None:
        cfg = NegConfig.coerce(cfg).validate()
        rule_sampling, image_side = cfg.rule_sampling, cfg.image_side
        self.inputs = inputs
        # encode negatives without gradient: true (both sides), "captions" or "images" (one side); docs/negatives.md
        self.stop_gradient = cfg.stop_gradient
        self.rows_per_bucket = rows_per_bucket
        self.margin = cfg.margin
        self.k = cfg.per_positive
        self.image_edits = tuple(cfg.image_edits)
        self.seed = seed
        self.caption_graphs = caption_graphs
        # DDP with gathering: f(captions, images) -> (global captions, global images, offset), set by the loop
        self.global_batch = None
        split = inputs.split
        self.cpi = split.captions_per_image
        # text side: every negative tokenised once, with its graph
        self.neg_items = []
        self.neg_of: list[list[int]] = []
        self.neg_weight: list[float] | None = None  # per negative, with rule_sampling "balanced"
        if caption_negatives is not None:
            texts, graphs, rules = [], [], []
            for ns in caption_negatives:
                self.neg_of.append(list(range(len(texts), len(texts) + len(ns))))
                texts.extend(n.negative for n in ns)
                graphs.extend(n.graph for n in ns)
                rules.extend(n.rule for n in ns)
            self.neg_items = prepare_captions(texts, graphs, inputs.tp) if texts else []
            if rule_sampling == "balanced":
                self.neg_weight = balanced_weights(caption_negatives, rules)
        # every caption negative collated once (a step then selects rows and cuts the padding: `sub_batch`), unless
        # the padded table would be large (then each step collates its negatives)
        self.neg_table = None
        if self.neg_items and self._table_size(self.neg_items) <= MAX_TABLE:
            self.neg_table = collate_captions(self.neg_items)
        # (caption, image) -> imneg.own_edits: the reverse/swap candidates and replaceable objects of a caption on
        # its own image depend on nothing else, so they are found once here (most of the CPU work of drawing an
        # image negative) and a step only draws among them and picks donors
        self._own_edits: dict[tuple[int, int], Any] = {}
        self._image_table = None
        # image side: needs visual graphs to align with the caption's
        self.image_side = bool(image_side and split.image_graphs is not None and caption_graphs is not None)
        if image_side and not self.image_side:
            log.warning("neg.image_side: no visual scene graphs (or caption graphs) in %s; image negatives off",
                        split.root)  # fmt: skip
        if self.image_side:  # the edits of every caption on its own image (a step then only draws), and the tables
            for c, cg in enumerate(caption_graphs):
                if cg is not None and cg.objects:
                    im = c // self.cpi
                    self._own_edits[(c, im)] = imneg.own_edits(cg, imneg.VisualScene(split.image_graphs[im]))
            self.image_table()

    @staticmethod
    def _table_size(items) -> int:
        tokens = max(len(it.tokens) for it in items)
        rels = max(len(it.graph.rel_subj) for it in items)
        return len(items) * (tokens + 4 * rels + 8)

    def image_table(self) -> dict[str, Tensor] | None:
        """The graph tensors of every image of the split, collated once (edited images are rows of it with some
        object slots moved); features and boxes stay in the split's memory map. None when the padded table would
        be large (then each step collates its batch's images)."""
        if self._image_table is None and self.inputs.images:
            items = self.inputs.images
            objs = max(1, *(len(it.names) for it in items))
            rels = max(1, *(len(it.rel_subj) for it in items))
            if len(items) * (8 * objs + 5 * rels) <= MAX_TABLE:
                self._image_table = collate_graphs(items)
        return self._image_table

    # --- per step, CPU -------------------------------------------------------------------------------------------
    def _batch_key(self, caption_indices: Sequence[int], epoch: int) -> bytes:
        return hashlib.sha256(f"{self.seed}/{epoch}/{','.join(map(str, caption_indices))}".encode()).digest()

    @staticmethod
    def _rng(key: bytes, side: str, j: int) -> random.Random:
        """The draws of positive j (its position in the batch) on one side: a function of the batch key only, so a
        process holding part of a batch draws for its positives exactly what one process holding all of it would."""
        h = hashlib.sha256(key + f"/{side}/{j}".encode()).digest()
        return random.Random(int.from_bytes(h[:8], "big"))

    def extra_batch(self, caption_indices: list[int], image_indices: list[int], epoch: int) -> dict[str, Any]:
        caps, imgs = list(caption_indices), list(image_indices)
        own = range(len(caps))
        if self.global_batch is not None:  # DDP with gathering: draw over the global batch, for this rank's part
            caps, imgs, off = self.global_batch(caps, imgs)
            own = range(off, off + len(caption_indices))
        key = self._batch_key(caps, epoch)
        out: dict[str, Any] = {"own": {}}
        if self.neg_of:
            picked, owner = [], []
            for j in own:
                avail = self.neg_of[caps[j]]
                if not avail:
                    continue
                for n in draw(self._rng(key, "cap", j), avail, self.k, self.neg_weight):
                    picked.append(n)
                    owner.append(j - own.start)
            if picked:
                if self.neg_table is not None:
                    out["cap"] = sub_batch(self.neg_table, torch.tensor(picked, dtype=torch.long))
                else:
                    out["cap"] = collate_captions([self.neg_items[n] for n in picked])
                out["own"]["cap"] = torch.tensor(owner, dtype=torch.long)
        if self.image_side and len(own):
            img = self._image_negatives(caps, imgs, own, key)
            if img is not None:
                out["img"], out["own"]["img"] = img
        return out

    def _image_negatives(self, caps, imgs, own: range, key: bytes) -> tuple[dict[str, Tensor], Tensor] | None:
        """Negatives of the positives `own` (positions in caps/imgs); donors come from every image of imgs.

        The edits are drawn on the batch's graphs (`imneg.sample_edits`, no scene copied) and realised as tensors:
        each edited image is its image's row of `image_table()` with the edited object slots taking the source
        object's label, attributes and count, and its region rows the source object's feature and box — equal to
        collating `imneg.sample`'s edited scenes (tested)."""
        split = self.inputs.split
        uniq = sorted(set(imgs))
        where = {im: p for p, im in enumerate(uniq)}
        scenes = [imneg.VisualScene(split.image_graphs[im]) for im in uniq]  # graphs only: edits are drawn here
        base, owner, mv_n, mv_dst, mv_src, mv_k = [], [], [], [], [], []
        for j in own:
            c = caps[j]
            cg = self.caption_graphs[c]
            if cg is None or not cg.objects:
                continue
            pos = where[imgs[j]]
            own_ed = self._own_edits.get((c, imgs[j]))
            if own_ed is None:
                own_ed = self._own_edits[(c, imgs[j])] = imneg.own_edits(cg, scenes[pos])
            for edit in imneg.sample_edits(
                cg, scenes, pos, self._rng(key, "img", j), k=self.k, edits=self.image_edits, own=own_ed
            ):
                for dst, src, k in imneg.edit_moves(pos, *edit):
                    mv_n.append(len(base))
                    mv_dst.append(dst)
                    mv_src.append(uniq[src])
                    mv_k.append(k)
                base.append(imgs[j])
                owner.append(j - own.start)
        if not base:
            return None
        table, at = self.image_table(), None
        if table is None:  # a split too large to keep collated: collate this batch's images, index them by position
            table, at = collate_graphs([self.inputs.images[im] for im in uniq]), where
        rows = torch.tensor(base if at is None else [at[im] for im in base], dtype=torch.long)
        b = {kk: v[rows] for kk, v in table.items()}
        n_t, dst_t = torch.tensor(mv_n, dtype=torch.long), torch.tensor(mv_dst, dtype=torch.long)
        src_t = torch.tensor(mv_src if at is None else [at[im] for im in mv_src], dtype=torch.long)
        k_t = torch.tensor(mv_k, dtype=torch.long)
        for kk in MOVED_KEYS:  # the object's label, attributes and count move; its node slot keeps region and edges
            b[kk][n_t, dst_t] = table[kk][src_t, k_t]
        b = sub_batch(b, torch.arange(len(base)))
        r_dst = table["obj_region"][rows[n_t], dst_t].numpy()
        r_src = table["obj_region"][src_t, k_t].numpy()
        ok = (r_dst >= 0) & (r_src >= 0)
        n_np, s_np = n_t.numpy()[ok], np.asarray(mv_src, dtype=np.int64)[ok]
        for name, store in (("feats", split.features), ("boxes", split.boxes)):
            if store is None:
                continue
            arr = _read_rows(store, np.asarray(base))
            if ok.any():
                arr[n_np, r_dst[ok]] = np.asarray(store[s_np, r_src[ok]], dtype=np.float32)
            b[name] = torch.from_numpy(arr)
        return b, torch.tensor(owner, dtype=torch.long)

    # --- the loss ------------------------------------------------------------------------------------------------
    def loss(self, model: Matcher, extra: dict[str, Any], img_enc: Encoded, cap_enc: Encoded) -> Tensor:
        own = extra.get("own", {})
        B = len(img_enc)
        ar = torch.arange(B, device=img_enc.glob.device)
        pos = model.pair_scores(img_enc, cap_enc, ar, ar)
        total = pos.sum() * 0.0
        # with stop_gradient the negatives are constants (MoCo-style keys): the hinge still moves the positive pair
        # and, through S(I, T-) and S(I-, T), the positive image away from T- and the positive caption away from I-
        if "cap" in extra:  # one batch: the text encoder packs by length already, buckets only add calls (measured)
            with self._grad("captions"):
                cn = model.encode_captions(extra["cap"])
            o = own["cap"]
            neg = model.pair_scores(img_enc, cn, o, torch.arange(len(o), device=o.device))
            total = total + generated_hinge(pos, neg, o, self.margin)
        if "img" in extra:
            with self._grad("images"):
                inn, rows = encode_bucketed(model.encode_images, extra["img"], self.rows_per_bucket)
            o = own["img"][rows]
            neg = model.pair_scores(inn, cap_enc, torch.arange(len(o), device=o.device), o)
            total = total + generated_hinge(pos, neg, o, self.margin)
        return total

    def _grad(self, side: str):
        """no_grad while encoding the negatives of `side` ("captions" / "images") when stop_gradient covers it."""
        return torch.no_grad() if self.stop_gradient in (True, side) else contextlib.nullcontext()


def _check_stop_gradient(value: bool | str) -> bool | str:
    if value not in (False, True, "captions", "images"):
        raise UserError(f"neg.stop_gradient: {value!r} is not true, false, 'captions' or 'images'")
    return value


def _check_rule_sampling(value: str) -> str:
    if value not in ("uniform", "balanced"):
        raise UserError(f"neg.rule_sampling: {value!r} is not 'uniform' or 'balanced'")
    return value


def balanced_weights(caption_negatives: Sequence[Sequence[Any]], rules: Sequence[str]) -> list[float]:
    """Weight of each negative (in `rules` order, the flattened negatives): 1 / the number of captions that have a
    negative of its rule, so a positive draws a rare rule (count, add-att) whenever it has one instead of once in
    as many draws as it has rules."""
    having = collections.Counter(r for ns in caption_negatives for r in {n.rule for n in ns})
    return [1.0 / having[r] for r in rules]


def draw(rng: random.Random, avail: Sequence[int], k: int, weight: Sequence[float] | None) -> list[int]:
    """k distinct items of `avail` (all when fewer): uniform, or with probability proportional to `weight[item]`
    (successive draws without replacement)."""
    if weight is None:
        return rng.sample(list(avail), min(k, len(avail)))
    left, out = list(avail), []
    while left and len(out) < k:
        n = rng.choices(left, weights=[weight[i] for i in left])[0]
        out.append(n)
        left.remove(n)
    return out


def select_rules(negs: Sequence[Sequence[Any]], rules: Sequence[str]) -> list[list[Any]]:
    """Each caption's negatives made by one of `rules` (the others dropped; order kept)."""
    keep = set(rules)
    return [[x for x in ns if x.rule in keep] for ns in negs]


def build_term(cfg: NegConfig, inputs, seed: int) -> GeneratedNegativesTerm:
    """The training loop's entry point (`neg.weight > 0`): precompute (or load) the split's caption negatives."""
    from sgfns.negatives.cache import caption_negatives_for

    cfg = NegConfig.coerce(cfg).validate()  # before any work
    split = inputs.split
    graphs = getattr(inputs, "caption_graphs", None) or split.caption_graphs
    if graphs is None:
        from sgfns.graphs.cache import caption_graphs_for

        graphs = caption_graphs_for(split)
    rules = list(cfg.rules or DEFAULT_RULES)
    negs = None
    if cfg.text_side:
        parser = None
        try:
            from sgfns.graphs.parser import load_parser

            parser = load_parser()
        except Exception as e:  # the re-parse check is a refinement; without spaCy the negatives still come
            log.warning("caption parser unavailable (%s): negatives generated without the re-parse check", e)
        # generated (and cached) once with every rule; `neg.rules` selects which of them train, so a rule-family
        # ablation trains on exactly the same negatives minus that family
        gen_seed = getattr(cfg, "seed", None)  # neg.seed: one negative set for every run seed (generated once)
        gen_seed = seed if gen_seed is None else int(gen_seed)
        negs = caption_negatives_for(split, graphs, rules=RULES, per_rule=1, seed=gen_seed, parser=parser)
        negs = select_rules(negs, rules)
        n = sum(1 for ns in negs if ns)
        log.info("caption negatives: %d of %d captions have at least one", n, len(negs))
    return GeneratedNegativesTerm(inputs, negs, graphs, cfg, seed=seed)
