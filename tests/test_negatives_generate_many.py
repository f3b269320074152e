"""`Generator.generate_many` gives each caption the negatives `generate` gives it alone, with the re-parse checks
of many captions parsed together."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from sgfns.graphs.parser import load_parser  # noqa: E402
from sgfns.negatives.corpus import Corpus  # noqa: E402
from sgfns.negatives.generator import Generator  # noqa: E402
from sgfns.negatives.rules import RULES  # noqa: E402

CAPTIONS = [
    "A black dog chasing a white cat near a bench.",
    "Two men are riding horses on a beach.",
    "A woman in a red shirt holds an umbrella next to a bus.",
    "A small boy sits on a wooden chair in a kitchen.",
    "Three zebras grazing in a field while a bird flies over them.",
    "A man riding a bike past a train traveling along tracks.",
    "A white plate with a pizza on a table next to a glass of wine.",
    "a cat sleeping on a laptop",
]


class CountingParser:
    """The project's parser, counting how many parse calls the re-parse checks make."""

    def __init__(self, parser):
        self.parser, self.calls, self.texts = parser, 0, 0

    def parse_batch(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return self.parser.parse_batch(texts)

    def parse(self, text):
        return self.parse_batch([text])[0]


def _generator(parser):
    p = load_parser()
    graphs = p.parse_batch(CAPTIONS)
    return Generator(rules=RULES, per_rule=2, seed=3, corpus=Corpus.build(CAPTIONS, graphs), parser=parser), graphs


def _records(negs):
    return [[(n.negative, n.rule, n.edit, n.graph.to_dict()) for n in ns] for ns in negs]


def test_many_at_once_gives_what_one_at_a_time_gives_with_fewer_parses():
    one = CountingParser(load_parser())
    gen1, graphs = _generator(one)
    alone = [gen1.generate(c, g, [o for o in CAPTIONS if o != c]) for c, g in zip(CAPTIONS, graphs, strict=True)]
    many = CountingParser(load_parser())
    gen2, _ = _generator(many)
    items = [(c, g, [o for o in CAPTIONS if o != c]) for c, g in zip(CAPTIONS, graphs, strict=True)]
    together = gen2.generate_many(items, batch=4)
    assert _records(together) == _records(alone)
    assert sum(map(len, together)) > len(CAPTIONS)  # there is something to compare
    assert gen2.rejected == gen1.rejected and gen2.proposed == gen1.proposed
    # the same edited captions are re-parsed, in fewer calls
    assert many.texts == one.texts == one.calls > 0
    assert many.calls < one.calls / 2


def test_a_parser_without_parse_batch_and_no_parser_at_all():
    class Single:
        def __init__(self):
            self.parser = load_parser()

        def parse(self, text):
            return self.parser.parse(text)

    gen, graphs = _generator(Single())
    items = [(c, g, ()) for c, g in zip(CAPTIONS, graphs, strict=True)]
    with_check = gen.generate_many(items)
    gen_none, _ = _generator(None)
    without = gen_none.generate_many(items)
    assert _records(with_check) == _records([gen.generate(*it) for it in items])
    assert sum(map(len, without)) >= sum(map(len, with_check)) > 0
    assert gen_none.generate_many([]) == []
