"""Frozen-projection baseline: one linear map of the photo's pooled backbone feature (region 0, the whole image)
and one of the caption's frozen MiniLM sentence vector into a joint space; cosine similarity.

The calibration baseline for real photos: what pretrained features give with the least learning (train it with
`loss.name=infonce`). Any model that claims to use regions, graphs or negatives well must beat it."""

from __future__ import annotations

from torch import Tensor, nn

from sgfns.models.base import Encoded, Matcher
from sgfns.models.layers import l2norm
from sgfns.models.registry import options_factory, register_model
from sgfns.models.sentence import sentence_vectors
from sgfns.models.sgfns import require_feats
from sgfns.text.pretrained import DIM


class FrozenProj(Matcher):
    def __init__(self, *, img_dim: int, embed_dim: int) -> None:
        super().__init__()
        self.img = nn.Linear(img_dim, embed_dim)
        self.txt = nn.Linear(DIM, embed_dim)

    def encode_images(self, b: dict[str, Tensor]) -> Encoded:
        return Encoded(glob=l2norm(self.img(require_feats(b, "frozen-proj")[:, 0])))

    def encode_captions(self, b: dict[str, Tensor]) -> Encoded:
        return Encoded(glob=l2norm(self.txt(sentence_vectors(b, self.txt.weight.device))))

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        return {"global": img.glob @ cap.glob.T}


register_model("frozen-proj")(options_factory(FrozenProj, dict(img_dim=1280, embed_dim=256)))
register_model("frozen-proj-tiny")(options_factory(FrozenProj, dict(img_dim=1280, embed_dim=32)))
