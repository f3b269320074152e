"""Tags the parse itself shows to be wrong, mended in the copy the rules read before they read it.

The small model tags a noun of a list as an adjective or a verb when the list has no article of its own: "a
refrigerator, oven and microwave" (oven JJ, microwave VB), "an island, icebox, and sink in it" (sink VB). The
parse still makes the word a conjunct of a noun, so it is one more thing of the list: a conjunct of a noun that
WordNet knows as a concrete noun (and not as an adjective), with no subject, object or particle of its own and no
colour, becomes a noun (every rule then reads it as one, the list's relation included). So does the list's first
noun when the tagger made it an adjective that the parse still uses as a noun ("a white oven and a white
refrigerator are in the kitchen": oven JJ, the subject, with its own article and colour): a word tagged JJ with an
article of its own, in a noun's place (subject, object, a preposition's object or the head of a list), that WordNet
knows as a concrete noun and not as an adjective.

It reads a plural noun in -s as the verb it is where the caption has no verb and the noun before it is its
modifier ("a girl in a dress runs across the field": "dress runs" read as one noun).

It also reads an -ing noun right after a noun as the participle it is ("a man on a bicycle riding next to a
train", "a man talking on a phone standing behind a car": riding and standing tagged as nouns, the bicycle and the
phone their modifiers): where a verb of posture or action ends in -ing, is the object of a preposition or a verb,
has a phrase of its own and a noun just before it as its modifier, that noun takes its place as the object and the
-ing word becomes a participle on the phrase's governor."""

from __future__ import annotations

from sgfns.graphs.parser.rules.parsed import Parsed
from sgfns.graphs.parser.rules.tokens import NOUNS
from sgfns.text import closed_words as W
from sgfns.text import colours as C
from sgfns.text import lemmas as L
from sgfns.text import lexicon
from sgfns.text.lemmas import verb_lemma
from sgfns.text.wordclasses import CONCRETE_LEXNAMES

CONCRETE = CONCRETE_LEXNAMES | {"noun.body"}
# what a verb or an adjective has and a listed noun has not
VERB_CHILDREN = frozenset({"dobj", "nsubj", "nsubjpass", "prt", "aux", "auxpass", "xcomp", "ccomp", "advmod",
                           "dative", "acomp", "neg", "mark", "advcl", "attr", "agent", "oprd"})  # fmt: skip
# Verbs whose -ing form the tagger reads as a noun after another noun ("bicycle riding", "phone standing"); not
# those whose -ing noun is a thing or an activity of its own ("chalk drawing", "rope swing", "rock climbing").
ACTING = frozenset({"sit", "stand", "lie", "lay", "walk", "run", "jog", "swim", "play", "ride", "skate", "ski",
                    "surf", "sing", "talk", "eat", "drink", "hold", "wear", "fly", "peek", "peak", "jump", "kneel",
                    "sleep", "graze", "pose", "wait", "look", "lean", "rest", "perch"})  # fmt: skip


def _listed_noun(w) -> str | None:
    """The tag a mis-tagged listed noun should have (NN / NNS), else None."""
    if w.dep_ != "conj" or w.pos_ not in ("ADJ", "VERB") or w.tag_ not in ("JJ", "VB", "VBP", "VBZ"):
        return None
    if w.head.pos_ not in NOUNS or not w.is_alpha or w.lower_ in W.VISUAL_ADJECTIVES | C.PARSER_COLOURS:
        return None
    if w.head.dep_ in ("compound", "amod", "nmod"):
        return None  # a list of modifiers: "the bar and grill restaurant"
    if w.tag_ == "JJ" and lexicon.is_lemma(w.lower_, "a"):
        return None  # "a knight and royal woman": an adjective after all
    tag = "NNS" if w.tag_ == "VBZ" else "NN"
    lemma = L.noun_lemma(w.lower_, tag)
    # a phrase of its own reads like a verb's ("... and orange pants work at a site"): then the noun must be the
    # word's first sense ("sink in it"), else one of its first two ("oven and microwave": a wave, then the oven)
    if not _concrete_noun(lemma, 1 if any(c.dep_ == "prep" for c in w.children) else 2):
        return None
    if any(c.dep_ in VERB_CHILDREN for c in w.children):
        return None
    return tag


ARTICLES = frozenset({"a", "an", "the"})
NOUN_PLACES = frozenset({"nsubj", "nsubjpass", "dobj", "pobj"})


def _noun_tagged_adjective(w) -> bool:
    """'A white oven and a white refrigerator are …': oven JJ, yet the subject, with an article of its own."""
    if w.tag_ != "JJ" or not w.is_alpha or w.lower_ in W.VISUAL_ADJECTIVES | C.PARSER_COLOURS:
        return False
    if w.dep_ not in NOUN_PLACES and not (w.dep_ == "ROOT" and any(c.dep_ == "conj" for c in w.children)):
        return False
    if not any(c.dep_ == "det" and c.lower_ in ARTICLES and c.i < w.i for c in w.children):
        return False
    if lexicon.is_lemma(w.lower_, "a") or any(c.dep_ in VERB_CHILDREN for c in w.children):
        return False
    return _concrete_noun(L.noun_lemma(w.lower_, "NN"), 2)


def _concrete_noun(lemma: str, senses: int) -> bool:
    """WordNet knows `lemma` as a concrete noun among its first `senses` noun senses."""
    return any(lexicon.lexname_of(s) in CONCRETE for s in lexicon.synset_ids(lemma, "n")[:senses])


def mend_tags(doc: Parsed) -> None:
    """Mend, in place and in reading order (a list's later nouns hang on its earlier ones), the tags and
    participles above; a mended copy is left as it is."""
    for w in doc.words:
        tag = _listed_noun(w) or ("NN" if _noun_tagged_adjective(w) else None)
        if tag is not None:
            w.pos_, w.tag_ = "NOUN", tag
        elif _participle_read_as_noun(w):
            _mend_participle(w)
        elif _verb_read_as_plural_noun(w):
            _mend_verb(w)


def _verb_read_as_plural_noun(w) -> bool:
    """'A girl in a dress runs across the field', 'a woman in a sari rides on the back of a motorcycle': the small
    model reads "dress runs" as one plural noun and the caption has no verb. Where a plural noun in -s whose verb
    is an action of posture or motion (`ACTING`) is the object of a preposition on the caption's root noun, has a noun
    just before it as its modifier and a phrase of its own after it, and no word of the caption is a finite verb,
    it is the verb."""
    if w.tag_ != "NNS" or not w.lower_.endswith("s") or w.dep_ != "pobj" or w.i < 2:
        return False
    if verb_lemma(w.lower_) not in ACTING:
        return False
    c = w.doc.words[w.i - 1]
    if c.head is not w or c.dep_ != "compound" or c.pos_ not in NOUNS:
        return False
    p = w.head
    subject = p.head
    if subject.dep_ != "ROOT" or subject.pos_ not in NOUNS or subject.i > p.i:
        return False
    if not any(k.dep_ == "prep" and k.i > w.i for k in w.children):
        return False
    return not any(t.tag_ in ("VBZ", "VBP", "VBD", "MD") for t in w.doc.words)


def _mend_verb(w) -> None:
    """The noun before it becomes the preposition's object; the word becomes the root verb, the root noun its
    subject (with everything the subject had before the verb)."""
    noun, p = w.doc.words[w.i - 1], w.head
    subject = p.head
    _take_place(noun, w)
    p.children.remove(w)
    w.head, w.dep_, w.pos_, w.tag_ = w, "ROOT", "VERB", "VBZ"
    subject.head, subject.dep_ = w, "nsubj"
    w.children.append(subject)
    for k in [k for k in subject.children if k.i > w.i]:  # the final stop
        _move(k, w, k.dep_)
    w.children.sort(key=lambda t: t.i)


def _participle_read_as_noun(w) -> bool:
    if w.tag_ not in ("NN", "NNS") or not w.lower_.endswith("ing") or w.dep_ not in ("pobj", "dobj"):
        return False
    if verb_lemma(w.lower_) not in ACTING or w.i == 0:
        return False
    c = w.doc.words[w.i - 1]
    if c.head is not w or not (c.dep_ == "compound" and c.pos_ in NOUNS or _noun_read_as_adjective(c)):
        return False
    return any(k.dep_ in ("prep", "advmod", "dobj") and k.i > w.i for k in w.children)


def _noun_read_as_adjective(c) -> bool:
    """'on skateboard skating': "skateboard" tagged an adjective of the -ing word."""
    return c.dep_ == "amod" and c.is_alpha and lexicon.is_lemma(c.lower_, "n") and not lexicon.is_lemma(c.lower_, "a")


def _move(w, head, dep: str) -> None:
    """Hang `w` on `head` as `dep`, children kept in reading order."""
    w.head.children.remove(w)
    w.head, w.dep_ = head, dep
    head.children.append(w)
    head.children.sort(key=lambda t: t.i)


def _take_place(noun, w) -> None:
    """The noun the tagger hung on `w` takes `w`'s place under its head, with the words before it ("a", "white")."""
    for k in [k for k in w.children if k.i < noun.i]:
        _move(k, noun, k.dep_)
    _move(noun, w.head, w.dep_)


def _mend_participle(w) -> None:
    """On a bicycle riding next to a train: the bicycle is the object, riding a participle of who is on it."""
    noun, link = w.doc.words[w.i - 1], w.head
    _take_place(noun, w)
    if noun.pos_ not in NOUNS:
        noun.pos_, noun.tag_ = "NOUN", "NN"
    governor = link.head if w.dep_ == "pobj" else link
    _move(w, governor, "acl" if governor.pos_ in NOUNS else "advcl")
    w.pos_, w.tag_ = "VERB", "VBG"
