"""Scene-graph types and their JSON form (docs/data_formats.md#2-scene-graphs-one-json-object-per-line).

```json
{"objects": [{"name": "dog", "attributes": ["brown"], "count": 2, "region": 3, "span": [12, 16]}],
 "relations": [{"subject": 0, "predicate": "on", "object": 1}]}
```
`region` and `score` (a detector's or labeller's confidence in the name, 0..1) appear only on visual graphs, `span`
only on text graphs. Validation is strict so a broken file is found
when it is read, not in the middle of training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class GraphError(ValueError):
    """A scene-graph record is malformed; the message names the key and the problem."""


@dataclass
class SGObject:
    name: str
    attributes: list[str] = field(default_factory=list)
    count: int | None = None
    region: int | None = None
    span: tuple[int, int] | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "attributes": list(self.attributes), "count": self.count}
        if self.region is not None:
            d["region"] = self.region
        if self.score is not None:
            d["score"] = self.score
        if self.span is not None:
            d["span"] = [self.span[0], self.span[1]]
        return d


@dataclass
class Relation:
    subject: int
    predicate: str
    object: int

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "predicate": self.predicate, "object": self.object}


@dataclass
class SceneGraph:
    objects: list[SGObject] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    # --- conversion ---------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"objects": [o.to_dict() for o in self.objects], "relations": [r.to_dict() for r in self.relations]}

    @classmethod
    def from_dict(cls, d: Any, *, caption: str | None = None, n_regions: int | None = None) -> SceneGraph:
        """Parse and validate. `caption` checks spans lie inside it; `n_regions` checks region indices."""
        if not isinstance(d, dict):
            raise GraphError(f"scene graph must be a JSON object, got {type(d).__name__}")
        unknown = set(d) - {"objects", "relations", "caption"}
        if unknown:
            raise GraphError(f"unknown key(s) {sorted(unknown)}; expected 'objects' and 'relations'")
        objs_raw = d.get("objects", [])
        rels_raw = d.get("relations", [])
        if not isinstance(objs_raw, list):
            raise GraphError(f"'objects' must be a list, got {type(objs_raw).__name__}")
        if not isinstance(rels_raw, list):
            raise GraphError(f"'relations' must be a list, got {type(rels_raw).__name__}")
        objects = [_object_from_dict(o, i, caption, n_regions) for i, o in enumerate(objs_raw)]
        relations = [_relation_from_dict(r, i, len(objects)) for i, r in enumerate(rels_raw)]
        return cls(objects, relations)

    # --- convenience --------------------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self.objects

    def triples(self) -> list[tuple[str, str, str]]:
        return [(self.objects[r.subject].name, r.predicate, self.objects[r.object].name) for r in self.relations]

    def validate(self, *, caption: str | None = None, n_regions: int | None = None) -> SceneGraph:
        """Re-check a graph built in code (raises GraphError)."""
        SceneGraph.from_dict(self.to_dict(), caption=caption, n_regions=n_regions)
        return self


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _object_from_dict(o: Any, i: int, caption: str | None, n_regions: int | None) -> SGObject:
    key = f"objects[{i}]"
    if not isinstance(o, dict):
        raise GraphError(f"{key} must be an object, got {type(o).__name__}")
    unknown = set(o) - {"name", "attributes", "count", "region", "span", "score"}
    if unknown:
        raise GraphError(f"{key}: unknown key(s) {sorted(unknown)}")
    name = o.get("name")
    if not isinstance(name, str):
        raise GraphError(f"{key}.name must be a string, got {type(name).__name__}")
    if not name.strip():
        raise GraphError(f"{key}.name is empty")
    attrs = o.get("attributes", [])
    if not isinstance(attrs, list) or not all(isinstance(a, str) for a in attrs):
        raise GraphError(f"{key}.attributes must be a list of strings")
    if any(not a.strip() for a in attrs):
        raise GraphError(f"{key}.attributes holds an empty string")
    count = o.get("count")
    if count is not None and (not _is_int(count) or count < 0):
        raise GraphError(f"{key}.count must be a non-negative integer or null, got {count!r}")
    region = o.get("region")
    if region is not None:
        if not _is_int(region) or region < 0:
            raise GraphError(f"{key}.region must be a non-negative integer or null, got {region!r}")
        if n_regions is not None and region >= n_regions:
            raise GraphError(f"{key}.region {region} out of range (image has {n_regions} regions)")
    span = o.get("span")
    if span is not None:
        if not (isinstance(span, (list, tuple)) and len(span) == 2 and all(_is_int(s) for s in span)):
            raise GraphError(f"{key}.span must be [start, end] integers, got {span!r}")
        start, end = span
        if not 0 <= start < end:
            raise GraphError(f"{key}.span {list(span)} is not a non-empty range")
        if caption is not None and end > len(caption):
            raise GraphError(f"{key}.span {list(span)} lies outside the caption ({len(caption)} characters)")
        span = (start, end)
    score = o.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1):
        raise GraphError(f"{key}.score must be a number in [0, 1] or null, got {score!r}")
    return SGObject(name=name, attributes=list(attrs), count=count, region=region, span=span,
                    score=None if score is None else float(score))  # fmt: skip


def _relation_from_dict(r: Any, i: int, n_objects: int) -> Relation:
    key = f"relations[{i}]"
    if not isinstance(r, dict):
        raise GraphError(f"{key} must be an object, got {type(r).__name__}")
    unknown = set(r) - {"subject", "predicate", "object"}
    if unknown:
        raise GraphError(f"{key}: unknown key(s) {sorted(unknown)}")
    for k in ("subject", "object"):
        v = r.get(k)
        if not _is_int(v):
            raise GraphError(f"{key}.{k} must be an integer object index, got {v!r}")
        if not 0 <= v < n_objects:
            raise GraphError(f"{key}.{k} index {v} out of range ({n_objects} objects)")
    pred = r.get("predicate")
    if not isinstance(pred, str) or not pred.strip():
        raise GraphError(f"{key}.predicate must be a non-empty string, got {pred!r}")
    return Relation(subject=r["subject"], predicate=pred, object=r["object"])
