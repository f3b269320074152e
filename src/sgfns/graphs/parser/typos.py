"""Spelling slips the parse cannot survive, mended in the text before it is parsed, one character for one.

"A dog has it's face on a laptop": written "it's" for "its", the tagger reads "it is" and the dog loses its face.
Before a noun that is no adjective ("it's roof", "it's reflection"), a body part ("it's back") or "own", "it's" is
the possessive: it becomes "its" and a space ("its  face"), so every character keeps its offset and the spans still
index the caption as written. Before anything else ("it's a dog", "it's raining", "it's black", "it's very
cold") it stays "it is"."""

from __future__ import annotations

import re

from sgfns.text import lexicon
from sgfns.text.lemmas import noun_lemma

_ITS = re.compile(r"\b([Ii])t['’]s(?=\s+([A-Za-z-]+))")
NOT_NAMES = frozenset({"a", "an", "the", "this", "that", "not", "so", "too", "very", "all", "just", "also", "only",
                       "here", "there", "now", "still", "almost", "about", "in", "on", "at", "up", "out",
                       "off"})  # fmt: skip


def names_a_thing(word: str) -> bool:
    """Does the word after "it's" name what it has (a noun, not a determiner, participle or adjective)?"""
    w = word.lower()
    if w == "own":
        return True
    base = noun_lemma(w)
    if w in NOT_NAMES or w.endswith(("ing", "ed")) or not lexicon.is_lemma(base, "n"):
        return False
    if lexicon.lexname(base, "n") == "noun.body":
        return True  # 'it's back', 'it's head': a body part, even where an adjective is spelt alike
    return not lexicon.is_lemma(w, "a")  # 'it's empty', 'it's black': an adjective, so 'it is'


def mend_its(text: str) -> str:
    """`text` with each possessive "it's" written "its" and a space (the same length)."""
    if "t's" not in text and "t’s" not in text:
        return text
    return _ITS.sub(lambda m: f"{m.group(1)}ts " if names_a_thing(m.group(2)) else m.group(0), text)
