"""Attributes: adjectival modifiers of a noun (with their coordinations and colour shades such as "dark blue"),
noun modifiers that are not part of the name ("stone wall" -> wall [stone]), counts from numerals and exact
quantity words ("both", "a pair of"), predicative adjectives after a copula ("the truck is old", "a dog that is
brown"), stand-alone participles ("the car is parked"), how a body part is, said after it ("her mouth open", "arms
outstretched"), and how the doer is, said after the verb ("running barefoot", "asleep in a chair")."""

from __future__ import annotations

from sgfns.graphs.parser.rules.draft import Draft
from sgfns.graphs.parser.rules.tokens import (
    NOUNS,
    OBJ_DEPS,
    SUBJ_DEPS,
    acts_as_verb,
    adj_predicate,
    hyphen_joins,
    lemma,
    noun_lemma,
    number,
    side_word,
)
from sgfns.graphs.types import SGObject
from sgfns.text import closed_words as W
from sgfns.text import colours as C
from sgfns.text import lexicon


def np_adjectives(d: Draft, first: int, tok, obj: SGObject, used: set[int]) -> None:
    """Adjectives inside the noun phrase that the parser attached oddly ("a little orange moon" with "little"
    as a pre-conjunct): adjectives before the head whose chain of heads stays in the phrase and reaches it."""
    doc = tok.doc
    # "tent right of"; "a shaggy sheep grazes" with "grazes" read as the noun and "shaggy" hung on it
    last = tok.head.i if tok.head.i == tok.i + 1 and (side_word(tok.head) or acts_as_verb(tok.head)) else tok.i
    j = first - 1
    while j >= 0 and j not in d.tok2obj:
        t = doc[j]
        if t.pos_ in ("ADJ", "NUM", "CCONJ") or t.tag_ in ("JJ", "RB") or t.text in (",", "-"):
            j -= 1
        elif t.pos_ in NOUNS | {"VERB"} and t.dep_ in ("amod", "compound", "nmod", "npadvmod") and t.head.i > j:
            j -= 1
        else:
            break
    lo = j + 1
    det = doc[j] if j >= 0 and doc[j].pos_ == "DET" and doc[j].head.i == tok.i else None

    def reaches(t) -> bool:
        h = t
        for _ in range(4):
            h = h.head
            if h.i in (tok.i, last) or (det is not None and h.i == det.i):
                return True
            if not lo <= h.i <= last:
                return False
        return False

    for t in doc[lo:first]:
        if t.i in used or t.tag_ not in ("JJ", "VBN") or not reaches(t):
            continue
        if t.lower_ in C.PARSER_SHADES or t.lower_ in W.INTENSIFIERS or t.lower_ in W.NON_ATTRIBUTES:
            continue
        if t.tag_ == "VBN" and t.dep_ not in ("amod", "advmod", "npadvmod", "preconj", "compound"):
            continue
        if (a := _adj_text(t)) and not any(a in x.split() for x in obj.attributes):
            d.add_attr(obj, a)


def _is_shade_of_next(tok) -> bool:
    """'dark' in 'dark blue shirt' when the parser hangs both words on the noun."""
    doc = tok.doc
    if tok.lower_ not in C.PARSER_SHADES or tok.i + 1 >= len(doc):
        return False
    nxt = doc[tok.i + 1]
    return nxt.lower_ in C.PARSER_COLOURS and nxt.head.i == tok.head.i and nxt.dep_ == tok.dep_


def _hyphen_beside(tok) -> bool:
    """The word is written joined to another by a hyphen ("country" of "cross-country")."""
    return hyphen_joins(tok.doc, tok.i - 2) or hyphen_joins(tok.doc, tok.i)


def _adj_text(adj) -> str | None:
    if adj.lower_ in W.NON_ATTRIBUTES or not any(ch.isalpha() for ch in adj.text):
        return None
    if _upside_down(adj):
        return "upside down"
    if adj.lower_ == "down" and adj.i > 0 and adj.doc[adj.i - 1].lower_ == "upside":
        return None  # said with "upside"
    # a hyphenated word is one attribute ("a walk-in closet", "a well-dressed man", "long-haired", "old-fashioned";
    # the negatives contrast its first word: "short-haired"), unless its words are colours, each an attribute of
    # its own ("black-and-white", "blue-green")
    doc, s, k = adj.doc, adj.i, adj.i
    while hyphen_joins(doc, s - 2):
        s -= 2
    while hyphen_joins(doc, k):
        k += 2
    if k > s and not all(doc[j].lower_ in C.PARSER_COLOURS | C.PARSER_SHADES | {"and"} for j in range(s, k + 1, 2)):
        return doc[s : k + 1].text.lower() if s == adj.i or doc[s].tag_ not in ("VBN", "VBG") else None
    words = [adj.lower_]
    for c in adj.children:
        if c.dep_ in ("advmod", "npadvmod", "amod", "compound") and c.i == adj.i - 1 and c.lower_ in C.PARSER_SHADES:
            words.insert(0, c.lower_)
    if len(words) == 1 and adj.i > 0 and _is_shade_of_next(adj.doc[adj.i - 1]):
        words.insert(0, adj.doc[adj.i - 1].lower_)
    return " ".join(words)


def _adj_with_conj(adj) -> list:
    out = [adj]
    stack = [c for c in adj.children if c.dep_ == "conj"]
    while stack:
        c = stack.pop(0)
        if c.pos_ in ("ADJ", "VERB") or (c.pos_ in NOUNS and c.lower_ in W.VISUAL_ADJECTIVES | C.PARSER_COLOURS):
            out.append(c)
            stack.extend(x for x in c.children if x.dep_ == "conj")
    return out


def noun_attributes(d: Draft, tok, obj: SGObject, used: set[int]) -> None:
    # Adjectives the parser hangs on a noun modifier belong to the head: "red [tank] top", "black [railroad]
    # tracks" (the modifier may be part of the name or an attribute itself).
    """Attributes and the count of the noun `tok` from its own modifiers (adjectives, noun modifiers not in
    the name, numerals, "both"); `used` are the modifiers already part of the name."""
    for c in list(tok.children):
        if c.dep_ in ("compound", "nmod") and c.i < tok.i and c.pos_ in NOUNS:
            for a in c.children:
                if a.dep_ == "amod" and a.i < c.i and a.pos_ in ("ADJ", "VERB") and not _is_shade_of_next(a):
                    for x in _adj_with_conj(a):
                        if t := _adj_text(x):
                            d.add_attr(obj, t)
                elif a.dep_ == "compound" and a.i < c.i and a.pos_ in NOUNS and a.i not in used:
                    for b in a.children:  # "white [toilet] [seat] lid"
                        if b.dep_ == "amod" and b.pos_ == "ADJ" and (t := _adj_text(b)):
                            d.add_attr(obj, t)
    for c in tok.children:
        if c.i in used:
            continue
        if c.dep_ == "nummod" or (c.dep_ in ("amod", "compound") and c.pos_ == "NUM"):
            n = number(c)
            if n is not None and (c.i < tok.i or not c.like_num):  # "a city bus 18": the bus's number, no count
                obj.count = n
            continue
        if c.dep_ == "det" and c.lower_ in W.EXACT_QUANTITY:
            obj.count = W.EXACT_QUANTITY[c.lower_]
            continue
        if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i:
            if c.lower_ in W.EXACT_QUANTITY and c.dep_ == "amod":
                obj.count = W.EXACT_QUANTITY[c.lower_]
                continue
            if c.pos_ in NOUNS and c.lower_ not in W.VISUAL_ADJECTIVES:
                if any(ch.isalpha() for ch in c.text):  # "cross-country skiers": the hyphenated word whole
                    a = _adj_text(c) if _hyphen_beside(c) else noun_lemma(c)
                    if a and not any(a in x.split() for x in obj.attributes):
                        d.add_attr(obj, a)
                continue
            if _is_shade_of_next(c):
                continue
            for a in _adj_with_conj(c):
                for m in a.children:  # "little yellow box": the parser makes "little" modify "yellow"
                    if (
                        m.dep_ in ("advmod", "amod")
                        and (m.pos_ == "ADJ" or lexicon.is_lemma(m.lower_, "a"))
                        and m.i < a.i
                        and m.lower_ not in C.PARSER_SHADES
                    ):
                        if m.lower_ not in W.INTENSIFIERS and (t := _adj_text(m)):
                            d.add_attr(obj, t)
                t = _adj_text(a)
                if t:
                    d.add_attr(obj, t)
        elif c.dep_ in ("amod", "acl") and c.i > tok.i and c.pos_ == "ADJ" and not list(c.children):
            t = _adj_text(c)
            if t:
                d.add_attr(obj, t)


def _upside_down(tok) -> bool:
    doc = tok.doc
    return tok.lower_ == "upside" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "down"


def _body_part_said_of(d: Draft, tok) -> int | None:
    """The body part an adjective or participle after it says how it is ("her mouth open", "his mouth wide open",
    "with arms outstretched", "with their teeth bared"): an adjective whose subject is a body part, or a bare
    participle right after one; the body part's object, else None."""
    if tok.pos_ == "ADJ" or tok.tag_ == "VBN" and tok.dep_ != "acl":
        part = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i), None)
    elif tok.tag_ == "VBN" and tok.dep_ == "acl" and tok.head.i == tok.i - 1 and not tok.children:
        part = tok.head
    else:
        return None
    if part is None or part.pos_ not in NOUNS or lexicon.lexname(noun_lemma(part)) != "noun.body":
        return None
    if tok.tag_ == "VBN" and lemma(tok) in W.SEEING_VERBS | W.SHOWING_VERBS:
        return None  # "a person's foot is seen": how the photo shows it, not how it is
    return d.ent(part)


def predicative_attributes(d: Draft) -> None:
    """'the truck is old', 'a dog that is brown', 'the car is parked'; 'upside down' said of a thing or of what a
    verb's subject does ('a person upside down on a board', 'two kids laying on a bed upside down')."""
    for tok in d.tokens:
        if tok.lower_ in W.STATES_OF_THE_DOER and tok.dep_ in ("advmod", "oprd", "acomp") and tok.head.pos_ == "VERB":
            for s in d.subjects_of(tok.head):  # "running barefoot along a wall", "sucking a binky asleep"
                d.add_attr(d.objects[s], tok.lower_)
            continue
        if (part := _body_part_said_of(d, tok)) is not None:  # "her mouth open", "with arms outstretched"
            if t := _adj_text(tok):
                d.add_attr(d.objects[part], t)
            continue
        if _upside_down(tok) and tok.dep_ in ("advmod", "amod") and (tok.head.i == tok.i + 1 or tok.head is tok):
            down = d.doc[tok.i + 1]  # said of what "down" hangs on ("an upside down cup"), else of upside's head
            h = down.head if tok.head is down or down.dep_ == "amod" else tok.head
            on = d.group(h) if h.pos_ in NOUNS and d.ent(h) is not None else (
                d.subjects_of(h) if h.pos_ in ("VERB", "AUX") else [])  # fmt: skip
            for s in on:
                d.add_attr(d.objects[s], "upside down")
        elif tok.dep_ in ("acomp", "oprd") and tok.pos_ in ("ADJ", "VERB") and lemma(tok.head) in W.STATIVE_COPULAS:
            subj = d.subjects_of(tok.head)
            if adj_predicate(tok) and any(
                c.dep_ == "prep" and any(g.dep_ == "pobj" for g in c.children) for c in tok.children
            ):
                continue  # "full of books", "close to the trees": a relation, not an attribute
            for a in _adj_with_conj(tok):
                t = _adj_text(a)
                if t:
                    for s in subj:
                        d.add_attr(d.objects[s], t)
        elif (tok.tag_ == "VBN" or (tok.tag_ == "VBD" and tok.dep_ == "ROOT" and tok.lower_.endswith("ed"))) and any(
            c.dep_ in ("nsubjpass", "nsubj") for c in tok.children
        ):
            if lemma(tok) in W.PLACEMENT_VERBS or tok.lower_ in ("left", "right"):
                continue
            if not any(c.dep_ in ("prep", "agent", "dobj", "prt", "xcomp", "advmod", "oprd") for c in tok.children):
                for s in d.subjects_of(tok):
                    for a in _adj_with_conj(tok):  # "which is dotted and white"
                        d.add_attr(d.objects[s], a.lower_)
        elif tok.pos_ == "ADJ" and tok.dep_ == "ROOT" and any(c.dep_ in SUBJ_DEPS for c in tok.children):
            for s in d.subjects_of(tok):  # "an egg which is dotted and purple" parsed with the adjective as root
                for a in _adj_with_conj(tok):
                    if t := _adj_text(a):
                        d.add_attr(d.objects[s], t)
        elif (
            tok.dep_ == "conj"
            and (tok.pos_ == "ADJ" or tok.tag_ in ("VBN", "VBD"))
            and lemma(tok.head) == "be"
            and any(c.dep_ == "acomp" for c in tok.head.children)
            and not any(c.dep_ in SUBJ_DEPS | OBJ_DEPS | {"prep", "aux", "auxpass"} for c in tok.children)
        ):  # "the kite is red and striped": the parser hangs "striped" on the copula
            for s in d.subjects_of(tok.head):
                d.add_attr(d.objects[s], tok.lower_)
