"""Regions of a bare photo from the backbone's own feature map — no detector, no downloaded weights.

Region 0 is always the whole photo. The rest come from two cheap sources, both read off the map the features are
pooled from (so proposals cost almost nothing beyond the one forward pass):
- class-activation maps (CAM): for the photo's top ImageNet classes, the classifier's weights dotted with every
  cell give a map of where that class's evidence is; upsampled and thresholded at a few levels, its connected
  blobs become boxes scored by class probability times mean activation;
- feature clustering: the cells' (normalised) features plus their position are grouped by k-means; each
  connected part of a cluster becomes a box (things that look alike and lie together).
Boxes are deduplicated by IoU (greedy, best score first) and the best `count - 1` kept. When fewer are found, the
remaining slots are filled with grid cells (2x2, then 3x3), so every slot holds a real part of the photo; `mask`
says which slots are proposals or grid cells (all True unless `fill="none"`, where empty slots are zero boxes).
Boxes are xyxy fractions of width and height (`xyxy_norm`). Measured recall: docs/photos.md."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch

METHODS = ("cam", "clusters", "grid", "given")  # "given": a source's own boxes — oracle folders only


@dataclass(frozen=True)
class RegionSettings:
    """How regions are made; recorded in a prepared folder's meta.json (`region_settings`) and compared on append."""

    count: int = 16
    methods: tuple[str, ...] = ("cam", "clusters")
    cam_classes: int = 5
    cam_thresholds: tuple[float, ...] = (0.25, 0.5, 0.75)
    cam_upsample: int = 4
    clusters: tuple[int, ...] = (3, 5, 8)
    # k-means runs on the cells' top principal components (speed; distances kept closely); 0: on the cells' full
    # features, as in folders prepared before this setting existed (their meta.json has no `cluster_dim`)
    cluster_dim: int = 16
    nms_iou: float = 0.7
    min_area: float = 0.005
    fill: str = "grid"

    def to_dict(self) -> dict:
        d = asdict(self)
        if not self.cluster_dim:
            del d["cluster_dim"]  # the earlier folders' record, unchanged
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict) -> RegionSettings:
        """Settings from a meta.json record; one without `cluster_dim` was made by the full-feature k-means."""
        d = {"cluster_dim": 0, **d}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


@dataclass
class Regions:
    """`boxes` [R, 4] xyxy_norm (row 0 the whole photo), `scores` [R] (1 for the whole photo, 0 for fill), `mask` [R]
    True for a slot holding a region, and `source` per slot ('whole', 'cam', 'clusters', 'grid', '')."""

    boxes: np.ndarray
    scores: np.ndarray
    mask: np.ndarray
    source: list[str] = field(default_factory=list)


@torch.no_grad()
def propose(feature_map: torch.Tensor, classifier: torch.nn.Linear, settings: RegionSettings,
            given: np.ndarray | None = None) -> Regions:  # fmt: skip
    """Regions of one photo from its feature map [C, h, w] and the ImageNet classifier (for CAM); with the "given"
    method, `given` boxes ([n, 4] xyxy_norm, e.g. COCO's) are used instead, largest first (oracle rows only)."""
    found: list[tuple[float, np.ndarray, str]] = []
    if "given" in settings.methods and given is not None:
        found += [(area(b), np.clip(b, 0, 1).astype(np.float32), "given") for b in given]
    if "cam" in settings.methods:
        found += [(s, b, "cam") for s, b in cam_boxes(feature_map, classifier, settings)]
    if "clusters" in settings.methods:
        found += [(s, b, "clusters") for s, b in cluster_boxes(feature_map, settings)]
    if "grid" in settings.methods:
        found += [(0.0, b, "grid") for b in grid_boxes((2, 3))]
    whole = np.array([0.0, 0.0, 1.0, 1.0], dtype=np.float32)
    kept = nms([(s, b, src) for s, b, src in found if area(b) >= settings.min_area], settings.nms_iou,
               settings.count - 1, avoid=[whole])  # fmt: skip
    rows = [(1.0, whole, "whole"), *kept]
    if settings.fill == "grid" and len(rows) < settings.count:
        taken = [b for _, b, _ in rows]
        for b in grid_boxes((2, 3, 4)):
            if len(rows) == settings.count:
                break
            if max(iou(b, t) for t in taken) < 0.95:
                rows.append((0.0, b, "grid"))
                taken.append(b)
    n = len(rows)
    boxes = np.zeros((settings.count, 4), dtype=np.float32)
    scores = np.zeros(settings.count, dtype=np.float32)
    mask = np.zeros(settings.count, dtype=bool)
    boxes[:n] = np.stack([b for _, b, _ in rows])
    scores[:n] = [s for s, _, _ in rows]
    mask[:n] = True
    return Regions(boxes=boxes, scores=scores, mask=mask, source=[r[2] for r in rows] + [""] * (settings.count - n))


def cam_boxes(feature_map: torch.Tensor, classifier: torch.nn.Linear, settings: RegionSettings):
    """(score, box) from the class-activation maps of the top `cam_classes` ImageNet classes."""
    fmap = feature_map.float()
    c, h, w = fmap.shape
    logits = classifier(fmap.mean((1, 2)).to(classifier.weight.dtype)).float()
    prob = logits.softmax(-1)
    top = prob.topk(settings.cam_classes).indices
    cams = torch.einsum("kc,chw->khw", classifier.weight[top].float(), fmap)
    up = settings.cam_upsample
    cams = torch.nn.functional.interpolate(cams[None], size=(h * up, w * up), mode="bilinear", align_corners=False)[0]
    out = []
    for k in range(len(top)):
        cam = cams[k]
        lo, hi = cam.min(), cam.max()
        if float(hi - lo) < 1e-6:
            continue
        norm = ((cam - lo) / (hi - lo)).cpu().numpy()
        for t in settings.cam_thresholds:
            for box, part in blobs(norm >= t):
                out.append((float(prob[top[k]]) * float(norm[part].mean()), box))
    return out


def cluster_boxes(feature_map: torch.Tensor, settings: RegionSettings):
    """(score, box) from k-means clusters of the cells (features + position); score = the part's share of cells
    times how distinct its cluster is from the rest (1 - cosine to the photo's mean feature)."""
    fmap = feature_map.float()
    c, h, w = fmap.shape
    x = torch.nn.functional.normalize(fmap.reshape(c, h * w).T, dim=1)
    if settings.cluster_dim:
        centred = x - x.mean(0)
        evals, evecs = torch.linalg.eigh(centred @ centred.T)  # [n, n] Gram matrix: cheaper than an SVD of [n, C]
        d = min(settings.cluster_dim, len(evals))
        coords = evecs[:, -d:] * evals[-d:].clamp(min=0).sqrt()  # principal-component coordinates of the cells
    else:
        coords = x  # an earlier folder's settings: its regions are reproduced as it made them
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    pos = torch.stack([ys.reshape(-1) / max(h - 1, 1), xs.reshape(-1) / max(w - 1, 1)], 1).to(x)
    pts = torch.cat([coords, 0.5 * pos], 1)
    mean = torch.nn.functional.normalize(x.mean(0), dim=0)
    out = []
    for k in settings.clusters:
        if k >= h * w:
            continue
        labels = kmeans(pts, k)
        for j in range(k):
            members = labels == j
            if not members.any():
                continue
            distinct = 1.0 - float(x[members].mean(0) @ mean)
            grid = members.reshape(h, w).cpu().numpy()
            for box, part in blobs(grid):
                out.append((float(part.mean()) * distinct + 1e-3, box))
    return out


def kmeans(points: torch.Tensor, k: int, iters: int = 10) -> torch.Tensor:
    """Deterministic k-means (farthest-point start from the point farthest from the mean) -> labels [n]."""
    start = [int(((points - points.mean(0)) ** 2).sum(1).argmax())]
    d = ((points - points[start[0]]) ** 2).sum(1)
    for _ in range(k - 1):
        start.append(int(d.argmax()))
        d = torch.minimum(d, ((points - points[start[-1]]) ** 2).sum(1))
    centres = points[start].clone()
    labels = torch.zeros(len(points), dtype=torch.long)
    for _ in range(iters):
        labels = torch.cdist(points, centres).argmin(1)
        onehot = torch.nn.functional.one_hot(labels, k).to(points.dtype)
        counts = onehot.sum(0)
        centres = torch.where(counts[:, None] > 0, onehot.T @ points / counts.clamp(min=1)[:, None], centres)
    return labels


def blobs(binary: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(xyxy_norm box, mask of the blob) for each 8-connected blob of a 2-D boolean grid."""
    from scipy import ndimage

    h, w = binary.shape
    labelled, n = ndimage.label(binary, structure=np.ones((3, 3), dtype=int))
    out = []
    for i, sl in enumerate(ndimage.find_objects(labelled), start=1):
        if sl is None:
            continue
        ys, xs = sl
        box = np.array([xs.start / w, ys.start / h, xs.stop / w, ys.stop / h], dtype=np.float32)
        out.append((box, labelled == i))
    return out[: max(n, 0)]


def grid_boxes(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """The cells of n x n grids, coarse first."""
    out = []
    for n in sizes:
        for i in range(n):
            for j in range(n):
                out.append(np.array([j / n, i / n, (j + 1) / n, (i + 1) / n], dtype=np.float32))
    return out


def nms(found: list[tuple[float, np.ndarray, str]], threshold: float, keep: int, avoid: list[np.ndarray]):
    """Greedy: best score first, drop a box whose IoU with a kept one (or one in `avoid`) is >= threshold."""
    kept: list[tuple[float, np.ndarray, str]] = []
    taken = list(avoid)
    for s, b, src in sorted(found, key=lambda r: -r[0]):
        if len(kept) == keep:
            break
        if all(iou(b, t) < threshold for t in taken):
            kept.append((s, b, src))
            taken.append(b)
    return kept


def area(b: np.ndarray) -> float:
    return float(max(b[2] - b[0], 0) * max(b[3] - b[1], 0))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(min(a[2], b[2]) - max(a[0], b[0]), 0)
    iy = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    inter = float(ix * iy)
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[n, 4] x [m, 4] xyxy boxes -> [n, m] IoU."""
    a = np.asarray(a, dtype=np.float64)[:, None]
    b = np.asarray(b, dtype=np.float64)[None]
    ix = (np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])).clip(min=0)
    iy = (np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])).clip(min=0)
    inter = ix * iy
    ar = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    br = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = ar + br - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
