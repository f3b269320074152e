"""SGM (Wang et al., WACV 2020) in this framework: node matching at two levels, no global term, no fusion.

Object level: every region (image) and every word (caption) is a node — SGM matches all detected objects against
all words. Relation level: relation nodes from the visual and the caption scene graph, built from
[subject; predicate; object] and refined by triple graph convolution. S = S_obj + S_rel, each the mean over caption
nodes of the max cosine over image nodes. Empty relation sets use null nodes (as in SGFNS) so no score is NaN."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sgfns.models.base import Encoded, Matcher
from sgfns.models.graph_conv import TripleGraphConv
from sgfns.models.graph_nodes import ObjectNodes, RelationNodes, region_base, span_base
from sgfns.models.layers import l2norm, masked_mean
from sgfns.models.null_nodes import NullNode
from sgfns.models.region_encoder import RegionEncoder
from sgfns.models.registry import options_factory, register_model
from sgfns.models.sgfns import require_feats
from sgfns.models.similarity import node_match, node_match_pairs
from sgfns.models.text_encoder import TextEncoder


class RelationSide(nn.Module):
    def __init__(self, word_dim: int, d: int, gcn_layers: int) -> None:
        super().__init__()
        self.obj = ObjectNodes(word_dim, d)
        self.rel = RelationNodes(word_dim, d)
        self.gcn = nn.ModuleList(TripleGraphConv(d) for _ in range(gcn_layers))
        self.null = NullNode(d)

    def forward(self, emb, base, has_base, b) -> tuple[Tensor, Tensor]:
        om, rm = b["obj_mask"], b["rel_mask"]
        obj = self.obj(emb, base, has_base, b) * om.unsqueeze(-1)
        rel = self.rel(emb, obj, b)[0] * rm.unsqueeze(-1)
        for layer in self.gcn:
            obj, rel = layer(obj, om, rel, b)
        return self.null(rel, rm)


class SGM(Matcher):
    def __init__(self, *, vocab_size: int, img_dim: int, embed_dim: int, word_dim: int, text_layers: int,
                 residual_mlp: bool, gcn_layers: int, alpha: float, beta: float) -> None:  # fmt: skip
        super().__init__()
        self.alpha, self.beta = alpha, beta
        self.text = TextEncoder(vocab_size, word_dim, embed_dim, layers=text_layers)
        self.regions = RegionEncoder(img_dim, embed_dim, residual_mlp=residual_mlp)
        self.img_rel = RelationSide(word_dim, embed_dim, gcn_layers)
        self.txt_rel = RelationSide(word_dim, embed_dim, gcn_layers)

    def encode_images(self, b: dict[str, Tensor]) -> Encoded:
        ctx = self.regions(require_feats(b, "sgm"))
        m = torch.ones(ctx.shape[:2], dtype=torch.bool, device=ctx.device)
        base, has = region_base(ctx, b["obj_region"])
        rel = self.img_rel(self.text.embed, base, has, b)
        return Encoded(glob=l2norm(ctx.mean(1)), sets={"obj": (l2norm(ctx), m), "rel": (l2norm(rel[0]), rel[1])})

    def encode_captions(self, b: dict[str, Tensor]) -> Encoded:
        h, m = self.text(b["tokens"], b["lengths"])
        base, has = span_base(h, b["obj_span"])
        rel = self.txt_rel(self.text.embed, base, has, b)
        return Encoded(glob=l2norm(masked_mean(h, m)), sets={"obj": (l2norm(h), m), "rel": (l2norm(rel[0]), rel[1])})

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        return {
            "object": self.alpha * node_match(*img.sets["obj"], *cap.sets["obj"]),
            "relation": self.beta * node_match(*img.sets["rel"], *cap.sets["rel"]),
        }

    def pair_parts(self, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> dict[str, Tensor]:
        """`similarity_parts` of listed pairs only ([P] per term): grouped matmuls over real nodes without autograd
        (re-ranking, scoring), the base class's block diagonals with it (training terms)."""
        if torch.is_grad_enabled():
            return super().pair_parts(img, cap, pair_img, pair_cap)
        pair_img, pair_cap = torch.as_tensor(pair_img).long(), torch.as_tensor(pair_cap).long()
        return {
            "object": self.alpha * node_match_pairs(*img.sets["obj"], *cap.sets["obj"], pair_img, pair_cap)[0],
            "relation": self.beta * node_match_pairs(*img.sets["rel"], *cap.sets["rel"], pair_img, pair_cap)[0],
        }


DEFAULTS = dict(vocab_size=1000, img_dim=2048, embed_dim=1024, word_dim=300, text_layers=1, residual_mlp=True,
                gcn_layers=1, alpha=1.0, beta=1.0)  # fmt: skip
register_model("sgm")(options_factory(SGM, DEFAULTS))
register_model("sgm-tiny", embed_dim=32, word_dim=16)(options_factory(SGM, DEFAULTS))
