"""Learned edits on top of the rule backend: FACTUAL's annotation conventions, fitted on its training captions.

The rules decide the structure (which words are objects, which relations hold); what they cannot know is how
FACTUAL's annotators wrote a graph down. Small models, fitted by `scripts/train_parser.py` on FACTUAL train
(the set-apart image ids excluded) and shipped as one JSON file, correct the rule graph for a parsed caption:

- **names**: a logistic model decides, modifier by modifier from the head outwards, whether a noun-phrase modifier
  is part of the object's name ("fire hydrant", "parking lot") or an attribute ("stone wall" -> wall [stone]);
  features are the words, their pair, part of speech and dependency, and whether WordNet knows the compound;
- **predicates**: counts of FACTUAL's predicate given the rule's predicate (and its object word, or the verb that
  governs the preposition when the rules left it out: "looking at" -> "look at") rewrite wording to FACTUAL's
  canonical form when the data agree often enough ("with" -> "have" between a whole and its part);
- **attributes**: an attribute word FACTUAL's annotators rarely write (keep rate under the threshold, with enough
  support) is dropped;
- **object words**: a name the annotators write another way most of the time is rewritten ("guy" -> "person");
  an object with nothing else said about it whose word annotators rarely keep ("scene", "daylight") is dropped;
- **adjacent objects**: two objects next to each other in the caption with no relation between them (verb-less
  fragments, tagger slips: "stick lying on the ground") get the relation FACTUAL most often writes for the words
  between them ("lying on" -> "lay on"), when that pattern is frequent and mostly related (the pattern with the
  objects' other relations known first, then the words alone, then the words with their verb generalised).

Before the rules run, a caption that fronts the object of its final preposition or verb ("stool man is sitting
on") is re-ordered and parsed again (`fronted_split`); spans are mapped back to the caption.

Every decision is a dictionary look-up and a dot product over a handful of features, so the edits add little to
spaCy's parse time. The weights' sha256 is part of the parser version, so caches and runs record which edits made
their graphs."""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

from sgfns.errors import UserError
from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.text import closed_words as W
from sgfns.text import lexicon
from sgfns.text.lemmas import verb_lemma

# Bump when the feature set or the way edits are applied changes (the weights' sha256 covers refits).
EDITS_VERSION = 2
WEIGHTS_FILE = "parser_edits.json"
REVERSE = "<"  # a rewrite starting with this swaps subject and object

_NOUNS = {"NOUN", "PROPN"}
_MODIFIER_DEPS = {"compound", "amod", "nmod", "npadvmod"}


def head_tokens(doc, graph: SceneGraph) -> dict[int, Any]:
    """The token ending at each object's span end (an object's span ends where its head word ends). Only the
    objects' tokens are looked up: walking the whole `Doc` costs more than the edits themselves."""
    out = {}
    for o in graph.objects:
        if o.span is None or o.span[1] in out:
            continue
        span = doc.char_span(o.span[0], o.span[1], alignment_mode="expand")
        if span is not None and len(span):
            tok = span[-1]
            if tok.idx + len(tok.text) == o.span[1]:
                out[o.span[1]] = tok
    return out


def modifier_chain(head) -> list:
    """Left modifiers that could be part of the head's name, nearest first ("kitchen counter top" -> counter,
    kitchen): contiguous nouns and adjectives that hang on the head or on a word already in the chain."""
    doc = head.doc
    first = head.i
    while first >= 2 and doc[first - 1].text == "-" and not doc[first - 1].whitespace_ and doc[first - 2].is_alpha:
        first -= 2  # "t - shirt" is one head word
    chain, inside = [], {head.i}
    j = first - 1
    while j >= 0:
        m = doc[j]
        if m.head.i not in inside or m.dep_ not in _MODIFIER_DEPS or not m.is_alpha:
            break
        if m.pos_ not in _NOUNS and m.pos_ != "ADJ" and m.tag_ not in ("VBG", "VBN"):
            break
        chain.append(m)
        inside.add(m.i)
        j -= 1
    return chain


def name_words(obj: SGObject, chain: list) -> list[str]:
    """The rule name as words, a WordNet compound the rules closed up split again at the modifier ("cellphone"
    with modifier "cell" -> cell, phone): FACTUAL's annotators write the caption's words."""
    words = obj.name.split()
    if chain and len(words) == 1:
        m = chain[0].lower_
        if words[0].startswith(m) and len(words[0]) > len(m):
            return [m, words[0][len(m) :]]
    return words


def name_features(mod, head_word: str, dist: int, rule_joined: bool) -> list[str]:
    """Features of 'is `mod` part of the name of the noun whose head word is `head_word`'."""
    m = mod.lower_
    return [
        "b",
        f"m={m}",
        f"h={head_word}",
        f"mh={m}|{head_word}",
        f"p={mod.pos_}|{mod.dep_}",
        f"t={mod.tag_}",
        f"d={min(dist, 3)}",
        f"wn={int(lexicon.is_lemma(f'{m} {head_word}', 'n') or lexicon.is_lemma(m + head_word, 'n'))}",
        f"r={int(rule_joined)}",
    ]


_NP_INNER_DEPS = {"det", "amod", "compound", "nummod", "nmod", "poss", "advmod", "case", "quantmod"}


def adjacent_pairs(doc, graph: SceneGraph, heads: dict[int, Any]):
    """(subject index, object index, key, verb) for objects next to each other in the caption with no relation
    between them; the key is the words between the first head and the second noun phrase ("lying on", "has") plus
    whether either object already takes part in a relation; `verb` is (word, lemma) of the first verb among those
    words, or None. Verb-less fragments and tagger slips ("stick lying on the ground" with "stick" read as a verb,
    "dog chasing ball" with "chasing" read as an adjective of "ball") leave such pairs unrelated in the rule
    graph."""
    placed = sorted((o.span[1], i) for i, o in enumerate(graph.objects) if o.span and o.span[1] in heads)
    related = {r.subject for r in graph.relations} | {r.object for r in graph.relations}
    linked = {(r.subject, r.object) for r in graph.relations} | {(r.object, r.subject) for r in graph.relations}
    for (end_a, a), (end_b, b) in zip(placed, placed[1:], strict=False):
        if (a, b) in linked or a == b:
            continue
        ha, hb = heads[end_a], heads[end_b]
        toks = list(doc[ha.i + 1 : hb.i])
        while toks and toks[-1].dep_ in _NP_INNER_DEPS and toks[-1].head.i > toks[-1].i and toks[-1].tag_ != "VBG":
            toks.pop()  # the second noun phrase's own words: "on [the white] surfboard"
        words = [t.lower_ for t in toks if t.pos_ != "DET"]
        if not words or len(words) > 4 or any(not t.is_alpha for t in toks):
            continue
        verb = next(((t.lower_, verb_lemma(t.lower_, t.tag_)) for t in toks if t.tag_ in _VERB_TAGS), None)
        yield a, b, f"{' '.join(words)}|{int(a in related)}{int(b in related)}", verb


_VERB_TAGS = {"VBG", "VBN", "VBZ", "VBP", "VBD"}


def verb_key(key: str, verb: tuple[str, str]) -> str:
    """The adjacent-pair key with its verb generalised ("riding on|00" -> "V on|V"): a pattern seen with other
    verbs covers a verb seen too rarely on its own."""
    return " ".join("V" if w == verb[0] else w for w in key.split("|")[0].split()) + "|V"


def verb_label(pred: str, lemma: str, to_pattern: bool) -> str:
    """A predicate with the verb's lemma written as "V" (`to_pattern`), or the pattern's "V" filled in."""
    old, new = (lemma, "V") if to_pattern else ("V", lemma)
    rev = pred.startswith(REVERSE)
    words = [new if w == old else w for w in pred.removeprefix(REVERSE).split()]
    return (REVERSE if rev else "") + " ".join(words)


_GAP_WORDS = {"that", "which", "where", "who"}
_FRONTED_POS = {"DET", "ADJ", "NOUN", "PROPN", "NUM"}


def _fronted_word(tok) -> bool:
    """A word of a bare fronted noun phrase (a noun the tagger read as a verb included: "sidewalk that ...");
    "men sitting at the table while [others look on]" is not one."""
    return tok.pos_ in _FRONTED_POS or (tok.pos_ == "VERB" and tok.tag_ in ("VB", "VBG", "VBN") and tok.i == 0)


def fronted_split(doc) -> tuple[int, int, int] | None:
    """Character offsets (end of A, start of B, end of B) when the caption fronts the object of its final
    preposition or verb: "sandy beach young girl is standing on" (A = "sandy beach", B = "young girl is standing
    on"), "rope the man is holding", "sidewalk that the people are walking on". FACTUAL has many such region
    captions; spaCy reads the fronted noun as a modifier of the subject. None when the caption is not of that form."""
    i = len(doc) - 1
    while i >= 0 and doc[i].is_punct:
        i -= 1
    if i < 2:
        return None
    last = doc[i]
    if last.pos_ == "ADP" and last.dep_ in ("prep", "prt", "agent", "advmod") and not any(
        c.dep_ == "pobj" for c in last.children
    ):
        verb = last.head
    elif last.tag_ in ("VBG", "VBN") and any(c.dep_ == "aux" for c in last.children) and not any(
        c.dep_ in ("dobj", "attr", "prep") for c in last.children
    ):
        verb = last
    else:
        return None
    if verb.pos_ not in ("VERB", "AUX") or verb.i > last.i:
        return None
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i]
    if not subjects:
        return None
    subj = subjects[-1]
    start = subj.left_edge.i
    # A final verb may have no object at all ("sports fans are tailgating"): only a determiner or a relative word
    # before the subject's phrase shows that its object stands in front ("rope the man is holding")
    verb_final = verb.i == last.i
    if start > 0:
        a_last = start - 1
        while a_last >= 0 and doc[a_last].lower_ in _GAP_WORDS:
            a_last -= 1
        if verb_final and a_last == start - 1 and doc[start].pos_ != "DET":
            return None
        if a_last < 0 or a_last >= 5 or not all(_fronted_word(t) for t in doc[: a_last + 1]):
            return None
    elif verb_final:
        return None
    else:
        nouns = [t.i for t in doc[start : subj.i] if t.pos_ in _NOUNS]
        if not nouns:
            return None
        a_last, start = nouns[-1], nouns[-1] + 1
    a_tok = doc[a_last]
    return a_tok.idx + len(a_tok.text), doc[start].idx, last.idx + len(last.text)


def verb_of(obj_head, predicate: str) -> str | None:
    """The lemma of the verb that governs the preposition before the object ("looking at the ocean" -> look) when
    the predicate does not already contain it: the rules leave some verbs out ("looks happy at the ocean": a
    linking verb; "throwing a frisbee on a field": where it happens), and FACTUAL's annotators write some of them
    ("look at")."""
    prep = obj_head.head
    if obj_head.dep_ != "pobj" or prep.pos_ != "ADP" or prep.head.pos_ != "VERB":
        return None
    verb = verb_lemma(prep.head.lower_, prep.head.tag_)
    # the canonical predicates leave placement verbs out ("is placed on a table" -> on), as the synthetic world's
    # captions expect: the verb key never writes them back
    return None if verb in predicate.split() or verb in W.PLACEMENT_VERBS else verb


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def no_edits() -> dict:
    """The edits document with every table empty (what fitting starts from; all rule output kept, no name
    modifier joined)."""
    return {
        "names": {"weights": {}},
        "predicates": {"rewrite": {}},
        "attributes": {"drop": []},
        "objects": {"drop": [], "rename": {}},
        "relations": {"drop": [], "adjacent": {}},
    }


class Edits:
    """The fitted edit models (one JSON document); `apply(doc, graph)` edits a rule graph in place."""

    def __init__(self, data: dict, sha256: str):
        try:
            self.name_w: dict[str, float] = data["names"]["weights"]
            self.pred_table: dict[str, str] = data["predicates"]["rewrite"]
            self.drop_attrs: set[str] = set(data["attributes"]["drop"])
            self.drop_objects: set[str] = set(data["objects"]["drop"])
            self.rename: dict[str, str] = data["objects"]["rename"]
            self.drop_relations: set[str] = set(data["relations"]["drop"])
            self.adjacent: dict[str, str] = data["relations"]["adjacent"]
        except (KeyError, TypeError) as e:
            raise UserError(f"parser edits: missing or malformed key {e}") from None
        self.sha256 = sha256
        self._join_cache: dict[tuple, float] = {}
        self.meta = data.get("training", {})

    # --- names ----------------------------------------------------------------------------------------------
    def join_probability(self, mod, head_word: str, dist: int, rule_joined: bool) -> float:
        key = (mod.lower_, mod.pos_, mod.dep_, mod.tag_, head_word, dist, rule_joined)
        p = self._join_cache.get(key)
        if p is None:  # the features depend only on the key; captions repeat the same pairs often
            w = self.name_w
            p = sigmoid(sum(w.get(f, 0.0) for f in name_features(mod, head_word, dist, rule_joined)))
            if len(self._join_cache) < 200_000:
                self._join_cache[key] = p
        return p

    def joined_modifiers(self, words: list[str], chain: list) -> list:
        """The modifiers of `chain` the model puts into the name, nearest first (`words`: the rule name's words)."""
        joined = []
        for dist, m in enumerate(chain):
            if self.join_probability(m, words[-1], dist, m.lower_ in words[:-1]) <= 0.5:
                break
            joined.append(m)
        return joined

    def _rename(self, obj: SGObject, head) -> None:
        chain = modifier_chain(head)
        if not chain:
            return
        words = name_words(obj, chain)
        joined = self.joined_modifiers(words, chain)
        new_name = " ".join([m.lower_ for m in reversed(joined)] + [words[-1]])
        if new_name == obj.name:
            return
        joined_words = {m.lower_ for m in joined}
        obj.attributes = [a for a in obj.attributes if a not in joined_words]
        for m in chain:  # a word the rules had in the name and the model leaves out: an attribute
            if m.lower_ in words[:-1] and m.lower_ not in joined_words and m.lower_ not in obj.attributes:
                obj.attributes.append(m.lower_)
        obj.name = new_name

    # --- whole graph ----------------------------------------------------------------------------------------
    def apply(self, doc, graph: SceneGraph) -> SceneGraph:
        heads = head_tokens(doc, graph)
        for obj in graph.objects:
            head = heads.get(obj.span[1]) if obj.span else None
            if head is not None and head.pos_ in _NOUNS:
                self._rename(obj, head)
            obj.name = self.rename.get(obj.name, obj.name)
            if self.drop_attrs:
                obj.attributes = [a for a in obj.attributes if a not in self.drop_attrs]
        if self.drop_relations:
            graph.relations = [r for r in graph.relations if r.predicate not in self.drop_relations]
        for r in graph.relations:
            obj = graph.objects[r.object]
            pred = self.pred_table.get(f"{r.predicate}|{obj.name.split()[-1]}")
            if pred is None and obj.span is not None and obj.span[1] in heads:
                verb = verb_of(heads[obj.span[1]], r.predicate)
                pred = self.pred_table.get(f"{r.predicate}|v:{verb}") if verb else None
            pred = pred or self.pred_table.get(r.predicate) or r.predicate
            if pred.startswith(REVERSE):
                pred = pred[len(REVERSE) :]
                r.subject, r.object = r.object, r.subject
            r.predicate = pred
        if self.adjacent:
            for a, b, key, verb in list(adjacent_pairs(doc, graph, heads)):
                pred = self.adjacent.get(key, self.adjacent.get(key.split("|")[0] + "|*"))
                if not pred and verb:
                    pred = self.adjacent.get(verb_key(key, verb))
                    pred = verb_label(pred, verb[1], to_pattern=False) if pred else None
                if pred:
                    s, o = (b, a) if pred.startswith(REVERSE) else (a, b)
                    graph.relations.append(Relation(s, pred.removeprefix(REVERSE), o))
        return drop_lone(graph, self.drop_objects)


def drop_lone(graph: SceneGraph, names: set[str]) -> SceneGraph:
    """Remove objects named in `names` that have no relation, attribute or count (indices renumbered)."""
    if not names:
        return graph
    used = {r.subject for r in graph.relations} | {r.object for r in graph.relations}
    keep = [
        i
        for i, o in enumerate(graph.objects)
        if i in used or o.attributes or (o.count or 0) >= 2 or o.name not in names
    ]
    if len(keep) == len(graph.objects):
        return graph
    new = {old: k for k, old in enumerate(keep)}
    rels = [Relation(new[r.subject], r.predicate, new[r.object]) for r in graph.relations]
    return SceneGraph(objects=[graph.objects[i] for i in keep], relations=rels)


class LearnedBackend:
    """The rule graph, then the learned edits: `graph(doc)` for a parsed `Doc`."""

    name = "learned"

    def __init__(self, edits: Edits):
        from sgfns.graphs.parser.spacy_rules import SpacyRulesBackend, build

        self.build = build
        self.rules = SpacyRulesBackend()
        self.edits = edits
        self.nlp = None
        self.weights_sha256 = edits.sha256
        self.version = f"edits-{EDITS_VERSION}@{edits.sha256[:12]}+{self.rules.version}"

    def use_pipeline(self, nlp) -> None:
        """The spaCy pipeline, for re-parsing a caption whose object is fronted (`fronted_split`) or whose verb was
        read as a noun (the rules')."""
        self.nlp = nlp
        self.rules.use_pipeline(nlp)

    def graphs(self, docs: list) -> list[SceneGraph]:
        return [self._graph(d) for d in self.rules.read(docs)]  # the rules and the edits read one copy of a parse

    def graph(self, doc) -> SceneGraph:
        return self.graphs([doc])[0]

    def _graph(self, doc) -> SceneGraph:
        split = fronted_split(doc) if self.nlp is not None else None
        if split is None:
            return self.edits.apply(doc, self.build(doc))
        a_end, b_start, b_end = split
        text = doc.text
        a, b = text[:a_end], text[b_start:b_end]
        new_doc = self.rules.read([self.nlp(f"{b} {a}{text[b_end:]}")])[0]
        graph = self.edits.apply(new_doc, self.build(new_doc))

        def back(x: int) -> int:  # offset in the re-ordered caption -> offset in the caption
            if x < len(b) + 1:
                return x + b_start
            if x < len(b) + 1 + len(a):
                return x - len(b) - 1
            return x - len(b) - 1 - len(a) + b_end

        for o in graph.objects:
            if o.span is not None:
                start = back(o.span[0])
                o.span = (start, start + o.span[1] - o.span[0])
        return graph


def weights_path() -> Path:
    return Path(str(resources.files("sgfns.resources") / WEIGHTS_FILE))


def load_edits(path: str | Path | None = None) -> Edits:
    """The shipped edits (or those at `path`); JSON only, never pickle."""
    path = Path(path) if path is not None else weights_path()
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read parser edits ({e.strerror or e})") from None
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise UserError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object")
    return Edits(data, hashlib.sha256(raw).hexdigest())
