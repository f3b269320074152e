"""SPICE-style scoring of caption scene graphs against FACTUAL gold, identical to FACTUAL's own scorer.

The reference is `factual_scene_graph.evaluation.spice_evaluation.eval_spice` of `factualscenegraph==0.7.3`
(MIT licence; https://github.com/zhuang-li/FactualSceneGraph). Its algorithm is reproduced here step for step,
including its quirks, because "the same figure as the reference" must hold on every caption, not only on average
(`tests/test_parser_spice.py` checks this against stored per-row reference values):

1. Fact text -> tuples: `( x )` -> object tuple, `( x , is , y )` / `( x , y )` -> attribute tuple, `( s , p , o )`
   -> relation tuple (+ the object tuples of its ends); duplicate facts are dropped.
2. Within one graph, words that share a WordNet synset are merged (objects with objects, attributes with
   attributes, predicates with predicates) and then tuples that became similar are merged.
3. Matching: first exact (a shared word in every position), then for the remaining candidates a synonym match (a
   shared synset in every position); each gold tuple is matched at most once.
4. F1 per caption from precision = matches / candidate tuples and recall = matches / gold tuples.

Synsets come from the WordNet 3.0 data shipped with the project (`sgfns.text.lexicon` for nouns, verbs and adjectives,
`resources/wordnet_adverbs.json.gz` for adverbs) instead of the reference's `english.synsets`, with the
reference's own stemming (exception lists, then its suffix rules).

Also here: relation-F (the same F over relation facts only, averaged over captions whose gold has a relation),
Set Match (exact equality of the sets of facts), a no-synonym F (no merging, exact match only) and per-type
(object / attribute / relation) precision, recall and F1 pooled over the corpus.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

from sgfns.text import lexicon

TYPES = {1: "object", 2: "attribute", 3: "relation"}


# --- synonyms ---------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _adverbs() -> dict:
    with resources.files("sgfns.resources").joinpath("wordnet_adverbs.json.gz").open("rb") as f:
        return json.loads(gzip.decompress(f.read()))


@functools.lru_cache(maxsize=1)
def _exceptions() -> dict[str, list[str]]:
    """Irregular form -> base forms, over all parts of speech (as the reference's `english.exceptions`)."""
    out: dict[str, list[str]] = {}
    for pos in ("n", "v", "a"):
        for form, bases in lexicon.exception_table(pos).items():
            out.setdefault(form, []).extend(bases)
    for form, bases in _adverbs()["exceptions"].items():
        out.setdefault(form, []).extend(bases)
    return out


@functools.lru_cache(maxsize=200_000)
def _lemma_synsets(word: str) -> frozenset:
    """Synsets of an exact lemma in any part of speech (`word` uses spaces between words)."""
    # the exact lemma's senses only, as FACTUAL's scorer looks words up ("baseball uniform" has none)
    out = {(pos, sid) for pos in ("n", "v", "a") for sid in lexicon.synset_ids(word, pos, whole=True)}
    out.update(("r", off) for off in _adverbs()["index"].get(word, ()))
    return frozenset(out)


_SUFFIXES = [
    ("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"),
    ("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""),
    ("er", ""), ("est", ""), ("er", "e"), ("est", "e"),
]  # fmt: skip


def _morph(word: str) -> str:
    if word.endswith("ful"):
        base = word[:-3]
        return base if _lemma_synsets(base) else word
    if word.endswith("ss") or len(word) <= 2:
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix):
            base = word[: -len(suffix)] + repl
            if _lemma_synsets(base):
                return base
    return word


@functools.lru_cache(maxsize=200_000)
def word_synsets(word: str) -> frozenset:
    """The reference's `word_to_synset`: synsets of the word and of its stem."""
    word = " ".join(word.strip().lower().split())
    out = set(_lemma_synsets(word))
    bases = _exceptions().get(word)
    if bases:
        for b in bases:
            out.update(_lemma_synsets(b))
    else:
        out.update(_lemma_synsets(_morph(word)))
    return frozenset(out)


def _synsets_for_word_set(words) -> set:
    return set().union(*[word_synsets(w) for w in words])


def _synsets(tup) -> list[set]:
    return [_synsets_for_word_set(ws) for ws in tup]


def _match(a, b) -> bool:
    return len(a) == len(b) and all(x.intersection(y) for x, y in zip(a, b, strict=False))


def _similar(cand, ref) -> bool:
    return _match(_synsets(cand), _synsets(ref))


# --- fact text -> tuples ----------------------------------------------------------------------------------------
def _space_out(graph: str) -> str:
    s = graph.replace("(", " ( ").replace(")", " ) ").replace(",", " , ")
    return " ".join(w.strip() for w in s.split())


def segments(graph: str | Sequence[str]) -> list[str]:
    """The reference's `get_seg_list`: fact strings without parentheses, de-duplicated."""
    graphs = [graph] if isinstance(graph, str) else list(graph)
    segs = [seg.strip("()").strip() for g in graphs for seg in _space_out(g).split(") , (")]
    # The reference returns list(set(segs)) and sorts the tuples later; a sorted list gives the same tuples.
    return sorted(set(segs))


def _sort_key(t) -> str:
    return " ".join(" ".join(sorted(s)) for s in t)


def graph_tuples(graph: str | Sequence[str], merge_synonyms: bool = True) -> list:
    selected: set[str] = set()
    tuples: list = []

    def add_obj(item: str) -> None:
        if item not in selected:
            tuples.append([{item}])
            selected.add(item)

    for seg in segments(graph):
        lf = [tok.strip() for tok in seg.split(",")]
        n = len(lf)
        if n == 1:
            add_obj(lf[0])
        elif n == 2 or (n == 3 and lf[1] == "is"):
            key = lf[0] + " " + lf[-1]
            if key not in selected:
                tuples.append(({lf[0]}, {lf[-1]}))
                selected.add(key)
            add_obj(lf[0])
        elif n == 3:
            key = " ".join(lf)
            if key not in selected:
                tuples.append(({lf[0]}, {lf[1]}, {lf[2]}))
                selected.add(key)
            add_obj(lf[0])
            add_obj(lf[2])
        else:
            key = lf[0] + " " + " ".join(lf[1:-1]) + " " + lf[-1]
            if key not in selected:
                tuples.append(({lf[0]}, {" ".join(lf[1:-1])}, {lf[-1]}))
                selected.add(key)
            add_obj(lf[0])
            add_obj(lf[-1])
    tuples = sorted(tuples, key=_sort_key)
    return _merge_synonyms(tuples) if merge_synonyms else tuples


def _merge_elements(tuples, position: int, length: int, unique_sets=None):
    shared = unique_sets is not None
    unique_sets = unique_sets or []
    for t in tuples:
        if len(t) == length:
            found = False
            for i, merged in enumerate(unique_sets):
                if _synsets_for_word_set(t[position]) & _synsets_for_word_set(merged):
                    found = True
                    unique_sets[i] = merged.union(t[position])
                    break
            if not found and not shared:
                unique_sets.append(t[position])
    for t in tuples:
        if len(t) == length:
            for merged in unique_sets:
                if _synsets_for_word_set(t[position]) & _synsets_for_word_set(merged):
                    t[position].update(merged)
                    break
    return None if shared else unique_sets


def _merge_synonyms(tuples):
    nodes = _merge_elements(tuples, 0, 1)
    _merge_elements(tuples, 0, 3, nodes)
    _merge_elements(tuples, 2, 3, nodes)
    _merge_elements(tuples, 1, 2)
    _merge_elements(tuples, 1, 3)
    merged: list = []
    for t in tuples:
        for i, mt in enumerate(merged):
            if _similar(t, mt):
                merged[i] = [a.union(b) for a, b in zip(t, mt, strict=False)]
                break
        else:
            merged.append(t)
    return merged


# --- scoring ----------------------------------------------------------------------------------------------------
def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def match_tuples(cand: list, ref: list, synonyms: bool = True) -> list[tuple[int, int]]:
    """(candidate index, gold index) pairs: exact matches first, then synonym matches; each gold used once."""
    used_c: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for i, c in enumerate(cand):
        for j, r in enumerate(ref):
            if _match(c, r) and j not in used_r:
                used_c.add(i)
                used_r.add(j)
                pairs.append((i, j))
                break
    if synonyms:
        for i, c in enumerate(cand):
            if i in used_c:
                continue
            for j, r in enumerate(ref):
                if j not in used_r and _similar(c, r):
                    used_r.add(j)
                    pairs.append((i, j))
                    break
    return pairs


def spice_f(cand: str, gold: str | Sequence[str], synonyms: bool = True) -> float:
    """F1 of one caption (the reference's `eval_spice(cand, [gold])`; `synonyms=False`: no merging, exact only)."""
    ct = graph_tuples(cand, merge_synonyms=synonyms)
    rt = graph_tuples(gold, merge_synonyms=synonyms)
    m = len(match_tuples(ct, rt, synonyms))
    p = m / len(ct) if ct else 0.0
    r = m / len(rt) if rt else 0.0
    return _f1(p, r)


def set_match(cand: str, gold: str) -> bool:
    """The reference's `eval_set_match`: the two graphs have exactly the same facts."""
    return segments(cand) == segments(gold)


def relation_facts(graph: str) -> str:
    """Only the relation facts of fact text (no `( x , is , y )`, no lone objects)."""
    out = []
    for seg in segments(graph):
        lf = [t.strip() for t in seg.split(",")]
        if len(lf) >= 3 and not (len(lf) == 3 and lf[1] == "is"):
            out.append("( " + " , ".join(lf) + " )")
    return " , ".join(out)


@dataclass
class CaptionScore:
    spice_f: float
    spice_f_nosyn: float
    relation_f: float | None  # None when the gold has no relation
    set_match: bool
    # per type: [matches, candidate tuples, gold tuples]
    per_type: dict[str, list[int]] = field(default_factory=dict)


def score_caption(cand: str, gold: str) -> CaptionScore:
    ct = graph_tuples(cand)
    rt = graph_tuples(gold)
    pairs = match_tuples(ct, rt)
    p = len(pairs) / len(ct) if ct else 0.0
    r = len(pairs) / len(rt) if rt else 0.0
    per_type = {name: [0, 0, 0] for name in TYPES.values()}
    for t in ct:
        per_type[TYPES.get(len(t), "relation")][1] += 1
    for t in rt:
        per_type[TYPES.get(len(t), "relation")][2] += 1
    for i, _ in pairs:
        per_type[TYPES.get(len(ct[i]), "relation")][0] += 1
    gold_rel = relation_facts(gold)
    rel_f = None
    if gold_rel:
        cand_rel = relation_facts(cand)
        rel_f = spice_f(cand_rel, gold_rel) if cand_rel else 0.0
    return CaptionScore(
        spice_f=_f1(p, r),
        spice_f_nosyn=spice_f(cand, gold, synonyms=False),
        relation_f=rel_f,
        set_match=set_match(cand, gold),
        per_type=per_type,
    )


def summarize(scores: Sequence[CaptionScore]) -> dict:
    """Corpus figures in percent: means over captions, per-type P/R/F pooled over the corpus."""
    n = len(scores)
    if n == 0:
        return {"n": 0}
    rel = [s.relation_f for s in scores if s.relation_f is not None]
    out: dict = {
        "n": n,
        "spice_f": 100 * sum(s.spice_f for s in scores) / n,
        "spice_f_nosyn": 100 * sum(s.spice_f_nosyn for s in scores) / n,
        "relation_f": 100 * sum(rel) / len(rel) if rel else None,
        "relation_n": len(rel),
        "set_match": 100 * sum(s.set_match for s in scores) / n,
        "per_type": {},
    }
    for name in TYPES.values():
        m = sum(s.per_type[name][0] for s in scores)
        c = sum(s.per_type[name][1] for s in scores)
        g = sum(s.per_type[name][2] for s in scores)
        p = m / c if c else 0.0
        r = m / g if g else 0.0
        out["per_type"][name] = {"precision": 100 * p, "recall": 100 * r, "f1": 100 * _f1(p, r), "gold": g}
    return out
