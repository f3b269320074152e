"""Offline WordNet look-ups from the lexicon shipped in `resources/` (built by `scripts/build_lexicon.py`).

Used by the parser (which noun compounds are single lemmas, lemma fixes), the negative generator (synonym /
hypernym / co-hyponym checks) and the parser's scorer (synonym matching). Pure Python, loaded once on first use."""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

POS_TAGS = ("n", "v", "a")


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    with resources.files("sgfns.resources").joinpath("wordnet_lexicon.json.gz").open("rb") as f:
        return json.loads(gzip.decompress(f.read()))


def _norm(word: str) -> str:
    return word.strip().lower().replace("_", " ")


def synset_ids(lemma: str, pos: str = "n", *, whole: bool = False) -> list[int]:
    """Synsets of a lemma, most frequent sense first (no inflection handling; see `morphy`). A noun compound
    WordNet does not know has its head word's senses, unless `whole` asks for the compound's own: the caption
    parser names a thing with the nouns that say which kind it is ("baseball uniform" is a uniform)."""
    index = _data()["index"][pos]
    word = _norm(lemma)
    if not whole and word not in index and pos == "n" and " " in word:
        word = word.rsplit(" ", 1)[1]
    return index.get(word, [])


def is_lemma(word: str, pos: str = "n") -> bool:
    """Is the word (or compound) itself a WordNet lemma ("fire hydrant" is, "baseball uniform" is not)?"""
    return bool(synset_ids(word, pos, whole=True))


def lemmas_of(sid: int, pos: str = "n") -> list[str]:
    return _data()["synsets"][pos][sid][1]


def lexname(lemma: str, pos: str = "n") -> str | None:
    """Lexicographer file of the first sense, e.g. 'noun.animal', 'noun.artifact'."""
    ids = synset_ids(lemma, pos)
    return lexname_of(ids[0], pos) if ids else None


def lexname_of(sid: int, pos: str = "n") -> str:
    """Lexicographer file of one synset."""
    return _data()["lexnames"][_data()["synsets"][pos][sid][0]]


def hypernyms(sid: int, pos: str = "n") -> list[int]:
    """Direct hypernyms (instance hypernyms included) of a synset, nearest-first walks start here."""
    return list(_data()["synsets"][pos][sid][2])


@functools.lru_cache(maxsize=65536)
def hypernym_closure(sid: int, pos: str = "n") -> frozenset[int]:
    """All ancestors of a synset (not including itself)."""
    table = _data()["synsets"][pos]
    seen: set[int] = set()
    stack = list(table[sid][2])
    while stack:
        s = stack.pop()
        if s in seen:
            continue
        seen.add(s)
        stack.extend(table[s][2])
    return frozenset(seen)


def are_synonyms(a: str, b: str, pos: str = "n", senses: int | None = None) -> bool:
    """True when the two lemmas share a synset (among each one's first `senses` senses, all when None)."""
    sa, sb = synset_ids(a, pos)[:senses], synset_ids(b, pos)[:senses]
    return bool(set(sa) & set(sb))


def is_hypernym_or_hyponym(a: str, b: str, pos: str = "n", senses: int | None = None) -> bool:
    """True when some sense of one lemma is an ancestor of some sense of the other."""
    sa, sb = synset_ids(a, pos)[:senses], synset_ids(b, pos)[:senses]
    for x in sa:
        cx = hypernym_closure(x, pos)
        for y in sb:
            if y in cx or x in hypernym_closure(y, pos):
                return True
    return False


def antonym_ids(sid: int, pos: str = "a") -> list[int]:
    """Synsets that hold a direct antonym of this synset."""
    return list(_data()["synsets"][pos][sid][3])


def cluster_heads(sid: int) -> list[int]:
    """Heads of an adjective synset's similarity cluster ('soaked' -> 'wet'); empty for a head itself."""
    row = _data()["synsets"]["a"][sid]
    return list(row[4]) if len(row) > 4 else []


def antonyms(word: str, pos: str = "a", senses: int | None = None) -> set[str]:
    """Direct antonyms of the word's senses (its `senses` most frequent ones when given)."""
    table = _data()["synsets"][pos]
    out: set[str] = set()
    for sid in synset_ids(word, pos)[:senses]:
        for t in table[sid][3]:
            out.update(table[t][1])
    return out


def exceptions(word: str, pos: str) -> list[str]:
    """Irregular base forms from WordNet's exception lists ('mice' -> ['mouse'])."""
    return exception_table(pos).get(_norm(word), [])


def exception_table(pos: str) -> dict[str, list[str]]:
    """A part of speech's whole exception list: irregular form -> base forms."""
    return _data()["exceptions"][pos]


_DETACH = {
    "n": [
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
        ("s", ""),
    ],
    "v": [("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""), ("s", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
}


def morphy(word: str, pos: str = "n") -> list[str]:
    """WordNet's morphy: base forms of an inflected word that exist as lemmas (the word itself first if it does)."""
    w = _norm(word)
    out: list[str] = []
    if is_lemma(w, pos):
        out.append(w)
    for base in exceptions(w, pos):
        if base not in out and is_lemma(base, pos):
            out.append(base)
    for suffix, repl in _DETACH[pos]:
        if w.endswith(suffix) and len(w) > len(suffix):
            base = w[: len(w) - len(suffix)] + repl
            if base not in out and is_lemma(base, pos):
                out.append(base)
    # doubled final consonant: "sitting" -> "sit", "stopped" -> "stop"
    if pos == "v":
        for suffix in ("ing", "ed"):
            if w.endswith(suffix) and len(w) > len(suffix) + 2 and w[-len(suffix) - 1] == w[-len(suffix) - 2]:
                base = w[: -len(suffix) - 1]
                if base not in out and is_lemma(base, pos):
                    out.append(base)
    return out
