"""'it's' written for 'its': mended before parsing, one character for one, only where a thing follows."""

from __future__ import annotations

import pytest

from sgfns.graphs.parser import clean_text
from sgfns.graphs.parser.typos import mend_its


@pytest.mark.parametrize(("text", "expected"), [
    ("A dog has it's face on a laptop.", "A dog has its  face on a laptop."),
    ("standing on it’s roof", "standing on its  roof"),  # a typographic apostrophe
    ("a woman on it's back", "a woman on its  back"),  # a body part, though 'back' is an adjective too
    ("a cat licking it's own paw", "a cat licking its  own paw"),
    ("It's tail is long", "Its  tail is long"),
])  # fmt: skip
def test_a_possessive_its_is_mended_in_place(text, expected):
    assert mend_its(text) == expected and len(expected) == len(text)


@pytest.mark.parametrize("text", [
    "it's a public library", "It's raining on the street", "it's black with a white spot", "it's very cold",
    "it's empty", "to show it's stuffed contents", "it's two dogs", "its face", "a biscuit's crumbs",
])  # fmt: skip
def test_it_is_stays_it_is(text):
    assert mend_its(text) == text


def test_the_parser_reads_the_mended_caption_and_keeps_the_written_offsets():
    pytest.importorskip("spacy")
    from sgfns.graphs.parser import load_parser

    caption = "A dog has it's face on a laptop computer."
    assert clean_text(caption) == "A dog has its  face on a laptop computer."
    g = load_parser(backend="rules").parse(caption)
    assert {("dog", "have", "face"), ("face", "on", "laptop computer")} <= set(g.triples())
    face = next(o for o in g.objects if o.name == "face")
    assert caption[face.span[0] : face.span[1]] == "face"
