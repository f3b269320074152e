"""`sgfns data check`: validate every split and suite file of a dataset folder and summarise it.

Everything is read the way training and evaluation read it (`load_split`, `load_suites`), with the NaN/Inf scan of
the features on, so a folder that passes here will not fail later on a broken file. The first problem raises a
`UserError` naming the file, the line or index, and what is wrong."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.dataset import Split, load_split, read_meta
from sgfns.data.suites import SUITE_FILES, load_suites
from sgfns.errors import UserError
from sgfns.graphs.types import SceneGraph

# Longest first: "_caps_sg.jsonl" must win over shorter suffixes.
SPLIT_FILE_SUFFIXES = sorted(
    ["_caps.txt", "_ims.npy", "_ids.txt", "_boxes.npy", "_image_sg.jsonl", "_caps_sg.jsonl", "_caps_sg.meta.json",
     "_positives.jsonl", "_region_mask.npy", "_images.txt", *(f"_{name}" for name in SUITE_FILES.values())],
    key=len,
    reverse=True,
)  # fmt: skip


@dataclass
class GraphStats:
    graphs: int
    mean_objects: float
    mean_relations: float
    mean_attributes: float
    empty_share: float

    @classmethod
    def of(cls, graphs: list[SceneGraph]) -> GraphStats:
        n = len(graphs)
        if n == 0:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        objs = np.array([len(g.objects) for g in graphs], dtype=float)
        rels = np.array([len(g.relations) for g in graphs], dtype=float)
        atts = np.array([sum(len(o.attributes) for o in g.objects) for g in graphs], dtype=float)
        return cls(n, float(objs.mean()), float(rels.mean()), float(atts.mean()), float((objs == 0).mean()))

    def line(self) -> str:
        return (
            f"{self.graphs} graphs; per graph {self.mean_objects:.2f} objects, {self.mean_relations:.2f} relations, "
            f"{self.mean_attributes:.2f} attributes; {100 * self.empty_share:.1f}% empty"
        )


@dataclass
class SplitSummary:
    split: str
    images: int
    captions: int
    captions_per_image: int
    regions: int | None
    feature_dim: int | None
    graphs_only: bool
    boxes: bool
    image_graphs: GraphStats | None
    caption_graphs: GraphStats | None
    caption_graph_source: str | None
    captions_with_extra_positives: int
    mean_positives_per_caption: float
    suites: dict[str, dict[str, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.graphs_only:
            feats = "graphs only (no features)"
        else:
            feats = f"{self.regions} regions x {self.feature_dim}-d features"
        out = [
            f"{self.split}: {self.images} images, {self.captions} captions ({self.captions_per_image} per image), "
            f"{feats}{', boxes' if self.boxes else ''}"
        ]
        out.append(f"  image graphs: {self.image_graphs.line() if self.image_graphs else 'none (null graphs)'}")
        if self.caption_graphs:
            source = self.caption_graph_source or "source unknown"
            out.append(f"  caption graphs ({source}): {self.caption_graphs.line()}")
        else:
            out.append("  caption graphs: none (run `sgfns parse` or convert provided graphs)")
        out.append(
            f"  positives: {self.mean_positives_per_caption:.3f} images per caption; "
            f"{self.captions_with_extra_positives} captions true of more than their own image"
        )
        for kind, counts in self.suites.items():
            detail = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "total")
            out.append(f"  {kind}: {counts['total']} records" + (f" ({detail})" if detail else ""))
        return out


def find_splits(root: Path) -> list[str]:
    """Split names of every file with a known suffix (so an orphan `test_ims.npy` is noticed too)."""
    names = set()
    for p in root.iterdir():
        if not p.is_file():
            continue
        for suffix in SPLIT_FILE_SUFFIXES:
            if p.name.endswith(suffix) and len(p.name) > len(suffix):
                names.add(p.name[: -len(suffix)])
                break
    order = ["train", "val", "dev", "test", "testall"]
    return sorted(names, key=lambda s: (order.index(s) if s in order else len(order), s))


def check_dataset(root: str | Path, splits: list[str] | None = None) -> tuple[dict[str, Any], list[SplitSummary]]:
    """Validate `root` (all splits, or only `splits`) and return (meta, per-split summaries)."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: not a directory")
    meta = read_meta(root)
    found = find_splits(root)
    if splits is None:
        if not found:
            raise UserError(f"{root}: no dataset files found (expected {{split}}_caps.txt, {{split}}_ims.npy, ...)")
        for name in meta.get("splits") or []:
            if name not in found and not (name == "val" and "dev" in found) and not (name == "dev" and "val" in found):
                raise UserError(f"{root / 'meta.json'}: lists split '{name}' but there is no {name}_caps.txt")
        splits = found
    for name in splits:
        if not (root / f"{name}_caps.txt").exists() and name in found:
            stray = sorted(p.name for p in root.glob(f"{name}_*") if p.is_file())
            raise UserError(f"{root}: split '{name}' has {', '.join(stray)} but no {name}_caps.txt")
    return meta, [summarise(load_split(root, name)) for name in splits]


def summarise(sp: Split) -> SplitSummary:
    suites = load_suites(sp)
    suite_counts: dict[str, dict[str, int]] = {}
    if suites.gt is not None:
        suite_counts["gt"] = {"total": len(suites.gt)}
    if suites.compositional is not None:
        by_cat = Counter(item.category for item in suites.compositional)
        suite_counts["compositional"] = {"total": len(suites.compositional), **dict(sorted(by_cat.items()))}
    if suites.twins is not None:
        suite_counts["twins"] = {"total": len(suites.twins)}
    n_pos = sp.n_captions + sum(len(set(v) - {c // sp.captions_per_image}) for c, v in sp.extra_positives.items())
    return SplitSummary(
        split=sp.name,
        images=sp.n_images,
        captions=sp.n_captions,
        captions_per_image=sp.captions_per_image,
        regions=sp.n_regions if not sp.graphs_only else (None if sp.boxes is None else int(sp.boxes.shape[1])),
        feature_dim=sp.feature_dim,
        graphs_only=sp.graphs_only,
        boxes=sp.boxes is not None,
        image_graphs=GraphStats.of(sp.image_graphs) if sp.image_graphs is not None else None,
        caption_graphs=GraphStats.of(sp.caption_graphs) if sp.caption_graphs is not None else None,
        caption_graph_source=sp.caption_graph_source,
        captions_with_extra_positives=sum(1 for c in sp.extra_positives if len(sp.positives(c)) > 1),
        mean_positives_per_caption=n_pos / max(sp.n_captions, 1),
        suites=suite_counts,
    )


def format_report(root: Path, meta: dict[str, Any], summaries: list[SplitSummary]) -> str:
    head = f"{root}: {len(summaries)} split(s)"
    if meta:
        head += f"; name {meta.get('name', '?')}, box_format {meta.get('box_format', '?')}"
    else:
        head += "; no meta.json (SCAN precomp layout)"
    lines = [head]
    for s in summaries:
        lines.extend(s.lines())
    lines.append("OK")
    return "\n".join(lines)


def report_dict(root: Path, meta: dict[str, Any], summaries: list[SplitSummary]) -> dict[str, Any]:
    return {"root": str(root), "meta": meta, "splits": [asdict(s) for s in summaries]}
