"""The photo's ImageNet class distribution carried into sentence space: a label prior from pretrained weights only.

    label vector = normalise(Σ_c p(c | photo) · MiniLM("class name c")),   p = softmax(classifier(region 0) / T)

p comes from the backbone's own ImageNet classifier applied to region 0 (the whole photo's pooled feature: the
prepared folder's contract). Compared with a caption's MiniLM sentence vector it says how much of the caption the
ImageNet label space explains. It is the `bridge` baseline's whole score and SGFNS's `label` term on photos."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sgfns.errors import UserError
from sgfns.models.layers import l2norm
from sgfns.models.sentence import word_vectors

#: softmax temperature, chosen among 0.05-2 on coco_mini *train* (nothing is trained, so train is a clean choice;
#: bridge rSum there 283 at 0.5, 211 at 1.0: at the 384-px input the classifier is too flat to name the photo at 1.0)
TEMPERATURE = 0.5


def imagenet_head() -> tuple[Tensor, Tensor, list[str]]:
    """The backbone's ImageNet classifier (weight [1000, 1280], bias [1000]) and the classes' names in its order."""
    from sgfns.photos.backbone import load_backbone
    from sgfns.photos.imagenet import imagenet_classes

    fc = load_backbone().net._fc
    return fc.weight.detach().clone(), fc.bias.detach().clone(), list(imagenet_classes().lemmas)


class LabelPrior(nn.Module):
    """Whole-photo features [B, D] -> [B, 384] L2-normalised label vectors (no trainable weights)."""

    def __init__(self, img_dim: int, temperature: float = TEMPERATURE) -> None:
        super().__init__()
        w, b, names = imagenet_head()
        if img_dim != w.shape[1]:
            raise UserError(f"the ImageNet label prior reads the photo backbone's {w.shape[1]}-d features, this data "
                            f"has {img_dim}-d ones (it needs a folder made by `sgfns prepare`)")
        self.temperature = temperature
        # not saved with a run: rebuilt from the installed backbone and text-encoder weights (checked at load)
        self.register_buffer("head_w", w, persistent=False)
        self.register_buffer("head_b", b, persistent=False)
        self.register_buffer("class_vec", word_vectors(names), persistent=False)  # [1000, 384]

    def forward(self, whole: Tensor) -> Tensor:
        logits = torch.nn.functional.linear(whole.to(self.head_w.dtype), self.head_w, self.head_b)
        return l2norm(torch.softmax(logits / self.temperature, dim=-1) @ self.class_vec)
