"""Read the public compositional benchmarks' pair files as they are published, against a prepared split.

- SugarCrepe: one JSON object `{id: {"filename": "000000397133.jpg", "caption": ..., "negative_caption": ...}}`.
- ARO-style: a JSON list of `{"image_path": ..., "true_caption": ..., "false_caption": ...}` (VG-Relation and
  VG-Attribution; ARO crops each image to the pair's box, which is not applied here: the whole photo is scored).

A file name is matched to a prepared image id by its base name, its stem, or the stem's number without leading
zeros (COCO file 000000397133.jpg is image id 397133). Benchmarks cover far more photos than a prepared gallery
usually holds, so pairs whose photo is not in the split are counted and skipped, never guessed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sgfns.errors import UserError


@dataclass
class PairFile:
    """The pairs of one file whose photo is in the split: image index, true caption, negative caption."""

    path: str
    format: str  # "sugarcrepe" | "aro"
    images: list[int]
    captions: list[str]
    negatives: list[str]
    skipped: int  # pairs whose photo is not in the split


def image_keys(name: str) -> list[str]:
    """The ids a file name may stand for, most specific first."""
    base = Path(str(name)).name
    stem = Path(base).stem
    keys = [base, stem]
    if stem.isdigit():
        keys.append(str(int(stem)))
    return keys


def match_image(name: str, index: dict[str, int]) -> int | None:
    for k in image_keys(name):
        if k in index:
            return index[k]
    return None


def _text(rec: dict, key: str, where: str) -> str:
    v = rec.get(key)
    if not isinstance(v, str) or not v.strip():
        raise UserError(f"{where}: '{key}' must be a non-empty string")
    return v


def read_pair_file(path: str | Path, ids: Sequence[str]) -> PairFile:
    """Parse a SugarCrepe or ARO-style file; `ids` are the split's image ids (index = position)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: not a JSON file ({e})") from None
    if isinstance(raw, dict):
        fmt, items = "sugarcrepe", [(f"{path}: entry {k!r}", r, "filename", "caption", "negative_caption")
                                    for k, r in raw.items()]  # fmt: skip
    elif isinstance(raw, list):
        fmt, items = "aro", [(f"{path}: item {i}", r, "image_path", "true_caption", "false_caption")
                             for i, r in enumerate(raw)]  # fmt: skip
    else:
        raise UserError(f"{path}: expected a SugarCrepe object or an ARO-style list, got {type(raw).__name__}")
    index = {str(x): i for i, x in enumerate(ids)}
    out = PairFile(str(path), fmt, [], [], [], 0)
    for where, rec, file_key, pos_key, neg_key in items:
        if not isinstance(rec, dict):
            raise UserError(f"{where}: expected an object")
        img = match_image(_text(rec, file_key, where), index)
        pos, neg = _text(rec, pos_key, where), _text(rec, neg_key, where)
        if img is None:
            out.skipped += 1
            continue
        out.images.append(img)
        out.captions.append(pos)
        out.negatives.append(neg)
    return out
