"""Write one split in the canonical layout (docs/data_formats.md); used by the converters.

Every file is written atomically, `meta.json` last, and the written split is read back with `load_split` so a
converter can never leave a folder that `sgfns data check` would refuse. An existing split is not overwritten
unless asked (`overwrite=True`): provided caption graphs in particular are never replaced silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.check import SPLIT_FILE_SUFFIXES
from sgfns.data.dataset import Split, captions_sha256, load_split, read_meta
from sgfns.errors import UserError
from sgfns.graphs.types import SceneGraph
from sgfns.io import atomic_save, atomic_write, write_json, write_jsonl


def write_split(
    out: str | Path,
    split: str,
    *,
    captions: list[str],
    ids: list[str],
    image_graphs: list[SceneGraph] | None = None,
    caption_graphs: list[SceneGraph] | None = None,
    caption_graph_source: str = "provided",
    boxes: np.ndarray | None = None,
    box_format: str | None = None,
    features: np.ndarray | None = None,
    meta: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Split:
    """Write `split` into `out` (creating it) and update `meta.json`; returns the split as read back.

    `meta` supplies name/source/licence for a new folder; an existing `meta.json` must agree on
    captions_per_image, feature_dim and box_format. `provenance` is stored in `{split}_caps_sg.meta.json`."""
    out = Path(out)
    check_writable(out, split, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    n = len(ids)
    if n == 0 or len(captions) % n:
        raise UserError(f"{split}: {len(captions)} captions is not a whole multiple of {n} images")
    k = len(captions) // n
    regions = None if boxes is None else int(boxes.shape[1])
    if features is not None:
        regions = int(features.shape[1])
    new_meta = {
        **(meta or {}),
        "captions_per_image": k,
        "regions": regions,
        "feature_dim": None if features is None else int(features.shape[2]),
        "box_format": box_format,
    }
    old = read_meta(out)
    for key in ("captions_per_image", "feature_dim", "box_format"):
        if old and key in old and old[key] != new_meta[key]:
            raise UserError(f"{out / 'meta.json'}: {key} is {old[key]!r} but split '{split}' has {new_meta[key]!r}")
    merged = {**old, **new_meta, **{key: old[key] for key in ("name", "source", "licence") if key in old}}
    merged["splits"] = sorted(set(old.get("splits", [])) | {split})
    if overwrite:  # files of the old split that this one does not have would otherwise be read with it
        for suffix in SPLIT_FILE_SUFFIXES:
            (out / f"{split}{suffix}").unlink(missing_ok=True)

    with atomic_write(out / f"{split}_caps.txt") as f:
        f.write("".join(c + "\n" for c in captions))
    with atomic_write(out / f"{split}_ids.txt") as f:
        f.write("".join(i + "\n" for i in ids))
    if boxes is not None:
        atomic_save(out / f"{split}_boxes.npy", lambda p: np.save(p, np.ascontiguousarray(boxes, dtype=np.float32)))
    if features is not None:
        atomic_save(out / f"{split}_ims.npy", lambda p: np.save(p, np.ascontiguousarray(features, dtype=np.float32)))
    if image_graphs is not None:
        write_jsonl(out / f"{split}_image_sg.jsonl", (g.to_dict() for g in image_graphs))
    if caption_graphs is not None:
        write_jsonl(out / f"{split}_caps_sg.jsonl", (g.to_dict() for g in caption_graphs))
        write_json(
            out / f"{split}_caps_sg.meta.json",
            {"source": caption_graph_source, "captions_sha256": captions_sha256(captions), **(provenance or {})},
        )
    write_json(out / "meta.json", merged)
    return load_split(out, split)  # read back: the converter's output must pass the loader's checks


def check_writable(out: str | Path, split: str, *, overwrite: bool) -> None:
    """Refuse early (before a long conversion) to replace an existing split unless `overwrite`."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a directory")
    if (out / f"{split}_caps.txt").exists() and not overwrite:
        raise UserError(f"{out}: split '{split}' exists already ({split}_caps.txt); use another --out or --overwrite")


def caption_record(rec: Any, where: str) -> tuple[str, list]:
    """(one-line caption text, its tuple list) of a converter's `{"sent": str, "rels": [...]}` caption record."""
    if not isinstance(rec, dict) or not isinstance(rec.get("sent"), str) or not rec["sent"].strip():
        raise UserError(f"{where}: expected {{'sent': str, 'rels': [...]}} with a non-empty 'sent'")
    rels = rec.get("rels", [])
    if not isinstance(rels, list):
        raise UserError(f"{where}: 'rels' must be a list")
    return " ".join(rec["sent"].split()), rels  # one caption per line: no newlines or tabs inside
