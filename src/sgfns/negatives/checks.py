"""Validity checks: reasons a generated caption might still be true of the image, so it is no negative.

Each check returns a short reason string (the rejection is counted under it) or None when the candidate passes.
The rule builders call the structural checks (symmetric relation, same-name swap, vague quantity, unreliable
parse) where they build a candidate; the generator runs the lexical and other-caption checks on every candidate,
and the optional re-parse check when a parser is given."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from sgfns.graphs.types import SceneGraph
from sgfns.text import inflection as surface
from sgfns.text import lexicon
from sgfns.text.wordclasses import SYMMETRIC_PREDICATES, VAGUE_QUANTIFIERS

SYNONYM = "synonym"
HYPERNYM = "hypernym-or-hyponym"
EQUALS_OTHER = "equals-other-caption"
MENTIONED = "mentioned-in-other-caption"
SYMMETRIC = "symmetric-relation"
SAME_NAME = "same-name"
VAGUE = "vague-quantity"
UNRELIABLE = "unreliable-parse"
COMPOUND = "compound-modifier"  # the attribute is the participle of a compound ('snow covered', 'brightly colored')
IMPLAUSIBLE = "never-named-together"  # the corpus never names the new word with the caption's other nouns
IMPLAUSIBLE_SWAP = "implausible-swap"  # the swapped roles are ones the captions never write (a horse riding a woman)
REPARSE = "reparse-mismatch"
UNBALANCED = "rarer-direction"  # not drawn this time: the captions write the new word less often than the old


@functools.lru_cache(maxsize=500_000)  # the same word pairs come back for every caption (WordNet look-ups)
def lexical_relation(old: str, new: str, pos: str = "n", senses: int | None = None) -> str | None:
    """'synonym' or 'hypernym-or-hyponym' when `new` could name the same thing as `old` (any WordNet sense;
    for attributes both the adjective and the noun senses are tried: 'grey'/'gray')."""
    a, b = old.lower(), new.lower()
    if a == b:
        return SYNONYM
    for p in (pos,) if pos != "a" else ("a", "n"):
        if lexicon.are_synonyms(a, b, p, senses):
            return SYNONYM
    if pos == "n" or (pos == "v" and " " not in a + b):
        if lexicon.is_hypernym_or_hyponym(a, b, pos, senses):
            return HYPERNYM
    # multiword names: 'tennis racket' vs 'racket'
    if pos == "n" and (a.split()[-1] == b or b.split()[-1] == a):
        return HYPERNYM
    return None


def equals_other_caption(text: str, others: Iterable[str]) -> str | None:
    norm = surface.normalize(text)
    return EQUALS_OTHER if any(surface.normalize(o) == norm for o in others) else None


def other_caption_words(others: Iterable[str]) -> set[str]:
    """Words and their noun/verb base forms in the image's other captions."""
    words: set[str] = set()
    for o in others:
        toks = [t.lower for t in surface.tokenize(o)]
        for i, t in enumerate(toks):
            words.add(t)
            words.update(lexicon.morphy(t, "n")[:1])
            if i + 1 < len(toks):
                words.add(f"{t} {toks[i + 1]}")
    return words


def mentioned_in_others(words: Iterable[str], other_words: set[str], nouns: bool = False,
                        replaced: Iterable[str] = ()) -> str | None:  # fmt: skip
    """The replacement (or added) word appears in another caption of the same image — or, for a noun, a
    synonym, hypernym or hyponym of it does ('cellphone' when another caption says 'phone'): probably true.

    A general word that names the `replaced` noun as well is not counted: another caption calling the dog an
    'animal' or the girl a 'child' speaks of the same dog or girl, not of a cat or a boy."""
    replaced = [r.lower() for r in replaced if " " not in r]
    for w in words:
        w = w.lower()
        if w in other_words or surface.pluralize(w) in other_words:
            return MENTIONED
        if nouns and " " not in w:
            for o in other_words:
                if " " not in o and len(o) > 2 and lexicon.is_lemma(o, "n") and lexical_relation(w, o, "n", 2):
                    if not any(names_both(o, r, w) for r in replaced):
                        return MENTIONED
    return None


def names_both(general: str, a: str, b: str) -> bool:
    """`general` is a strict ancestor (first two senses) of both `a` and `b`: 'animal' of 'dog' and 'cat'."""
    g = set(lexicon.synset_ids(general, "n")[:2])

    def under(word: str) -> bool:
        return any(g & lexicon.hypernym_closure(s, "n") for s in lexicon.synset_ids(word, "n")[:2])

    return bool(g) and under(a) and under(b) and not lexicon.are_synonyms(general, a, "n", 2)


def symmetric_relation(predicate: str) -> str | None:
    p = " ".join(predicate.lower().split())
    if p in SYMMETRIC_PREDICATES or p.removeprefix("be ") in SYMMETRIC_PREDICATES:
        return SYMMETRIC
    return None


def same_name(a: str, b: str) -> str | None:
    if a.lower() == b.lower() or lexical_relation(a, b, "n", senses=1) is not None:
        return SAME_NAME
    return None


def vague_quantity(words: Iterable[str]) -> str | None:
    return VAGUE if any(w.lower() in VAGUE_QUANTIFIERS for w in words) else None


def reparse_consistent(graph: SceneGraph, expect: list[tuple]) -> str | None:
    """The re-parsed negative shows the edited facts: ('object', name), ('attribute', name, att),
    ('triple', subject, predicate, object) or ('count', name, n). None when all are found."""
    names = {o.name for o in graph.objects}
    for fact in expect:
        kind = fact[0]
        if kind == "object" and fact[1] not in names:
            return REPARSE
        if kind == "attribute" and not any(o.name == fact[1] and fact[2] in o.attributes for o in graph.objects):
            return REPARSE
        if kind == "triple":
            s, p, o = fact[1:]
            if not any(ts == s and to == o and _pred_eq(tp, p) for ts, tp, to in graph.triples()):
                return REPARSE
        if kind == "count" and not any(o.name == fact[1] and o.count == fact[2] for o in graph.objects):
            return REPARSE
    return None


def _pred_eq(a: str, b: str) -> bool:
    a, b = a.lower().removeprefix("be "), b.lower().removeprefix("be ")
    return a == b or a.split()[-1] == b.split()[-1]
