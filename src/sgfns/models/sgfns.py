"""SGFNS (docs/method.md#the-model): scene-graph nodes for both modalities, triple graph convolution, gated fusion of
nodes with their modality's context, and a decomposable score

    S(I, T) = [use_global] cos(g_I, g_T) + α S_obj + β S_rel + γ S_count

where S_obj / S_rel are node matching (mean over caption nodes of the max cosine over image nodes) and S_count the
soft count term. Every part is a switch (see docs/method.md): `use_global`, `use_obj`, `use_rel`, `use_count`,
`fusion`, `gcn_layers` (0 = no graph convolution), `use_labels` (visual label/attribute embeddings),
`global_nodes` (pool nodes into the global vectors), `rel_center` (relation nodes centred before the cosine,
sgfns.models.centering), `rel_roles` (relation nodes also read subject − object), `rel_skip` (relation nodes
add their projected predicate to the MLP's output), `count_keys` (S_count counts the
image's objects whose *label* matches the caption object's name — keys are one projection, shared by both sides, of
the label's word embedding — with a learned sharpness κ; the caption's count then enters the score only through
S_count, not through its object nodes: sgfns.models.count), `text_encoder` ("gru": word embeddings learned from
scratch; "minilm": frozen pretrained all-MiniLM-L6-v2 vectors for words, labels and the caption's global vector —
for small real datasets, where a few thousand captions cannot teach word meaning), `image_global` ("regions": g_I is
the mean of the region contexts; "whole": a linear map of region 0 alone, the whole photo's pooled backbone feature
in a folder made by `sgfns prepare`), `label_prior` (the weight λ of a fifth term on photos,
λ cos(label vector of the photo, MiniLM vector of the caption): the photo's ImageNet class distribution carried into
sentence space, sgfns.models.label_prior; 0 = off; needs text_encoder=minilm)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sgfns.errors import UserError
from sgfns.models.base import Encoded, Matcher
from sgfns.models.centering import NodeCentering
from sgfns.models.count import SoftCount, count_keys, count_term
from sgfns.models.fusion import GatedContextFusion
from sgfns.models.graph_conv import TripleGraphConv
from sgfns.models.graph_nodes import ObjectNodes, RelationNodes, region_base, span_base
from sgfns.models.label_prior import LabelPrior
from sgfns.models.layers import embed_labels, l2norm, masked_mean
from sgfns.models.null_nodes import NullNode
from sgfns.models.region_encoder import RegionEncoder
from sgfns.models.registry import options_factory, register_model
from sgfns.models.sentence import sentence_vectors, word_vectors
from sgfns.models.similarity import node_match, node_match_count, node_match_pairs
from sgfns.models.text_encoder import TextEncoder
from sgfns.text.pretrained import DIM as SENTENCE_DIM


def require_feats(b: dict[str, Tensor], model: str) -> Tensor:
    if "feats" not in b:
        raise UserError(f"model {model!r} needs region features; this split is graphs-only")
    return b["feats"]


class GraphSide(nn.Module):
    """One modality's graph stack: node builders, graph convolution, fusion with context, null nodes."""

    def __init__(
        self, word_dim: int, d: int, gcn_layers: int, fusion: bool, use_labels: bool, use_count: bool,
        rel_roles: bool = False,
        rel_skip: bool = False,
    ):  # fmt: skip
        super().__init__()
        self.obj = ObjectNodes(word_dim, d, use_labels=use_labels, use_count=use_count)
        self.rel = RelationNodes(word_dim, d, roles=rel_roles, skip=rel_skip)
        self.gcn = nn.ModuleList(TripleGraphConv(d) for _ in range(gcn_layers))
        self.fuse_obj = GatedContextFusion(d) if fusion else None
        self.fuse_rel = GatedContextFusion(d) if fusion else None
        self.null_obj = NullNode(d)
        self.null_rel = NullNode(d)

    def forward(self, emb, base, has_base, b, ctx, ctx_mask) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
        om, rm = b["obj_mask"], b["rel_mask"]
        obj = self.obj(emb, base, has_base, b) * om.unsqueeze(-1)
        rel, _ = self.rel(emb, obj, b)
        rel = rel * rm.unsqueeze(-1)
        for layer in self.gcn:
            obj, rel = layer(obj, om, rel, b)
        if self.fuse_obj is not None:
            obj = self.fuse_obj(obj, om, ctx, ctx_mask)
            rel = self.fuse_rel(rel, rm, ctx, ctx_mask)
        return self.null_obj(obj, om), self.null_rel(rel, rm)


class SGFNS(Matcher):
    needs_image_graphs = True

    def __init__(
        self,
        *,
        vocab_size: int,
        img_dim: int,
        embed_dim: int,
        word_dim: int,
        text_layers: int,
        residual_mlp: bool,
        alpha: float,
        beta: float,
        gamma: float,
        use_global: bool,
        use_obj: bool,
        use_rel: bool,
        use_count: bool,
        fusion: bool,
        gcn_layers: int,
        use_labels: bool,
        global_nodes: bool,
        rel_center: bool = False,
        rel_roles: bool = False,
        rel_skip: bool = False,
        count_keys: bool = False,
        text_encoder: str = "gru",
        image_global: str = "regions",
        label_prior: float = 0.0,
    ) -> None:
        super().__init__()
        if not (use_global or use_obj or use_rel):
            raise UserError("sgfns: at least one of use_global, use_obj, use_rel must be true")
        if text_encoder not in ("gru", "minilm"):
            raise UserError(f"sgfns: text_encoder must be 'gru' or 'minilm', got {text_encoder!r}")
        if text_encoder == "minilm" and word_dim != SENTENCE_DIM:
            raise UserError(f"sgfns: text_encoder=minilm needs word_dim={SENTENCE_DIM} (its vectors), got {word_dim}")
        if image_global not in ("regions", "whole"):
            raise UserError(f"sgfns: image_global must be 'regions' or 'whole', got {image_global!r}")
        if label_prior and text_encoder != "minilm":
            raise UserError("sgfns: label_prior needs text_encoder=minilm (it reads the caption's MiniLM vector)")
        self.alpha, self.beta, self.gamma = alpha, beta, gamma
        self.use_global, self.use_obj, self.use_rel, self.use_count = use_global, use_obj, use_rel, use_count
        self.global_nodes = global_nodes
        self.text = TextEncoder(vocab_size, word_dim, embed_dim, layers=text_layers)
        # minilm: word/label embeddings are the pretrained encoder's (frozen; filled by `init_words`) and the
        # caption's global vector is a projection of its pretrained sentence vector
        self.pretrained_text = text_encoder == "minilm"
        self.sentence = nn.Linear(SENTENCE_DIM, embed_dim) if self.pretrained_text else None
        if self.pretrained_text:
            self.text.embed.weight.requires_grad_(False)
        self.regions = RegionEncoder(img_dim, embed_dim, residual_mlp=residual_mlp)
        self.whole = nn.Linear(img_dim, embed_dim) if image_global == "whole" else None
        self.label_prior = float(label_prior)
        self.labels = LabelPrior(img_dim) if self.label_prior else None
        self.img_graph = GraphSide(word_dim, embed_dim, gcn_layers, fusion, use_labels, False, rel_roles, rel_skip)
        self.count_keys = bool(count_keys and use_count)
        self.txt_graph = GraphSide(word_dim, embed_dim, gcn_layers, fusion, True, use_count and not self.count_keys,
                                   rel_roles, rel_skip)  # fmt: skip
        self.count = SoftCount(learn_kappa=self.count_keys) if use_count else None
        # one map for both modalities: an image label and a caption name that are the same word get the same key
        self.count_proj = nn.Linear(word_dim, embed_dim, bias=False) if self.count_keys else None
        self.center_img = NodeCentering(embed_dim) if rel_center and use_rel else None
        self.center_txt = NodeCentering(embed_dim) if rel_center and use_rel else None

    def init_words(self, words: list[str]) -> None:
        """With text_encoder=minilm: set word embedding i to the pretrained vector of vocabulary word i (once, before
        training; a trained run's weights carry them). A no-op for the GRU text encoder."""
        if not self.pretrained_text:
            return
        vecs = word_vectors([w if w not in ("<pad>", "<unk>") else "" for w in words])
        with torch.no_grad():
            self.text.embed.weight.copy_(vecs.to(self.text.embed.weight))
            self.text.embed.weight[0].zero_()

    def _encoded(self, ctx: Tensor, ctx_mask: Tensor, obj, rel, b, extra: dict[str, Tensor], center=None,
                 glob: Tensor | None = None) -> Encoded:  # fmt: skip
        g = masked_mean(ctx, ctx_mask) if glob is None else glob
        if self.global_nodes:
            g = g + masked_mean(obj[0], obj[1])
        sets = {}
        if self.use_obj or self.use_count:
            sets["obj"] = (l2norm(obj[0]), obj[1])
        if self.use_rel:
            nodes = center(*rel) if center is not None else rel[0]
            sets["rel"] = (l2norm(nodes), rel[1])
        if self.count_keys:
            names = embed_labels(self.text.embed, b["obj_name"])
            sets["cnt"] = count_keys(self.count_proj(names), b["obj_mask"])
        return Encoded(glob=l2norm(g), sets=sets, extra=extra)

    def encode_images(self, b: dict[str, Tensor]) -> Encoded:
        feats = require_feats(b, "sgfns")
        ctx = self.regions(feats)
        ctx_mask = torch.ones(ctx.shape[:2], dtype=torch.bool, device=ctx.device)
        base, has = region_base(ctx, b["obj_region"])
        obj, rel = self.img_graph(self.text.embed, base, has, b, ctx, ctx_mask)
        extra = {"label": self.labels(feats[:, 0])} if self.labels is not None else {}
        glob = self.whole(feats[:, 0]) if self.whole is not None else None
        return self._encoded(ctx, ctx_mask, obj, rel, b, extra, self.center_img, glob)

    def encode_captions(self, b: dict[str, Tensor]) -> Encoded:
        states, mask = self.text(b["tokens"], b["lengths"])
        base, has = span_base(states, b["obj_span"])
        obj, rel = self.txt_graph(self.text.embed, base, has, b, states, mask)
        extra = {"count": torch.where(b["obj_mask"], b["obj_count"], -1)} if self.use_count else {}
        glob = None
        if self.sentence is not None:
            sent = sentence_vectors(b, states.device)
            glob = self.sentence(sent)
            if self.labels is not None:
                extra["sentence"] = sent
        return self._encoded(states, mask, obj, rel, b, extra, self.center_txt, glob)

    def count_sets(self, img: Encoded, cap: Encoded) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor], Tensor]:
        """(image nodes, caption nodes, caption counts [Nc, Lt], -1 unknown) that S_count counts over."""
        key = "cnt" if self.count_keys else "obj"
        txt = cap.sets[key]
        counts = cap.extra["count"][:, : txt[0].shape[1]]
        return img.sets[key], txt, torch.where(txt[1], counts, -1)

    def node_terms(self) -> dict[str, tuple[str, float]]:
        """Terms that are node matching over scene-graph nodes, term -> (node set, weight): object nodes are the
        graph's objects in order, relation nodes its relations (how `sgfns.index.explain` splits a score)."""
        out = {}
        if self.use_obj:
            out["object"] = ("obj", self.alpha)
        if self.use_rel:
            out["relation"] = ("rel", self.beta)
        return out

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        parts: dict[str, Tensor] = {}
        if self.use_global:
            parts["global"] = img.glob @ cap.glob.T
        count = None
        if self.use_count:
            # one pass over the node-pair scores gives the count term and, when it counts over the matching nodes,
            # the object term too (sgfns.models.similarity.node_match_count)
            (iv, im), (tv, tm), counts = self.count_sets(img, cap)
            match, count = node_match_count(iv, im, tv, tm, counts, self.count.kappa, self.count.tau)
            if self.use_obj and not self.count_keys:
                parts["object"] = self.alpha * match
        if self.use_obj and "object" not in parts:
            parts["object"] = self.alpha * node_match(*img.sets["obj"], *cap.sets["obj"])
        if self.use_rel:
            parts["relation"] = self.beta * node_match(*img.sets["rel"], *cap.sets["rel"])
        if count is not None:
            parts["count"] = self.gamma * count
        if self.labels is not None:
            parts["label"] = self.label_prior * img.extra["label"] @ cap.extra["sentence"].T
        return parts

    def pair_parts(self, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> dict[str, Tensor]:
        """`similarity_parts` of listed pairs only ([P] per term).

        With autograd on (training terms such as L_neg) the pairs' rows are gathered and scored as padded
        [P, Li, Lt] node blocks, which back-propagates cheaply; without it (re-ranking, scoring, the service) the
        real nodes are scored with grouped matmuls (`node_match_pairs`), which never copies a gallery row."""
        pair_img, pair_cap = torch.as_tensor(pair_img).long(), torch.as_tensor(pair_cap).long()
        if torch.is_grad_enabled():
            return self._gathered_parts(img.select(pair_img), cap.select(pair_cap))
        return self._grouped_parts(img, cap, pair_img, pair_cap)

    def _gathered_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        """Parts of S(img[i], cap[i]) for every row i, differentiable."""
        parts: dict[str, Tensor] = {}
        if self.use_global:
            parts["global"] = (img.glob * cap.glob).sum(-1)
        s = None
        if self.use_obj:
            (io, im), (to, tm) = img.sets["obj"], cap.sets["obj"]
            s = torch.einsum("pld,ptd->plt", io, to)  # [N, Li, Lt] object-pair cosines
            parts["object"] = self.alpha * _paired_mean_max(s, im, tm)
        if self.use_rel:
            (ir, irm), (tr, trm) = img.sets["rel"], cap.sets["rel"]
            parts["relation"] = self.beta * _paired_mean_max(torch.einsum("pld,ptd->plt", ir, tr), irm, trm)
        if self.use_count:
            (io, im), (to, tm), counts = self.count_sets(img, cap)
            if s is None or self.count_keys:
                s = torch.einsum("pld,ptd->plt", io, to)
            parts["count"] = self.gamma * count_term(self.count.soft_count(s, im.unsqueeze(-1), 1), counts, tm)
        if self.labels is not None:
            parts["label"] = self.label_prior * (img.extra["label"] * cap.extra["sentence"]).sum(-1)
        return parts

    def _grouped_parts(self, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> dict[str, Tensor]:
        parts: dict[str, Tensor] = {}
        if self.use_global:
            gi, gc = img.glob[:, None], cap.glob[:, None]  # a global vector is a one-node set: dot = node match
            one_i, one_c = gi.new_ones(gi.shape[:2], dtype=torch.bool), gc.new_ones(gc.shape[:2], dtype=torch.bool)
            parts["global"] = node_match_pairs(gi, one_i, gc, one_c, pair_img, pair_cap)[0]
        count = None
        if self.use_count:
            iv, tv, counts = self.count_sets(img, cap)
            cnt = (counts, self.count.kappa, self.count.tau)
            match, count = node_match_pairs(*iv, *tv, pair_img, pair_cap, count=cnt)
            if self.use_obj and not self.count_keys:
                parts["object"] = self.alpha * match
        if self.use_obj and "object" not in parts:
            parts["object"] = self.alpha * node_match_pairs(*img.sets["obj"], *cap.sets["obj"], pair_img, pair_cap)[0]
        if self.use_rel:
            parts["relation"] = self.beta * node_match_pairs(*img.sets["rel"], *cap.sets["rel"], pair_img, pair_cap)[0]
        if self.use_count:
            parts["count"] = self.gamma * count
        if self.labels is not None:
            li, sc = img.extra["label"][pair_img], cap.extra["sentence"][pair_cap]
            parts["label"] = self.label_prior * (li * sc).sum(-1)
        return parts


def _paired_mean_max(s: Tensor, img_mask: Tensor, txt_mask: Tensor) -> Tensor:
    """Node matching of N listed pairs from their [N, Li, Lt] scores: mean over real caption nodes of the max over
    real image nodes (`sgfns.models.similarity.node_match` for one pair at a time)."""
    best = s.masked_fill(~img_mask.unsqueeze(-1), float("-inf")).amax(1)  # [N, Lt]
    best = torch.where(txt_mask, best, torch.zeros((), dtype=best.dtype, device=best.device))
    return best.sum(-1) / txt_mask.sum(-1).clamp_min(1).to(best.dtype)


DEFAULTS = dict(
    vocab_size=1000, img_dim=2048, embed_dim=1024, word_dim=300, text_layers=1, residual_mlp=True,
    alpha=1.0, beta=1.0, gamma=0.2, use_global=True, use_obj=True, use_rel=True, use_count=True, fusion=True,
    gcn_layers=1, use_labels=True, global_nodes=True, rel_center=False, rel_roles=False, rel_skip=False,
    count_keys=False, text_encoder="gru", image_global="regions", label_prior=0.0,
)  # fmt: skip
TINY = dict(embed_dim=32, word_dim=16)

register_model("sgfns")(options_factory(SGFNS, DEFAULTS))
register_model("sgfns-tiny", **TINY)(options_factory(SGFNS, DEFAULTS))
