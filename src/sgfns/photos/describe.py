"""One photo in, what a prepared folder stores about it out: region boxes, region features and a visual graph.

This is the single per-photo route: `sgfns prepare` runs it over a source's photos (in batches, in worker
processes), `sgfns search --image` and a web service run it on one uploaded photo (`prepare_photo`). Keeping it in
one place is what makes a photo prepared on the fly comparable with a gallery prepared earlier: both take their
settings (backbone input size, region settings) from the gallery's meta.json."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sgfns.photos.backbone import Backbone, load_backbone
from sgfns.photos.decode import Photo, open_photo
from sgfns.photos.features import roi_pool
from sgfns.photos.regions import RegionSettings, propose


@dataclass
class PreparedPhoto:
    """`features` [R, 1280] float32 (row 0: the whole photo = the classifier's input), `boxes` [R, 4] xyxy_norm,
    `mask` [R] (True: a real region), `graph` the visual scene graph (a dict in the JSONL layout), `size_wh` the
    upright size in pixels and `logits` the whole photo's ImageNet-1k logits."""

    features: np.ndarray
    boxes: np.ndarray
    mask: np.ndarray
    graph: dict[str, Any]
    size_wh: tuple[int, int]
    logits: np.ndarray


@torch.no_grad()
def describe(backbone: Backbone, photos: list[Photo], settings: RegionSettings,
             given: list[list] | None = None) -> list[PreparedPhoto]:  # fmt: skip
    """Run the backbone once over a batch of decoded photos and derive each one's regions, features and graph.

    `given`: per photo, boxes as [x1, y1, x2, y2] pixels of the upright photo — used only when the settings' method
    is "given" (an oracle folder)."""
    from sgfns.photos.visual_graph import build_graph

    if not photos:
        return []
    maps = backbone.feature_map(np.stack([p.pixels for p in photos]))
    out = []
    for j, (photo, fmap) in enumerate(zip(photos, maps, strict=True)):
        boxes = None
        if given is not None:
            w, h = photo.size_wh
            boxes = np.array([[b[0] / w, b[1] / h, b[2] / w, b[3] / h] for b in given[j]], dtype=np.float32)
        regions = propose(fmap, backbone.net._fc, settings, given=boxes)
        feats = roi_pool(fmap, torch.from_numpy(regions.boxes))
        feats[~torch.from_numpy(regions.mask).to(feats.device)] = 0.0
        logits = backbone.classify(feats).cpu()
        graph = build_graph(photo.pixels, regions, logits, photo.size_wh)
        out.append(
            PreparedPhoto(
                features=feats.cpu().numpy().astype(np.float32),
                boxes=regions.boxes,
                mask=regions.mask,
                graph=graph,
                size_wh=photo.size_wh,
                logits=logits[0].numpy(),
            )
        )
    return out


def prepare_photo(
    image: str | Path,
    *,
    backbone: Backbone | None = None,
    settings: RegionSettings | None = None,
    meta: dict[str, Any] | None = None,
    device: str = "cpu",
) -> PreparedPhoto:
    """Prepare one photo file as `sgfns prepare` would (a bad file raises a UserError naming it).

    Give a prepared folder's `meta` (its meta.json) to use that folder's backbone input size and region settings,
    so the photo can be compared with the folder's photos; pass a loaded `backbone` to avoid reloading it per call."""
    return prepare_photos([image], backbone=backbone, settings=settings, meta=meta, device=device)[0]


def prepare_photos(
    images: list[str | Path],
    *,
    backbone: Backbone | None = None,
    settings: RegionSettings | None = None,
    meta: dict[str, Any] | None = None,
    device: str = "cpu",
    batch_size: int = 16,
) -> list[PreparedPhoto]:
    """`prepare_photo` for several files, the backbone run over `batch_size` photos at a time."""
    settings, input_size = settings_from_meta(meta) if meta else (settings or RegionSettings(), None)
    if backbone is None:
        backbone = load_backbone(**({"input_size": input_size} if input_size else {}), device=device)
    elif input_size and backbone.input_size != input_size:
        raise ValueError(f"backbone input size {backbone.input_size} but the folder was prepared at {input_size}")
    out: list[PreparedPhoto] = []
    for start in range(0, len(images), batch_size):
        chunk = images[start : start + batch_size]
        out.extend(describe(backbone, [open_photo(p, backbone.input_size) for p in chunk], settings))
    return out


def settings_from_meta(meta: dict[str, Any]) -> tuple[RegionSettings, int]:
    """(region settings, backbone input size) recorded by `sgfns prepare` in a folder's meta.json."""
    from sgfns.errors import UserError

    if not isinstance(meta.get("backbone"), dict) or not isinstance(meta.get("region_settings"), dict):
        raise UserError("meta.json has no 'backbone'/'region_settings': the folder was not made by `sgfns prepare`")
    return RegionSettings.from_dict(meta["region_settings"]), int(meta["backbone"]["input_size"])


def as_split(photos: list[PreparedPhoto], ids: list[str]):
    """An in-memory caption-less `Split` of prepared photos, so any model's `encode_images` can encode them."""
    from sgfns.data.dataset import Split
    from sgfns.graphs.types import SceneGraph

    return Split(
        root=Path("."),
        name="photos",
        meta={},
        captions=[],
        ids=list(ids),
        captions_per_image=0,
        features=np.stack([p.features for p in photos]),
        boxes=np.stack([p.boxes for p in photos]),
        region_mask=np.stack([p.mask for p in photos]),
        image_graphs=[SceneGraph.from_dict(p.graph) for p in photos],
    )
