"""Where photos and their captions come from: four source formats read into one list of `PhotoRecord`s.

- `records`: a JSON file `{"images": [{"image_id", "file_name", "captions": [...], "boxes": [...]}], "categories"}`
  (the shared coco_mini / flickr8k_mini files; any file of that shape is a split), photos in `images/` beside it;
- `coco`: the standard COCO `captions_*.json` (`images` + `annotations` with `caption`), plus, when given, an
  `instances_*.json` whose boxes are kept for oracle rows and measurements (never used to make regions);
- `jsonl`: one `{"image": path, "captions": [...]}` per line (optional `"id"`, default the file's stem); a relative
  path is taken from `--images` or the JSONL file's folder;
- `folder`: every photo file under a folder (recursive, sorted), no captions: a gallery to search; the id is the
  relative path without its suffix.
Ids are kept as given (COCO ids as strings). Reading a source only parses its text; photos are opened later."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sgfns.errors import UserError, located
from sgfns.io import read_json, read_jsonl

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
KINDS = ("records", "coco", "jsonl", "folder")


@dataclass
class PhotoRecord:
    """One photo to prepare: its id, file, captions and (oracle only) given boxes as (xyxy pixels, category)."""

    id: str
    path: Path
    captions: list[str]
    given_boxes: list[tuple[list[float], str]] = field(default_factory=list)
    where: str = ""  # the source file and record, for error messages


def detect_kind(source: Path) -> str:
    if source.is_dir():
        return "folder"
    if not source.is_file():
        raise UserError(f"{source}: no such file or folder")
    if source.suffix == ".jsonl":
        return "jsonl"
    doc = read_json(source)
    if isinstance(doc, dict) and isinstance(doc.get("annotations"), list) and isinstance(doc.get("images"), list):
        return "coco"
    if isinstance(doc, dict) and isinstance(doc.get("images"), list):
        return "records"
    raise UserError(f"{source}: not a known source (records JSON, COCO captions JSON, JSONL or a folder of photos)")


def read_source(source: str | Path, *, kind: str | None = None, images: str | Path | None = None,
                instances: str | Path | None = None) -> list[PhotoRecord]:  # fmt: skip
    """The source's photos in source order; `images` overrides where relative image paths are looked up."""
    source = Path(source)
    kind = kind or detect_kind(source)
    if kind not in KINDS:
        raise UserError(f"unknown source kind {kind!r}; expected one of {', '.join(KINDS)}")
    img_dir = Path(images) if images else None
    if kind == "records":
        return read_records(source, img_dir or source.parent / "images")
    if kind == "coco":
        return read_coco(source, img_dir or source.parent, Path(instances) if instances else None)
    if kind == "jsonl":
        return read_jsonl_source(source, img_dir or source.parent)
    return read_folder(source)


def _captions(caps: Any, where: str) -> list[str]:
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        raise UserError(f"{where}: 'captions' must be a list of strings")
    out = [" ".join(c.split()) for c in caps]
    if any(not c for c in out):
        raise UserError(f"{where}: an empty caption")
    return out


def read_records(path: Path, img_dir: Path) -> list[PhotoRecord]:
    doc = read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), list):
        raise UserError(f"{path}: expected {{'images': [...], 'categories': [...]}}")
    cats = {c.get("id"): c.get("name") for c in doc.get("categories", []) if isinstance(c, dict)}
    out = []
    for i, rec in enumerate(doc["images"]):
        where = f"{path}: images[{i}]"
        if not isinstance(rec, dict) or "image_id" not in rec or not isinstance(rec.get("file_name"), str):
            raise UserError(f"{where}: expected 'image_id' and 'file_name'")
        boxes = []
        for j, b in enumerate(rec.get("boxes") or []):
            xywh = b.get("bbox_xywh") if isinstance(b, dict) else None
            if not (isinstance(xywh, list) and len(xywh) == 4 and all(isinstance(v, (int, float)) for v in xywh)):
                raise UserError(f"{where}.boxes[{j}]: expected 'bbox_xywh': [x, y, w, h]")
            x, y, w, h = (float(v) for v in xywh)
            boxes.append(([x, y, x + w, y + h], str(cats.get(b.get("category_id"), b.get("category_id")))))
        out.append(PhotoRecord(id=str(rec["image_id"]), path=img_dir / rec["file_name"],
                               captions=_captions(rec.get("captions", []), where), given_boxes=boxes,
                               where=where))  # fmt: skip
    return out


def read_coco(path: Path, img_dir: Path, instances: Path | None) -> list[PhotoRecord]:
    doc = read_json(path)
    caps: dict[Any, list[str]] = {}
    for j, ann in enumerate(doc["annotations"]):
        if not isinstance(ann, dict) or "image_id" not in ann or not isinstance(ann.get("caption"), str):
            raise UserError(f"{path}: annotations[{j}]: expected 'image_id' and 'caption'")
        caps.setdefault(ann["image_id"], []).append(" ".join(ann["caption"].split()))
    boxes: dict[Any, list] = {}
    if instances is not None:
        inst = read_json(instances)
        cats = {c["id"]: c["name"] for c in inst.get("categories", []) if isinstance(c, dict) and "id" in c}
        for j, ann in enumerate(inst.get("annotations", [])):
            bb = ann.get("bbox") if isinstance(ann, dict) else None
            if not (isinstance(bb, list) and len(bb) == 4):
                raise UserError(f"{instances}: annotations[{j}]: expected 'bbox': [x, y, w, h]")
            x, y, w, h = (float(v) for v in bb)
            boxes.setdefault(ann.get("image_id"), []).append(
                ([x, y, x + w, y + h], str(cats.get(ann.get("category_id"))))
            )
    out = []
    for i, im in enumerate(doc["images"]):
        where = f"{path}: images[{i}]"
        if not isinstance(im, dict) or "id" not in im or not isinstance(im.get("file_name"), str):
            raise UserError(f"{where}: expected 'id' and 'file_name'")
        out.append(PhotoRecord(id=str(im["id"]), path=img_dir / im["file_name"], captions=caps.get(im["id"], []),
                               given_boxes=boxes.get(im["id"], []), where=where))  # fmt: skip
    return out


def read_jsonl_source(path: Path, img_dir: Path) -> list[PhotoRecord]:
    out = []
    for lineno, rec in read_jsonl(path, allow_blank=True):
        if not isinstance(rec, dict) or not isinstance(rec.get("image"), str) or not rec["image"]:
            raise located(path, lineno, 'expected {"image": path, "captions": [...]}')
        where = f"{path}:{lineno}"
        p = Path(rec["image"])
        p = p if p.is_absolute() else img_dir / p
        rid = rec.get("id", p.stem)
        if not isinstance(rid, (str, int)) or isinstance(rid, bool) or not str(rid).strip():
            raise located(path, lineno, f"'id' must be a non-empty string, got {rid!r}")
        out.append(PhotoRecord(id=str(rid), path=p, captions=_captions(rec.get("captions", []), where), where=where))
    return out


def read_folder(folder: Path) -> list[PhotoRecord]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise UserError(f"{folder}: no photo files ({', '.join(IMAGE_SUFFIXES)})")
    return [PhotoRecord(id=p.relative_to(folder).with_suffix("").as_posix(), path=p, captions=[], where=str(p))
            for p in files]  # fmt: skip
