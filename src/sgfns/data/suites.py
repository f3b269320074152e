"""Evaluation files beside a split: ground truth, compositional items and twin images
(docs/data_formats.md#3-evaluation-suites).

Each reader checks every index against the split (range, and that the caption is really true of `image` and false
of a `twin`) and that a record's caption text is the line `caption_index` of `{split}_caps.txt`, so a suite written
for other captions fails when it is read, not as a silently wrong accuracy. Keys beyond the documented ones are
allowed and ignored (generators may add provenance such as a rule id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sgfns.data.dataset import Split
from sgfns.errors import located
from sgfns.graphs.types import GraphError, SceneGraph
from sgfns.io import read_jsonl

CATEGORIES = ("replace-obj", "replace-att", "replace-rel", "swap-att", "swap-obj", "count", "add-obj", "add-att")
SUITE_FILES = {"gt": "gt.jsonl", "compositional": "compositional.jsonl", "twins": "twins.jsonl"}


@dataclass(frozen=True)
class GTCaption:
    caption: str
    graph: SceneGraph


@dataclass(frozen=True)
class GTRecord:
    """Ground truth of one image: its scene graph and its captions with their true graphs."""

    image: int
    graph: SceneGraph
    captions: list[GTCaption]


@dataclass(frozen=True)
class CompositionalItem:
    """`caption` is true of `image`; `negative` is the same caption with one detail changed (`category`)."""

    image: int
    caption_index: int
    caption: str
    negative: str
    category: str


@dataclass(frozen=True)
class TwinItem:
    """The caption is true of `image` and false of its near-duplicate `twin`."""

    caption_index: int
    image: int
    twin: int


@dataclass
class Suites:
    gt: list[GTRecord] | None = None
    compositional: list[CompositionalItem] | None = None
    twins: list[TwinItem] | None = None
    paths: dict[str, Path] = field(default_factory=dict)

    def present(self) -> list[str]:
        return [k for k in SUITE_FILES if getattr(self, k) is not None]


def suite_path(split: Split, kind: str) -> Path:
    return split.root / f"{split.name}_{SUITE_FILES[kind]}"


def load_suites(split: Split) -> Suites:
    """Read every suite file present for `split`; absent files stay None."""
    out = Suites()
    readers = {"gt": read_gt, "compositional": read_compositional, "twins": read_twins}
    for kind, reader in readers.items():
        path = suite_path(split, kind)
        if path.exists():
            setattr(out, kind, reader(path, split))
            out.paths[kind] = path
    return out


# --- readers ------------------------------------------------------------------------------------------------------
def read_gt(path: str | Path, split: Split) -> list[GTRecord]:
    """`{"image": i, "graph": {...}, "captions": [{"caption": str, "graph": {...}}, ...]}`, one line per image, in
    image order, captions in `{split}_caps.txt` order."""
    path = Path(path)
    k = split.captions_per_image
    out: list[GTRecord] = []
    for lineno, rec in read_jsonl(path):
        _require(path, lineno, rec, ("image", "graph", "captions"))
        image = _index(path, lineno, rec, "image", split.n_images)
        if image != len(out):
            raise located(path, lineno, f"image {image} out of order (expected {len(out)}: one record per image)")
        try:
            graph = SceneGraph.from_dict(rec["graph"])
        except GraphError as e:
            raise located(path, lineno, f"graph: {e}") from None
        caps = rec["captions"]
        if not isinstance(caps, list) or len(caps) != k:
            got = len(caps) if isinstance(caps, list) else type(caps).__name__
            raise located(path, lineno, f"'captions' must be a list of {k} records, got {got}")
        gt_caps = []
        for j, c in enumerate(caps):
            if not isinstance(c, dict) or not isinstance(c.get("caption"), str) or "graph" not in c:
                raise located(path, lineno, f'captions[{j}] must be {{"caption": str, "graph": {{...}}}}')
            ci = image * k + j
            if c["caption"] != split.captions[ci]:
                raise located(path, lineno, f"captions[{j}] differs from caption {ci} ({_caps_name(split)})")
            try:
                gt_caps.append(GTCaption(c["caption"], SceneGraph.from_dict(c["graph"], caption=c["caption"])))
            except GraphError as e:
                raise located(path, lineno, f"captions[{j}].graph: {e}") from None
        out.append(GTRecord(image=image, graph=graph, captions=gt_caps))
    if len(out) != split.n_images:
        raise located(path, None, f"{len(out)} records but the split has {split.n_images} images (one per image)")
    return out


def read_compositional(path: str | Path, split: Split) -> list[CompositionalItem]:
    """`{"image": i, "caption_index": c, "caption": str, "negative": str, "category": str}` per line."""
    path = Path(path)
    out: list[CompositionalItem] = []
    for lineno, rec in read_jsonl(path):
        _require(path, lineno, rec, ("image", "caption_index", "caption", "negative", "category"))
        image = _index(path, lineno, rec, "image", split.n_images)
        c = _index(path, lineno, rec, "caption_index", split.n_captions)
        for key in ("caption", "negative"):
            if not isinstance(rec[key], str) or not rec[key].strip():
                raise located(path, lineno, f"'{key}' must be a non-empty string")
        if rec["caption"] != split.captions[c]:
            raise located(path, lineno, f"caption differs from caption {c} ({_caps_name(split)})")
        if rec["negative"] == rec["caption"]:
            raise located(path, lineno, "negative is identical to the caption")
        if rec["category"] not in CATEGORIES:
            expected = ", ".join(CATEGORIES)
            raise located(path, lineno, f"unknown category {rec['category']!r}; expected one of {expected}")
        if image not in split.positives(c):
            raise located(path, lineno, f"caption {c} is not a caption of image {image}")
        out.append(CompositionalItem(image, c, rec["caption"], rec["negative"], rec["category"]))
    return out


def read_twins(path: str | Path, split: Split) -> list[TwinItem]:
    """`{"caption_index": c, "image": i, "twin": j}` per line: c is true of i and false of j."""
    path = Path(path)
    out: list[TwinItem] = []
    for lineno, rec in read_jsonl(path):
        _require(path, lineno, rec, ("caption_index", "image", "twin"))
        c = _index(path, lineno, rec, "caption_index", split.n_captions)
        image = _index(path, lineno, rec, "image", split.n_images)
        twin = _index(path, lineno, rec, "twin", split.n_images)
        positives = split.positives(c)
        if image not in positives:
            raise located(path, lineno, f"caption {c} is not a caption of image {image}")
        if twin in positives:
            raise located(path, lineno, f"twin {twin} is a positive of caption {c} (a twin must be a false image)")
        out.append(TwinItem(c, image, twin))
    return out


# --- helpers ------------------------------------------------------------------------------------------------------
def _require(path: Path, lineno: int, rec: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(rec, dict):
        raise located(path, lineno, f"expected a JSON object with keys {', '.join(keys)}")
    missing = [k for k in keys if k not in rec]
    if missing:
        raise located(path, lineno, f"missing key(s) {', '.join(missing)}")


def _index(path: Path, lineno: int, rec: dict[str, Any], key: str, n: int) -> int:
    v = rec[key]
    if not isinstance(v, int) or isinstance(v, bool):
        raise located(path, lineno, f"'{key}' must be an integer index, got {v!r}")
    if not 0 <= v < n:
        raise located(path, lineno, f"'{key}' {v} out of range (0..{n - 1})")
    return v


def _caps_name(split: Split) -> str:
    return f"{split.name}_caps.txt"
