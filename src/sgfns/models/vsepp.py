"""VSE++ (Faghri et al., BMVC 2018) in this framework: mean-pooled region and word encodings, cosine similarity.
The global-only baseline; its loss (hardest negatives) is the shared one."""

from __future__ import annotations

from torch import Tensor

from sgfns.models.base import Encoded, Matcher
from sgfns.models.layers import l2norm, masked_mean
from sgfns.models.region_encoder import RegionEncoder
from sgfns.models.registry import options_factory, register_model
from sgfns.models.sgfns import require_feats
from sgfns.models.text_encoder import TextEncoder


class VSEPP(Matcher):
    def __init__(self, *, vocab_size: int, img_dim: int, embed_dim: int, word_dim: int, text_layers: int,
                 residual_mlp: bool) -> None:  # fmt: skip
        super().__init__()
        self.text = TextEncoder(vocab_size, word_dim, embed_dim, layers=text_layers)
        self.regions = RegionEncoder(img_dim, embed_dim, residual_mlp=residual_mlp)

    def encode_images(self, b: dict[str, Tensor]) -> Encoded:
        v = self.regions(require_feats(b, "vsepp"))
        return Encoded(glob=l2norm(v.mean(1)))

    def encode_captions(self, b: dict[str, Tensor]) -> Encoded:
        h, m = self.text(b["tokens"], b["lengths"])
        return Encoded(glob=l2norm(masked_mean(h, m)))

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        return {"global": img.glob @ cap.glob.T}


DEFAULTS = dict(vocab_size=1000, img_dim=2048, embed_dim=1024, word_dim=300, text_layers=1, residual_mlp=True)
register_model("vsepp")(options_factory(VSEPP, DEFAULTS))
register_model("vsepp-tiny", embed_dim=32, word_dim=16)(options_factory(VSEPP, DEFAULTS))
