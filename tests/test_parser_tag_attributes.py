"""The attribute ruler as table lookups gives every token the ruler's POS, morphology, lemma and tag."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from sgfns.graphs.parser import _UNUSED_PIPES, _find_model  # noqa: E402
from sgfns.graphs.parser.tag_attributes import NAME, TagAttributes, Unsupported, replace_attribute_ruler  # noqa: E402

# Sentences that reach the ruler's several kinds of pattern: the tag map, words with their tag ('not', 'be', 'that'),
# two-token patterns ('gonna', "let's", "y'all"), a regular expression ("nothin'"), an expletive 'there is', spaces.
SENTENCES = [
    "A person sitting at a table in a room.",
    "There is a man who isn't riding his bike, and there are two dogs.",
    "They're gonna eat, let's go, y'all ain't seen nothin' yet.",
    "She doesn't know whether the cat that sat on the mat was hers.",
    "Two  zebras   grazing\tin a field while a bird flies over them.",
    "A BLUE BUS PARKED NEXT TO A RED CAR",
    "he got it, it gets done, c'm on gotta go",
    "the dog's bowl; its owner's shoes - 3 of them - were wet!",
]


def _pipelines():
    name = _find_model()
    stock = spacy.load(name, exclude=list(_UNUSED_PIPES))
    fast = spacy.load(name, exclude=list(_UNUSED_PIPES))
    assert replace_attribute_ruler(fast)
    return stock, fast


def _attrs(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]


def test_same_attributes_as_the_ruler_and_the_same_pipeline_names():
    stock, fast = _pipelines()
    assert fast.pipe_names == stock.pipe_names
    assert type(fast.get_pipe("attribute_ruler")).__name__ == "TagAttributes"
    for s in SENTENCES:
        assert _attrs(fast(s)) == _attrs(stock(s)), s
    # the ruler does set something: without it the POS of 'is' after 'There' would be the tagger's only
    with stock.select_pipes(disable=["attribute_ruler"]):
        bare = stock(SENTENCES[1])
    assert [t.pos_ for t in bare] != [t.pos_ for t in stock(SENTENCES[1])]


def test_the_parser_uses_it():
    from sgfns.graphs.parser import load_parser

    assert type(load_parser(backend="rules").nlp.get_pipe("attribute_ruler")).__name__ == "TagAttributes"


def test_a_pattern_it_cannot_reproduce_leaves_the_ruler_in_place():
    stock, _ = _pipelines()
    ruler = stock.get_pipe("attribute_ruler")
    ruler.add([[{"LENGTH": {">": 3}}]], {"POS": "X"})
    with pytest.raises(Unsupported):
        TagAttributes(stock.vocab).take(ruler)
    assert not replace_attribute_ruler(stock)
    assert type(stock.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"
    assert NAME not in stock.pipe_names
