"""What the photo preparation gets right on real photos; prints one JSON object on its last line.

    .venv/bin/python benchmarks/photo_quality.py [--data ../shared/data/coco_mini] [--splits train dev]
                                                 [--input-size 384] [--limit N]

On coco_mini (records with COCO instance boxes; 51 of the 104 dev photos have none), one backbone pass per photo:
- `recall`: share of the given COCO boxes that some region overlaps with IoU >= 0.5, per region method at the same
  number of regions (16: the whole photo + 15), overall and by COCO size (small < 32^2, medium < 96^2 pixels,
  large), over the photos that have boxes. Methods: `grid` (2x2 + 3x3 cells), `cam`, `clusters`, `cam+clusters`
  (the default), and the default with 32 and 64 regions; when OpenCV's contrib module is installed
  (`pip install opencv-contrib-python-headless`, not a dependency of the toolkit), also the classic selective
  search ("fast" mode on the 384 x 384 input; the whole photo + its first 15 / 63 boxes), with its seconds per
  photo. The default was fixed before measuring; read `train` when choosing, `dev` is reported.
- `float16`: region features stored as float16 against float32, per split: the largest absolute error, the
  smallest cosine between the two, and the share of regions whose top ImageNet class (classifier on the region
  feature) is the same.
- `labels` (dev boxes; the box is given, the name predicted — so this measures the labeller, not the regions):
  share of given boxes whose top-1 / any of the top-5 caption words (ImageNet classes summed per word,
  `sgfns.photos.imagenet`) is the COCO category's word or of its WordNet family (synonym, hypernym or hyponym
  among the first three senses of each). `person` boxes counted apart (ImageNet has no person class).
- `graph_boxes` (dev, predicted only): share of given boxes with a visual-graph node of the same family on a
  region with IoU >= 0.5.
- `caption_nouns` (dev): share of the object nouns of the captions (the project parser's caption graphs) that find
  a node of the same WordNet family in the photo's visual graph; also without the person nouns.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PERSON_WORDS = {"person", "man", "woman", "people", "boy", "girl", "child", "men", "women", "player", "lady", "guy",
                "kid", "skier", "surfer", "skateboarder", "rider", "crowd", "snowboarder", "adult"}  # fmt: skip


def same_family(a: str, b: str) -> bool:
    from sgfns.text.lexicon import are_synonyms, is_hypernym_or_hyponym

    a, b = a.lower(), b.lower()
    if a == b:
        return True
    return are_synonyms(a, b, "n", senses=3) or is_hypernym_or_hyponym(a, b, "n", senses=3)


def size_class(box_px: list[float]) -> str:
    a = (box_px[2] - box_px[0]) * (box_px[3] - box_px[1])
    return "small" if a < 32**2 else "medium" if a < 96**2 else "large"


def selective_search_module():
    try:
        import cv2

        cv2.setNumThreads(1)
        return cv2.ximgproc.segmentation
    except (ImportError, AttributeError):
        return None


def selective_search(seg, pixels: np.ndarray) -> np.ndarray:
    """Selective-search boxes (fast mode) as xyxy fractions, in the order OpenCV ranks them."""
    ss = seg.createSelectiveSearchSegmentation()
    ss.setBaseImage(np.ascontiguousarray(pixels[:, :, ::-1]))
    ss.switchToSelectiveSearchFast()
    rects = np.asarray(ss.process(), dtype=np.float64).reshape(-1, 4)
    h, w = pixels.shape[:2]
    return np.stack(
        [rects[:, 0] / w, rects[:, 1] / h, (rects[:, 0] + rects[:, 2]) / w, (rects[:, 1] + rects[:, 3]) / h], 1
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "coco_mini"))
    ap.add_argument("--splits", nargs="+", default=["train", "dev"])
    ap.add_argument("--input-size", type=int, default=384)
    ap.add_argument("--limit", type=int, default=0, help="photos per split (0: all)")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))

    from sgfns.graphs.parser import load_parser
    from sgfns.photos.backbone import load_backbone
    from sgfns.photos.decode import open_photo
    from sgfns.photos.features import roi_pool
    from sgfns.photos.imagenet import imagenet_classes
    from sgfns.photos.regions import RegionSettings, iou_matrix, propose
    from sgfns.photos.sources import read_source
    from sgfns.photos.visual_graph import build_graph

    start = time.time()
    backbone = load_backbone(a.input_size)
    fc = backbone.net._fc
    default = RegionSettings()
    methods = {
        "grid": replace(default, methods=("grid",)),
        "cam": replace(default, methods=("cam",)),
        "clusters": replace(default, methods=("clusters",)),
        "cam+clusters": default,
        "cam+clusters@32": replace(default, count=32),
        "cam+clusters@64": replace(default, count=64),
    }
    classes = imagenet_classes()
    parser = load_parser()
    selective = selective_search_module()
    result: dict = {"input_size": a.input_size, "region_settings": default.to_dict()}
    for split in a.splits:
        records = read_source(Path(a.data) / f"{split}.json")
        if a.limit:
            records = records[: a.limit]
        hits = {m: defaultdict(lambda: [0, 0]) for m in [*methods, "selective_search", "selective_search@64"]}
        ss_time = [0.0, 0]
        fp = {"max_abs_err": 0.0, "min_cosine": 1.0, "top1_same": [0, 0]}
        labels = defaultdict(lambda: [0, 0, 0])  # group -> [top1, top5, n]
        graph_hits = defaultdict(lambda: [0, 0])
        nouns = defaultdict(lambda: [0, 0])
        photos_with_boxes = 0
        for rec in records:
            photo = open_photo(rec.path, a.input_size)
            fmap = backbone.feature_map(photo.pixels)[0]
            w, h = photo.size_wh
            given = [(b, c) for b, c in rec.given_boxes if b[2] > b[0] and b[3] > b[1]]
            gt = np.array([[b[0] / w, b[1] / h, b[2] / w, b[3] / h] for b, _ in given]).reshape(-1, 4)
            photos_with_boxes += bool(given)
            regions_default = None
            if given and selective is not None:
                t0 = time.time()
                ss = selective_search(selective, photo.pixels)
                ss_time[0] += time.time() - t0
                ss_time[1] += 1
                for m, n in (("selective_search", 15), ("selective_search@64", 63)):
                    boxes = np.concatenate([[[0, 0, 1, 1]], ss[:n]]) if len(ss) else np.array([[0, 0, 1, 1.0]])
                    best = iou_matrix(gt, boxes).max(1)
                    for (b, _), v in zip(given, best, strict=True):
                        for key in ("all", size_class(b)):
                            hits[m][key][0] += bool(v >= 0.5)
                            hits[m][key][1] += 1
            for m, settings in methods.items():
                regions = propose(fmap, fc, settings)
                if m == "cam+clusters":
                    regions_default = regions
                if not given:
                    continue
                best = iou_matrix(gt, regions.boxes[regions.mask]).max(1)
                for (b, _), v in zip(given, best, strict=True):
                    for key in ("all", size_class(b)):
                        hits[m][key][0] += bool(v >= 0.5)
                        hits[m][key][1] += 1
            feats = roi_pool(fmap, torch.from_numpy(regions_default.boxes))
            half = feats.half().float()
            fp["max_abs_err"] = max(fp["max_abs_err"], float((feats - half).abs().max()))
            fp["min_cosine"] = min(fp["min_cosine"], float(torch.nn.functional.cosine_similarity(feats, half).min()))
            same = backbone.classify(feats).argmax(1) == backbone.classify(half).argmax(1)
            fp["top1_same"][0] += int(same.sum())
            fp["top1_same"][1] += len(same)
            logits = backbone.classify(feats)
            graph = build_graph(photo.pixels, regions_default, logits, photo.size_wh)
            if split != "dev":
                continue
            node_names = [o["name"] for o in graph["objects"]]
            if given:
                given_feats = roi_pool(fmap, torch.from_numpy(gt.astype(np.float32)))
                probs = backbone.classify(given_feats).softmax(-1).numpy()
                by_name = classes.name_probabilities(probs)
                top5 = np.argsort(-by_name, 1)[:, :5]
                node_boxes = np.array([regions_default.boxes[o["region"]] for o in graph["objects"]]).reshape(-1, 4)
                ious = iou_matrix(gt, node_boxes) if len(node_boxes) else np.zeros((len(gt), 0))
                for j, (_, cat) in enumerate(given):
                    group = "person" if cat == "person" else "other"
                    names = [classes.name_list[k] for k in top5[j]]
                    ok1 = same_family(names[0], cat)
                    ok5 = any(same_family(n, cat) for n in names)
                    for g in (group, "all"):
                        labels[g][0] += ok1
                        labels[g][1] += ok5
                        labels[g][2] += 1
                        hit = any(ious[j, k] >= 0.5 and same_family(node_names[k], cat) for k in range(len(node_names)))
                        graph_hits[g][0] += hit
                        graph_hits[g][1] += 1
            for caption in rec.captions:
                for obj in parser.parse(caption).objects:
                    found = any(same_family(obj.name, n) for n in node_names)
                    for g in ("all", "person" if obj.name in PERSON_WORDS else "other"):
                        nouns[g][0] += found
                        nouns[g][1] += 1
        out = {
            "photos": len(records),
            "photos_with_boxes": photos_with_boxes,
            "recall_iou50": {
                m: {k: {"recall": round(v[0] / v[1], 4), "boxes": v[1]} for k, v in sorted(h.items())}
                for m, h in hits.items()
                if h
            },
            "selective_search_s_per_photo": round(ss_time[0] / ss_time[1], 3) if ss_time[1] else None,
            "float16": {
                "max_abs_err": round(fp["max_abs_err"], 5),
                "min_cosine": round(fp["min_cosine"], 7),
                "top1_same_share": round(fp["top1_same"][0] / max(fp["top1_same"][1], 1), 5),
                "regions": fp["top1_same"][1],
            },
        }
        if split == "dev":
            out["labels"] = {g: {"top1": round(v[0] / v[2], 4), "top5": round(v[1] / v[2], 4), "boxes": v[2]}
                             for g, v in sorted(labels.items())}  # fmt: skip
            out["graph_boxes"] = {g: {"share": round(v[0] / v[1], 4), "boxes": v[1]}
                                  for g, v in sorted(graph_hits.items())}  # fmt: skip
            out["caption_nouns"] = {g: {"share": round(v[0] / v[1], 4), "nouns": v[1]}
                                    for g, v in sorted(nouns.items())}  # fmt: skip
        result[split] = out
    result["machine"] = {
        "nproc": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "load_avg": os.getloadavg(),
        "python": platform.python_version(),
        "torch": torch.__version__,
    }
    result["seconds"] = round(time.time() - start, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
