"""Would a region labeller trained on the train split's COCO boxes name photos better than ImageNet does?

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/labeller_probe.py [--data ../shared/data/coco_mini]

The visual graph names a region by its ImageNet-1k classes summed per caption word (`sgfns.photos.imagenet`), which
has no person class. The alternative the plan names is a labeller fitted on the training photos' own COCO boxes.
This probe fits the simplest such labeller — multinomial logistic regression on the L2-normalised RoI feature of a
box (the same Lite0 map and pooling as `sgfns prepare`), one class per COCO category seen in train plus
`background` — and compares it with the ImageNet route on dev:

- `given_boxes`: each given dev box's feature, its top-1 name (background excluded) of the COCO category's WordNet
  family (synonym, hypernym or hyponym among the first three senses; `photo_quality.same_family`), person boxes
  apart;
- `regions`: the default predicted regions (CAM + clusters, 16) of the dev photos with boxes; a region with IoU >=
  0.5 to a given box should be named as that box (a labeller that says `background` misses it), a region with IoU
  < 0.3 to every box is background (the ImageNet route has no such answer; the labeller's share of them called
  background is reported).

Training examples: every given train box (its category) and every predicted train region (its box's category at IoU
>= 0.5, background below 0.3 to all boxes, else left out). The L2 penalty is chosen by 5-fold cross-validation over
the train photos (top-1 family accuracy on held-out given boxes); dev is read once, with that penalty. Prints one
JSON object on its last line."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

BACKGROUND = "background"
PENALTIES = (1e-4, 1e-3, 1e-2)


def box_examples(records, backbone, input_size: int) -> dict:
    """Per split: given boxes' features and categories, predicted regions' features and their IoU labels."""
    from sgfns.photos.decode import open_photo
    from sgfns.photos.features import roi_pool
    from sgfns.photos.imagenet import imagenet_classes
    from sgfns.photos.regions import RegionSettings, iou_matrix, propose

    classes = imagenet_classes()
    out = {k: [] for k in ("gf", "gy", "gp", "gi", "rf", "ry", "rp", "ri")}
    for p, rec in enumerate(records):
        given = [(b, c) for b, c in rec.given_boxes if b[2] > b[0] and b[3] > b[1]]
        if not given:
            continue
        photo = open_photo(rec.path, input_size)
        fmap = backbone.feature_map(photo.pixels)[0]
        w, h = photo.size_wh
        gt = np.array([[b[0] / w, b[1] / h, b[2] / w, b[3] / h] for b, _ in given], dtype=np.float32)
        regions = propose(fmap, backbone.net._fc, RegionSettings())
        keep = [r for r in range(1, len(regions.boxes)) if regions.mask[r]]
        gfeat = roi_pool(fmap, torch.from_numpy(gt))
        rfeat = roi_pool(fmap, torch.from_numpy(regions.boxes[keep]))
        ious = iou_matrix(regions.boxes[keep], gt)
        # the ImageNet route's top caption word for every given box and region
        for feats, key in ((gfeat, "gi"), (rfeat, "ri")):
            probs = backbone.classify(feats).softmax(-1).numpy()
            out[key] += [classes.name_list[k] for k in classes.name_probabilities(probs).argmax(1)]
        out["gf"].append(gfeat.numpy())
        out["gy"] += [c for _, c in given]
        out["gp"] += [p] * len(given)
        out["rf"].append(rfeat.numpy())
        for i in range(len(keep)):
            j = int(ious[i].argmax())
            out["ry"].append(given[j][1] if ious[i, j] >= 0.5 else BACKGROUND if ious[i].max() < 0.3 else None)
        out["rp"] += [p] * len(keep)
    out["gf"], out["rf"] = np.concatenate(out["gf"]), np.concatenate(out["rf"])
    return {k: np.asarray(v) if k not in ("gf", "rf") else v for k, v in out.items()}


def normalise(x: np.ndarray) -> torch.Tensor:
    t = torch.as_tensor(x, dtype=torch.float32)
    return t / t.norm(dim=1, keepdim=True).clamp_min(1e-6)


def fit(x: torch.Tensor, y: torch.Tensor, n_classes: int, penalty: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Multinomial logistic regression (full-batch L-BFGS, deterministic); logits = 10 · x W + b."""
    w = torch.zeros(x.shape[1], n_classes, requires_grad=True)
    b = torch.zeros(n_classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1, max_iter=300, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(10 * x @ w + b, y) + penalty * (w**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach(), b.detach()


def training_set(d: dict, index: dict[str, int], photos: np.ndarray | None = None):
    sel_g = np.ones(len(d["gy"]), bool) if photos is None else np.isin(d["gp"], photos)
    sel_r = np.array([y is not None and y in index for y in d["ry"]]) & (
        True if photos is None else np.isin(d["rp"], photos))  # fmt: skip
    x = torch.cat([normalise(d["gf"][sel_g]), normalise(d["rf"][sel_r])])
    y = torch.tensor([index[c] for c in d["gy"][sel_g]] + [index[c] for c in d["ry"][sel_r]])
    return x, y


def name_boxes(w, b, feats: np.ndarray, names: list[str], allow_background: bool) -> list[str]:
    logits = 10 * normalise(feats) @ w + b
    if not allow_background:
        logits[:, names.index(BACKGROUND)] = -torch.inf
    return [names[k] for k in logits.argmax(1).tolist()]


def share(hits: list[bool]) -> dict:
    return {"share": round(float(np.mean(hits)), 4) if hits else None, "n": len(hits)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "coco_mini"))
    ap.add_argument("--input-size", type=int, default=384)
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from photo_quality import same_family

    from sgfns.photos.backbone import load_backbone
    from sgfns.photos.sources import read_source

    start = time.time()
    backbone = load_backbone(a.input_size)
    data = {s: box_examples(read_source(Path(a.data) / f"{s}.json"), backbone, a.input_size) for s in ("train", "dev")}
    tr, dv = data["train"], data["dev"]
    names = sorted(set(tr["gy"].tolist())) + [BACKGROUND]
    index = {n: i for i, n in enumerate(names)}

    # the penalty, by 5-fold cross-validation over the train photos (held-out given boxes, top-1 family)
    photos = np.unique(tr["gp"])
    folds = np.array_split(np.random.default_rng(0).permutation(photos), 5)
    cv = {}
    for penalty in PENALTIES:
        hits = []
        for held in folds:
            x, y = training_set(tr, index, np.setdiff1d(photos, held))
            w, b = fit(x, y, len(names), penalty)
            sel = np.isin(tr["gp"], held)
            named = name_boxes(w, b, tr["gf"][sel], names, False)
            hits += [same_family(n, c) for n, c in zip(named, tr["gy"][sel], strict=True)]
        cv[str(penalty)] = round(float(np.mean(hits)), 4)
    best = float(max(cv, key=cv.get))
    w, b = fit(*training_set(tr, index), len(names), best)

    result: dict = {"classes": len(names), "train_given_boxes": int(len(tr["gy"])),
                    "train_regions_used": int(sum(y is not None for y in tr["ry"])), "cv_top1_family": cv,
                    "penalty": best}  # fmt: skip
    lab = name_boxes(w, b, dv["gf"], names, False)
    result["given_boxes"] = {}
    groups = (("all", lambda c: True), ("person", lambda c: c == "person"), ("other", lambda c: c != "person"))
    for group, keep in groups:
        rows = [(i, c) for i, c in enumerate(dv["gy"]) if keep(c)]
        result["given_boxes"][group] = {
            "imagenet": share([same_family(dv["gi"][i], c) for i, c in rows]),
            "labeller": share([same_family(lab[i], c) for i, c in rows]),
        }
    rlab = name_boxes(w, b, dv["rf"], names, True)
    obj = [i for i, y in enumerate(dv["ry"]) if y is not None and y != BACKGROUND]
    result["regions"] = {
        "object_regions": {
            "imagenet": share([same_family(dv["ri"][i], dv["ry"][i]) for i in obj]),
            "labeller": share([rlab[i] != BACKGROUND and same_family(rlab[i], dv["ry"][i]) for i in obj]),
            "labeller_said_background": share([rlab[i] == BACKGROUND for i in obj]),
        },
        "background_regions_called_background": share([rlab[i] == BACKGROUND for i, y in enumerate(dv["ry"])
                                                        if y == BACKGROUND]),  # fmt: skip
    }
    result["seconds"] = round(time.time() - start, 1)
    result["machine"] = {"nproc": os.cpu_count(), "threads": torch.get_num_threads(), "load": os.getloadavg(),
                         "cpu": platform.processor() or platform.machine()}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
