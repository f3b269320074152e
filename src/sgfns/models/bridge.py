"""Label-bridge baseline (no training): the photo's ImageNet class distribution carried into sentence space.

    image vector = normalise(Σ_c p(c | photo) · MiniLM("class name c")),   caption vector = MiniLM(caption)

p comes from the backbone's own ImageNet classifier applied to region 0 (the whole photo's pooled feature: the
prepared folder's contract), so the bridge needs nothing but pretrained weights. It measures how much of a
photo's caption the ImageNet label space alone explains; a trained model should beat it."""

from __future__ import annotations

from torch import Tensor

from sgfns.models.base import Encoded, Matcher
from sgfns.models.label_prior import TEMPERATURE, LabelPrior
from sgfns.models.registry import options_factory, register_model
from sgfns.models.sentence import sentence_vectors
from sgfns.models.sgfns import require_feats


class LabelBridge(Matcher):
    trainable = False

    def __init__(self, *, img_dim: int, temperature: float) -> None:
        super().__init__()
        self.labels = LabelPrior(img_dim, temperature)

    def encode_images(self, b: dict[str, Tensor]) -> Encoded:
        return Encoded(glob=self.labels(require_feats(b, "bridge")[:, 0]))

    def encode_captions(self, b: dict[str, Tensor]) -> Encoded:
        return Encoded(glob=sentence_vectors(b, self.labels.class_vec.device))

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        return {"global": img.glob @ cap.glob.T}


register_model("bridge")(options_factory(LabelBridge, dict(img_dim=1280, temperature=TEMPERATURE)))
