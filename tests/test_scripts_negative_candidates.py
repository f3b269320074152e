"""The candidate detector (spaCy dependencies only) that defines which captions could get a negative of each rule."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from negative_candidates import attribute_kind, detect  # noqa: E402


@pytest.fixture(scope="module")
def rules_of():
    caps = [
        "A brown horse grazing in a green pasture.",
        "A man standing behind a fence.",
        "A woman wearing a hat while reading a book.",
        "A dog chasing a cat.",
        "A man walking with a dog.",
        "A man in a red shirt and a woman in a blue dress.",
        "Two dogs play.",
        "The dog is brown.",
        "A cup of coffee.",
        "Several other people.",
    ]
    return dict(zip(caps, detect(caps), strict=True))


def test_candidates_by_rule(rules_of):
    assert {"replace-att", "replace-rel", "replace-obj"} <= rules_of["A brown horse grazing in a green pasture."]
    assert "replace-rel" in rules_of["A man standing behind a fence."]  # a participle links man and fence
    assert "replace-rel" in rules_of["A woman wearing a hat while reading a book."]
    assert "swap-obj" in rules_of["A dog chasing a cat."]  # two animals, an asymmetric verb
    assert "swap-obj" not in rules_of["A man walking with a dog."]  # 'with' is symmetric, and man/dog differ in kind
    assert "swap-att" in rules_of["A man in a red shirt and a woman in a blue dress."]
    assert "count" in rules_of["Two dogs play."] and "replace-rel" not in rules_of["Two dogs play."]
    assert "replace-att" in rules_of["The dog is brown."]  # a predicate adjective
    assert "replace-rel" not in rules_of["A cup of coffee."]  # 'of' is an amount, not a relation
    assert "replace-att" not in rules_of["Several other people."]  # quantity words are not attributes


@pytest.mark.parametrize(("word", "kind"), [("red", "colour"), ("beige", "colour"), ("big", "size"),
                                            ("wooden", "material"), ("happy", None)])  # fmt: skip
def test_attribute_kinds(word, kind):
    assert attribute_kind(word) == kind
