"""Objects: which tokens are things, and what each one is called.

Objects are noun heads (pronouns never; "someone" -> "person"); "a group/piece/bunch of X" makes X the object (the
container word becomes an attribute or a count), and so does a framing noun at the caption's head ("a close up of
X", "a picture of X"); a noun compound that is one WordNet lemma ("tennis racket") is the
name, and so are the noun modifiers nearest it that say which kind of thing it is ("baseball uniform"); other
modifiers are attributes (`attributes.py`: "rock wall", "baby elephant"); an animal's or person's body part
("elephant leg") gets a second object that has it. Nouns the tagger read as something else ("bench on the ground"
with "bench" as a verb) and -ing nouns ("covered in frosting") are objects too."""

from __future__ import annotations

from sgfns.graphs.parser.rules.attributes import noun_attributes, np_adjectives
from sgfns.graphs.parser.rules.draft import Draft
from sgfns.graphs.parser.rules.tokens import (
    MODIFIER_DEPS,
    NOUNS,
    OBJ_DEPS,
    SUBJ_DEPS,
    acts_as_verb,
    compound_name,
    framing_object,
    hyphen_joins,
    is_quantifier,
    joins_head,
    names_no_thing,
    noun_lemma,
    number,
    of_object,
    resolve,
    side_word,
    verb_lemma,
    walk_in_object,
)
from sgfns.graphs.types import SGObject
from sgfns.text import adjectives, lexicon
from sgfns.text import closed_words as W
from sgfns.text import colours as C
from sgfns.text import lemmas as L
from sgfns.text.wordclasses import is_animate, noun_class


def is_head(d: Draft, tok) -> bool:
    """Does the token name an object of its own (not a modifier, a predicate noun or a consumed quantifier)?"""
    if tok.i in d.skip:
        return False
    if side_word(tok):
        return False  # "a moon right of a box": part of the predicate
    if tok.dep_ == "conj" and tok.head.pos_ in ("ADJ", "VERB") and tok.lower_ in W.VISUAL_ADJECTIVES | C.PARSER_COLOURS:
        return False  # "a plate which is plain and purple"
    if tok.pos_ == "PRON":
        return tok.lower_ in W.PERSON_PRONOUNS
    if names_no_thing(tok):
        return False  # "in a throwing position", "torn in half", "under construction": how or when, not what
    if tok.pos_ not in NOUNS and not _gerund_noun(tok) and not _fragment_noun(tok):
        return False
    if acts_as_verb(tok) or joins_head(tok):
        return False  # "a sheep grazes in a field" read with "grazes" as the noun; "hydrant" in "fire hydrant"
    if tok.dep_ in MODIFIER_DEPS and tok.head.i != tok.i and acts_as_verb(tok.head):
        return True  # ... whose compound "sheep" is the thing
    if tok.dep_ in MODIFIER_DEPS and tok.head.i == tok.i + 2 and _hyphened(tok.head):
        if _names_no_thing_there(tok.head):
            return False  # "neck-deep water", "kiss-costumed adults": a word of the attribute
    if tok.dep_ in MODIFIER_DEPS and tok.head.i != tok.i and tok.head.pos_ in NOUNS | {"ADJ", "NUM"}:
        if tok.dep_ != "npadvmod" and tok.i < tok.head.i and not side_word(tok.head):
            return False
    if not any(ch.isalpha() for ch in tok.text):
        return False
    return True


def _kind_words(mods: list, used: set[int], head_word: str, head) -> list:
    """The noun modifiers nearest the name that say which kind of thing it is, what it is for or where it belongs
    ("baseball uniform", "safety vest", "ocean water", "computer gambling machines"): part of the name, as a reader
    names the thing ("water bottle": what it holds). What is true of the thing itself stays an attribute, and so
    does every modifier further out: a material ("rock wall", "cement block"), a colour or pattern ("camo shorts"),
    what a food is made of ("mushroom pizza"), an animal's or person's age or sex ("baby elephant"), a toy, a time
    ("night sky"). A body part is named by its owner ("elephant leg": `_make_object`), not by a kind."""
    head_kind = lexicon.lexname(head_word)
    if head_kind == "noun.body":
        return []
    if _doer_of_a_verb_read_as_noun(mods, head):
        return []
    out: list = []
    for m in reversed(mods):
        if m.i in used:
            if out:
                break
            continue
        if not _names_a_kind(m, head_word, head_kind):
            break
        out.insert(0, m)
    if out:  # "computer gambling machines": a noun on a noun of the name
        doc, inside = out[0].doc, {m.i for m in out}
        j = out[0].i - 1
        while j >= 0 and doc[j].head.i in inside and _names_a_kind(doc[j], head_word, head_kind):
            out.insert(0, doc[j])
            inside.add(j)
            j -= 1
    return out


def _doer_of_a_verb_read_as_noun(mods: list, head) -> bool:
    """"A parachutist lands", "a black dog trails", "a girl kiss": a person or animal before a noun at the root of
    the caption, or before a plural noun that is also a verb, is who does it (the tagger's slip), no kind."""
    if not mods or not is_animate(noun_lemma(mods[-1])):
        return False
    return head.dep_ == "ROOT" or (head.tag_ == "NNS" and bool(lexicon.morphy(head.lower_, "v")))


def _names_a_kind(m, head_word: str, head_kind: str | None) -> bool:
    if m.dep_ != "compound" or m.pos_ not in NOUNS or not m.is_alpha or m.tag_ not in ("NN", "NNS", "NNP", "NNPS"):
        return False
    word = noun_lemma(m)
    if not lexicon.is_lemma(word, "n") or m.lower_ in W.STATES_OF_THE_DOER:  # "inground", "shirtless" man
        return False
    if m.lower_ in W.EXACT_QUANTITY or number(m) is not None:  # "twin toddlers": a count
        return False
    if m.lower_ in W.VISUAL_ADJECTIVES | C.PARSER_COLOURS or word in W.TIME_NOUNS or adjectives.attribute_class(word):
        return False  # a colour, hair ("blond child"), pattern, material word, or a time ("night sky")
    if is_animate(head_word):  # no person is made of ice: "ice climber", "rock climber"; a baby is one, a toy too
        return word not in W.AGE_AND_SEX_NOUNS | W.TOY_WORDS
    if word in W.TRUE_OF_THE_THING | W.TOY_WORDS:
        return False
    kind = lexicon.lexname(word)
    if kind == "noun.substance" and word not in W.CONTENTS:  # what it is made of: "cement wall", "foam sword"
        return False
    # what a food is made of: "mushroom pizza", "strawberry cake" ("cake" is soap in WordNet's first sense)
    return not (_edible(word, kind) and (head_kind == "noun.food" or noun_class(head_word) == "food"))


def _edible(word: str, kind: str | None) -> bool:
    edible_kinds = ("noun.food", "noun.substance", "noun.plant")
    return word == "food" or kind in edible_kinds or noun_class(word) in ("food", "plant")


def _hyphened(tok) -> bool:
    """The word is the second half of a hyphenated word ("deep" of "neck-deep")."""
    return hyphen_joins(tok.doc, tok.i - 2)


def _names_no_thing_there(second) -> bool:
    """The second half of a hyphenated adjective whose first half is no thing in the photo: "neck-deep",
    "star-shaped", "kiss-costumed"; not a thing that covers or draws ("snow-covered", "tree-lined", "horse-drawn")."""
    if second.pos_ == "ADJ":
        return True
    return second.pos_ == "VERB" and verb_lemma(second) not in W.COVERING_VERBS | {"draw", "pull"}


def _fragment_noun(tok) -> bool:
    """A noun the tagger read as something else: 'bench on the ground' (imperative verb), 'faucet next to
    toilet' (interjection), 'mirrors on the moped' (adjective object of a preposition)."""
    if tok.pos_ in NOUNS or tok.pos_ in ("PRON", "PUNCT", "DET", "ADP", "CCONJ", "NUM", "AUX", "PART"):
        return False
    if tok.tag_ in ("VBG", "VBN", "VBD") or not tok.is_alpha:
        return False
    if tok.dep_ == "pobj":
        return (
            tok.pos_ in ("ADJ", "VERB", "INTJ", "X")
            and lexicon.is_lemma(tok.lower_, "n")
            and not any(c.dep_ in ("dobj", "prep") for c in tok.children)
        )
    if tok.dep_ not in ("ROOT", "npadvmod", "intj", "dep") or tok.pos_ == "ADJ":
        return False
    if not lexicon.is_lemma(L.noun_lemma(tok.lower_, "NNS" if tok.tag_ == "VBZ" else "NN"), "n"):
        return False
    if any(c.dep_ in SUBJ_DEPS or c.dep_ in OBJ_DEPS or c.dep_ == "expl" for c in tok.children):
        return False
    return all(t.pos_ in ("DET", "ADJ", "PUNCT", "NUM") for t in tok.doc[: tok.i])


def _gerund_noun(tok) -> bool:
    """An -ing word the tagger took for a verb where a noun is meant: 'covered in frosting'; not a second object of
    the preposition ('stands on the trail watching': the participle of who stands)."""
    return (
        tok.tag_ == "VBG"
        and tok.dep_ in ("pcomp", "pobj")
        and tok.head.pos_ == "ADP"
        and not any(c.dep_ in ("dobj", "prep", "nsubj", "advmod", "prt", "xcomp", "ccomp") for c in tok.children)
        and lexicon.is_lemma(tok.lower_, "n")
        and not any(c.dep_ == "pobj" and c.i < tok.i for c in tok.head.children)
    )


def build_objects(d: Draft) -> None:
    """Make the objects (with their noun-phrase attributes), the owners of body parts, and the counts and
    attributes that quantifier nouns give ("a pair of shoes", "a slice of pizza")."""
    # Mark predicate nouns ("front" in "in front of") and quantifier nouns ("group" in "a group of people").
    walk_ins = []  # the shower of "a walk in shower"
    for tok in d.tokens:
        if tok.pos_ in NOUNS and tok.dep_ == "pobj" and tok.lower_ in W.PREDICATE_NOUNS:
            if tok.head.pos_ == "ADP" and of_object(tok) is not None:
                d.skip.add(tok.i)
        if is_quantifier(tok) and of_object(tok) is not None:
            d.skip.add(tok.i)
        thing = walk_in_object(tok)
        if thing is not None:  # "a walk in shower": neither "walk" nor its "in" is a thing or relation
            d.skip.update((tok.i, tok.i + 1))
            walk_ins.append(thing)
        shown = framing_object(tok)
        if shown is not None:  # "a close up of a bear": neither the framing words nor their 'of' relate anything
            d.skip.add(tok.i)
            d.skip.update(t.i for t in tok.subtree if t.head.i in (tok.i, tok.i + 1) and t.lower_ in ("up", "of"))
    for tok in d.tokens:
        if is_head(d, tok):
            d.tok2obj[tok.i] = len(d.objects)
            d.objects.append(_make_object(d, tok))
    for tok in d.tokens:  # "a fire hydrant" parsed with "hydrant" hung on "fire": one object, spanning the head word
        j = d.tok2obj.get(tok.head.i) if joins_head(tok) else None
        if j is not None:
            obj = d.objects[j]
            obj.name = f"{obj.name} {noun_lemma(tok)}"
            obj.span = (tok.idx, tok.idx + len(tok.text))
            obj.attributes = [a for a in obj.attributes if a != tok.lower_]
            d.tok2obj[tok.i] = j
    for thing in walk_ins:  # "a walk in shower" -> shower, walk-in (as "a walk-in shower" gives)
        if thing.i in d.tok2obj:
            d.add_attr(d.objects[d.tok2obj[thing.i]], "walk-in")
    for owner, owned in d.owners:
        d.tok2obj[owner.i] = len(d.objects)
        d.objects.append(SGObject(name=noun_lemma(owner), span=(owner.idx, owner.idx + len(owner.text))))
        d.add_rel([d.tok2obj[owner.i]], "have", [d.tok2obj[owned.i]])
    # Quantifier words become counts/attributes of the quantified entity.
    for i in sorted(d.skip):
        tok = d.tokens[i]
        if tok.lower_ not in W.QUANTIFIER_NOUNS:
            continue
        target = resolve(tok)
        j = d.tok2obj.get(target.i)
        if j is None:
            continue
        obj = d.objects[j]
        one_pair = tok.lower_ == "pair" and target.lower_ in W.PLURALIA_TANTUM  # "a pair of scissors" is one
        if tok.lower_ in W.QUANTIFIER_COUNTS and obj.count is None and not one_pair:
            obj.count = W.QUANTIFIER_COUNTS[tok.lower_]
        elif tok.lower_ in W.ATTRIBUTE_QUANTIFIERS and framing_object(tok) is None:  # not "a small section of"
            d.add_attr(obj, noun_lemma(tok))
        for c in tok.children:
            n = number(c) if c.dep_ == "nummod" else None
            if n is not None and obj.count is None:
                obj.count = n


def _make_object(d: Draft, tok) -> SGObject:
    doc = d.doc
    if tok.pos_ == "PRON":
        return SGObject(name=W.PERSON_PRONOUNS[tok.lower_], span=(tok.idx, tok.idx + len(tok.text)))
    start, end = tok.idx, tok.idx + len(tok.text)
    head_lemma = noun_lemma(tok)
    first = tok.i
    # Hyphenated words split by the tokenizer ("t - shirt") are one head word.
    while hyphen_joins(doc, first - 2) and doc[first - 2].is_alpha:
        first -= 2
    if first != tok.i:
        start = doc[first].idx
        head_lemma = doc[first : tok.i].text.lower().replace(" ", "") + head_lemma
    # Contiguous noun modifiers to the left: the longest run that forms a WordNet lemma joins the name.
    mods = []
    j = first - 1
    while j >= 0 and doc[j].head.i == tok.i and doc[j].dep_ in MODIFIER_DEPS and not _hyphened(doc[j]):
        if doc[j].pos_ in NOUNS or (doc[j].pos_ == "ADJ" and doc[j].lower_ not in W.VISUAL_ADJECTIVES):
            mods.insert(0, doc[j])
            j -= 1
        else:
            break
    name = head_lemma
    used: set[int] = set(range(first, tok.i))
    for k in range(len(mods)):
        parts = [m.lower_ for m in mods[k:]] + [head_lemma]
        forms = [" ".join(parts)]
        if all(lexicon.is_lemma(m.lower_, "n") for m in mods[k:]):  # not "sheeps head" -> "sheepshead"
            forms.append("".join(parts))
        found = next((c for c in forms if compound_name(c)), None)
        if found:  # "tennis racket"; "cell phone" -> WordNet's "cellphone"
            name = found
            used |= {m.i for m in mods[k:]}
            break
    obj = SGObject(name=name, span=(start, end))
    # "elephant leg": an animal's or person's body part -> a second object that has it
    for m in mods:
        if m.i not in used and m.pos_ in NOUNS and lexicon.lexname(name) == "noun.body":
            if lexicon.lexname(noun_lemma(m)) in ("noun.animal", "noun.person"):
                used.add(m.i)
                d.owners.append((m, tok))
    kind = _kind_words(mods, used, name, tok)
    if kind:
        used |= {m.i for m in kind}
        d.kind_words[tok.i] = [m.lower_ for m in kind]
    noun_attributes(d, tok, obj, used)
    np_adjectives(d, first, tok, obj, used)
    return obj
