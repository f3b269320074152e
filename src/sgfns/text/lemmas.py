"""Lemmas from the part-of-speech tag and WordNet morphology, without spaCy's lemmatizer.

spaCy's rule lemmatizer costs about as much time as tagging and parsing together on short captions, and makes
mistakes the rules must undo anyway ("riding" -> "rid"). WordNet's morphy with its exception lists ("men" ->
"man", "sat" -> "sit", "lying" -> "lie") and a preference for the inflected reading gives the lemmas the rules
need; results are cached per (word, tag)."""

from __future__ import annotations

import functools

from sgfns.text import closed_words as W
from sgfns.text import lexicon

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


@functools.lru_cache(maxsize=100_000)
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


@functools.lru_cache(maxsize=100_000)
def verb_lemma(word: str, tag: str = "VBG") -> str:
    if word in _AUX:
        return _AUX[word]
    if tag not in _INFLECTED_VERB:
        return word
    cands = lexicon.morphy(word, "v")
    other = [c for c in cands if c != word]
    if len(other) > 1:
        return _pick_stem(word, other)
    if other:
        return other[0]
    if cands:
        return word
    for suffix in ("ing", "ed", "es", "s"):  # unknown verbs: strip the inflection
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


_VOWELS = set("aeiou")


def _pick_stem(word: str, cands: list[str]) -> str:
    """Choose between "ride"/"rid" for "riding", "swing"/"swinge" for "swinging".

    English doubles a final consonant after a single short vowel (rid -> ridding, hop -> hopped), so a stem that
    ends consonant-vowel-consonant and was not doubled comes from the "-e" verb; otherwise the verb with more
    senses wins (swing over swinge, bathe over bath)."""
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if stem in cands and stem + "e" in cands:
                cvc = (
                    len(stem) >= 3
                    and stem[-1] not in _VOWELS | {"w", "x", "y"}
                    and stem[-2] in _VOWELS
                    and stem[-3] not in _VOWELS
                )
                if cvc:
                    return stem + "e"
                return max((stem, stem + "e"), key=lambda c: len(lexicon.synset_ids(c, "v")))
    return cands[0]
