"""Word classes the parser and the negatives share: who can act."""

from __future__ import annotations

import pytest

from sgfns.text import wordclasses as wc


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("person", "person"),  # WordNet files 'person' and 'animal' among its top-level nouns, not noun.person
        ("individual", "person"),
        ("someone", "person"),
        ("animal", "animal"),
        ("man", "person"),
        ("dog", "animal"),
        ("crowd", "person"),
        ("teddy bear", None),  # a toy: the whole name is a WordNet noun, its last word is not what it is
        ("computer mouse", None),
        ("polar bear", "animal"),
        ("monitor", None),  # a screen in the word classes, though WordNet names a person first
        ("bat", None),
        ("climber", "person"),  # a plant in WordNet's first sense
        ("sailor", "person"),
        ("kayaker", "person"),  # not in WordNet: made from a boat, a board or a vehicle
        ("wakeboarder", "person"),
        ("parasailors", "person"),
        ("windsurfer", None),  # a board as often as a person
        ("refrigerater", None),  # a misspelt machine: made from a verb, not from a thing one rides
        ("coffeemaker", None),
    ],
)
def test_agent_kind(name, kind):
    assert wc.agent_kind(name) == kind
    assert wc.is_animate(name) == (kind is not None)


def test_same_kind_nouns_follow_who_can_act_not_wordnet_first_sense():
    """A climber is not replaced by a tree (WordNet's first 'climber' is a vine), a game controller not by a
    supervisor (its first sense is a person, but it is counted as a thing); plants and animals keep theirs."""
    assert "tree" not in wc.same_kind_nouns("climber", ["tree", "vine", "skier"])
    assert wc.same_kind_nouns("controller", ["supervisor", "manager"]) == []
    assert wc.same_kind_nouns("oak", ["maple", "climber"]) == ["maple"]


def test_a_compound_wordnet_does_not_know_is_its_head_word():
    """The caption parser names a thing with the nouns that say which kind it is ("baseball uniform"); what the
    word classes ask of it is what its head word is. A compound WordNet knows whole keeps its own senses."""
    from sgfns.text import lexicon

    assert not lexicon.is_lemma("baseball uniform") and lexicon.is_lemma("teddy bear")
    assert lexicon.lexname("baseball uniform") == lexicon.lexname("uniform") == "noun.artifact"
    assert lexicon.lexname("softball player") == "noun.person" and wc.is_animate("softball player")
    assert wc.is_garment("safety vest") and wc.noun_class("baseball uniform") == "clothing"
    assert wc.noun_class("teddy bear") != "animal" and not wc.known_whole("baseball uniform")
    assert wc.known_whole("teddy bear") and wc.known_whole("fire hydrant")
