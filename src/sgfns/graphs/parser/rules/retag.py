"""Tags the parse itself shows to be wrong, mended in the copy the rules read before they read it.

The small model tags a noun of a list as an adjective or a verb when the list has no article of its own: "a
refrigerator, oven and microwave" (oven JJ, microwave VB), "an island, icebox, and sink in it" (sink VB). The
parse still makes the word a conjunct of a noun, so it is one more thing of the list: a conjunct of a noun that
WordNet knows as a concrete noun (and not as an adjective), with no subject, object or particle of its own and no
colour, becomes a noun (every rule then reads it as one, the list's relation included)."""

from __future__ import annotations

from sgfns.graphs.parser.rules.parsed import Parsed
from sgfns.text import closed_words as W
from sgfns.text import colours as C
from sgfns.text import lemmas as L
from sgfns.text import lexicon

NOUNS = ("NOUN", "PROPN")
CONCRETE = frozenset({"noun.artifact", "noun.food", "noun.object", "noun.plant", "noun.animal", "noun.body"})
# what a verb or an adjective has and a listed noun has not
VERB_CHILDREN = frozenset({"dobj", "nsubj", "nsubjpass", "prt", "aux", "auxpass", "xcomp", "ccomp", "advmod",
                           "dative", "acomp", "neg", "mark", "advcl", "attr", "agent", "oprd"})  # fmt: skip


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
    senses = lexicon.synset_ids(lemma, "n")[: 1 if any(c.dep_ == "prep" for c in w.children) else 2]
    if not any(lexicon.lexname_of(s) in CONCRETE for s in senses):
        return None
    if any(c.dep_ in VERB_CHILDREN for c in w.children):
        return None
    return tag


def mend_tags(doc: Parsed) -> None:
    """Mend, in place and in reading order (a list's later nouns hang on its earlier ones), the tags above; a
    mended copy is left as it is."""
    for w in doc.words:
        tag = _listed_noun(w)
        if tag is not None:
            w.pos_, w.tag_ = "NOUN", tag
