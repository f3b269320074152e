"""Relations not made by a preposition: verb + object ("a man riding a horse"), gapped transitive relative clauses
("the shirt the man is wearing"), possessives ("the man's hat", "an elephant touching a ball with its trunk" ->
(elephant, have, trunk)), and a person or animal "in" a garment, who wears it."""

from __future__ import annotations

from sgfns.graphs.parser.rules.draft import Draft
from sgfns.graphs.parser.rules.tokens import (
    NOUNS,
    OBJ_DEPS,
    acts_as_verb,
    lemma,
    noun_lemma,
    verb_lemma,
    verb_phrase,
)
from sgfns.text import closed_words as W
from sgfns.text import lexicon
from sgfns.text.wordclasses import is_animate, is_garment


def relations_from_objects(d: Draft) -> None:
    """Verb + direct object ("riding a horse") and gapped transitive relative clauses."""
    for o in d.tokens:
        if o.dep_ in OBJ_DEPS or (o.dep_ == "attr" and lemma(o.head) not in W.STATIVE_COPULAS):
            v = o.head
            if v.pos_ not in ("VERB", "AUX") and not (  # "a black and white dog chases a frisbee"; not "tank top"
                    acts_as_verb(v) and not lexicon.is_lemma(f"{v.lower_} {noun_lemma(o)}", "n")):  # fmt: skip
                continue
            objs = d.group(o)
            if not objs:
                continue
            d.add_rel(d.subjects_of(v), verb_phrase(v), objs)
    # a participle with its own noun inside a noun phrase: "snow covered ground" -> (snow, cover, ground),
    # "a woman hauling baggage" (parsed as baggage's modifier) -> (woman, haul, baggage); no attribute "covered"
    for t in d.tokens:
        if t.dep_ != "amod" or t.tag_ not in ("VBN", "VBG") or t.head.i not in d.tok2obj:
            continue
        doer = next((c for c in t.children if c.dep_ in ("npadvmod", "compound", "nmod", "nsubj") and c.i < t.i
                     and c.i in d.tok2obj), None)  # fmt: skip
        if doer is None or doer.lower_ in W.VISUAL_ADJECTIVES or not (
                not lexicon.is_lemma(f"{t.lower_} {noun_lemma(t.head)}", "n") if t.tag_ == "VBG"
                else verb_phrase(t) in W.COVERING_VERBS):  # fmt: skip
            continue  # "white whipped cream", "a metal serving spoon", "a heart shaped ornament": no doer
        owner = d.objects[d.tok2obj[t.head.i]]
        owner.attributes = [a for a in owner.attributes if t.lower_ not in a.replace("-", " ").split()]
        d.add_rel(d.group(doer), verb_phrase(t), d.group(t.head))
    # "baby brushing teeth" parsed as three nouns: the -ing word and the person before it both modify "teeth"
    for t in d.tokens:
        h = t.head
        if t.dep_ != "compound" or not t.lower_.endswith("ing") or h.i not in d.tok2obj or t.i < 1:
            continue
        doer = d.doc[t.i - 1]
        if doer.dep_ == "compound" and doer.head.i == h.i and doer.i in d.tok2obj and lexicon.morphy(t.lower_, "v"):
            if is_animate(d.objects[d.tok2obj[doer.i]].name):
                owner = d.objects[d.tok2obj[h.i]]
                owner.attributes = [a for a in owner.attributes if a != t.lower_]
                d.add_rel([d.tok2obj[doer.i]], verb_lemma(t), [d.tok2obj[h.i]])
                d.doers[h.i] = [d.tok2obj[doer.i]]
    # gapped transitive relative clause: "the shirt the man is wearing" -> (man, wear, shirt)
    for v in d.tokens:
        if v.dep_ == "relcl" and v.pos_ == "VERB" and v.head.pos_ in NOUNS:
            kids = list(v.children)
            if any(c.dep_ in OBJ_DEPS | {"prep", "ccomp", "xcomp", "attr", "acomp"} for c in kids):
                continue
            subs = d.subjects_of_nonrel(v)
            if subs:
                d.add_rel(subs, verb_phrase(v), d.group(v.head))


def relations_from_possessives(d: Draft) -> None:
    """Possessives -> (owner, have, owned): "the man's hat", "its trunk", "in her kitchen"."""
    for t in d.tokens:
        if t.dep_ == "poss" and (t.pos_ in NOUNS or t.lower_ in W.PERSON_PRONOUNS):
            owner = d.ent(t)
            owned = d.group(t.head) if t.head.pos_ in NOUNS else []
            if owner is not None:
                d.add_rel([owner], "have", owned[:1])
        elif t.dep_ == "poss" and t.lower_ in W.POSSESSIVE_PRONOUNS and t.head.i in d.tok2obj:
            owned = d.tok2obj[t.head.i]
            owner = _antecedent(d, t, owned)
            if owner is not None:
                # "an elephant touching a ball with its trunk" -> (elephant, have, trunk); "a woman cooking in her
                # kitchen" -> (woman, have, kitchen) beside (woman, cook in, kitchen): the caption says both
                d.add_rel([owner], "have", [owned])


def _antecedent(d: Draft, pron, owned: int) -> int | None:
    """The object a possessive pronoun refers to: the subject of its clause, else the sentence's first object.
    The pronoun itself never becomes an object; it only links two objects the caption names."""
    want_person = pron.lower_ in ("his", "her")
    want_thing = pron.lower_ == "its"

    def fits(i: int) -> bool:
        if i == owned or d.objects[i].span is None or d.objects[i].span[0] >= pron.idx:
            return False
        name = d.objects[i].name
        if want_person:
            return is_animate(name)
        if want_thing:
            return lexicon.lexname(name) != "noun.person" and name not in ("person", "people")
        return True

    h = pron.head
    for _ in range(6):
        if h.pos_ in ("VERB", "AUX"):
            for i in d.subjects_of(h):
                if fits(i):
                    return i
        if h.head.i == h.i:
            break
        h = h.head
    sent_start = pron.sent.start
    for i in sorted(range(len(d.objects)), key=lambda k: d.objects[k].span[0]):
        if d.objects[i].span[0] >= d.doc[sent_start].idx and fits(i):
            return i
    return None


def clothing_as_wear(d: Draft) -> None:
    """'a man in a red shirt': a person or animal 'in' a garment wears it."""
    for r in d.relations:
        if r.predicate == "in" and is_animate(d.objects[r.subject].name) and is_garment(d.objects[r.object].name):
            r.predicate = "wear"
