"""Named evaluation protocols, exact as in the literature and checked, never inferred
(docs/evaluation.md#protocols---protocol).

- `f30k-1k`: 1,000 images x 5,000 captions, one block (Flickr30K test).
- `coco-1k-5fold`: 5,000 images x 25,000 captions in 5 folds of 1,000 images and their 5,000 captions; the six
  recalls are averaged over folds and rSum is the sum of the averaged recalls (SCAN's printout got this wrong).
- `coco-5k`: 5,000 images x 25,000 captions, one block.
- `full`: every image and caption of the split in one block, any size (synthetic world, other data).

A fold holds a contiguous range of images and the captions whose *own* image is in it; positives outside the fold
(from `{split}_positives.jsonl`) are not candidates of that fold, so they simply drop out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sgfns.errors import UserError
from sgfns.eval.recall import RECALL_KEYS, retrieval


@dataclass(frozen=True)
class Protocol:
    name: str
    n_images: int | None  # None: any
    n_captions: int | None
    folds: int = 1
    description: str = ""


PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in [
        Protocol("f30k-1k", 1000, 5000, 1, "Flickr30K test: 1,000 images x 5 captions, one block"),
        Protocol("coco-1k-5fold", 5000, 25000, 5, "COCO 5K test in 5 folds of 1,000 images, metrics averaged"),
        Protocol("coco-5k", 5000, 25000, 1, "COCO 5K test: 5,000 images x 5 captions, one block"),
        Protocol("full", None, None, 1, "every image and caption of the split in one block"),
    ]
}


def list_protocols() -> list[str]:
    return list(PROTOCOLS)


def get_protocol(name: str) -> Protocol:
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise UserError(f"unknown protocol '{name}'; choose one of: {', '.join(PROTOCOLS)}") from None


def check_counts(protocol: Protocol, n_images: int, n_captions: int, where: str = "") -> None:
    """Raise UserError when the split does not have exactly the protocol's image and caption counts."""
    bad = []
    if protocol.n_images is not None and n_images != protocol.n_images:
        bad.append(f"{n_images} images (expected {protocol.n_images})")
    if protocol.n_captions is not None and n_captions != protocol.n_captions:
        bad.append(f"{n_captions} captions (expected {protocol.n_captions})")
    if bad:
        prefix = f"{where}: " if where else ""
        raise UserError(f"{prefix}protocol '{protocol.name}' does not fit: {' and '.join(bad)}; use --protocol full")


def fold_indices(n_images: int, caption_image: np.ndarray, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(image indices, caption indices) of each fold: contiguous equal image ranges and their own captions."""
    if n_images % n_folds:
        raise UserError(f"{n_images} images cannot be split into {n_folds} equal folds")
    caption_image = np.asarray(caption_image)
    size = n_images // n_folds
    out = []
    for f in range(n_folds):
        imgs = np.arange(f * size, (f + 1) * size)
        caps = np.nonzero((caption_image >= f * size) & (caption_image < (f + 1) * size))[0]
        out.append((imgs, caps))
    return out


@dataclass
class ProtocolResult:
    protocol: str
    n_images: int
    n_captions: int
    metrics: dict[str, float]
    folds: list[dict[str, float]]
    #: ranks over the whole split when the protocol is one block, else None (fold ranks are fold-relative)
    i2t_ranks: torch.Tensor | None = None
    t2i_ranks: torch.Tensor | None = None


def average_folds(fold_metrics: list[dict[str, float]]) -> dict[str, float]:
    """Average the six recalls and the medians over folds; rSum is the sum of the averaged recalls."""
    n = len(fold_metrics)
    out: dict[str, float] = {k: sum(m[k] for m in fold_metrics) / n for k in RECALL_KEYS}
    out["rsum"] = sum(out[k] for k in RECALL_KEYS)
    for k in ("i2t_medr", "t2i_medr"):
        v = sum(m[k] for m in fold_metrics) / n
        out[k] = int(v) if float(v).is_integer() else v
    return out


def evaluate(
    sim,
    positives,
    caption_image,
    protocol: str | Protocol = "full",
    where: str = "",
) -> ProtocolResult:
    """Evaluate `sim` [n_images, n_captions] with the positive mask under a named protocol.

    `caption_image` [n_captions] gives each caption's own image (for fold membership)."""
    proto = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
    sim = sim if isinstance(sim, torch.Tensor) else torch.as_tensor(np.asarray(sim))
    positives = positives if isinstance(positives, torch.Tensor) else torch.as_tensor(np.asarray(positives))
    positives = positives.bool()
    n_images, n_captions = sim.shape
    check_counts(proto, n_images, n_captions, where)
    caption_image = np.asarray(caption_image)
    if caption_image.shape != (n_captions,):
        raise ValueError(f"caption_image must have shape [{n_captions}], got {list(caption_image.shape)}")
    if proto.folds == 1:
        res = retrieval(sim, positives)
        m = res.metrics()
        return ProtocolResult(proto.name, n_images, n_captions, m, [m], res.i2t, res.t2i)
    fold_metrics = []
    for imgs, caps in fold_indices(n_images, caption_image, proto.folds):
        ii = torch.as_tensor(imgs)
        cc = torch.as_tensor(caps)
        fold_metrics.append(retrieval(sim[ii][:, cc], positives[ii][:, cc]).metrics())
    return ProtocolResult(proto.name, n_images, n_captions, average_folds(fold_metrics), fold_metrics)
