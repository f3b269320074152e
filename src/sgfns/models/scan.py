"""SCAN text-to-image (Lee et al., ECCV 2018): each word attends over the regions of an image and the score is the
mean over words of cos(word, attended regions) — the field's standard non-decomposable fine-grained matcher.

Attention follows SCAN's t2i: s = cos(region, word), LeakyReLU(0.1), L2-normalised over the words, softmax over
regions with inverse temperature λ = 9. The attended vector is never materialised: with weights a over regions,
cos(w, Σ a_r v_r) = Σ a_r s_r / |Σ a_r v_r| and |Σ a_r v_r|² = aᵀ G a with G = V Vᵀ, so a block of pairs costs
[Ni, Nc, T, R] scalars instead of [Ni, Nc, T, d]."""

from __future__ import annotations

import torch
from torch import Tensor

from sgfns.models.base import Encoded, Matcher
from sgfns.models.layers import l2norm, leaky_clipped_l2norm, masked_mean
from sgfns.models.region_encoder import RegionEncoder
from sgfns.models.registry import options_factory, register_model
from sgfns.models.sgfns import require_feats
from sgfns.models.text_encoder import TextEncoder


class SCAN(Matcher):
    decomposable = False

    def __init__(self, *, vocab_size: int, img_dim: int, embed_dim: int, word_dim: int, text_layers: int,
                 residual_mlp: bool, lambda_softmax: float) -> None:  # fmt: skip
        super().__init__()
        self.lambda_softmax = lambda_softmax
        self.text = TextEncoder(vocab_size, word_dim, embed_dim, layers=text_layers)
        self.regions = RegionEncoder(img_dim, embed_dim, residual_mlp=residual_mlp)

    def encode_images(self, b: dict[str, Tensor]) -> Encoded:
        v = l2norm(self.regions(require_feats(b, "scan")))
        m = torch.ones(v.shape[:2], dtype=torch.bool, device=v.device)
        return Encoded(glob=l2norm(v.mean(1)), sets={"ctx": (v, m)})

    def encode_captions(self, b: dict[str, Tensor]) -> Encoded:
        h, m = self.text(b["tokens"], b["lengths"])
        h = l2norm(h)
        return Encoded(glob=l2norm(masked_mean(h, m)), sets={"ctx": (h, m)})

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        v, vm = img.sets["ctx"]  # [Ni, R, d]
        w, wm = cap.sets["ctx"]  # [Nc, T, d]
        s = torch.einsum("ird,ctd->ictr", v, w)  # cos (both sides normalised)
        rmask = vm[:, None, None, :]
        wmask = wm[None, :, :, None]
        a = leaky_clipped_l2norm(s, wmask & rmask, dim=2)  # normalise over words, per region
        a = (self.lambda_softmax * a).masked_fill(~rmask, float("-inf")).softmax(-1)
        num = (a * s).sum(-1)  # [Ni, Nc, T]
        gram = torch.einsum("ird,iqd->irq", v, v)
        den = torch.einsum("ictr,irq,ictq->ict", a, gram, a).clamp_min(1e-12).sqrt()
        row = num / den  # |w| = 1
        wmf = wm[None].to(row.dtype)
        return {"global": (row * wmf).sum(-1) / wmf.sum(-1).clamp_min(1.0)}


DEFAULTS = dict(vocab_size=1000, img_dim=2048, embed_dim=1024, word_dim=300, text_layers=1, residual_mlp=False,
                lambda_softmax=9.0)  # fmt: skip
register_model("scan")(options_factory(SCAN, DEFAULTS))
register_model("scan-tiny", embed_dim=32, word_dim=16)(options_factory(SCAN, DEFAULTS))
