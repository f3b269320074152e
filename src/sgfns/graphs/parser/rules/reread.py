"""A caption whose verb the small model read as a noun, parsed again with that verb made plain.

"People with a dog hike up a green mountain", "a girl in a dress with pink flowers swings on a swing", "a man in an
orange vest leans over a pickup truck", "while a man in the background fishes": the tagger reads the verb as a noun
(often the head of a compound with the noun before it: "dog hike", "vest leans") and the parse around it is built
for a noun phrase, so no rule can find the doer, the verb or what it acts on. `retag.py` mends the few shapes such
parses take one by one; this reads the caption again instead. Where a clause has no finite verb, its first noun
is a person or animal, and a later word tagged as a noun or adjective is a verb of `DOINGS` whose form agrees with
that noun in number ("girl … swings", "people … hike", "a man and child kayak"), the word is replaced by a verb the
tagger cannot misread, of the same form and with or without an object as the word has ("sits"/"sit" before a
preposition or the caption's end, "eats"/"eat" before a noun phrase), and the caption is parsed again. If the new
parse makes that word a verb with a subject, the rules read the new parse, with the caption's own word in its place
(tagged as the verb form it is); otherwise they read the first. Only a caption with such a word is parsed twice.
A caption with "whilst", which the small model reads as a preposition ("whilst jumping on a trampoline": no clause,
no doer), is parsed again with "while" in its place first."""

from __future__ import annotations

from sgfns.graphs.parser.rules.parsed import Parsed
from sgfns.graphs.parser.rules.retag import ACTING, FINAL_VERBS, animate, mends_verb
from sgfns.graphs.parser.rules.tokens import NOUNS
from sgfns.text import colours as C
from sgfns.text.lemmas import verb_lemma
from sgfns.text.wordclasses import is_animate

# Verbs a person or animal does, whose -s or bare form the tagger reads as a noun after another noun; not verbs
# whose noun is what captions mostly mean by the word ("plants", "bags", "prints", "waves", "races").
DOINGS = ACTING | FINAL_VERBS | frozenset({
    "kayak", "canoe", "hike", "bike", "kiss", "hug", "fish", "trot", "glower", "lean", "leap", "land", "climb",
    "trail", "watch", "swing", "cry", "wade", "hop", "crawl", "paddle", "pedal", "dive", "stare", "gaze", "bark",
    "chase", "fetch", "wander", "stroll", "march", "relax", "kick", "throw", "catch", "carry", "push", "pull",
    "dig", "splash", "slide", "chew", "bite", "lick", "sniff", "sail", "row", "skateboard", "snowboard"})  # fmt: skip
# Verbs that end a caption without an object or phrase ("a tan dog and a little girl kiss")
ENDING = FINAL_VERBS | frozenset({"kiss", "hug", "watch", "cry", "land", "fish", "bark", "relax", "wade", "trail",
                                  "slide"})  # fmt: skip
FINITE = frozenset({"VBZ", "VBP", "VBD", "MD"})
CLAUSE_MARKS = frozenset({"while", "whilst"})
GROUPS = frozenset({"group", "couple", "family", "team", "crowd", "pair", "bunch", "herd", "pack", "troop"})
# words the small model misreads, parsed as the plain word that means the same
PLAIN_WORDS = {"whilst": "while"}
# the verbs put in the word's place, by form and by whether an object follows
PROBES = {("VBZ", False): "sits", ("VBP", False): "sit", ("VBZ", True): "eats", ("VBP", True): "eat"}
OBJECT_STARTS = frozenset({"DT", "PRP$", "JJ", "CD", "NN", "NNS", "PDT"})


def _clause(words, w) -> tuple[int, int]:
    """The clause `w` is in: after the last "while" before it, up to the next "while", ";" or an "and" that
    starts a new subject ("and the sunshine shines")."""
    start = max((t.i + 1 for t in words[: w.i] if t.lower_ in CLAUSE_MARKS), default=0)
    end = len(words)
    for t in words[w.i + 1 :]:
        nxt = words[t.i + 1] if t.i + 1 < len(words) else None
        new_subject = t.lower_ == "and" and nxt is not None and nxt.lower_ in ("the", "a", "an", "another", "there")
        if t.lower_ in CLAUSE_MARKS or t.text == ";" or new_subject:
            end = t.i
            break
    return start, end


def _subject(words, start: int, w):
    """The clause's first noun before `w`, and whether it is plural (a plural noun, or coordinated: "a man and
    child kayak"); None where it is no person or animal (or group of them)."""
    first = next((t for t in words[start : w.i] if t.pos_ in NOUNS or t.lower_ == "one"), None)
    if first is None or not (first.lower_ in ("one", *GROUPS) or _doer(first)):
        return None
    between = words[first.i + 1 : w.i - 1]
    coordinated = next((t.i for t in between if t.lower_ == "and"), None)  # before any phrase of its own
    plural = (
        first.tag_ == "NNS"
        or coordinated is not None
        and not any(t.pos_ == "ADP" or t.tag_ in ("VBN", "VBG") for t in words[first.i + 1 : coordinated])
    )
    return first, plural


def _finite(t) -> bool:
    """A finite verb (a bare one too, "two girls watch people", but not "to catch" or "can see")."""
    return t.tag_ in FINITE or t.tag_ == "VB" and t.pos_ == "VERB" and not any(c.dep_ == "aux" for c in t.children)


def _doer(t) -> bool:
    """A person or animal (also a plural the lemmatiser leaves whole: "bikers")."""
    return animate(t) or t.tag_ == "NNS" and t.lower_.endswith("s") and is_animate(t.lower_[:-1])


def candidate(doc: Parsed):
    """(word, verb tag, with an object) of the first word the module docstring describes, else None."""
    words = doc.words
    for w in words[2:]:
        if not (w.is_alpha and w.text.islower() and w.pos_ not in ("VERB", "AUX") and w.tag_[:2] in ("NN", "JJ")):
            continue
        v = verb_lemma(w.lower_)
        if v not in DOINGS:
            continue
        tag = "VBP" if w.lower_ == v else "VBZ" if w.lower_.endswith("s") else None
        before = words[w.i - 1]
        if tag is None or not (before.pos_ in NOUNS or before.tag_[:2] in ("JJ", "VB") or before.lower_ == "one"):
            continue  # the verb follows its subject's noun phrase ("the white one watches", "arms outstretched")
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in w.children) or mends_verb(w):
            continue  # parsed as a verb already, or a shape `retag.py` mends
        if w.dep_ == "dobj" and verb_lemma(w.head.lower_) != "wear":
            continue  # what a verb acts on ("selling drinks", "doing a cannonball jump"), not what is worn
        start, end = _clause(words, w)
        if any(_finite(t) and t is not w for t in words[start:end]):
            continue
        found = _subject(words, start, w)
        if found is None:
            continue
        first, plural = found
        if first.lower_ not in GROUPS and plural != (tag == "VBP"):
            continue  # no verb agrees so: "a dog toy", "the dogs toys"
        nxt = words[w.i + 1] if w.i + 1 < len(words) else None
        with_object = nxt is not None and nxt.tag_ in OBJECT_STARTS
        if (nxt is None or nxt.is_punct) and v not in ENDING:
            continue
        return w, tag, with_object
    return None


def reread_all(docs: list[Parsed], nlp) -> list[Parsed]:
    """The parses the rules should read: each caption's, or the caption parsed again as the module docstring says;
    the captions parsed again in one batch per step (a caption alone costs spaCy about ten times what it costs in a
    batch)."""
    # "whilst jumping on a trampoline" read as a preposition's object: parsed with "while"
    plain = [{t.i: PLAIN_WORDS[t.lower_] for t in d.words if t.lower_ in PLAIN_WORDS} for d in docs]
    first = _parse_again(docs, nlp, plain)
    plain = [p if f is not None else {} for p, f in zip(plain, first, strict=True)]
    docs = [f or d for f, d in zip(first, docs, strict=True)]
    found = [candidate(d) for d in docs]
    probes = [{**p, f[0].i: PROBES[f[1:]]} if f is not None else {} for p, f in zip(plain, found, strict=True)]
    again = _parse_again(docs, nlp, probes)
    return [(n is not None and _as_verb(n, f[0].i, f[1])) or d for d, f, n in zip(docs, found, again, strict=True)]


def _as_verb(new: Parsed, i: int, tag: str) -> Parsed | None:
    """The new parse where it makes the word a verb with a subject (tagged as the verb form it is), else None."""
    p = new.words[i]
    if p.pos_ != "VERB" or not any(c.dep_ in ("nsubj", "nsubjpass") for c in p.children) and p.dep_ != "conj":
        return None
    p.tag_ = tag
    for t in new.words:  # "a boy wearing brown swings": the colour worn is read as an adjective in the new parse
        if t.dep_ == "dobj" and t.lower_ in C.PARSER_COLOURS and verb_lemma(t.head.lower_) == "wear":
            t.pos_, t.tag_ = "NOUN", "NN"
    return new


def _parse_again(docs: list[Parsed], nlp, words_in_place: list[dict[int, str]]) -> list[Parsed | None]:
    """Each caption with words to replace parsed with them replaced (in one batch), each word then given back its
    own text and offsets; None for a caption with none, or whose new text is tokenised otherwise."""
    todo = [k for k, w in enumerate(words_in_place) if w]
    texts = ["".join(words_in_place[k].get(t.i, t.text) + t.whitespace_ for t in docs[k].words) for k in todo]
    out: list[Parsed | None] = [None] * len(docs)
    for k, parsed in zip(todo, nlp.pipe(texts), strict=True):
        words, new, replaced = docs[k].words, Parsed(parsed), words_in_place[k]
        if len(new.words) != len(words) or any(
                a.text != b.text for a, b in zip(new.words, words, strict=True) if b.i not in replaced):  # fmt: skip
            continue
        for a, b in zip(new.words, words, strict=True):
            a.text, a.lower_, a.idx, a.whitespace_ = b.text, b.lower_, b.idx, b.whitespace_
        new.text = docs[k].text
        out[k] = new
    return out
