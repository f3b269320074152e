"""FACTUAL fact text <-> scene graphs.

FACTUAL (Li et al., ACL Findings 2023) writes a caption's graph as facts: `( subj , pred , obj )` for relations,
`( obj , is , attr )` for attributes, `( obj , is , N )` for counts and `( obj )` for an object with nothing else.
A count of 1 is FACTUAL's default and is not written (its annotations never write one); reading fact text back,
`( obj , is , 1 )` still gives count 1.
Objects are named by their words, so two objects with the same name are one node when fact text is read back.

When the caption is known, `graph_to_facts` writes each object with the word form the caption uses for its head
("bears", "jeans"), as FACTUAL's annotators did; the graph itself keeps lemmas (docs/parser.md)."""

from __future__ import annotations

import re

from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.text import lexicon

_FACT_SEP = re.compile(r"\)\s*,\s*\(")


def _clean(word: str) -> str:
    # Commas and parentheses would break the fact syntax; FACTUAL writes none inside a fact element.
    return " ".join(word.replace(",", " ").replace("(", " ").replace(")", " ").split())


def surface_name(obj: SGObject, caption: str | None) -> str:
    """The object's name with its head word as written in the caption ("tennis rackets", "jeans")."""
    if caption is None or obj.span is None:
        return obj.name
    s, e = obj.span
    head = caption[s:e].lower()
    if not head or not head.replace("-", "").isalpha():
        return obj.name
    words = obj.name.split()
    last = words[-1]
    if head == last or last in lexicon.morphy(head, "n") or head.rstrip("s") == last.rstrip("s"):
        return " ".join(words[:-1] + [head])
    return obj.name


def graph_to_fact_list(graph: SceneGraph, caption: str | None = None) -> list[str]:
    names = [_clean(surface_name(o, caption)) for o in graph.objects]
    facts: list[str] = []
    seen: set[str] = set()

    def add(f: str) -> None:
        if f not in seen:
            seen.add(f)
            facts.append(f)

    mentioned: set[int] = set()
    for r in graph.relations:
        add(f"( {names[r.subject]} , {_clean(r.predicate)} , {names[r.object]} )")
        mentioned.update((r.subject, r.object))
    for i, o in enumerate(graph.objects):
        for a in o.attributes:
            if _clean(a):
                add(f"( {names[i]} , is , {_clean(a)} )")
                mentioned.add(i)
        if o.count is not None and o.count >= 2:
            add(f"( {names[i]} , is , {o.count} )")
            mentioned.add(i)
    for i in range(len(graph.objects)):
        if i not in mentioned and names[i]:
            add(f"( {names[i]} )")
    return [f for f in facts if "(  " not in f and " ,  ," not in f]


def graph_to_facts(graph: SceneGraph, caption: str | None = None) -> str:
    """FACTUAL fact text of a graph, e.g. `( dog , on , grass ) , ( dog , is , brown ) , ( dog , is , 2 )`."""
    return " , ".join(graph_to_fact_list(graph, caption))


def split_facts(text: str) -> list[list[str]]:
    """`"( a , b , c ) , ( d )"` -> `[["a", "b", "c"], ["d"]]` (elements stripped, empty facts dropped)."""
    text = text.strip()
    if not text:
        return []
    out = []
    for part in _FACT_SEP.split(text):
        part = part.strip().strip("()").strip()
        if not part:
            continue
        out.append([w.strip() for w in part.split(",")])
    return out


def facts_to_graph(text: str) -> SceneGraph:
    """Read FACTUAL fact text into a graph; objects are identified by name (FACTUAL has no other identity)."""
    objects: list[SGObject] = []
    index: dict[str, int] = {}

    def obj(name: str) -> int:
        name = " ".join(name.split())
        if name not in index:
            index[name] = len(objects)
            objects.append(SGObject(name=name))
        return index[name]

    relations: list[Relation] = []
    for fact in split_facts(text):
        fact = [f for f in fact if f]
        if not fact:
            continue
        if len(fact) == 1:
            obj(fact[0])
        elif len(fact) == 2 or (len(fact) == 3 and fact[1] == "is"):
            o = objects[obj(fact[0])]
            val = fact[-1]
            if val.isdigit():
                o.count = int(val)
            elif val not in o.attributes:
                o.attributes.append(val)
        else:
            s = obj(fact[0])
            t = obj(fact[-1])
            relations.append(Relation(subject=s, predicate=" ".join(fact[1:-1]), object=t))
    return SceneGraph(objects=objects, relations=relations)


def read_factual_csv(path, limit: int | None = None, image_ids: set[str] | None = None) -> list[tuple[str, str]]:
    """(caption, fact text) rows of a FACTUAL csv (columns `caption` and `scene_graph`; others ignored).

    `image_ids` keeps only the rows of those images (column `image_id`), e.g. the captions set apart from
    training the learned parser."""
    import csv
    from pathlib import Path

    from sgfns.errors import UserError, located

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    rows: list[tuple[str, str]] = []
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        reader = csv.DictReader(f)
        missing = {"caption", "scene_graph"} - set(reader.fieldnames or [])
        if image_ids is not None and "image_id" not in (reader.fieldnames or []):
            missing.add("image_id")
        if missing:
            raise located(
                path, 1, f"missing column(s) {sorted(missing)}; expected a FACTUAL csv with caption,scene_graph"
            )
        for rec in reader:
            if limit is not None and len(rows) >= limit:
                break
            cap, sg = rec.get("caption"), rec.get("scene_graph")
            if cap is None or sg is None:
                raise located(path, reader.line_num, "row has fewer fields than the header")
            if image_ids is not None and rec.get("image_id") not in image_ids:
                continue
            rows.append((cap, sg))
    return rows
