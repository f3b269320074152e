"""Tags the parse itself shows to be wrong, mended in the copy the rules read before they read it (`reattach.py`
mends phrases and conjuncts hung on the wrong word).

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
modifier ("a girl in a dress runs across the field": "dress runs" read as one noun; also when "walks" is tagged a verb
but parsed as the object). A root verb whose doer the parse hung on it as a modifier gets it as its subject ("Black
dog paddles through the water"), and so does a root noun that is a verb and no concrete noun after a person or animal
that agrees with it ("two dogs wrestle in the grass"). A plural verb read as a preposition's object is the verb when
its subject is plural ("two girls with dyed hair talk to two boys"); a preposition left without its object takes the
noun phrase the parse hung on the verb after it ("a person with a long ponytail walks"); a capitalised first word, a
person or animal tagged an interjection, is a noun ("Boy climbing a rock wall").

The caption's last word, in -s, is the verb it is when the tagger made it a noun and the caption names its doer
("a blonde lady with sunglasses smiles", "a child dressed like a pirate smiles", "a man holds up a blue cloth and
smiles"): a verb of `FINAL_VERBS` that ends the caption and hangs on the verb before it, or on the caption's root
noun (a person or animal) with the noun before it as its modifier, and no other word of the caption is a finite verb.

"Wearing matching shirts", "in matching dresses" read as a verb "matching" with its object: an adjective of what is
worn.

It also reads an -ing noun right after a noun as the participle it is ("a man on a bicycle riding next to a
train", "a man talking on a phone standing behind a car": riding and standing tagged as nouns, the bicycle and the
phone their modifiers): where a verb of posture or action ends in -ing, is the object of a preposition or a verb,
has a phrase of its own (or ends the caption: "stands on the trail watching") and a noun just before it as its
modifier, that noun takes its place as the object and the
-ing word becomes a participle on the phrase's governor."""

from __future__ import annotations

from sgfns.graphs.parser.rules.tokens import NOUNS
from sgfns.text import closed_words as W
from sgfns.text import colours as C
from sgfns.text import lemmas as L
from sgfns.text import lexicon
from sgfns.text.lemmas import verb_lemma
from sgfns.text.wordclasses import CONCRETE_LEXNAMES, is_animate, is_garment

CONCRETE = CONCRETE_LEXNAMES | {"noun.body"}
# what a verb or an adjective has and a listed noun has not
VERB_CHILDREN = frozenset({"dobj", "nsubj", "nsubjpass", "prt", "aux", "auxpass", "xcomp", "ccomp", "advmod",
                           "dative", "acomp", "neg", "mark", "advcl", "attr", "agent", "oprd"})  # fmt: skip
# Verbs whose -ing form the tagger reads as a noun after another noun ("bicycle riding", "phone standing"); not
# those whose -ing noun is a thing or an activity of its own ("chalk drawing", "rope swing", "rock climbing").
ACTING = frozenset({"sit", "stand", "lie", "lay", "walk", "run", "jog", "swim", "play", "ride", "skate", "ski",
                    "surf", "sing", "talk", "eat", "drink", "hold", "wear", "fly", "peek", "peak", "jump", "kneel",
                    "sleep", "graze", "pose", "wait", "look", "lean", "rest", "perch"})  # fmt: skip

# Verbs a caption ends on with no object, whose -s form the tagger reads as a plural noun ("... smiles ."); not those
# whose plural noun is a thing of its own at a caption's end ("carnival rides", "cross country skis", "waves").
FINAL_VERBS = frozenset({"smile", "laugh", "grin", "cry", "pose", "wait", "sit", "stand", "play", "sing", "dance",
                         "jump", "run", "walk", "swim", "sleep", "kneel", "rest"})  # fmt: skip


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


def _noun_read_as_interjection(w) -> bool:
    """'Boy climbing a rock wall', 'Boy and girl running along the beach': the capitalised first word, a person or
    animal, tagged an interjection."""
    return w.tag_ == "UH" and w.i == 0 and w.is_alpha and animate(w)


def _concrete_noun(lemma: str, senses: int) -> bool:
    """WordNet knows `lemma` as a concrete noun among its first `senses` noun senses."""
    return any(lexicon.lexname_of(s) in CONCRETE for s in lexicon.synset_ids(lemma, "n")[:senses])


def mend_word(w) -> None:
    """Mend the word's tag (or the participle or verb it is) as above, in place; the caller goes in reading order
    (a list's later nouns hang on its earlier ones), and a mended copy is left as it is."""
    tag = _listed_noun(w) or ("NN" if _noun_tagged_adjective(w) or _noun_read_as_interjection(w) else None)
    if tag is not None:
        w.pos_, w.tag_ = "NOUN", tag
        if w.dep_ == "intj" and w.head.pos_ == "VERB":  # "Boy climbing a rock wall": the boy climbs
            w.dep_ = "nsubj"
    elif _participle_read_as_noun(w):
        _mend_participle(w)
    elif _verb_read_as_plural_noun(w):
        _mend_verb(w)
    elif _final_verb_read_as_noun(w):
        _mend_final_verb(w)
    elif _verb_read_as_worn_colour(w):
        _mend_worn_colour(w)
    elif _verb_read_as_second_object(w):
        w.head.children.remove(w)
        _make_root_verb(w, w.head.head)
    elif _subject_read_as_compound(w):
        _compound_as_subject(w)
    elif _adverb_read_as_head_noun(w):
        _mend_adverb_head(w)
    elif _verb_read_as_root_noun(w):
        w.pos_, w.tag_ = "VERB", "VBZ" if w.lower_.endswith("s") else "VBP"
        _compound_as_subject(w)
    if (obj := _object_hung_on_the_verb(w)) is not None:
        move(obj, w, "pobj")
    if w.dep_ == "prt" and any(c.dep_ == "pobj" for c in w.children):
        w.dep_ = "prep"  # "a dog shakes off water": a particle with an object is a preposition
    if w.lower_ == "matching" and w.tag_ == "VBG" and (
            w.dep_ in ("xcomp", "ccomp", "dobj") and w.head.pos_ == "VERB" or w.dep_ == "pcomp"):  # fmt: skip
        _mend_matching(w)


def mends_verb(w) -> bool:
    """Is `w` a verb read as a noun in one of the shapes mended here (`rules/reread.py` parses the others again)?"""
    return (_participle_read_as_noun(w) or _verb_read_as_plural_noun(w) or _final_verb_read_as_noun(w)
            or _verb_read_as_worn_colour(w) or _verb_read_as_second_object(w) or _verb_read_as_root_noun(w))


def _object_hung_on_the_verb(p):
    """'a person with a long ponytail walks along a waterway': a preposition left without its object, whose noun
    phrase the parse hung on the verb after it as the verb's modifier; that noun is returned, else None."""
    if p.dep_ != "prep" or any(c.dep_ in ("pobj", "pcomp") for c in p.children):
        return None
    words = p.doc.words
    j = p.i + 1
    while j < len(words) and words[j].dep_ in ("det", "amod", "compound", "nummod", "poss"):
        j += 1  # the phrase's article and modifiers
    if j == p.i + 1 or j >= len(words):
        return None
    c, v = words[j - 1], words[j]
    if c.head is not v or c.dep_ != "compound" or c.pos_ not in NOUNS or v.pos_ != "VERB" or v.dep_ != "ROOT":
        return None
    if not any(k.dep_ == "nsubj" and k.i < p.i for k in v.children):
        return None  # the verb has its doer before the phrase ("a person with ... walks")
    return c if all(words[k].head is c for k in range(p.i + 1, c.i)) else None


def _verb_read_as_plural_noun(w) -> bool:
    """'A girl in a dress runs across the field', 'a woman in a sari rides on the back of a motorcycle', 'a man in a
    heavy coat fishes from a concrete platform': the small model reads "dress runs" as one plural noun and the
    caption has no verb. Where a plural noun in -s that WordNet knows as a verb is the object of a preposition on
    the caption's root noun, has a noun just before it as its modifier and a phrase after it (its own, or the root's:
    "coat fishes from"), and no word of the caption is a finite verb, it is the verb -- if the verb is one of posture
    or motion (`ACTING`) or the noun before it is a garment ("coat fishes", "shirt slides"; not "rain boots in a
    puddle", "ski lifts above the snow")."""
    plural = w.tag_ == "VBP"  # "two girls with dyed hair talk to two boys"
    if not (plural or w.tag_ in ("NNS", "VBZ") and w.lower_.endswith("s")) or w.dep_ != "pobj" or w.i < 2:
        return False  # tagged a verb but parsed as the object: "a girl in a blue dress walks through a crowd"
    c = w.doc.words[w.i - 1]
    if c.head is not w or c.dep_ != "compound" or c.pos_ not in NOUNS:
        return False
    v = verb_lemma(w.lower_)
    if v not in ACTING and not (lexicon.morphy(w.lower_, "v") and is_garment(L.noun_lemma(c.lower_, c.tag_))):
        return False
    p = w.head
    subject = p.head
    if subject.dep_ != "ROOT" or subject.pos_ not in NOUNS or subject.i > p.i or plural and subject.tag_ != "NNS":
        return False
    if not any(k.dep_ in ("prep", "prt") and k.i > w.i for k in w.children + subject.children):
        return False
    return not _finite_verb_besides(w)


def _mend_verb(w) -> None:
    """The noun before it becomes the preposition's object; the word becomes the root verb, the root noun its
    subject (with everything the subject had before the verb)."""
    noun, p = w.doc.words[w.i - 1], w.head
    subject = p.head
    _take_place(noun, w)
    p.children.remove(w)
    prt = next((k for k in w.children if k.dep_ == "prt"), None)
    later = next((k for k in p.children if k.dep_ == "pobj" and k.i > w.i), None)
    if prt is not None and later is not None:  # "slides down an inflatable slide": the slide is down's object
        prt.dep_, prt.pos_ = "prep", "ADP"
        move(later, prt, "pobj")
    _make_root_verb(w, subject)


def _finite_verb_besides(w) -> bool:
    """Does another word of the caption carry a finite verb's tag (the caption has its verb already)?"""
    return any(t.tag_ in ("VBZ", "VBP", "VBD", "MD") and t is not w for t in w.doc.words)


def _make_root_verb(w, subject) -> None:
    """`w` becomes the caption's root verb and `subject` (the root noun before) its subject, with what the subject
    had after the verb (the final stop)."""
    w.head, w.dep_, w.pos_, w.tag_ = w, "ROOT", "VERB", "VBZ"
    subject.head, subject.dep_ = w, "nsubj"
    w.children.append(subject)
    for k in [k for k in subject.children if k.i > w.i]:
        move(k, w, k.dep_)
    w.children.sort(key=lambda t: t.i)


def _verb_read_as_worn_colour(w) -> bool:
    """'A small girl wearing pink dances on the sidewalk', 'a boy wearing black walks down the street': the colour
    worn read as the adjective of a plural noun "dances", the object of "wearing", in a caption with no finite verb.
    Where such a noun in -s, with a colour just before it and a phrase after it, is a verb of `ACTING` or
    `FINAL_VERBS`, it is the caption's verb and the colour is what is worn."""
    if w.tag_ != "NNS" or not w.lower_.endswith("s") or w.dep_ != "dobj" or w.i < 2:
        return False
    colour = w.doc.words[w.i - 1]
    wear = w.head
    if colour.head is not w or colour.lower_ not in C.PARSER_COLOURS or verb_lemma(wear.lower_) != "wear":
        return False
    if verb_lemma(w.lower_) not in ACTING | FINAL_VERBS or wear.dep_ != "acl" or wear.head.pos_ not in NOUNS:
        return False
    if not any(k.dep_ in ("prep", "prt") and k.i > w.i for k in w.children + wear.children):
        return False
    return not _finite_verb_besides(w)


def _mend_worn_colour(w) -> None:
    """The colour is what is worn; the word is the root verb, the one who wears its subject, and the phrases after
    it (on it or on "wearing") are its own."""
    colour, wear = w.doc.words[w.i - 1], w.head
    subject = wear.head
    move(colour, wear, "dobj")
    colour.pos_, colour.tag_ = "NOUN", "NN"
    for k in [k for k in wear.children if k.i > w.i]:
        move(k, w, k.dep_)
    wear.children.remove(w)
    _make_root_verb(w, subject)


def _verb_read_as_second_object(w) -> bool:
    """'A tan dog wearing a red shirt runs through the grass': the caption's verb, tagged a verb, parsed as a second
    object of the participle before it; where the participle hangs on the root noun (a person or animal), already
    has its object and no word of the caption is another finite verb, it is the caption's verb."""
    if w.tag_ != "VBZ" or w.dep_ != "dobj" or w.head.dep_ != "acl" or w.head.tag_ != "VBG":
        return False
    root = w.head.head
    if root.dep_ != "ROOT" or root.pos_ not in NOUNS or not animate(root):
        return False
    if not any(c.dep_ == "dobj" and c.i < w.i for c in w.head.children):
        return False
    return not _finite_verb_besides(w)


def _final_verb_read_as_noun(w) -> bool:
    """The caption's last word, a verb of `FINAL_VERBS` in -s read as a plural noun (see the module docstring)."""
    if w.tag_ not in ("NNS", "VBZ") or not w.lower_.endswith("s") or w.i < 2:
        return False
    if w.pos_ not in NOUNS and w.dep_ not in ("pobj", "dobj"):  # a noun, or a verb in a noun's place
        return False
    if any(not t.is_punct for t in w.doc.words[w.i + 1 :]) or w.children and any(
            c.dep_ not in ("compound", "det", "amod", "poss", "punct", "nsubj") for c in w.children):  # fmt: skip
        return False
    v = verb_lemma(w.lower_)
    if v not in FINAL_VERBS or any(t is not w and t.pos_ == "VERB" and verb_lemma(t.lower_) == v for t in w.doc.words):
        return False  # "posing in ballet poses": the verb is said already
    if w.dep_ == "conj" and w.head.pos_ == "VERB":
        return True  # "holds up a blue cloth and smiles"
    if _finite_verb_besides(w):
        return False
    if w.dep_ == "ROOT":  # "a blonde woman wearing sunglasses and dice earrings smiles": its subject is parsed;
        # "a tan dog runs": the doer is its modifier
        return any(c.pos_ in NOUNS and animate(c) and (c.dep_ == "nsubj" or c.dep_ == "compound" and c.i == w.i - 1)
                   for c in w.children)  # fmt: skip
    root = next((t for t in w.doc.words if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in NOUNS or root.i >= w.i - 1 or not animate(root):
        return False
    before = w.doc.words[w.i - 1]
    # "with sunglasses smiles" (sunglasses its modifier), "wearing sunglasses smiles" (both objects of the verb)
    return before.pos_ in NOUNS and (before.head is w and before.dep_ == "compound" or w.head in (before, before.head))


def _mend_matching(w) -> None:
    """'wearing matching blue shirts', 'in matching dresses' read with 'matching' a verb and the shirts its object:
    the shirts are what is worn, 'matching' their adjective."""
    obj = next((c for c in w.children if c.dep_ == "dobj" and c.pos_ in NOUNS), None)
    if obj is None:
        return
    move(obj, w.head, "pobj" if w.dep_ == "pcomp" else "dobj")  # "in matching dresses"
    move(w, obj, "amod")
    w.pos_, w.tag_ = "ADJ", "JJ"


def animate(w) -> bool:
    return is_animate(L.noun_lemma(w.lower_, w.tag_ if w.tag_.startswith("NN") else "NN"))


def _mend_final_verb(w) -> None:
    """The word becomes a verb: of the verb it is coordinated with, else the caption's root, whose root noun is its
    subject and the noun before it takes its place."""
    if w.dep_ in ("conj", "ROOT"):
        w.pos_, w.tag_ = "VERB", "VBZ"
        _compound_as_subject(w)
        return
    noun = w.doc.words[w.i - 1]
    if noun.head is w:
        _take_place(noun, w)
        w.head.children.remove(w)
    else:  # both objects of one verb, or the word an object of the noun: the noun is the verb's object now
        if noun.dep_ == "dative":  # "wearing sunglasses smiles"
            noun.dep_ = "dobj"
        elif noun.head is w.head:
            noun.dep_ = w.dep_
        w.head.children.remove(w)
    subject = next(t for t in w.doc.words if t.dep_ == "ROOT")
    _make_root_verb(w, subject)


def _doer_as_modifier(w):
    """The person or animal just before the caption's root `w` that the parse hung on it as its modifier (not a
    colour: "two white rings", "White" being a person in WordNet), else None."""
    if w.dep_ != "ROOT" or w.i == 0:
        return None
    c = w.doc.words[w.i - 1]
    if c.head is not w or c.dep_ != "compound" or c.tag_ not in ("NN", "NNS") or c.lower_ in C.PARSER_COLOURS:
        return None
    return c if animate(c) else None


def _subject_read_as_compound(w) -> bool:
    """'Black dog paddles through the water': the caption's verb, tagged a verb, with its doer parsed as its
    modifier and no subject."""
    if w.pos_ != "VERB" or w.tag_ not in ("VBZ", "VBP", "VBD") or _doer_as_modifier(w) is None:
        return False
    return not any(k.dep_ in ("nsubj", "nsubjpass") for k in w.children)


def _verb_read_as_root_noun(w) -> bool:
    """'Two dogs wrestle in the ground', 'two large dogs attempt to bite each other': the caption's verb read as a
    noun with its doer as the modifier. Where the root noun is a verb that WordNet knows as no concrete noun, its
    modifier just before it is a person or animal that agrees with it in number, and the caption has no finite verb,
    it is the verb and the modifier its subject."""
    if w.tag_ not in ("NN", "NNS") or not w.is_alpha or (c := _doer_as_modifier(w)) is None:
        return False
    if (c.tag_ == "NNS") == w.lower_.endswith("s"):
        return False  # "a horse race", "the dogs toys": no verb agrees so
    if not lexicon.morphy(w.lower_, "v") or _concrete_noun(L.noun_lemma(w.lower_, w.tag_), 2):
        return False
    return not _finite_verb_besides(w)


def _compound_as_subject(w) -> None:
    """The noun hung on the verb as its modifier is its subject, with what was said before it ("a tan dog runs")."""
    for c in w.children:
        if c.dep_ == "compound":
            c.dep_ = "nsubj"
            for k in [k for k in w.children if k.i < c.i and k.dep_ in ("det", "amod", "compound")]:
                move(k, c, k.dep_)


def _participle_read_as_noun(w) -> bool:
    if w.tag_ not in ("NN", "NNS") or not w.lower_.endswith("ing") or w.dep_ not in ("pobj", "dobj", "pcomp"):
        return False
    last = all(t.is_punct for t in w.doc.words[w.i + 1 :])  # "stands on the trail watching."
    if verb_lemma(w.lower_) not in (ACTING | {"watch"} if last else ACTING) or w.i == 0:
        return False
    c = w.doc.words[w.i - 1]
    if c.head is not w or not (c.dep_ == "compound" and c.pos_ in NOUNS or _noun_read_as_adjective(c)):
        return False
    if last and w.dep_ == "pobj":  # not an activity's name ("people horseback riding")
        return not lexicon.is_lemma(f"{c.lower_} {w.lower_}", "n")
    return any(k.dep_ in ("prep", "advmod", "dobj") and k.i > w.i for k in w.children)


def _noun_read_as_adjective(c) -> bool:
    """'on skateboard skating': "skateboard" tagged an adjective of the -ing word."""
    return c.dep_ == "amod" and c.is_alpha and lexicon.is_lemma(c.lower_, "n") and not lexicon.is_lemma(c.lower_, "a")


def move(w, head, dep: str) -> None:
    """Hang `w` on `head` as `dep`, children kept in reading order."""
    w.head.children.remove(w)
    w.head, w.dep_ = head, dep
    head.children.append(w)
    head.children.sort(key=lambda t: t.i)


def _adverb_read_as_head_noun(w) -> bool:
    """'Holds up a small lobster underwater', 'riding a motorbike uphill': an adverb the tagger read as a noun, with
    the noun before it hung on it as its modifier."""
    if w.lower_ not in W.ADVERBS_READ_AS_NOUNS or w.pos_ not in NOUNS or w.i == 0:
        return False
    noun = w.doc.words[w.i - 1]
    return noun.head is w and noun.dep_ in ("compound", "amod", "nmod") and noun.tag_.startswith("NN")


def _mend_adverb_head(w) -> None:
    """The noun takes the adverb's place (with everything hung on the adverb); the adverb is its head's modifier."""
    noun = w.doc.words[w.i - 1]
    w.children.remove(noun)
    for k in list(w.children):
        move(k, noun, k.dep_)
    if w.head is w:
        noun.head, noun.dep_ = noun, "ROOT"
    else:
        noun.head, noun.dep_ = w.head, w.dep_
        w.head.children.remove(w)
        w.head.children.append(noun)
        w.head.children.sort(key=lambda t: t.i)
    w.head, w.dep_, w.pos_, w.tag_ = noun.head if noun.head is not noun else noun, "advmod", "ADV", "RB"
    w.head.children.append(w)
    w.head.children.sort(key=lambda t: t.i)


def _take_place(noun, w) -> None:
    """The noun the tagger hung on `w` takes `w`'s place under its head, with the words before it ("a", "white")."""
    for k in [k for k in w.children if k.i < noun.i]:
        move(k, noun, k.dep_)
    move(noun, w.head, w.dep_)


def _mend_participle(w) -> None:
    """On a bicycle riding next to a train: the bicycle is the object, riding a participle of who is on it."""
    noun, link = w.doc.words[w.i - 1], w.head
    _take_place(noun, w)
    if noun.pos_ not in NOUNS:
        noun.pos_, noun.tag_ = "NOUN", "NN"
    governor = link.head if w.dep_ in ("pobj", "pcomp") else link
    move(w, governor, "acl" if governor.pos_ in NOUNS else "advcl")
    w.pos_, w.tag_ = "VERB", "VBG"
