"""Lemmas from the part-of-speech tag and WordNet morphology, without spaCy's lemmatizer.

spaCy's rule lemmatizer costs about as much time as tagging and parsing together on short captions, and makes
mistakes the rules must undo anyway ("riding" -> "rid"). WordNet's morphy with its exception lists ("men" ->
"man", "sat" -> "sit", "lying" -> "lie") and a preference for the inflected reading gives the lemmas the rules
need; results are cached per (word, tag)."""

from __future__ import annotations

import functools

from sgfns import lexicon
from sgfns.graphs.parser import words as W

_INFLECTED_VERB = {"VBD", "VBG", "VBN", "VBZ"}
_AUX = {"is": "be", "are": "be", "was": "be", "were": "be", "am": "be", "'s": "be", "'re": "be", "been": "be",
        "being": "be", "has": "have", "had": "have", "having": "have", "does": "do", "did": "do"}  # fmt: skip


@functools.lru_cache(maxsize=100_000)
def lemma(word: str, tag: str) -> str:
    """Lemma of a lower-cased word with its Penn tag."""
    if tag.startswith("NN"):
        return noun_lemma(word, tag)
    if tag.startswith("VB") or tag == "MD":
        return verb_lemma(word, tag)
    if tag in ("JJR", "JJS"):
        cands = [c for c in lexicon.morphy(word, "a") if c != word]
        return cands[0] if cands else word
    return word


def noun_lemma(word: str, tag: str = "NNS") -> str:
    if word in W.PLURALIA_TANTUM or not word.isascii():
        return word
    if tag in ("NNS", "NNPS"):
        cands = lexicon.morphy(word, "n")
        other = [c for c in cands if c != word]
        if other:
            return other[0]
        if cands:
            return word
        if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            return word[:-1]
    return word


def verb_lemma(word: str, tag: str = "VBG") -> str:
    if word in _AUX:
        return _AUX[word]
    if tag not in _INFLECTED_VERB:
        return word
    cands = lexicon.morphy(word, "v")
    other = [c for c in cands if c != word]
    if other:
        return other[0]
    if cands:
        return word
    for suffix in ("ing", "ed", "es", "s"):  # unknown verbs: strip the inflection
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word
