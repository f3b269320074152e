"""Phrases and conjuncts the parse hung on the wrong word, re-hung in the copy the rules read (after `retag.py`
has mended the tags, word by word in reading order):
- adjectives the parse put in a noun's place with the noun as their last conjunct ("a tan and white dog standing near
  plants": "tan" the subject) are the noun's;
- a garment after "and" that the parse coordinated with the person who wears it (or made a second subject of the
  verb) is one more garment of the person's "wearing", "in" or "with" phrase ("a woman wearing a white hat and shirt
  is jogging down a street": the shirt does not jog; "a girl with a red hood and shirt is sitting");
- what a number word set beside people or animals has or does is theirs ("three elderly women, two with canes");
- a "with" of a marking right after a garment is the garment's ("wears a shirt with a peace sign");
- an "in" phrase of a garment hung on the verb right after its object that can wear it is that one's ("holding a
  young girl in a denim dress");
- a phrase hung on what one poses for, on the air, or a "with" holding what is in someone's mouth or hand, is the
  doer's ("posing for a picture on a boat", "jumping into the air on the beach", "running through a creek with a
  stick in its mouth");
- an -ing verb after "after" or "before" is a clause of its own ("shaking after coming out of the water"), and an
  -ing clause of a verb of seeing is what the thing seen does ("watch the fish moving in the pond");
- a phrase hung on the object of a light verb is the verb's ("makes her way out of the water");
- a phrase hung on "down" of "upside down" belongs to what is upside down ("a person upside down on a board"), and
  one hung on an adverb the tagger read as a noun to the adverb's head ("going headfirst down a slide")."""

from __future__ import annotations

from sgfns.graphs.parser.rules.retag import NOUN_PLACES, animate, move
from sgfns.graphs.parser.rules.tokens import NOUNS, in_posing_phrase, posed_for
from sgfns.text import closed_words as W
from sgfns.text import lemmas as L
from sgfns.text import lexicon
from sgfns.text.lemmas import verb_lemma
from sgfns.text.wordclasses import is_garment


def reattach(w) -> None:
    """Re-hang what the parse hung on the wrong word, for the word `w` (see the module docstring)."""
    noun = _noun_after_its_listed_adjectives(w)
    if noun is not None:  # "a tan and white dog standing near plants": the dog stands, tan and white
        _mend_listed_adjectives(w, noun)
    worn = _garment_listed_as_wearer(w)
    if worn is not None:  # "a woman wearing a white hat and shirt is jogging": the shirt is worn
        _mend_garment_list(w, *worn)
    if w.dep_ == "prep" and w.lower_ != "of" and (_hung_on_what_is_posed_for(w) or _said_of_the_air(w)
                                                  or _held_by_the_doer(w)):  # fmt: skip
        move(w, w.head.head.head, "prep")
    if w.dep_ == "appos" and w.tag_ == "CD" and w.lower_ in W.NUMBER_WORDS and w.head.pos_ in NOUNS and animate(w.head):
        for k in [k for k in w.children if k.dep_ in ("prep", "acl") and k.lower_ != "of"]:
            move(k, w.head, k.dep_)  # "three women, two with canes": theirs
    if _marking_of_the_garment_before(w):  # "wears a shirt with an orange peace sign": on the shirt
        move(w, w.doc.words[w.i - 1], "prep")
    if _worn_by_the_one_before(w):  # "holding a young girl in a denim dress": the girl wears it
        move(w, w.doc.words[w.i - 1], "prep")
    if _clause_after_time_word(w):  # "a dog is shaking after coming out of the water": the dog came out
        p = w.head
        move(w, p.head, "advcl")
        move(p, w, "mark")
    if _seen_doing(w):  # "children watch the fish moving in the pond": they watch the fish
        n = next(k for k in w.children if k.dep_ == "nsubj")
        move(n, w.head, "dobj")
        move(w, n, "acl")
    if w.dep_ == "prep" and w.head.dep_ == "dobj" and (verb_lemma(w.head.head.lower_), w.head.lower_) in \
            W.LIGHT_VERB_OBJECTS:  # "makes her way out of the water": she goes out of it
        move(w, w.head.head, "prep")
    if w.dep_ == "prep" and w.head.lower_ in W.ADVERBS_READ_AS_NOUNS and w.head.head is not w.head:
        move(w, w.head.head, "prep")  # "going headfirst down a slide": the boy goes down it
    if w.lower_ == "down" and w.dep_ == "advmod" and w.i > 0 and w.doc.words[w.i - 1].lower_ == "upside":
        for k in [k for k in w.children if k.dep_ == "prep"]:  # "a person upside down on a board": on it
            move(k, w.head, "prep")


def _hung_on_what_is_posed_for(p) -> bool:
    """'posing for a picture on a boat' (the place hung on the picture), 'pose by a stream for a picture' (the
    purpose hung on the place): the phrase is the verb's, of where or what for they pose."""
    n = p.head
    if not in_posing_phrase(n):
        return False
    if posed_for(n):
        return True  # a place hung on the picture
    obj = next((c for c in p.children if c.dep_ == "pobj"), None)
    return p.lower_ == "for" and obj is not None and L.noun_lemma(obj.lower_, obj.tag_) in W.POSED_FOR

def _marking_of_the_garment_before(p) -> bool:
    """A "with" of a marking (`MARKINGS`) right after a garment that the parse hung elsewhere: the garment's."""
    if p.dep_ != "prep" or p.lower_ != "with" or p.i == 0:
        return False
    g = p.doc.words[p.i - 1]
    obj = next((c for c in p.children if c.dep_ == "pobj"), None)
    return p.head is not g and obj is not None and obj.lower_ in W.MARKINGS and _is_garment(g)

def _worn_by_the_one_before(p) -> bool:
    """'a woman holding a young girl in a denim dress', 'people pose by a snowman in a red tie': an "in" phrase of a
    garment that the parse hung on the verb, right after the verb's object (or the object of its phrase) that can
    wear it, is that one's."""
    if p.dep_ != "prep" or p.lower_ != "in" or p.head.pos_ != "VERB" or p.i == 0:
        return False
    worn = next((c for c in p.children if c.dep_ == "pobj"), None)
    if worn is None or not _is_garment(worn):
        return False
    n = p.doc.words[p.i - 1]
    if n.pos_ not in NOUNS or not (animate(n) or L.noun_lemma(n.lower_, n.tag_) in W.WEARERS):
        return False
    for _ in range(3):  # the verb's object, the object of its phrase, or of an "of" on either ("a picture of a baby")
        if n.dep_ == "dobj" and n.head is p.head or n.dep_ == "pobj" and n.head.head is p.head:
            return True
        if n.dep_ != "pobj" or n.head.lower_ != "of":
            return False
        n = n.head.head
    return False

def _clause_after_time_word(w) -> bool:
    """'after coming out of the water', 'before jumping into a pool': an -ing verb after a word of time, parsed as
    that word's object, is a clause of its own, read as a "while" clause is (its doer the main clause's)."""
    return w.dep_ == "pcomp" and w.tag_ == "VBG" and w.head.lower_ in W.CLAUSE_TIME_WORDS and w.head.head is not w.head

def _seen_doing(w) -> bool:
    """'watch the fish moving in the pond': an -ing clause of a verb of seeing, parsed with its own subject, is what
    is seen doing it; the thing seen is the verb's object."""
    if w.dep_ != "ccomp" or w.tag_ != "VBG" or verb_lemma(w.head.lower_) not in W.SEEING_VERBS:
        return False
    if any(k.dep_ == "dobj" for k in w.head.children):
        return False
    n = next((k for k in w.children if k.dep_ == "nsubj"), None)
    return n is not None and n.pos_ in NOUNS and w.head.i < n.i < w.i

def _noun_after_its_listed_adjectives(w):
    """'A tan and white dog standing near green plants': the parse makes "tan" the subject and "white" and "dog" its
    conjuncts. Where an adjective in a noun's place has only adjectives and, last, a noun as conjuncts, that noun is
    the thing and the adjectives are its own; the noun is returned, else None."""
    if w.tag_ != "JJ" or w.dep_ not in NOUN_PLACES | {"ROOT"}:
        return None
    conjs = [c for c in w.children if c.dep_ == "conj"]
    if not conjs or conjs[-1].pos_ not in NOUNS or any(c.tag_ != "JJ" for c in conjs[:-1]):
        return None
    noun = conjs[-1]
    if any(c.dep_ in ("conj", "cc") for c in noun.children):
        return None
    before = w.doc.words[noun.i - 1]  # the list runs into the noun: "tan and white dog", not "white and woman"
    return noun if before is w or before in conjs else None

def _mend_listed_adjectives(w, noun) -> None:
    """The noun takes the adjective's place (with the words before it); the adjectives hang on the noun."""
    head, dep = w.head, w.dep_
    w.children.remove(noun)
    for k in [k for k in w.children if k.dep_ == "det"]:
        move(k, noun, "det")
    if head is w:
        noun.head, noun.dep_ = noun, "ROOT"
    else:
        head.children.remove(w)
        noun.head, noun.dep_ = head, dep
        head.children.append(noun)
        head.children.sort(key=lambda t: t.i)
    w.head, w.dep_ = noun, "amod"
    noun.children.append(w)
    for k in [k for k in w.children if k.i > noun.i]:  # what followed the noun (a root's phrases, the stop)
        move(k, noun, k.dep_)
    noun.children.sort(key=lambda t: t.i)

def _garment_listed_as_wearer(w):
    """'A woman wearing a white hat and shirt is jogging', 'a girl in a blue dress and a baseball cap is sitting': a
    garment after "and" that the parse coordinated with the person (or made a second subject of the verb) is one
    more garment of the person's "wearing" / "in" / "with" phrase. The garment that phrase names (before this one)
    and the person are returned, else None."""
    if w.dep_ not in ("conj", "nsubj") or not _is_garment(w):
        return None
    if w.dep_ == "conj":
        person = w.head
    else:
        person = next((k for k in w.head.children if k.dep_ == "nsubj" and k.i < w.i and k is not w), None)
        if person is None or not any(k.dep_ == "cc" and person.i < k.i < w.i for k in person.children):
            return None
    if person is None or person.pos_ not in NOUNS or not animate(person):
        return None
    worn = None
    for c in person.children:
        if c.i > w.i:
            continue
        if c.dep_ == "acl" and verb_lemma(c.lower_) == "wear":
            worn = next((k for k in c.children if k.dep_ == "dobj"), worn)
        elif c.dep_ == "prep" and c.lower_ in ("in", "with"):
            worn = next((k for k in c.children if k.dep_ == "pobj"), worn)
    if worn is None or worn.pos_ not in NOUNS or not all(_is_garment(c) for c in _conj_chain(w)):
        return None  # "blue shorts, light blue shirt, black hair with a sprinkler": not a list of garments only
    # what the phrase names first may be a thing WordNet does not call a garment, if it is no person or animal, or
    # one whose first sense is a person when the garment shares its article ("with a red hood and shirt": a hood is
    # first a hoodlum in WordNet)
    if not (_is_garment(worn) or not animate(worn) or not any(k.dep_ in ("det", "poss", "nummod") for k in w.children)):
        return None
    return worn, person

def _is_garment(w) -> bool:
    return w.pos_ in NOUNS and is_garment(L.noun_lemma(w.lower_, w.tag_))

def _conj_chain(w) -> list:
    """The word and the words coordinated after it ("t-shirt, and cap")."""
    out, k = [w], w
    while (k := next((c for c in k.children if c.dep_ == "conj"), None)) is not None:
        out.append(k)
    return out

def _mend_garment_list(w, worn, person) -> None:
    """The garment joins the list of what is worn; a phrase of place the parse hung on it is the person's ("a suit
    and tie in a fancy building", "jeans, t-shirt and cap on a bike")."""
    cc = next((k for k in w.head.children if k.dep_ == "cc" and worn.i < k.i < w.i), None)
    if cc is not None:
        move(cc, worn, "cc")
    move(w, worn, "conj")
    for g in _conj_chain(w):
        for k in [k for k in g.children if k.dep_ == "prep" and k.lower_ not in ("with", "of")]:
            move(k, person, "prep")

def _said_of_the_air(p) -> bool:
    """'jumping into the air on the beach', 'spinning a girl in the air above his head': a place hung on the air
    is where what is in the air is."""
    n = p.head
    return n.lower_ == "air" and n.dep_ == "pobj" and n.head.lower_ in ("in", "into", "through")

def _held_by_the_doer(p) -> bool:
    """'running through a creek with a stick in its mouth': a "with" whose thing is in someone's mouth or hand is the
    doer's, not the place's the parse hung it on."""
    n = p.head
    if p.lower_ != "with" or n.dep_ != "pobj" or n.pos_ not in NOUNS or n.head.head.pos_ != "VERB" or animate(n):
        return False
    held = next((c for c in p.children if c.dep_ == "pobj"), None)
    if held is None:
        return False
    places = [b for k in held.children if k.dep_ == "prep" for b in k.children if b.dep_ == "pobj"]
    return any(lexicon.lexname(L.noun_lemma(b.lower_, b.tag_)) == "noun.body"
               and any(x.dep_ == "poss" and x.lower_ in ("its", "his", "her", "their") for x in b.children)
               for b in places)  # fmt: skip
