"""The word classes and phrasings that let negatives cover real captions: colours beyond the basic set (hues,
metals, two-word shades), hair, ages by age group, materials as adjectives and noun modifiers, patterns, ground
cover, WordNet antonyms; posture and motion verbs with any preposition, 'next to' for people on things. And the
edits that must not be made: synonyms, the same age group, a person's colour, evaluative words, symmetric relations,
words another caption of the photo uses."""

from __future__ import annotations

import pytest

from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.negatives.generator import Generator
from sgfns.text import adjectives


def obj(caption: str, name: str, word: str, attrs=(), nth: int = 0) -> SGObject:
    i = -1
    for _ in range(nth + 1):
        i = caption.index(word, i + 1)
    return SGObject(name, list(attrs), None, span=(i, i + len(word)))


def negatives(caption, graph, rule, others=()):
    g = Generator(rules=[rule], per_rule=50, seed=0, max_checks=1000)
    return {n.negative for n in g.generate(caption, graph, list(others))}


def one_object(caption, name, word, attrs):
    return SceneGraph([obj(caption, name, word, attrs)], [])


@pytest.mark.parametrize(
    ("word", "cls"),
    [("golden", "colour"), ("beige", "colour"), ("silver", "colour"), ("dark blue", "colour"), ("blond", "colour"),
     ("older", "age"), ("elderly", "age"), ("wood", "material"), ("wooden", "material"), ("striped", "pattern"),
     ("snowy", "ground"), ("huge", "size"), ("open", "state"), ("pretty", None)],
)  # fmt: skip
def test_attribute_classes(word, cls):
    assert adjectives.attribute_class(word) == cls


@pytest.mark.parametrize(
    ("caption", "name", "word", "att", "expected"),
    [
        ("A brown horse grazing.", "horse", "horse", "brown", "A black horse grazing."),
        ("A golden retriever on grass.", "retriever", "retriever", "golden", "A brown retriever on grass."),
        ("An older woman waits.", "woman", "woman", "older", "A young woman waits."),
        ("A young man waits.", "man", "man", "young", "An old man waits."),
        ("A kitchen with wood cabinets.", "cabinet", "cabinets", "wood", "A kitchen with metal cabinets."),
        ("A man in a striped shirt.", "shirt", "shirt", "striped", "A man in a plaid shirt."),
        ("A skier on a snowy slope.", "slope", "slope", "snowy", "A skier on a grassy slope."),
        ("A man in a dark blue shirt.", "shirt", "shirt", "dark blue", "A man in a dark red shirt."),
        ("A green pasture.", "pasture", "pasture", "green", "A brown pasture."),
        ("A woman with blond hair.", "hair", "hair", "blond", "A woman with black hair."),
    ],
)
def test_replace_att_new_classes(caption, name, word, att, expected):
    assert expected in negatives(caption, one_object(caption, name, word, [att]), "replace-att")


def test_replace_att_wordnet_antonym_and_no_evaluative():
    c = "A wet dog."
    assert "A dry dog." in negatives(c, one_object(c, "dog", "dog", ["wet"]), "replace-att")
    c = "A pretty girl."  # taste, not the photo
    assert negatives(c, one_object(c, "girl", "girl", ["pretty"]), "replace-att") == set()


@pytest.mark.parametrize(
    ("caption", "name", "word", "att", "forbidden"),
    [
        ("A black man smiles.", "man", "man", "black", None),  # a person's colour is never changed
        ("A young boy smiles.", "boy", "boy", "young", "little"),  # a child's age: only against 'teenage'
        ("A young boy smiles.", "boy", "boy", "young", "old"),
        ("A gray cat.", "cat", "cat", "gray", "grey"),  # spelling variant = synonym
        ("A gold watch.", "watch", "watch", "gold", "yellow"),  # too close to be false
        ("A wooden bench.", "bench", "bench", "wooden", "wood"),
        ("A purple dress.", "dress", "dress", "purple", "violet"),
    ],
)
def test_replace_att_edits_that_must_not_be_made(caption, name, word, att, forbidden):
    negs = negatives(caption, one_object(caption, name, word, [att]), "replace-att")
    if forbidden is None:
        assert negs == set()
    else:
        assert not any(f" {forbidden} " in n.lower() for n in negs), negs
    if name == "boy":
        assert negs == {"A teenage boy smiles."}


def test_replace_att_not_a_word_another_caption_uses():
    c = "A red car."
    negs = negatives(c, one_object(c, "car", "car", ["red"]), "replace-att", others=["A blue car parked."])
    assert negs and "A blue car." not in negs


def rel_graph(caption, s, o, pred, s_word=None, o_word=None):
    return SceneGraph([obj(caption, s, s_word or s), obj(caption, o, o_word or o)], [Relation(0, pred, 1)])


@pytest.mark.parametrize(
    ("caption", "s", "o", "pred", "expected"),
    [
        ("A man standing behind a fence.", "man", "fence", "stand behind", "A man sitting behind a fence."),
        ("A dog running through a field.", "dog", "field", "run through", "A dog walking through a field."),
        ("A man on a bike.", "man", "bike", "on", "A man next to a bike."),
        ("A woman sitting on a bench.", "woman", "bench", "sit on", "A woman sitting next to a bench."),
        ("Two people walking down a street.", "people", "street", "walk down", "Two people running down a street."),
        ("A boy kneeling on a mat.", "boy", "mat", "kneel on", "A boy standing on a mat."),
        ("A boy kneeling on a mat.", "boy", "mat", "kneel on", "A boy kneeling next to a mat."),
    ],
)
def test_replace_rel_postures_motion_and_beside(caption, s, o, pred, expected):
    assert expected in negatives(caption, rel_graph(caption, s, o, pred), "replace-rel")


@pytest.mark.parametrize(
    ("caption", "s", "o", "pred"),
    [
        ("A man in a shirt.", "man", "shirt", "in"),  # wearing, not place
        ("A man in a kitchen.", "man", "kitchen", "in"),  # a room: not 'next to a kitchen'
        ("A dog on the grass.", "dog", "grass", "on"),  # the ground
        ("A bus on the street.", "bus", "street", "on"),  # not under the street, nor next to it
        ("A man holding a phone.", "man", "phone", "hold"),  # not 'next to': only people on or in things
    ],
)
def test_replace_rel_edits_that_must_not_be_made(caption, s, o, pred):
    negs = negatives(caption, rel_graph(caption, s, o, pred), "replace-rel")
    assert not any("next to" in n or "under" in n or "outside" in n for n in negs), negs


@pytest.mark.parametrize(
    ("caption", "s", "o", "pred", "never"),
    [
        ("A dog runs down a ramp.", "dog", "ramp", "run down", "walks"),  # on a slope a still shows no gait
        ("Two people walking up a hill.", "people", "hill", "walk up", "running"),
        ("A person is climbing up a rock.", "person", "rock", "climb up", "down"),  # nor which way one climbs
        ("A girl swimming in a pool.", "girl", "pool", "swim in", "standing"),  # the legs are under water
    ],
)
def test_replace_rel_not_what_a_still_cannot_show(caption, s, o, pred, never):
    negs = negatives(caption, rel_graph(caption, s, o, pred), "replace-rel")
    assert not any(never in n for n in negs), negs


@pytest.mark.parametrize(
    ("caption", "s", "o", "pred"),
    [
        ("A man riding an elephant into the water.", "man", "elephant", "ride"),
        ("A man riding a bike past a train.", "man", "bike", "ride"),
        ("A man riding a wave on top of a surfboard.", "man", "wave", "ride"),
    ],
)
def test_no_next_to_before_a_direction_or_for_a_surface(caption, s, o, pred):
    assert not any("next to" in n for n in negatives(caption, rel_graph(caption, s, o, pred), "replace-rel"))


def test_hold_is_never_kick_and_nothing_is_under_a_wall():
    c = "A man holding a laptop."
    assert not any("kicking" in n for n in negatives(c, rel_graph(c, "man", "laptop", "hold"), "replace-rel"))
    c = "A shelf on the wall."
    assert negatives(c, rel_graph(c, "shelf", "wall", "on"), "replace-rel") == set()


def test_walking_is_not_turned_into_sitting_through():
    c = "A dog running through a field."
    negs = negatives(c, rel_graph(c, "dog", "field", "run through"), "replace-rel")
    assert not any("sitting through" in n for n in negs)
