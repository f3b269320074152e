"""English surface forms the caption edits need: tokens with offsets, a/an, plurals, verb inflection, agreement.

Edits are made on the caption string, so the encoder sees real words; these helpers keep the edited string
grammatical (an article that agrees with its new noun, a plural noun after a number above one, "is"/"are"
agreeing with a changed subject) — a negative with a grammar slip is one a text-only model can spot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sgfns.text import lexicon

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[a-z]+)?|[^\sA-Za-z0-9]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def first_token(text: str) -> str | None:
    """The text of `tokenize(text)[0]`, None for a text without tokens (without tokenising the rest)."""
    m = _TOKEN.search(text)
    return m.group(0) if m else None


def normalize(text: str) -> str:
    """Caption identity for the 'equals another caption' check: case, punctuation and spacing ignored."""
    return " ".join(t.lower for t in tokenize(text) if t.text.isalnum() or "'" in t.text)


# --- articles -------------------------------------------------------------------------------------------------------
_AN_EXCEPTIONS = ("hour", "honest", "honor", "honour", "heir", "herb")
_A_EXCEPTIONS = ("uni", "use", "usu", "uten", "one", "once", "eu", "ewe", "ufo", "uk", "us ", "ur")


def indefinite_article(word: str) -> str:
    """'a' or 'an' for the word that follows it (by sound, with the usual exceptions)."""
    w = word.lower()
    if not w:
        return "a"
    if w.startswith(_AN_EXCEPTIONS):
        return "an"
    if w.startswith(_A_EXCEPTIONS):
        return "a"
    if w[0].isdigit():
        return "an" if w.startswith(("8", "11", "18")) else "a"
    return "an" if w[0] in "aeiou" else "a"


def match_case(new: str, like: str) -> str:
    """Give `new` the capitalisation of `like` (first letter upper, or all upper)."""
    if like.isupper() and len(like) > 1:
        return new.upper()
    if like[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


# --- nouns ----------------------------------------------------------------------------------------------------------
_IRREGULAR_PLURALS = {
    "man": "men", "woman": "women", "child": "children", "person": "people", "mouse": "mice", "foot": "feet",
    "tooth": "teeth", "goose": "geese", "ox": "oxen", "sheep": "sheep", "deer": "deer", "fish": "fish",
    "bison": "bison", "moose": "moose", "series": "series", "species": "species", "knife": "knives",
    "wife": "wives", "life": "lives", "leaf": "leaves", "loaf": "loaves", "wolf": "wolves", "shelf": "shelves",
    "half": "halves", "calf": "calves", "elf": "elves", "thief": "thieves", "scarf": "scarves",
    "potato": "potatoes", "tomato": "tomatoes", "hero": "heroes", "cactus": "cacti", "luggage": "luggage",
    "policeman": "policemen", "fireman": "firemen", "ski": "skis", "glasses": "glasses", "police": "police",
    "skis": "skis", "people": "people", "jeans": "jeans", "pants": "pants", "shorts": "shorts",
}  # fmt: skip
INVARIANT_PLURALS = frozenset({"sheep", "deer", "fish", "bison", "moose", "cattle", "aircraft", "series", "species"})
_IRREGULAR_SINGULARS = {v: k for k, v in _IRREGULAR_PLURALS.items() if k != v}


def pluralize(noun: str) -> str:
    """Plural of a noun lemma; a multiword name pluralises its last word ('hot dog' -> 'hot dogs')."""
    if " " in noun:
        head, last = noun.rsplit(" ", 1)
        return f"{head} {pluralize(last)}"
    w = noun.lower()
    if w in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[w]
    if w.endswith("man") and len(w) > 4 and w not in ("german", "human", "shaman"):
        return noun[:-3] + "men"
    if re.search(r"(s|x|z|ch|sh)$", w):
        return noun + "es"
    if re.search(r"[^aeiou]y$", w):
        return noun[:-1] + "ies"
    return noun + "s"


def singularize(word: str) -> str:
    """Singular of a plural noun form (inverse of `pluralize` for the cases it makes)."""
    w = word.lower()
    if w in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[w]
    if w.endswith("men") and len(w) > 4:
        return word[:-3] + "man"
    if w.endswith("ies") and len(w) > 4:
        return word[:-3] + "y"
    if re.search(r"(ses|xes|zes|ches|shes)$", w):
        return word[:-2]
    if w.endswith("s") and not w.endswith("ss"):
        return word[:-1]
    return word


def is_plural_form(token: str, name: str) -> bool:
    """Is the head token a plural of the object's name lemma? ('dogs'/'dog' yes, 'dog'/'dog' no)."""
    t = token.lower()
    last = name.split()[-1].lower()
    if t in ("people", "police", "cattle", "clergy", "livestock", "children", "men", "women"):
        return True
    if t == last:
        return False  # 'sheep', 'fish': ambiguous, taken as singular
    if t == pluralize(last).lower():
        return True
    return last in lexicon.morphy(t, "n") and t != last


def noun_form(name: str, plural: bool) -> str:
    """The word to write for the head of `name` (its last word), singular or plural."""
    last = name.split()[-1]
    return pluralize(last) if plural else last


# --- verbs ------------------------------------------------------------------------------------------------------
# Irregular past forms, only to recognise a token's inflection (`verb_form_of`); writing one is lemminflect's job.
_IRREGULAR_PAST = {"ride": "rode", "hold": "held", "throw": "threw", "catch": "caught", "eat": "ate",
                   "sit": "sat", "stand": "stood", "lie": "lay", "run": "ran", "fly": "flew", "drive": "drove",
                   "swing": "swung", "cut": "cut", "drink": "drank", "hit": "hit", "lead": "led",
                   "wear": "wore", "lay": "laid", "hang": "hung", "lean": "leaned"}  # fmt: skip


def _verb_form(verb: str, tag: str) -> str:
    """`verb` inflected for a Penn tag by lemminflect (its tables of English verbs, spelling rules for the others):
    measured on real captions it writes every gerund and 98% of past forms right, where hand rules missed the
    doubled consonants of 'chatting', 'stirring' and irregular pasts such as 'made' (docs/text.md)."""
    from lemminflect import getInflection

    v = verb.lower()
    forms = getInflection(v, tag=tag)
    return forms[0] if forms else v


def gerund(verb: str) -> str:
    return _verb_form(verb, "VBG")


def third_person(verb: str) -> str:
    return _verb_form(verb, "VBZ")


def past(verb: str) -> str:
    return _verb_form(verb, "VBD")


def verb_form_of(token: str) -> str:
    """'ing', 's', 'ed' or 'base': the inflection of a verb token, to give a replacement verb the same one."""
    t = token.lower()
    if t.endswith("ing") and len(t) > 4:
        return "ing"
    if t in _IRREGULAR_PAST.values() or (t.endswith("ed") and len(t) > 3):
        return "ed"
    if t.endswith("s") and not t.endswith("ss") and len(t) > 2:
        return "s"
    return "base"


def inflect(verb: str, form: str) -> str:
    return {"ing": gerund, "s": third_person, "ed": past}.get(form, lambda v: v)(verb)


def is_verb_lemma_of(token: str, lemma: str) -> bool:
    t = token.lower()
    return t == lemma or lemma in lexicon.morphy(t, "v") or t in (gerund(lemma), third_person(lemma), past(lemma))


AGREEMENT = {"is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has"}


def agree(verb: str, plural: bool) -> str:
    """'is' <-> 'are' etc. for a subject that became plural or singular."""
    v = verb.lower()
    if v not in AGREEMENT:
        return verb
    singular_form = v if v in ("is", "was", "has") else AGREEMENT[v]
    out = AGREEMENT[singular_form] if plural else singular_form
    return match_case(out, verb)
