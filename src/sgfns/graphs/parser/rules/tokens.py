"""What the rules ask of one spaCy token: its lemma, whether it is a number or a quantifier, which token stands for
the entity ("a group of people" -> "people"), whether it is a side word ("right of")."""

from __future__ import annotations

from sgfns.text import closed_words as W
from sgfns.text import lemmas as L
from sgfns.text import lexicon
from sgfns.text.wordclasses import is_animate

NOUNS = {"NOUN", "PROPN"}
MODIFIER_DEPS = {"compound", "amod", "nmod", "npadvmod"}
SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
OBJ_DEPS = {"dobj", "obj", "oprd"}


def lemma(tok) -> str:
    """The lemma from the word and its Penn tag (`sgfns.text.lemmas`, not spaCy's lemmatizer)."""
    return L.lemma(tok.lower_, tok.tag_)


def verb_lemma(tok) -> str:
    """The verb's lemma even when the tagger took it for an adjective or noun ("covered", "parked")."""
    if tok.tag_.startswith("VB"):
        return L.verb_lemma(tok.lower_, tok.tag_)
    t = tok.lower_
    tag = "VBG" if t.endswith("ing") else "VBN" if t.endswith("ed") else "VBZ" if t.endswith("s") else "VB"
    return L.verb_lemma(t, tag)


def acts_as_verb(tok) -> bool:
    """The caption's verb that the tagger read as a noun at the root: "a dog climbs over a log", "dogs fight in
    grass" (a noun with a subject), "a shaggy white sheep grazes in a field" ("grazes" a plural noun under a
    singular "a", its subject a compound), "a kid riding on a skateboard" ("riding" a noun with "kid" its
    modifier). Its compound, modifier or subject noun is then its subject
    (`Draft.subjects_of`), not a modifier."""
    if tok.dep_ != "ROOT" or tok.pos_ not in NOUNS or tok.i == 0 or not lexicon.morphy(tok.lower_, "v"):
        return False
    kids = list(tok.children)
    if not any(c.dep_ in ("prep", "dobj", "xcomp") or c.dep_ == "conj" and c.tag_ == "VBZ" for c in kids):
        return False  # a phrase, or a verb it is coordinated with ("a tri-colored dog jumps and catches a frisbee")
    before = tok.doc[tok.i - 1]
    if any(c.dep_ in SUBJ_DEPS and c.pos_ in NOUNS for c in kids) and not before.is_punct:
        return True  # "a dog climbs over a log", "dogs fight in grass"; not "a child with ..., plants in background"
    if (before.head.i == tok.i and before.dep_ in ("amod", "compound") and before.pos_ in NOUNS
            and tok.lower_.endswith("ing")):  # fmt: skip
        return is_animate(noun_lemma(before))  # "a kid riding on a skateboard", "a zebra grazing on grass"
    if tok.tag_ != "NNS" or before.dep_ != "compound" or before.head.i != tok.i or before.tag_ != "NN":
        return False
    det = next((c.lower_ for c in kids if c.dep_ == "det"), None)
    # "a shaggy sheep grazes"; "the little girl swings" (not "the train tracks": a person or animal after "the")
    return det in ("a", "an") or det == "the" and is_animate(noun_lemma(before))


def noun_lemma(tok) -> str:
    """The noun's lemma, also for a noun the tagger read as a verb; proper nouns WordNet lacks stay as written."""
    text = tok.lower_
    if tok.tag_ == "VBG" and lexicon.is_lemma(text, "n"):
        return text
    if tok.pos_ == "PROPN" and not lexicon.is_lemma(L.noun_lemma(text, tok.tag_), "n"):
        return text
    tag = tok.tag_ if tok.tag_.startswith("NN") else "NNS" if tok.tag_ == "VBZ" else "NN"
    return L.noun_lemma(text, tag)


def adj_predicate(adj) -> str:
    """The adjective's share of a predicate: 'covered in' -> 'cover', 'close to' -> 'close', 'blue with' -> ''."""
    t = adj.lower_
    if adj.tag_ == "VBN" or (t.endswith("ed") and lexicon.morphy(t, "v")):
        return verb_lemma(adj)
    if t in W.PREDICATE_HEADS or t in W.RELATIONAL_ADJECTIVES:
        return t
    return ""


def is_quantifier(tok) -> bool:
    """A container noun such as "group", "bunch", "piece" (the entity is what follows its "of")."""
    return tok.pos_ in NOUNS and (tok.lower_ in W.QUANTIFIER_NOUNS or noun_lemma(tok) in W.QUANTIFIER_NOUNS)


def number(tok) -> int | None:
    """The count a numeral or number word gives, else None."""
    t = tok.lower_.replace(",", "")
    if t.isdigit():
        v = int(t)
        return v if v < 10**6 else None
    return W.NUMBER_WORDS.get(t)


def of_object(tok):
    """The noun after the token's "of" ("group" in "a group of people" -> "people"), or None."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for g in c.children:
                if g.dep_ == "pobj" and (g.pos_ in NOUNS or g.lower_ in W.PERSON_PRONOUNS):
                    return g
    return None


def joins_head(tok) -> bool:
    """The second word of a compound name that the parse hung on the first: "a fire hydrant" with "hydrant" an
    adjective of "fire", "a teddy bear" with "bear" in apposition. The two are one object, named by both; what
    hangs on the second word hangs on that object."""
    h = tok.head
    # ... or a participle that is no verb at all: "a microwave oven" with "oven" read as a clause on "microwave"
    how = tok.dep_ in ("amod", "appos") or (tok.dep_ == "acl" and not lexicon.morphy(tok.lower_, "v"))
    return (how and h.i == tok.i - 1 and h.pos_ in NOUNS and tok.is_alpha
            and compound_name(f"{h.lower_} {noun_lemma(tok)}"))  # fmt: skip


def compound_name(words: str) -> bool:
    """Is this noun compound ("fire hydrant", "stop sign") the name of one kind of thing: a WordNet lemma, or a
    name FACTUAL's annotators keep whole (`closed_words.COMPOUND_NAMES`)?"""
    return lexicon.is_lemma(words, "n") or words in W.COMPOUND_NAMES


def conj_root(tok):
    """The first noun of the coordination the token is in ("a man and a woman" -> man), else the token itself."""
    while tok.dep_ == "conj" and tok.head.pos_ in NOUNS | {"PRON"}:
        tok = tok.head
    return tok


def framing_object(tok):
    """The thing a framing noun at the head of the caption shows ("a picture of a dog on a couch", "a close up of
    a bear", "this is a dark picture of a room": the photo's framing, no object of its own), else None. Only the
    caption's root (or what "this is" introduces) counts: "a picture of a cat hangs on the wall" names a picture."""
    start = 0
    if tok.dep_ == "attr" and tok.head.dep_ == "ROOT" and lemma(tok.head) == "be" and any(
            c.dep_ in SUBJ_DEPS | {"expl"} and c.lower_ in ("this", "it", "that", "here", "there")
            for c in tok.head.children):  # fmt: skip
        start = tok.head.i + 1  # "this is a very dark picture of a room"
    elif tok.dep_ != "ROOT":
        return None
    if tok.pos_ not in NOUNS and tok.lower_ != "close":
        return None
    before = tok.doc[start : tok.i]
    if tok.lower_ == "up" and before.text.lower().endswith(("close-", "close -")):  # "a close-up of"
        before = tok.doc[start : max(tok.i - 2, start)]
    elif tok.lower_ == "close":  # "a close up of", "close up of": 'up' carries the 'of'
        tok = next((c for c in tok.children if c.lower_ == "up" and c.i == tok.i + 1), None)
        if tok is None:
            return None
    elif noun_lemma(tok) not in W.FRAMING_NOUNS:
        return None
    # only words that describe the framing before it: "a black and white photo of", "two images of", "a cartoon
    # image of"
    if any(t.pos_ not in ("DET", "ADJ", "PUNCT", "CCONJ", "ADV", "NUM")
           and not (t.dep_ == "compound" and t.head.i == tok.i) for t in before):  # fmt: skip
        return None
    return of_object(tok)


def names_no_thing(tok) -> bool:
    """A noun that names no thing in the photo: manner, size, distance or season after "in" ("in a throwing
    position", "torn in half", "in the distance"), a noun that never does ("under construction", "for sale"),
    something the caption says is absent ("with no shirt", "without a shirt"), a bare time of day ("at night", "in
    the evening"; not "at sunset", whose sky is seen, nor "on a sunny day", whose light is), the picture one poses
    for ("posing for a picture"), the object of a light verb ("making their way", "taking a break") or an adverb
    the tagger read as a noun ("swims underwater")."""
    if tok.lower_ in W.ADVERBS_READ_AS_NOUNS:
        return True  # "swims underwater"
    if tok.dep_ == "pobj" and tok.head.lower_ == "in" and tok.lower_ in W.MANNER_NOUNS:
        return True
    if (tok.dep_ == "pobj" and tok.head.lower_ == "without") or _negated(tok):
        return True  # absent, so nothing to relate
    if tok.dep_ == "pobj" and tok.head.lower_ in W.TIME_PREPOSITIONS and tok.lower_ in W.TIMES_OF_DAY:
        return not any(c.dep_ == "amod" for c in tok.children)  # "on a sunny day" keeps its day: the light is seen
    if posed_for(tok) and L.noun_lemma(tok.lower_, tok.tag_) not in ("camera", "photographer"):
        return True
    if tok.dep_ == "dobj" and (L.verb_lemma(tok.head.lower_), tok.lower_) in W.LIGHT_VERB_OBJECTS:
        return True  # "making their way down a hill", "taking a break"
    return tok.lower_ in W.NO_THING_NOUNS and tok.dep_ in ("pobj", "pcomp")


def in_posing_phrase(n) -> bool:
    """The noun is the object of a preposition of a posing verb ("pose by a stream", "posing for a picture")."""
    if n.dep_ != "pobj" or n.pos_ not in NOUNS or n.head.dep_ != "prep" or n.head.head.pos_ != "VERB":
        return False
    return L.verb_lemma(n.head.head.lower_) in W.POSING_VERBS


def posed_for(n) -> bool:
    """The picture, camera or photographer one poses for ("posing for a picture")."""
    return in_posing_phrase(n) and n.head.lower_ == "for" and L.noun_lemma(n.lower_, n.tag_) in W.POSED_FOR


def _negated(tok) -> bool:
    """The noun's only determiner is "no", followed by adjectives only ("no shirt", "no green leaves"); not the name
    of a sign ("a no parking sign", "no smoking sign"), whose "no" is part of what the sign says."""
    dets = [c for c in tok.children if c.dep_ == "det"]
    if len(dets) != 1 or dets[0].lower_ != "no" or dets[0].i > tok.i:
        return False
    return all(t.pos_ == "ADJ" for t in tok.doc[dets[0].i + 1 : tok.i])


def with_object_before(head, i: int):
    """The object of a "with" phrase on `head` that ends right before token `i` ("sits at a table with his head | in
    his hand", "a bathroom with a toilet | sitting next to a sink"), else None."""
    for p in head.children:
        if p.dep_ == "prep" and p.lower_ == "with" and p.i < i and max(t.i for t in p.subtree) == i - 1:
            return next((t for t in p.children if t.dep_ == "pobj"), None)
    return None


def walk_in_object(tok):
    """The noun of "a walk in shower" (the hyphen of walk-in left out) when the token is its "walk", else None."""
    if tok.lower_ != "walk" or tok.pos_ not in NOUNS:
        return None
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "in" and c.i == tok.i + 1:
            for g in c.children:
                if g.dep_ == "pobj" and g.i == c.i + 1 and g.lower_ in W.WALK_IN_NOUNS:
                    return g
    return None


def resolve(tok):
    """The token that stands for the entity: "a group of people" -> "people", "a picture of a dog" -> "dog", "a
    walk in shower" -> "shower"."""
    seen = 0
    while seen < 4:
        of = of_object(tok) if is_quantifier(tok) else framing_object(tok)
        if of is None:
            of = walk_in_object(tok)
        if of is None:
            break
        tok = of
        seen += 1
    return tok


def hyphen_joins(doc, i: int) -> bool:
    """Words `i` and `i + 2` are written as one, with a hyphen between and no space ("long-haired")."""
    return (0 <= i and i + 2 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_
            and not doc[i + 1].whitespace_)  # fmt: skip


def side_word(tok) -> bool:
    """'right' in 'a moon right of a box' (not 'to the right of', where 'right' is a consumed noun)."""
    doc = tok.doc
    return (
        tok.lower_ in ("left", "right")
        and tok.i + 1 < len(doc)
        and doc[tok.i + 1].lower_ == "of"
        and not (tok.dep_ == "pobj" and tok.head.pos_ == "ADP")
    )


def verb_phrase(v) -> str:
    """The verb's lemma with its particles ("pick up") and the "way" one makes ("make way", of "making their way
    through the woods")."""
    words = [verb_lemma(v)]
    for c in v.children:
        if c.dep_ == "prt" and c.i > v.i or c.dep_ == "dobj" and (words[0], c.lower_) == ("make", "way"):
            words.append(c.lower_)
    return " ".join(words)
