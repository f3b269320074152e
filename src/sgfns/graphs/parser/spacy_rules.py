"""Rule-based backend: a spaCy `Doc` (tagger + dependency parser; lemmas: `sgfns.text.lemmas`) in, a `SceneGraph` out.

The rules read the dependency tree, not the word order, so one rule covers many surface forms:
- objects are noun heads (pronouns never; "someone" -> "person"); "a group/piece/bunch of X" makes X the object
  (the container word becomes an attribute or a count); a noun compound that is one WordNet lemma ("tennis
  racket") is the name, other noun modifiers are attributes;
- attributes are adjectival modifiers (with their coordinations and colour shades such as "dark blue"),
  predicative adjectives after a copula ("the truck is old", "a dog that is brown"), and stand-alone participles;
- counts come from numerals, number words and exact quantity words ("both", "a pair of");
- relations come from prepositions (their governor gives the subject: a noun, a verb's subject, a participle's
  noun, a relative clause's antecedent), with multi-word predicates ("in front of", "on top of", "next to",
  "stick out of"), verb + object, verb + particle + preposition, possessives and part-whole "of" (-> "have"),
  coordinated subjects and objects (each gets its own relation), "there is/are" and gapped relative clauses
  ("the couch a person is sitting on");
- spatial predicates are canonical ("to the left of" -> "left of"; "is placed on" -> "on"), a person "in" a
  garment wears it, "a cup of coffee" -> (coffee, in, cup).
The rules live one kind per module in `rules/` (objects, attributes, prepositions, other relations); `build` runs
them in order over one `Draft`. See docs/parser.md for the failure classes and the measured figures.
"""

from __future__ import annotations

from sgfns.graphs.parser.rules.attributes import predicative_attributes
from sgfns.graphs.parser.rules.draft import Draft
from sgfns.graphs.parser.rules.objects import build_objects
from sgfns.graphs.parser.rules.parsed import Parsed
from sgfns.graphs.parser.rules.prepositions import relations_from_preps
from sgfns.graphs.parser.rules.relations import clothing_as_wear, relations_from_objects, relations_from_possessives
from sgfns.graphs.parser.rules.reread import reread_all
from sgfns.graphs.types import SceneGraph

# Bump when a rule changes: the version is part of the caption-graph cache key.
RULES_VERSION = 52


def build(doc) -> SceneGraph:
    """The rule graph of one parsed caption: objects (with their noun-phrase attributes and counts) first, then
    predicative attributes, verb-object relations, prepositional relations, possessives, and "in" a garment as
    "wear" -- in this order, since each pass reads the objects and relations the earlier ones made."""
    d = Draft(doc)
    build_objects(d)
    predicative_attributes(d)
    relations_from_objects(d)
    relations_from_preps(d)
    relations_from_possessives(d)
    clothing_as_wear(d)
    return d.graph()


class SpacyRulesBackend:
    """The rule backend: `graph(doc)` for a parsed `Doc`."""

    name = "rules"
    version = f"rules-{RULES_VERSION}"

    def __init__(self):
        self.nlp = None

    def use_pipeline(self, nlp) -> None:
        """The spaCy pipeline, for parsing again a caption whose verb was read as a noun (`rules/reread.py`)."""
        self.nlp = nlp

    def read(self, docs: list) -> list[Parsed]:
        """The parses the rules read: a copy of each `Doc`, or of the caption parsed again (`rules/reread.py`, the
        captions parsed again in one batch)."""
        docs = [d if isinstance(d, Parsed) else Parsed(d) for d in docs]
        return docs if self.nlp is None else reread_all(docs, self.nlp)

    def graphs(self, docs: list) -> list[SceneGraph]:
        return [build(d) for d in self.read(docs)]

    def graph(self, doc) -> SceneGraph:
        return self.graphs([doc])[0]
