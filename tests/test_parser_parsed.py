"""The rules' copy of a spaCy parse answers every question the rules ask exactly as spaCy's `Doc` does."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from sgfns.graphs.parser import load_parser  # noqa: E402
from sgfns.graphs.parser.rules.parsed import Parsed  # noqa: E402

SENTENCES = [
    "A man and a woman are sitting on a bench, 18 dogs run.",
    "Two  zebras   grazing in a field. A bird flies over them!",
    "a t - shirt hangs next to a close-up of a teddy bear; it's wet",
    "The couch a person is sitting on is red. He smiles.",
    "x",
]


def _token(t) -> tuple:
    return (t.i, t.text, t.lower_, t.dep_, t.pos_, t.tag_, t.idx, t.whitespace_, t.is_alpha, t.is_punct, t.like_num,
            t.head.i, [c.i for c in t.children], [s.i for s in t.subtree], t.left_edge.i, t.sent.start,
            t.sent.end)  # fmt: skip


@pytest.mark.parametrize("text", SENTENCES)
def test_words_answer_like_tokens(text):
    doc = load_parser(backend="rules").nlp(text)
    p = Parsed(doc)
    assert p.text == doc.text and len(p) == len(doc)
    assert [_token(w) for w in p] == [_token(t) for t in doc]
    assert [w.i for w in p[-2:]] == [t.i for t in doc[-2:]]
    n = len(doc)
    for a in range(n + 1):
        for b in range(a, n + 1):
            assert p[a:b].text == doc[a:b].text and [w.i for w in p[a:b]] == [t.i for t in doc[a:b]]
    for start in range(len(text)):
        for end in range(start + 1, min(len(text), start + 12) + 1):
            ours, theirs = p.char_span(start, end), doc.char_span(start, end, alignment_mode="expand")
            assert (ours is None) == (theirs is None or len(theirs) == 0), (start, end)
            if ours is not None:
                assert (ours.start, ours.end, ours[-1].i) == (theirs.start, theirs.end, theirs[-1].i), (start, end)


def test_the_string_table_starts_again_past_its_bound(monkeypatch):
    from sgfns.graphs.parser.rules import parsed

    doc = load_parser(backend="rules").nlp("a zebra grazing in a field")
    monkeypatch.setattr(parsed, "_STRINGS_MAX", 3)
    parsed._STRINGS.update({-i: "x" for i in range(1, 10)})
    p = Parsed(doc)
    assert [w.text for w in p] == [t.text for t in doc]
    assert len(parsed._STRINGS) <= 3 + len(doc) * 5 and -1 not in parsed._STRINGS
