"""Relations from prepositions: the preposition's governor gives the subject (a noun, a verb's subject, a
participle's noun, a relative clause's antecedent), its object the object. Multi-word predicates ("in front of",
"on top of", "next to", "stick out of", "right of"), coordinated prepositional phrases ("above a box and next to
a ring"), gapped relative clauses ("the couch a person is sitting on") and part-whole "of" ("the arm of a man" ->
(man, have, arm); "a cup of coffee" -> (coffee, in, cup)) are handled here."""

from __future__ import annotations

from sgfns.graphs.parser.rules.draft import Draft
from sgfns.graphs.parser.rules.tokens import (
    NOUNS,
    OBJ_DEPS,
    adj_predicate,
    lemma,
    noun_lemma,
    of_object,
    side_word,
    verb_phrase,
)
from sgfns.text import closed_words as W
from sgfns.text import lexicon

_CHAIN_PREPS = {"to", "of", "from", "with"}


class _Hop:
    """A stand-in preposition whose governor is the head of a predicate word ('next' in 'next to')."""

    def __init__(self, tok, *, governor=None):
        self.head = governor if governor is not None else tok.head
        self.lower_ = ""
        self.dep_ = "prep"
        self.pos_ = "ADP"
        self.i = tok.i
        self.children = []


def relations_from_preps(d: Draft) -> None:
    """One relation per preposition and subject/object pair (see the module docstring)."""
    doc = d.doc
    for p in doc:
        is_conj = p.dep_ == "conj" and p.pos_ == "ADP"  # "above a box and next to a ring"
        if p.dep_ not in ("prep", "agent", "dative") and not is_conj:
            continue
        if p.head.i in d.skip and p.head.lower_ in W.PREDICATE_NOUNS | W.QUANTIFIER_NOUNS:
            if p.lower_ == "of":
                continue
        found = _prep_objects(d, p)
        words = [p.lower_]
        if found is None:
            # gapped relative clause: "the couch a person is sitting on" -> (person, sit on, couch)
            v = p.head
            if v.dep_ in ("relcl", "acl") and v.head.pos_ in NOUNS and p.i > v.i:
                objs = d.group(v.head)
                subs = [s for s in d.subjects_of_nonrel(v)]
                if subs:
                    d.add_rel(subs, verb_phrase(v) + " " + p.lower_, objs)
            continue
        extra, objs = found
        words += extra
        side = p.doc[p.i - 1] if p.i > 0 and p.lower_ == "of" else None
        if side is not None and side_word(side):
            words = [side.lower_, "of"]
            own = _side_dependents(d, side)
            if own:  # "a green tent right of a kite", "there is a plate right of a ring"
                d.add_rel(own, " ".join(words), objs)
                continue
            first = side
            while first.dep_ == "conj" and first.head.i != first.i:
                first = first.head
            if first is not side and first.i in d.skip and first.dep_ == "pobj" and first.head.pos_ == "ADP":
                # "to the left of a ball and right of a kite": share the governor of "to"
                g, _, at_root = _governor(d, first.head)
            elif first is not side and first.lower_ in ("left", "right"):
                # "is left of a bottle and left of a star": the second side word shares the first's subject
                subs = _dependents_as_subjects(d, first)
                if not subs and first.head.i != first.i:
                    h = first.head
                    subs = d.subjects_of(h) if h.pos_ in ("VERB", "AUX") else d.group(h)
                d.add_rel(subs, " ".join(words), objs)
                continue
            elif side.dep_ == "conj" and side.head.pos_ not in ("VERB", "AUX"):
                anchor = _anchor_prep(d, side)
                if anchor is None:
                    continue
                g, _, at_root = _governor(d, anchor)
            else:
                g, at_root = side.head, side.head.i == side.i
                if at_root:
                    g = side
        elif is_conj:
            anchor = _anchor_prep(d, p)
            if anchor is None:
                continue
            g, _, at_root = _governor(d, anchor)
        else:
            g, chain_words, at_root = _governor(d, p)
            words = chain_words + words
        pred = " ".join(words)
        if at_root:
            d.add_rel(_dependents_as_subjects(d, g), pred, objs)
        elif g.pos_ in NOUNS or g.i in d.tok2obj or (g.pos_ == "PRON" and g.lower_ in W.PERSON_PRONOUNS):
            subs = d.group(g, distribute_back=True) if d.ent(g) is not None else []
            if p.lower_ == "of" and len(words) == 1:
                _of_relation(d, g, subs, objs)
                continue
            d.add_rel(subs, pred, objs)
        elif g.pos_ in ("VERB", "AUX"):
            subs = d.subjects_of(g)
            if not subs and not is_conj:  # "there is a little egg above a kite", the noun hung on "above"
                subs = _side_dependents(d, p)
            if lemma(g) in W.STATIVE_COPULAS and lemma(g) != "get":
                d.add_rel(subs, pred, objs)
            else:
                vp = verb_phrase(g)
                if vp in W.PLACEMENT_VERBS:  # "is placed to the right of" says no more than "right of"
                    vp = ""
                carried = _carried_object(d, g, pred, objs)
                if carried:  # "wearing chains on his wrists" -> (chains, on, wrists)
                    d.add_rel(carried, pred, objs)
                else:
                    d.add_rel(subs, vp + " " + pred, objs)
        elif g.pos_ == "ADJ":
            if g.dep_ in ("amod",) and g.head.pos_ in NOUNS:
                subs = d.group(g.head, distribute_back=True)
            elif g.dep_ in ("acomp", "oprd", "conj", "xcomp"):
                subs = d.subjects_of(g.head) if g.head.pos_ in ("VERB", "AUX", "ADJ") else []
            else:
                subs = _dependents_as_subjects(d, g)
            d.add_rel(subs, (adj_predicate(g) + " " + pred).strip(), objs)
        else:  # "faucet next to toilet": the predicate word is the root and the subject hangs on it
            d.add_rel(_dependents_as_subjects(d, g), pred, objs)


def _prep_objects(d: Draft, p):
    """(extra predicate words, object entity ids) of a preposition."""
    pobj = [c for c in p.children if c.dep_ == "pobj"]
    if not pobj:
        pc = [c for c in p.children if c.dep_ == "pcomp" and (c.pos_ in NOUNS or c.i in d.tok2obj)]
        pobj = pc
    if not pobj:
        return None
    o = pobj[0]
    extra: list[str] = []
    hops = 0
    while o.lower_ in W.PREDICATE_NOUNS and o.i in d.skip and hops < 3:
        of = of_object(o)
        if of is None:
            break
        mods = [c.lower_ for c in o.children if c.dep_ in ("amod",) and c.lower_ in ("left", "right", "both")]
        extra += mods + [o.lower_, "of"]
        o = of
        hops += 1
    return extra, d.group(o)


def _governor(d: Draft, p):
    """(governing token, predicate words taken on the way, whether the chain ended at the root) of a
    preposition: 'next' + 'to', 'stick' 'out' + 'of'; a coordinated 'right of' hands over to the first
    conjunct's governor ('above a bottle and right of a moon')."""
    words: list[str] = []
    g = p.head
    if g.i in d.skip and g.lower_ in W.PREDICATE_NOUNS and g.dep_ == "pobj" and g.head.pos_ == "ADP":
        # "to the right of a ring and below a tent": "below" hangs on the consumed "right"
        g2, _, at_root = _governor(d, g.head)
        return g2, [], at_root
    hops = 0
    while hops < 3:
        chain = (
            (p.lower_ in _CHAIN_PREPS or (words and words[0] in _CHAIN_PREPS))
            and g.lower_ in W.PREDICATE_HEADS
            and (g.pos_ in ("ADV", "ADJ", "ADP", "PART") or g.lower_ in ("left", "right"))
        ) or (g.pos_ == "ADP" and g.dep_ in ("prep", "prt"))
        if not chain or any(c.dep_ == "pobj" for c in g.children):
            break
        words.insert(0, g.lower_)
        hops += 1
        if g.dep_ == "conj":
            anchor = _anchor_prep(d, g)
            if anchor is not None:
                g2, _, at_root = _governor(d, anchor)
                return g2, words, at_root
        if g.head.i == g.i:
            return g, words, True
        g = g.head
    return g, words, False


def _anchor_prep(d: Draft, tok):
    """The first preposition of a coordination of prepositional phrases that `tok` belongs to."""
    h = tok.head
    while h.dep_ == "conj" and h.head.i != h.i:
        h = h.head
    for _ in range(3):
        if h.pos_ == "ADP" and h.dep_ in ("prep", "agent", "dative"):
            # "on the left side of a box and above a star": climb out of the multi-word predicate
            if h.head.i in d.skip and h.head.dep_ == "pobj" and h.head.head.pos_ == "ADP":
                h = h.head.head
                continue
            if h.head.lower_ in W.PREDICATE_HEADS and h.head.dep_ != "ROOT" and h.head.pos_ != "NOUN":
                return _Hop(h.head)
            return h
        if h.dep_ == "pobj":
            h = h.head
            continue
        if h.lower_ in W.PREDICATE_HEADS:  # "next to a moon and above an egg": conj of "next"
            return _Hop(h)
        if h.pos_ in ("VERB", "AUX"):  # "is right of a bowl and to the right of a box": conj of the verb
            return _Hop(h, governor=h)
        return None
    return None


def _side_dependents(d: Draft, side) -> list[int]:
    out: list[int] = []
    for c in side.children:
        if c.dep_ in ("compound", "amod", "nsubj", "npadvmod") and c.i < side.i and c.i in d.tok2obj:
            out += d.group(c)
    return out


def _dependents_as_subjects(d: Draft, g) -> list[int]:
    out: list[int] = []
    for c in g.children:
        if c.dep_ in ("nsubj", "nsubjpass", "npadvmod", "dep", "compound") and c.i < g.i:
            out += d.group(c)
    if not out:  # "a box is positioned left of a kite" parsed with "left" as the root
        for t in g.subtree:
            if t.i < g.i and t.dep_ in ("nsubj", "nsubjpass"):
                out += d.group(t)
    return out


def _carried_object(d: Draft, v, pred: str, objs: list[int]) -> list[int]:
    """The verb's direct object when a locative phrase places it on the body: 'carrying a backpack on his
    back', 'holding a bat in his hands' -- the phrase says where the object is, not where the subject is."""
    if pred not in ("on", "in", "around", "over") or not objs:
        return []
    if not all(lexicon.lexname(d.objects[o].name) == "noun.body" for o in objs):
        return []
    out: list[int] = []
    for c in v.children:
        if c.dep_ in OBJ_DEPS:
            out += d.group(c)
    return out


def _of_relation(d: Draft, g, subs: list[int], objs: list[int]) -> None:
    """'the arm of a man' -> (man, have, arm); 'a plate of food' -> (plate, have, food)."""
    head = noun_lemma(g)
    if head in W.DEPICTIONS or head in W.VESSELS:  # "a painting of the sun", "a cup of coffee"
        d.add_rel(objs, "in", subs)
        return
    if head in W.SERVING_SURFACES:  # "a plate of cupcakes"
        d.add_rel(objs, "on", subs)
        return
    if g.lower_ in W.CONTAINERS:
        d.add_rel(subs, "have", objs)
        return
    for o in objs:
        lex = lexicon.lexname(d.objects[o].name) or ""
        if lex == "noun.food":
            d.add_rel(subs, "have", [o])
        else:
            d.add_rel([o], "have", subs)
