"""The hook through which extra loss terms (the generated-negative loss L_neg, docs/method.md#l_neg) join the one loop.

`sgfns.losses.generated` (negatives area) provides `build_term(cfg, inputs, seed) -> ExtraLossTerm`. The training
loop calls it once when `neg.weight > 0` and then, every step,

    extra = term.extra_batch(caption_indices, image_indices, epoch)      # CPU, in the loop, before the forward
    loss  = L_match + neg.weight * term.loss(model, extra_on_device, img_enc, cap_enc)

`cfg` is the run's `neg` config section (`weight`, `margin`, `rules`, `per_positive`, `text_side`, `image_side`,
`seed`); `inputs` the training `SplitInputs` (captions, graphs, prepared items, features, text processor);
`img_enc` / `cap_enc` the batch's encodings of the positive pairs (row i of each is pair i). The term encodes its
negatives with `model.encode_captions` / `model.encode_images` and scores them with `model.similarity` (paired
scores: take the diagonal of a [B, B] block or score row-wise), so it works for every model."""

from __future__ import annotations

from typing import Any, Protocol

from torch import Tensor

from sgfns.models.base import Encoded, Matcher


class ExtraLossTerm(Protocol):
    def extra_batch(self, caption_indices: list[int], image_indices: list[int], epoch: int) -> dict[str, Any]: ...

    def loss(self, model: Matcher, extra: dict[str, Any], img_enc: Encoded, cap_enc: Encoded) -> Tensor: ...
