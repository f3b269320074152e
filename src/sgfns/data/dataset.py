"""Load one split of a dataset in the canonical layout (a superset of SCAN's `*_precomp` folders).

Features are memory-mapped, never read whole. Everything that can be checked cheaply is checked here, so a broken
file stops the program when it is opened, with a message naming the file, line or index."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.errors import UserError, located
from sgfns.graphs.io import captions_sha256, read_graphs  # noqa: F401  (re-exported)
from sgfns.graphs.types import SceneGraph
from sgfns.io import read_json, read_jsonl

log = logging.getLogger(__name__)

SPLIT_ALIASES = {"val": ["val", "dev"], "dev": ["dev", "val"]}
FINITE_CHUNK_BYTES = 64 << 20


def split_prefix(root: Path, split: str) -> str:
    """The file prefix used for `split` in `root` (`val` and `dev` are the same split)."""
    for name in SPLIT_ALIASES.get(split, [split]):
        if (root / f"{name}_caps.txt").exists():
            return name
    raise UserError(
        f"{root}: no split '{split}' (no {split}_caps.txt); available: {', '.join(available_splits(root)) or 'none'}"
    )


def available_splits(root: Path) -> list[str]:
    return sorted(p.name[: -len("_caps.txt")] for p in Path(root).glob("*_caps.txt"))


BOX_FORMATS = ("xyxy_norm", "xyxy_pixels")
CAPTION_GRAPH_SOURCES = ("provided",)  # or "parser@<version>"



def read_meta(root: Path) -> dict[str, Any]:
    """`meta.json` checked for the keys the loader relies on (absent file: `{}`, as in a SCAN precomp folder)."""
    path = Path(root) / "meta.json"
    if not path.exists():
        return {}
    meta = read_json(path)
    if not isinstance(meta, dict):
        raise UserError(f"{path}: expected a JSON object")
    for key in ("captions_per_image", "regions", "feature_dim"):
        v = meta.get(key)
        least = 0 if key == "captions_per_image" else 1  # 0 captions per image: a gallery of photos to search
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < least):
            kind = "a positive integer" if least else "an integer >= 0"
            raise UserError(f"{path}: '{key}' must be {kind} or null, got {v!r}")
    box_format = meta.get("box_format")
    if box_format is not None and box_format not in BOX_FORMATS:
        raise UserError(f"{path}: 'box_format' must be one of {', '.join(BOX_FORMATS)}, got {box_format!r}")
    splits = meta.get("splits")
    if splits is not None and (not isinstance(splits, list) or not all(isinstance(x, str) and x for x in splits)):
        raise UserError(f"{path}: 'splits' must be a list of split names, got {splits!r}")
    return meta


@dataclass
class Split:
    """One split: captions, image ids, optional memory-mapped features and graphs, and the positive sets."""

    root: Path
    name: str
    meta: dict[str, Any]
    captions: list[str]
    ids: list[str]
    captions_per_image: int
    features: np.ndarray | None = None
    boxes: np.ndarray | None = None
    region_mask: np.ndarray | None = None  # [N, R] bool, False for an empty (padding) region slot
    image_graphs: list[SceneGraph] | None = None
    caption_graphs: list[SceneGraph] | None = None
    caption_graph_source: str | None = None
    extra_positives: dict[int, list[int]] = field(default_factory=dict)

    @property
    def n_images(self) -> int:
        return len(self.ids)

    @property
    def n_captions(self) -> int:
        return len(self.captions)

    @property
    def graphs_only(self) -> bool:
        return self.features is None

    @property
    def n_regions(self) -> int | None:
        return None if self.features is None else int(self.features.shape[1])

    @property
    def feature_dim(self) -> int | None:
        return None if self.features is None else int(self.features.shape[2])

    def caption_image(self) -> np.ndarray:
        """Own image index of every caption (captions are k per image, in image order)."""
        return np.arange(self.n_captions) // max(self.captions_per_image, 1)

    def positives(self, caption_index: int) -> list[int]:
        """All images a caption is true of: its own plus those listed in `{split}_positives.jsonl`."""
        own = caption_index // self.captions_per_image
        return sorted({own, *self.extra_positives.get(caption_index, [])})

    def positive_mask(self) -> np.ndarray:
        """Boolean [n_images, n_captions]: True where the caption is true of the image."""
        mask = np.zeros((self.n_images, self.n_captions), dtype=bool)
        mask[self.caption_image(), np.arange(self.n_captions)] = True
        for c, imgs in self.extra_positives.items():
            mask[imgs, c] = True
        return mask

    def require_features(self, what: str) -> np.ndarray:
        if self.features is None:
            raise UserError(
                f"{self.root}: split '{self.name}' is graphs-only (no {self.name}_ims.npy); "
                f"{what} needs region features"
            )
        return self.features


def load_split(
    root: str | Path,
    split: str,
    *,
    load_graphs: bool = True,
    check_finite: bool = True,
) -> Split:
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: not a directory")
    meta = read_meta(root)
    prefix = split_prefix(root, split)
    captions = _read_captions(root / f"{prefix}_caps.txt")

    caps_path = root / f"{prefix}_caps.txt"
    gallery = meta.get("captions_per_image") == 0
    if not captions and not gallery:
        raise UserError(f"{caps_path}: no captions")

    feats_path = root / f"{prefix}_ims.npy"
    features = _open_features(feats_path, check_finite) if feats_path.exists() else None
    if features is None and meta.get("feature_dim") is not None:
        raise UserError(f"{feats_path}: file not found (meta.json says feature_dim={meta.get('feature_dim')})")
    if features is not None:
        for key, axis in (("regions", 1), ("feature_dim", 2)):
            if meta.get(key) is not None and meta[key] != features.shape[axis]:
                raise UserError(f"{feats_path}: shape {list(features.shape)} but meta.json says {key}={meta[key]}")

    ids_path = root / f"{prefix}_ids.txt"
    if ids_path.exists():
        ids = _read_ids(ids_path, features, len(captions))
    elif features is not None:
        ids = [str(i) for i in range(features.shape[0])]
    else:
        raise UserError(f"{root}: split '{prefix}' has neither {prefix}_ims.npy nor {prefix}_ids.txt")
    if features is not None and features.shape[0] != len(ids):
        raise UserError(f"{ids_path}: {len(ids)} ids but {feats_path.name} holds {features.shape[0]} images")

    n_images = len(ids)
    if n_images == 0:
        raise UserError(f"{root}: split '{prefix}' has no images")
    if gallery and captions:
        raise UserError(f"{root / 'meta.json'}: captions_per_image is 0 but {prefix}_caps.txt has captions")
    if len(captions) % n_images != 0:
        raise UserError(f"{caps_path}: {len(captions)} captions is not a whole multiple of {n_images} images")
    k = len(captions) // n_images
    declared = meta.get("captions_per_image")
    if declared is not None and declared != k:
        raise UserError(
            f"{root / 'meta.json'}: captions_per_image is {declared} but {prefix}_caps.txt has "
            f"{len(captions)} captions for {n_images} images"
        )

    boxes = None
    boxes_path = root / f"{prefix}_boxes.npy"
    if boxes_path.exists():
        boxes = _load_npy(boxes_path, "boxes")
        if boxes.ndim != 3 or boxes.shape[0] != n_images or boxes.shape[2] != 4:
            raise UserError(f"{boxes_path}: expected shape [{n_images}, R, 4], got {list(boxes.shape)}")
        if boxes.dtype.kind not in "fiu":
            raise UserError(f"{boxes_path}: boxes must be numbers, got dtype {boxes.dtype}")
        if features is not None and boxes.shape[1] != features.shape[1]:
            raise UserError(f"{boxes_path}: {boxes.shape[1]} boxes per image but {features.shape[1]} regions")

    region_mask = None
    mask_path = root / f"{prefix}_region_mask.npy"
    if mask_path.exists():
        region_mask = _load_npy(mask_path, "region mask")
        n_regions = features.shape[1] if features is not None else (boxes.shape[1] if boxes is not None else None)
        if region_mask.dtype != np.bool_ or region_mask.shape[:1] != (n_images,) or region_mask.ndim != 2 or (
            n_regions is not None and region_mask.shape[1] != n_regions
        ):
            raise UserError(f"{mask_path}: expected a bool array [{n_images}, {n_regions}], got "
                            f"{region_mask.dtype} {list(region_mask.shape)}")  # fmt: skip
    images_path = root / f"{prefix}_images.txt"
    if images_path.exists():
        n_lines = len(images_path.read_text(encoding="utf-8").splitlines())
        if n_lines != n_images:
            raise UserError(f"{images_path}: {n_lines} lines but the split has {n_images} images")

    sp = Split(
        root=root,
        name=prefix,
        meta=meta,
        captions=captions,
        ids=ids,
        captions_per_image=k,
        features=features,
        boxes=boxes,
        region_mask=region_mask,
    )
    sp.extra_positives = _read_positives(root / f"{prefix}_positives.jsonl", sp.n_captions, n_images)
    if load_graphs:
        img_sg = root / f"{prefix}_image_sg.jsonl"
        if img_sg.exists():
            n_regions = None if features is None else features.shape[1]
            if n_regions is None and boxes is not None:
                n_regions = boxes.shape[1]
            sp.image_graphs = read_graphs(img_sg, n_images, n_regions=n_regions)
        cap_sg = root / f"{prefix}_caps_sg.jsonl"
        if cap_sg.exists():
            source, fresh = _graph_source(root / f"{prefix}_caps_sg.meta.json", captions)
            if fresh:
                sp.caption_graph_source = source
                sp.caption_graphs = read_graphs(cap_sg, len(captions), captions=captions)
            else:  # a stale parser cache is not an error: the cache layer rebuilds it
                log.warning("%s: parser cache made for other captions; ignored", cap_sg)
    return sp


def _read_ids(path: Path, features: np.ndarray | None, n_captions: int) -> list[str]:
    try:
        ids = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except UnicodeDecodeError:
        raise UserError(f"{path}: not valid UTF-8") from None
    while ids and not ids[-1]:
        ids.pop()
    if "" in ids:
        raise located(path, ids.index("") + 1, "empty image id")
    # Some precomp folders list one id per caption (each image id repeated k times in a row): one per image here.
    if features is not None and len(ids) == n_captions and len(ids) != features.shape[0] and features.shape[0]:
        k, rem = divmod(len(ids), features.shape[0])
        if rem == 0 and all(ids[i] == ids[i - i % k] for i in range(len(ids))):
            ids = ids[::k]
    seen: dict[str, int] = {}
    for i, x in enumerate(ids):
        if x in seen:
            raise located(path, i + 1, f"duplicate image id {x!r} (first on line {seen[x] + 1})")
        seen[x] = i
    return ids


def _load_npy(path: Path, what: str) -> np.ndarray:
    """Memory-map a plain .npy file; pickled, truncated or foreign files are a UserError, never a traceback."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise UserError(f"{path}: cannot read {what} as a plain .npy array ({e})") from None


def _read_captions(path: Path) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        line = path.read_bytes()[: e.start].count(b"\n") + 1
        raise located(path, line, "not valid UTF-8") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    caps = [ln.rstrip("\r") for ln in lines]
    for i, c in enumerate(caps):
        if not c.strip():
            raise located(path, i + 1, "empty caption")
    return caps


def _open_features(path: Path, check_finite: bool) -> np.ndarray:
    arr = _load_npy(path, "features")
    if arr.ndim != 3:
        raise UserError(f"{path}: features must be a 3-D array [images, regions, dim], got shape {list(arr.shape)}")
    if arr.dtype.kind != "f":
        raise UserError(f"{path}: features must be floating point, got dtype {arr.dtype}")
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise UserError(f"{path}: features have shape {list(arr.shape)} (no regions or zero dimension)")
    if check_finite:
        bad = first_nonfinite_image(arr)
        if bad is not None:
            raise UserError(f"{path}: image {bad} has NaN or Inf features")
    return arr


def first_nonfinite_image(arr: np.ndarray) -> int | None:
    """Index of the first image with a NaN/Inf feature, scanning the memory map in chunks."""
    per_image = max(1, int(np.prod(arr.shape[1:])) * arr.dtype.itemsize)
    step = max(1, FINITE_CHUNK_BYTES // per_image)
    for start in range(0, arr.shape[0], step):
        chunk = np.asarray(arr[start : start + step])
        ok = np.isfinite(chunk).reshape(chunk.shape[0], -1).all(axis=1)
        if not ok.all():
            return start + int(np.argmin(ok))
    return None



def _read_positives(path: Path, n_captions: int, n_images: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    if not path.exists():
        return out
    for lineno, rec in read_jsonl(path):
        if not isinstance(rec, dict) or set(rec) != {"caption_index", "images"}:
            raise located(path, lineno, 'expected {"caption_index": int, "images": [int, ...]}')
        c, imgs = rec["caption_index"], rec["images"]
        if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < n_captions:
            raise located(path, lineno, f"caption_index {c!r} out of range (0..{n_captions - 1})")
        if not isinstance(imgs, list) or not all(isinstance(i, int) and 0 <= i < n_images for i in imgs):
            raise located(path, lineno, f"images must be a list of image indices in 0..{n_images - 1}")
        out.setdefault(c, []).extend(imgs)
    return out


def _graph_source(path: Path, captions: list[str]) -> tuple[str | None, bool]:
    """(`source`, fresh) of the caption graphs. Provided graphs recorded for other captions (hash mismatch) are an
    error; a parser cache made for other captions is merely stale (fresh=False)."""
    if not path.exists():
        return None, True
    meta = read_json(path)
    if not isinstance(meta, dict):
        raise UserError(f"{path}: expected a JSON object")
    source = meta.get("source")
    if source is not None and (
        not isinstance(source, str) or (source not in CAPTION_GRAPH_SOURCES and not source.startswith("parser@"))
    ):
        raise UserError(f"{path}: 'source' must be 'provided' or 'parser@<version>', got {source!r}")
    digest = meta.get("captions_sha256")
    if digest is not None and digest != captions_sha256(captions):
        if source is not None and source.startswith("parser@"):
            return source, False
        raise UserError(
            f"{path}: the caption graphs were made for other captions (captions_sha256 differs from "
            f"{path.name.replace('_caps_sg.meta.json', '_caps.txt')}); re-run the converter"
        )
    return source, True
