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
    acts_as_verb,
    adj_predicate,
    conj_root,
    framing_object,
    joins_head,
    lemma,
    names_no_thing,
    noun_lemma,
    of_object,
    resolve,
    side_word,
    verb_phrase,
    with_object_before,
)
from sgfns.text import closed_words as W
from sgfns.text import lexicon
from sgfns.text.wordclasses import is_animate, is_garment, noun_class

_CHAIN_PREPS = {"to", "of", "from", "with"}
_PLACES = {"in", "on", "at", "near", "by", "under", "beside", "behind", "in front of", "next to", "inside"}


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
    for p in d.tokens:
        is_conj = p.dep_ == "conj" and p.pos_ == "ADP"  # "above a box and next to a ring"
        # "people walk down a busy sidewalk" with "down" an adverb that still has its object
        as_adverb = p.dep_ == "advmod" and p.tag_ in ("IN", "RP") and any(c.dep_ == "pobj" for c in p.children)
        if (p.dep_ not in ("prep", "agent", "dative") and not is_conj and not as_adverb) or p.i in d.skip:
            continue  # a framing "up" or "of" ("a close up of a bear") is consumed
        if p.lower_ == "by" and p.i > 0 and doc[p.i - 1].lower_ == "side":
            continue  # "side by side"
        if p.lower_ in ("on", "at", "in", "during") and any(c.dep_ == "pobj" and c.lower_ in W.TIME_NOUNS
                                                          for c in p.children):  # fmt: skip
            continue  # "standing on the beach on a sunny day", "at night": when, not where (the day stays)
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
        if _placed_on_it(d, p, objs) or _in_the_background(p):
            continue  # "a kite flying in the sky with leaves in the foreground": the leaves are only there
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
            g = g.head if joins_head(g) else g  # "a microwave oven next to ...": the object of both words
            while p.lower_ != "of" and _no_thing(d, g) and g.head.pos_ == "ADP" and g.head.head.i != g.head.i:
                g = g.head.head  # "flowers for sale at a market": the flowers are at it
            words = chain_words + words
            before = doc[p.i - 1] if p.i > 0 else None
            if (not chain_words and before is not None and before.dep_ == "advmod" and before.head.i == g.i
                    and before.lower_ in W.PREDICATE_HEADS and p.lower_ == "of"):  # fmt: skip
                # "laying inside of a box", the adverb and 'of' both on the verb ('inside of' is 'inside')
                words = [before.lower_] + ([] if before.lower_ in ("inside", "outside") else words)
        pred = " ".join(words)
        if at_root:
            d.add_rel(_dependents_as_subjects(d, g), pred, objs)
        elif not acts_as_verb(g) and (g.pos_ in NOUNS or g.i in d.tok2obj
                                      or (g.pos_ == "PRON" and g.lower_ in W.PERSON_PRONOUNS)):  # fmt: skip
            if p.lower_ == "of" and len(words) == 1:
                # "plates of food and bowls of salad": each noun's own 'of', not shared across the coordination
                own = [c for c in g.children if c.dep_ == "conj" and not any(x.lower_ == "of" or x.dep_ in ("det",
                       "nummod") for x in c.children)]  # "a bottle of alcohol and two shot glasses": not theirs
                subs = [e for t in [g, *own] if (e := d.ent(t)) is not None]
                _of_relation(d, g, subs, objs)
                continue
            held = _held_before(d, g, p, objs) or _vessel_of_contents(d, g, p, objs)
            if held:  # "a man with his hands in his pockets": the hands are in them
                d.add_rel(held, pred, objs)
                continue
            subs = _own_phrase_only(d, g, p, d.group(g, distribute_back=True) if d.ent(g) is not None else [])
            # "a woman in a kitchen at the sink", "lying on its back in the sand": she is at the sink, it in the sand;
            # not what 'with' names ("lying on the sidewalk with one leg in the air": the leg is in it)
            body = (pred in ("in", "on", "at", "near", "by") and lexicon.lexname(noun_lemma(g)) == "noun.body"
                    and not (g.dep_ == "pobj" and g.head.lower_ == "with" and noun_lemma(g) in W.LIMBS))  # fmt: skip
            at_place = g.dep_ == "pobj" and ((pred == "at" and noun_lemma(g) in W.SCENE_PLACES) or body)
            # "a man on skis with his dog": he has the dog
            subs = d.agent(p, subs, at_place or (p.lower_ == "with" and _companion(d, objs, p)))
            d.add_rel(_holder_in_place(d, g, pred, objs) or subs, pred, objs)
        elif g.pos_ in ("VERB", "AUX") or acts_as_verb(g):
            subs = d.subjects_of(g)
            pron = next((c.lower_ for c in p.children if c.dep_ == "pobj"
                         and c.lower_ in ("it", "him", "her", "them")), None)  # fmt: skip
            if not objs and pron == "it":
                # "the laptop has an mp3 player next to it", "a plate has a biscuit on it": 'it' is the subject
                d.add_rel([i for c in g.children if c.dep_ in OBJ_DEPS for i in d.group(c)], pred, subs)
                continue
            if not objs and pron is not None:  # "a guy jumps with his skateboard beneath him"
                things = [i for w in g.children if w.dep_ == "prep" and w.lower_ == "with" and w.i < p.i
                          for c in w.children if c.dep_ == "pobj" for i in d.group(c)]  # fmt: skip
                people = [s for s in subs if is_animate(d.objects[s].name)]
                if pron == "them":  # "sitting in the grass with their bikes behind them": several people
                    people = [s for s in people if _several(d, s)]
                if things and people or pron != "them":
                    d.add_rel(things, pred, people)
                    continue
            if not subs and not is_conj:  # "there is a little egg above a kite", the noun hung on "above"
                subs = _side_dependents(d, p)
            if lemma(g) in W.STATIVE_COPULAS and lemma(g) != "get" and (
                    lemma(g) == "be" or any(c.dep_ in ("acomp", "attr", "oprd") for c in g.children)):  # fmt: skip
                # "is on", "looks brown in the light"; but "looking at a bike" keeps its verb
                d.add_rel(subs, pred, objs)
            elif held := _held_before(d, g, p, objs):  # "sits at a table with his head in his hand"
                d.add_rel(held, pred, objs)
            else:
                vp = "" if _place_not_verb(d, g, p, pred, objs) else verb_phrase(g)
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


def _no_thing(d: Draft, g) -> bool:
    """A preposition's object that names no thing ("for sale", "in the distance"; a predicate noun such as
    "middle" is the predicate's, not this)."""
    return g.dep_ == "pobj" and g.i not in d.tok2obj and g.lower_ not in W.PREDICATE_NOUNS and names_no_thing(g)


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
    shown = framing_object(g)
    if shown is not None:  # "close up of broccoli on the end of fork tines": the broccoli is on them
        return d.group(shown)
    out: list[int] = []
    for c in g.children:
        if c.dep_ in ("nsubj", "nsubjpass", "npadvmod", "dep", "compound") and c.i < g.i:
            out += d.group(c)
    if not out:  # "a box is positioned left of a kite" parsed with "left" as the root
        for t in g.subtree:
            if t.i < g.i and t.dep_ in ("nsubj", "nsubjpass"):
                out += d.group(t)
    return out


_BESIDE = frozenset({"next to", "beside", "near", "by", "behind", "in front of", "alongside"})


def _place_not_verb(d: Draft, v, p, pred: str, objs: list[int]) -> bool:
    """Whether the verb stays out of the predicate because the phrase only says where its subject is."""
    if verb_phrase(v) in W.PLACEMENT_VERBS:  # "is placed to the right of" says no more than "right of"
        return True
    if _scene_of_transitive(d, v, pred, objs):  # "throwing a frisbee on a field": where, not how
        return True
    if p.i > 0 and p.doc[p.i - 1].lower_ in ("while", "whilst", "when"):  # "wears a tie while on the steps"
        return True
    if (pred in _BESIDE and any(c.dep_ in OBJ_DEPS for c in v.children) and lemma(v) not in W.MOVING_VERBS
            and not any(lexicon.lexname(d.objects[o].name) == "noun.body" for o in objs)):  # fmt: skip
        # "a bear holding an umbrella next to a little bear": it is next to it, it does not 'hold next to' (but
        # "holding a frisbee behind his head", "holding a toddler by the belly" say how it holds)
        return True

    if v.tag_ == "VBN" and v.dep_ in ("acl", "amod") and pred in _PLACES and any(
            c.dep_ == "prep" and c.lower_ in ("with", "by") and c.i < p.i for c in v.children):  # fmt: skip
        return True  # "a sink filled with supplies next to scissors": the sink is next to them
    # "a girl wearing a bikini in an innertube": she is in it (not 'the shirt worn by the man')
    return (lemma(v) == "wear" and v.tag_ != "VBN" and pred in _PLACES
            and not any(is_garment(d.objects[o].name) for o in objs))  # fmt: skip


def _own_phrase_only(d: Draft, g, p, subs: list[int]) -> list[int]:
    """'a sandy beach with waves and a parking lot with stairs', 'a sandwich with nachos and a salad': a
    coordinated noun with a phrase of the same preposition of its own, or named after the phrase, does not share
    it."""
    family, stack = [], [conj_root(g)]
    while stack:
        t = stack.pop()
        family.append(t)
        stack.extend(c for c in t.children if c.dep_ == "conj" and c.pos_ in NOUNS)
    own = {d.ent(t) for t in family if t.i != g.i and (t.i > p.i or any(c.dep_ == "prep" and c.lower_ == p.lower_
                                                                         for c in t.children))}  # fmt: skip
    return [s for s in subs if s not in own or s == d.ent(g)]


def _in_the_background(p) -> bool:
    """'with leaves in the foreground', 'with mountains in the background': a 'with' that says what else is in
    the picture, not what the noun has."""
    pobj = next((c for c in p.children if c.dep_ == "pobj"), None) if p.lower_ == "with" else None
    return pobj is not None and any(c.lower_ == "in" and any(g.lower_ in ("foreground", "background", "distance")
                                                              for g in c.children) for c in pobj.children)  # fmt: skip


def _companion(d: Draft, objs: list[int], p) -> bool:
    """'with his dog', 'with her bags', 'with a child': what a person is with, not the thing they are on; and
    whatever comes 'with' a garment a person is in ('a girl in a uniform with a bat in her hands')."""
    pobj = next((c for c in p.children if c.dep_ == "pobj"), None)
    owned = pobj is not None and any(c.dep_ == "poss" and c.lower_ in ("his", "her", "their") for c in pobj.children)
    worn = p.head.pos_ in NOUNS and p.head.dep_ == "pobj" and is_garment(noun_lemma(p.head))
    if worn and pobj is not None and pobj.lower_ in W.MARKINGS:
        return False  # "in a pink shirt with white writing": the shirt's
    return owned or worn or any(is_animate(d.objects[o].name) for o in objs)


def _placed_on_it(d: Draft, p, objs: list[int]) -> bool:
    """'a napkin with a knife on it', 'holding broccoli with an insect on it', 'a book on a bed with a lamp next to
    it', 'a briefcase with items in them', 'a guy jumps with his skateboard beneath him' -> (knife, on, napkin),
    (insect, on, broccoli), (lamp, next to, book), (items, in, briefcase), (skateboard, beneath, guy): 'it' and
    'them' point back to the noun 'with' hangs on, or to the verb's object, else its subject; 'them' to people only
    when they are several and the subject ('sitting in the grass with their bikes behind them', 'raise their arms
    with mountains behind them': behind the people); 'him' and 'her' to the person doing it. The phrase may hang on
    a participle of the noun ('with a dog sitting next to him' -> (dog, sit next to, man))."""
    if p.lower_ != "with" or p.dep_ != "prep":
        return False
    pobj = next((c for c in p.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return False
    # on the noun, on one it is coordinated with ('a flag with a moon and a star on it'), through 'next', or through
    # a participle of the noun
    nouns = {pobj.i, resolve(pobj).i} | {c.i for c in pobj.children if c.dep_ == "conj"}  # "lots of items in them"
    back = pron = None
    for c in pobj.subtree:
        hold = c.head.head if c.head.dep_ == "advmod" and c.head.lower_ in W.PREDICATE_HEADS else c.head
        at = hold.i in nouns or (hold.dep_ == "acl" and hold.pos_ == "VERB" and hold.head.i in nouns)
        pron = next((x for x in c.children if x.dep_ == "pobj" and x.lower_ in ("it", "them", "him", "her")), None)
        if c.dep_ == "prep" and c.lower_ != "of" and at and pron is not None:
            back = c
            break
    if back is None:
        return False
    g = p.head
    while g.dep_ == "advmod" and g.pos_ == "ADV" and g.head is not g:  # "sleeping on a bench outside with a dog"
        g = g.head
    verb = g.pos_ in ("VERB", "AUX")
    people = []
    if pron.lower_ == "them":
        people = [i for i in (d.subjects_of(g) if verb else d.group(g, distribute_back=True))
                  if is_animate(d.objects[i].name) and _several(d, i)]  # fmt: skip
    if people:
        base = people
    elif pron.lower_ in ("him", "her"):
        cand = d.subjects_of(g) if verb else d.group(g, distribute_back=True)
        base = [i for i in cand if is_animate(d.objects[i].name)]
    elif verb:
        base = [i for c in g.children if c.dep_ in OBJ_DEPS for i in d.group(c)] or d.subjects_of(g)
    else:
        base = d.group(g, distribute_back=True) if g.pos_ in NOUNS else []
    if pron.lower_ == "them" and not people and any(is_animate(d.objects[i].name) for i in base):
        return False
    if not base:
        return False
    words = ([back.head.lower_] if back.head.dep_ == "advmod" else []) + [back.lower_]
    holder = back.head.head if back.head.dep_ == "advmod" else back.head
    if holder.pos_ == "VERB" and holder.dep_ == "acl":  # "a dog sitting next to him": the dog sits there
        if pron.lower_ == "them" and not people and not all(_several(d, i) for i in base):
            return False  # "a path by a river with bicycles parked beside them": not the river
        words.insert(0, verb_phrase(holder))
        holder = holder.head
    if pron.lower_ in ("him", "her") and holder.i not in (pobj.i, resolve(pobj).i):
        # "a man with a camera and an ice structure behind him": only the structure is behind him
        d.add_rel([e for e in [d.ent(holder)] if e is not None], " ".join(words), base)
        return False
    d.add_rel(objs, " ".join(words), base)
    return True


def _several(d: Draft, i: int) -> bool:
    """The object is more than one (a count, or a plural noun: "women", "people")."""
    obj = d.objects[i]
    if obj.count is not None:
        return obj.count > 1
    tok = next((t for t, j in d.tok2obj.items() if j == i), None)
    return tok is not None and d.tokens[tok].tag_ in ("NNS", "NNPS")


def _scene_of_transitive(d: Draft, v, pred: str, objs: list[int]) -> bool:
    """'throwing a frisbee on a field': a verb with its own object, and a scene's place that says where it
    happens -> (man, on, field), FACTUAL's form, not (man, throw on, field). A verb that puts its object
    somewhere counts only when another phrase says where ('putting doughnuts into a bag in a shop')."""
    if not (pred in ("on", "in", "at") and objs and any(c.dep_ in OBJ_DEPS for c in v.children)):
        return False
    if not all(d.objects[o].name in W.SCENE_PLACES for o in objs):
        return False
    scene = {t.i for w in v.children if w.dep_ == "prep" for t in w.children if t.i in d.tok2obj
             and d.objects[d.tok2obj[t.i]].name in W.SCENE_PLACES}  # fmt: skip
    elsewhere = any(w.dep_ == "prep" and w.lower_ in ("into", "onto", "in", "on") and any(
        t.dep_ == "pobj" and t.i not in scene for t in w.children) for w in v.children)  # fmt: skip
    return lemma(v) not in W.PLACING_VERBS or elsewhere


def _holder_in_place(d: Draft, g, pred: str, objs: list[int]) -> list[int]:
    """Who is in the place when a scene's place hangs on what they handle: 'a man holding a racket on a tennis
    court', 'cows eating grass in a field' -> the man, the cows (a person or animal doing it; not with a verb that
    puts its object somewhere: 'putting a pan in the kitchen')."""
    partner = g.dep_ == "pobj" and g.head.dep_ == "prep" and g.head.lower_ in ("with", "for")
    v = g.head.head if partner else g.head  # 'playing with a ball in the yard', 'waiting for luggage at the airport'
    if pred not in ("on", "in", "at") or not (g.dep_ in OBJ_DEPS or partner) or v.pos_ != "VERB" or not objs:
        return []
    done = lemma(v) in ("do", "perform", "attempt", "execute")
    event = done or lexicon.lexname(noun_lemma(g)) in ("noun.act", "noun.event")
    if g.dep_ in OBJ_DEPS and event and lemma(v) not in W.PLACING_VERBS:  # not 'watching a dog jump on a lawn'
        # 'a surfer doing a sharp turn in the water', 'doing a trick on a skateboard': the doer is there
        return [s for s in d.subjects_of(v) if is_animate(d.objects[s].name)]
    if lemma(v) in W.PLACING_VERBS or noun_lemma(g) in W.SCENE_PLACES:
        return []
    if not all(d.objects[o].name in W.SCENE_PLACES for o in objs):
        return []
    return [s for s in d.subjects_of(v) if is_animate(d.objects[s].name)]


def _held_before(d: Draft, g, p, objs: list[int]) -> list[int]:
    """What 'with' names just before a phrase that places a limb or places something on the body: "sits at a
    table with his head in his hand", "sitting down with a plate of food on his lap", "a man with his hands in his
    pockets" -- the phrase the parse hung on the verb or the person says where the head, the plate, the hands are.
    A part that does not move stays out ("a woman with blue hair at a gathering": she is at it)."""
    if not objs or p.lower_ in ("with", "at", "near", "by"):
        return []  # 'a man with a beard with his head turned'; 'holding something with his hands at a table'
    held = with_object_before(g, p.i)
    if held is None or held.i not in d.tok2obj:
        return []
    on_body = all(lexicon.lexname(d.objects[o].name) == "noun.body"
                  and not lexicon.is_lemma(d.objects[o].name, "a") for o in objs)  # not 'a small moped'
    if noun_lemma(held) in W.LIMBS or on_body:  # not 'with blue hair at a gathering': hair stays put
        return d.group(held)
    return []


def _vessel_of_contents(d: Draft, g, p, objs: list[int]) -> list[int]:
    """'a bowl of noodles, meat and broccoli with a fork': the parse hangs 'with a fork' on the last thing the bowl
    holds; a utensil or a dish beside them is the bowl's, not the food's ('a box of donuts with sprinkles' keeps its
    sprinkles)."""
    if p.lower_ != "with" or not objs or not all(noun_class(d.objects[o].name) == "tableware" for o in objs):
        return []
    t = conj_root(g)
    if t.dep_ != "pobj" or t.head.lower_ != "of":
        return []
    holder = t.head.head
    j = d.tok2obj.get(holder.i)
    return d.group(holder) if j is not None and d.objects[j].name in W.HOLDERS else []


def _carried_object(d: Draft, v, pred: str, objs: list[int]) -> list[int]:
    """The verb's direct object when a locative phrase places it on the body: 'carrying a backpack on his
    back', 'holding a bat in his hands' -- the phrase says where the object is, not where the subject is; and
    where a verb that moves its object says where it goes: 'a baker placing goods inside a bag', 'putting a pan
    in the oven', 'throwing a ball into the water' -> (goods, inside, bag), as FACTUAL writes it ('person putting
    their hand on the glass': (hand, on, glass)); not a scene's place, which says where it happens."""
    if not objs:
        return []
    moved = (lemma(v) in W.MOVING_VERBS and pred in W.DESTINATIONS) or (
        lemma(v) in W.THROWING_VERBS and pred in W.DESTINATIONS - {"in", "on", "at", "near", "next to", "by"})
    scene = all(d.objects[o].name in W.SCENE_PLACES for o in objs)
    on_body = pred in ("on", "in", "around", "over") and all(
        lexicon.lexname(d.objects[o].name) == "noun.body" for o in objs)  # fmt: skip
    if not (moved and not scene) and not on_body:
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
