"""LGSGM's pickled Flickr30K scene graphs -> a canonical graphs-only split.

Source files (m2man/LGSGM, graphs from the SGM authors made by Neural Motifs), for a split S:
- `flickr30k_S_lowered_images_data.joblib`: file name -> `labels` (36 class names), `bbox` (36 pixel boxes, xyxy),
  `rels` (25 triplets `["man:1", "wearing", "hat:0"]`, `:k` indexing `labels`);
- `flickr30k_S_lowered_caps_data.joblib`: caption id -> `sent`, `rels` (lemmatised [subject, predicate, object]);
- `image_caption_matching_flickr_S.joblib`: file name -> its caption ids (5, in order).
All are plain pickles read with the restricted unpickler. The image order is the matching file's order, the
caption order within an image the order it lists.

Output: `feature_dim: null` (no `_ims.npy`), boxes in `{S}_boxes.npy` (`xyxy_pixels`), ids = file names, image
graphs with one object per labelled box (`region` = box index, no attributes) and the 25 relations, caption graphs
from the triplets (one object per distinct name, the span of its first mention in the caption when it can be
found) recorded as `source: provided`. A caption without triplets gets an empty graph."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.canonical import caption_record, check_writable, write_split
from sgfns.data.dataset import Split
from sgfns.data.safe_pickle import safe_load
from sgfns.errors import UserError
from sgfns.graphs.types import GraphError, Relation, SceneGraph, SGObject
from sgfns.text.lexicon import morphy

LICENCE = "Flickr30K: non-commercial research only; LGSGM/SGM graphs: no licence stated"
WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def lgsgm_files(src: Path, split: str) -> dict[str, Path]:
    files = {
        "images": src / f"flickr30k_{split}_lowered_images_data.joblib",
        "captions": src / f"flickr30k_{split}_lowered_caps_data.joblib",
        "matching": src / f"image_caption_matching_flickr_{split}.joblib",
    }
    for path in files.values():
        if not path.exists():
            raise UserError(
                f"{path}: file not found (LGSGM split '{split}' needs {', '.join(p.name for p in files.values())})"
            )
    return files


def convert_lgsgm(src: str | Path, split: str, out: str | Path, *, out_split: str | None = None,
                  overwrite: bool = False) -> Split:  # fmt: skip
    """Convert LGSGM split `split` found in `src` into the canonical folder `out` (split name `out_split`)."""
    src = Path(src)
    files = lgsgm_files(src, split)
    check_writable(out, out_split or split, overwrite=overwrite)
    images = _expect_dict(safe_load(files["images"]), files["images"])
    caps = _expect_dict(safe_load(files["captions"]), files["captions"])
    matching = _expect_dict(safe_load(files["matching"]), files["matching"])

    ids: list[str] = []
    boxes: list[np.ndarray] = []
    image_graphs: list[SceneGraph] = []
    captions: list[str] = []
    caption_graphs: list[SceneGraph] = []
    caption_keys: list[str] = []
    k = None
    for name, cap_ids in matching.items():
        where = f"{files['matching']}: image {name!r}"
        if name not in images:
            raise UserError(f"{where} is not in {files['images'].name}")
        if not isinstance(cap_ids, list) or not cap_ids:
            raise UserError(f"{where}: expected a non-empty list of caption ids")
        if k is None:
            k = len(cap_ids)
        elif len(cap_ids) != k:
            raise UserError(f"{where}: {len(cap_ids)} captions but earlier images have {k}")
        ids.append(str(name))
        graph, bx = _image_graph(images[name], f"{files['images']}: image {name!r}")
        image_graphs.append(graph)
        boxes.append(bx)
        for cid in cap_ids:
            if not isinstance(cid, str | int) or cid not in caps:
                raise UserError(f"{where}: caption id {cid!r} is not in {files['captions'].name}")
            text, graph = _caption_graph(caps[cid], f"{files['captions']}: caption {cid!r}")
            captions.append(text)
            caption_graphs.append(graph)
            caption_keys.append(str(cid))
    if len(set(caption_keys)) != len(caption_keys):
        raise UserError(f"{files['matching']}: a caption id is listed for more than one image")
    n_regions = {b.shape[0] for b in boxes}
    if len(n_regions) != 1:
        raise UserError(f"{files['images']}: images have different numbers of boxes ({sorted(n_regions)})")
    return write_split(
        out,
        out_split or split,
        captions=captions,
        ids=ids,
        image_graphs=image_graphs,
        caption_graphs=caption_graphs,
        boxes=np.stack(boxes),
        box_format="xyxy_pixels",
        meta={"name": f"flickr30k_sg ({split}, LGSGM)", "source": f"sgfns convert lgsgm {src}", "licence": LICENCE},
        provenance={
            "converter": "sgfns convert lgsgm",
            "source_files": [str(p) for p in files.values()],
            "caption_ids": caption_keys,
        },  # fmt: skip
        overwrite=overwrite,
    )


def _expect_dict(obj: Any, path: Path) -> dict:
    if not isinstance(obj, dict):
        raise UserError(f"{path}: expected a pickled dict, got {type(obj).__name__}")
    return obj


def _image_graph(rec: Any, where: str) -> tuple[SceneGraph, np.ndarray]:
    if not isinstance(rec, dict) or not {"labels", "bbox", "rels"} <= set(rec):
        raise UserError(f"{where}: expected a dict with 'labels', 'bbox' and 'rels'")
    labels, bbox, rels = rec["labels"], rec["bbox"], rec["rels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
        raise UserError(f"{where}: 'labels' must be a list of class names")
    try:
        boxes = np.asarray(bbox, dtype=np.float32)
    except (TypeError, ValueError):
        raise UserError(f"{where}: 'bbox' must be a list of [x1, y1, x2, y2] boxes") from None
    if boxes.shape != (len(labels), 4) or not np.isfinite(boxes).all():
        raise UserError(
            f"{where}: 'bbox' must hold {len(labels)} finite [x1, y1, x2, y2] boxes, got {list(boxes.shape)}"
        )
    objects = [SGObject(name=label, attributes=[], count=None, region=i) for i, label in enumerate(labels)]
    relations = []
    for j, rel in enumerate(rels if isinstance(rels, list) else [None]):
        if not (isinstance(rel, list) and len(rel) == 3 and all(isinstance(x, str) for x in rel)):
            raise UserError(f"{where}: rels[{j}] must be ['name:index', predicate, 'name:index'], got {rel!r}")
        s = _node_index(rel[0], labels, f"{where}: rels[{j}]")
        o = _node_index(rel[2], labels, f"{where}: rels[{j}]")
        relations.append(Relation(subject=s, predicate=rel[1].strip(), object=o))
    graph = SceneGraph(objects, relations)
    try:
        graph.validate(n_regions=len(labels))
    except GraphError as e:
        raise UserError(f"{where}: {e}") from None
    return graph, boxes


def _node_index(ref: str, labels: list[str], where: str) -> int:
    name, sep, idx = ref.rpartition(":")
    if not sep or not idx.isdigit() or int(idx) >= len(labels):
        raise UserError(f"{where}: {ref!r} is not 'name:index' with an index below {len(labels)}")
    if labels[int(idx)] != name:
        raise UserError(f"{where}: {ref!r} names {name!r} but box {idx} is labelled {labels[int(idx)]!r}")
    return int(idx)


def _caption_graph(rec: Any, where: str) -> tuple[str, SceneGraph]:
    text, rels = caption_record(rec, where)
    index: dict[str, int] = {}
    objects: list[SGObject] = []
    relations: list[Relation] = []
    for j, rel in enumerate(rels):
        if not (isinstance(rel, list) and len(rel) == 3 and all(isinstance(x, str) and x.strip() for x in rel)):
            raise UserError(f"{where}: rels[{j}] must be [subject, predicate, object] strings, got {rel!r}")
        ends = []
        for name in (rel[0].strip(), rel[2].strip()):
            if name not in index:
                index[name] = len(objects)
                objects.append(SGObject(name=name, attributes=[], count=None, span=find_span(text, name)))
            ends.append(index[name])
        relations.append(Relation(subject=ends[0], predicate=rel[1].strip(), object=ends[1]))
    graph = SceneGraph(objects, relations)
    try:
        graph.validate(caption=text)
    except GraphError as e:
        raise UserError(f"{where}: {e}") from None
    return text, graph


def find_span(text: str, name: str) -> tuple[int, int] | None:
    """Character range of the first word of `text` whose noun lemma is the last word of `name` (the head)."""
    head = name.split()[-1].lower()
    for m in WORD.finditer(text.lower()):
        if head in _base_forms(m.group()):
            return (m.start(), m.end())
    return None


@functools.lru_cache(maxsize=65536)
def _base_forms(word: str) -> frozenset[str]:
    return frozenset([word, *morphy(word, "n"), *morphy(word, "v")])
