"""Real photos in: decode, regions, region features and visual scene graphs from image files (offline, CPU first).

`prepare_photo(path)` prepares one photo the way `sgfns prepare` prepares a folder of them; `load_backbone()` gives
the EfficientNet-Lite0 backbone with its ImageNet classifier. Heavy imports stay inside the submodules."""

from __future__ import annotations

from sgfns.photos.backbone import Backbone, load_backbone
from sgfns.photos.describe import PreparedPhoto, prepare_photo, prepare_photos
from sgfns.photos.regions import RegionSettings

__all__ = ["Backbone", "PreparedPhoto", "RegionSettings", "load_backbone", "prepare_photo", "prepare_photos"]
