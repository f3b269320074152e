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
    ],
)
def test_agent_kind(name, kind):
    assert wc.agent_kind(name) == kind
    assert wc.is_animate(name) == (kind is not None)
