"""SGM's JSON scene graphs (Wang et al., WACV 2020) -> a canonical graphs-only split.

Source files for a split S (names as SGM ships them, e.g. `flickr30k_S_image_sg_by_NeuralMotifs_36_25.json` and
`flickr30k_S_caps_with_rel.json`):
- image graphs: `{"object_dict": ..., "predicate_dict": ..., "img_to_sg": [{"filename": ..., "sg": {"object":
  [label index, ..., -1, -1], "relationship": [[subject, predicate, object], ..., [-1, -1, -1]], "bbox": [[x1, y1,
  x2, y2], ...]}}, ...]}` - fixed-size lists padded with -1; the real entries are those before the first padding.
  `object_dict`/`predicate_dict` name the indices (a list, an index -> name mapping, or name -> index).
- captions: `[{"captions": [{"sent": str, "rels": [tuple, ...]}, ...]}, ...]`, one entry per image in the same
  order. `rels` are SPICE tuples: `[object]`, `[object, attribute]`, and relations in **subject, object, relation**
  order (`["man", "horse", "ride"]`), which differs from the image side's subject, predicate, object.

Output: graphs-only (no features), boxes `xyxy_pixels` padded with zeros to the longest object list, region =
object position, caption graphs recorded as `source: provided` (objects without spans: SPICE tuples are lemmas
with no offsets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.canonical import caption_record, check_writable, write_split
from sgfns.data.dataset import Split
from sgfns.errors import UserError
from sgfns.graphs.types import GraphError, Relation, SceneGraph, SGObject
from sgfns.io import read_json

PAD = -1


def find_sgm_files(src: Path, split: str) -> tuple[Path, Path]:
    """The split's image scene-graph and caps_with_rel files in `src` (exactly one of each)."""
    found = []
    for pattern in (f"*{split}*image_sg*.json", f"*{split}*caps_with_rel*.json"):
        matches = sorted(src.glob(pattern))
        if len(matches) != 1:
            what = "no file" if not matches else f"{len(matches)} files ({', '.join(m.name for m in matches)})"
            raise UserError(f"{src}: {what} matching {pattern}; name the file with --image-sg / --captions")
        found.append(matches[0])
    return found[0], found[1]


def convert_sgm(
    src: str | Path,
    split: str,
    out: str | Path,
    *,
    image_sg: str | Path | None = None,
    captions: str | Path | None = None,
    out_split: str | None = None,
    overwrite: bool = False,
) -> Split:
    src = Path(src)
    if image_sg is None or captions is None:
        if not src.is_dir():
            raise UserError(f"{src}: not a directory")
        found_sg, found_caps = find_sgm_files(src, split)
        image_sg = Path(image_sg) if image_sg is not None else found_sg
        captions = Path(captions) if captions is not None else found_caps
    image_sg, captions = Path(image_sg), Path(captions)
    check_writable(out, out_split or split, overwrite=overwrite)

    sg_data = read_json(image_sg)
    if not isinstance(sg_data, dict) or not isinstance(sg_data.get("img_to_sg"), list):
        raise UserError(f"{image_sg}: expected a JSON object with an 'img_to_sg' list")
    obj_names = _vocabulary(sg_data, "object_dict", image_sg)
    pred_names = _vocabulary(sg_data, "predicate_dict", image_sg)
    cap_data = read_json(captions)
    if not isinstance(cap_data, list):
        raise UserError(f"{captions}: expected a JSON list with one entry per image")
    entries = sg_data["img_to_sg"]
    if len(cap_data) != len(entries):
        raise UserError(f"{captions}: {len(cap_data)} entries but {image_sg.name} has {len(entries)} images")

    ids, graphs, box_lists, texts, cap_graphs = [], [], [], [], []
    k = None
    for i, (entry, ann) in enumerate(zip(entries, cap_data, strict=True)):
        where = f"{image_sg}: img_to_sg[{i}]"
        graph, bx, n_slots, name = _image_graph(entry, obj_names, pred_names, where)
        ids.append(name if name is not None else str(i))
        graphs.append(graph)
        box_lists.append((bx, n_slots))
        cwhere = f"{captions}: [{i}]"
        if not isinstance(ann, dict) or not isinstance(ann.get("captions"), list) or not ann["captions"]:
            raise UserError(f"{cwhere}: expected {{'captions': [{{'sent': ..., 'rels': [...]}}, ...]}}")
        if name is not None and isinstance(ann.get("filename"), str) and ann["filename"] != name:
            raise UserError(f"{cwhere}: filename {ann['filename']!r} but the image graph is for {name!r}")
        if k is None:
            k = len(ann["captions"])
        elif len(ann["captions"]) != k:
            raise UserError(f"{cwhere}: {len(ann['captions'])} captions but earlier images have {k}")
        for j, cap in enumerate(ann["captions"]):
            text, g = _caption_graph(cap, f"{cwhere}.captions[{j}]")
            texts.append(text)
            cap_graphs.append(g)
    if not ids:
        raise UserError(f"{image_sg}: 'img_to_sg' is empty")
    if len(set(ids)) != len(ids):
        raise UserError(f"{image_sg}: image file names are not unique")
    regions = max(max(n for _, n in box_lists), 1)
    boxes = np.zeros((len(ids), regions, 4), dtype=np.float32)
    for i, (bx, _) in enumerate(box_lists):
        boxes[i, : len(bx)] = bx
    return write_split(
        out,
        out_split or split,
        captions=texts,
        ids=ids,
        image_graphs=graphs,
        caption_graphs=cap_graphs,
        boxes=boxes,
        box_format="xyxy_pixels",
        meta={
            "name": f"SGM scene graphs ({split})",
            "source": f"sgfns convert sgm {image_sg} {captions}",
            "licence": "see the source dataset (SGM graphs: no licence stated)",
        },  # fmt: skip
        provenance={"converter": "sgfns convert sgm", "source_files": [str(image_sg), str(captions)]},
        overwrite=overwrite,
    )


def _vocabulary(data: dict[str, Any], key: str, path: Path) -> dict[int, str]:
    """Index -> name from a list, an index -> name mapping, or a name -> index mapping."""
    raw = data.get(key)
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return dict(enumerate(raw))
    if isinstance(raw, dict):
        if all(isinstance(v, str) for v in raw.values()) and all(str(k).lstrip("-").isdigit() for k in raw):
            return {int(k): v for k, v in raw.items()}
        if all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
            return {v: k for k, v in raw.items()}
    raise UserError(f"{path}: '{key}' must be a list of names or a mapping between indices and names")


def _int_list(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in x)


def _image_graph(entry: Any, obj_names: dict[int, str], pred_names: dict[int, str], where: str):
    if not isinstance(entry, dict) or not isinstance(entry.get("sg"), dict):
        raise UserError(f"{where}: expected {{'filename': ..., 'sg': {{'object', 'relationship', 'bbox'}}}}")
    sg = entry["sg"]
    objs, rels, bbox = sg.get("object"), sg.get("relationship"), sg.get("bbox", [])
    if not _int_list(objs):
        raise UserError(f"{where}: sg.object must be a list of label indices (padded with -1)")
    if not isinstance(rels, list) or not all(_int_list(r) and len(r) == 3 for r in rels):
        raise UserError(f"{where}: sg.relationship must be a list of [subject, predicate, object] indices")
    n_obj = objs.index(PAD) if PAD in objs else len(objs)
    if any(v != PAD for v in objs[n_obj:]):
        raise UserError(f"{where}: sg.object has a label after the -1 padding")
    n_rel = rels.index([PAD, PAD, PAD]) if [PAD, PAD, PAD] in rels else len(rels)
    objects = []
    for j, label in enumerate(objs[:n_obj]):
        if label not in obj_names:
            raise UserError(f"{where}: sg.object[{j}] = {label} is not in object_dict")
        objects.append(SGObject(name=obj_names[label], attributes=[], count=None, region=j))
    relations = []
    for j, (s, p, o) in enumerate(rels[:n_rel]):
        if p not in pred_names:
            raise UserError(f"{where}: sg.relationship[{j}] predicate {p} is not in predicate_dict")
        if not (0 <= s < n_obj and 0 <= o < n_obj):
            raise UserError(f"{where}: sg.relationship[{j}] = {[s, p, o]} refers beyond the {n_obj} objects")
        relations.append(Relation(subject=s, predicate=pred_names[p], object=o))
    try:
        boxes = np.asarray(bbox[:n_obj], dtype=np.float32).reshape(-1, 4)
    except (TypeError, ValueError):
        raise UserError(f"{where}: sg.bbox must be a list of [x1, y1, x2, y2] boxes") from None
    if boxes.shape[0] not in (0, n_obj) or not np.isfinite(boxes).all():
        raise UserError(f"{where}: sg.bbox must hold a finite box for each of the {n_obj} objects")
    graph = SceneGraph(objects, relations)
    try:
        graph.validate()
    except GraphError as e:
        raise UserError(f"{where}: {e}") from None
    name = entry.get("filename", entry.get("imageid"))
    return graph, boxes, len(objs), (None if name is None else str(name))


def _caption_graph(cap: Any, where: str) -> tuple[str, SceneGraph]:
    text, tuples = caption_record(cap, where)
    index: dict[str, int] = {}
    objects: list[SGObject] = []
    relations: list[Relation] = []

    def node(name: str) -> int:
        if name not in index:
            index[name] = len(objects)
            objects.append(SGObject(name=name, attributes=[], count=None))
        return index[name]

    for j, t in enumerate(tuples):
        if not (isinstance(t, list) and 1 <= len(t) <= 3 and all(isinstance(x, str) and x.strip() for x in t)):
            raise UserError(f"{where}: rels[{j}] must be a SPICE tuple of 1-3 non-empty strings, got {t!r}")
        t = [x.strip() for x in t]
        if len(t) == 1:
            node(t[0])
        elif len(t) == 2:
            obj = objects[node(t[0])]
            if t[1] not in obj.attributes:
                obj.attributes.append(t[1])
        else:  # SGM order: subject, object, relation
            s, o = node(t[0]), node(t[1])
            relations.append(Relation(subject=s, predicate=t[2], object=o))
    graph = SceneGraph(objects, relations)
    try:
        graph.validate(caption=text)
    except GraphError as e:
        raise UserError(f"{where}: {e}") from None
    return text, graph
