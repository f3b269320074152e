"""The parser's pipeline multiplies matrices with numpy's BLAS and gives spaCy's stock tags and parses."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from sgfns.graphs.parser import _UNUSED_PIPES, _find_model, load_parser, load_pipeline  # noqa: E402
from sgfns.graphs.parser.matrix_ops import use_numpy_blas  # noqa: E402

SENTENCES = [
    "A person sitting at a table in a room.",
    "Two zebras grazing in a field while a bird flies over them, and a man in a red shirt watches.",
    "a brown horse grazing in a green pasture next to an older woman who waits at the bus stop",
    "A BLUE BUS PARKED NEXT TO A RED CAR",
    "kitchen with wood cabinets, a stove , microwave and refrigerator",
] * 20  # a batch large enough for the network's matrices to be real ones


def _attrs(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]


def test_every_layer_gets_numpy_operations_and_the_parses_stay_spacys():
    from thinc.api import NumpyOps

    name = _find_model()
    stock = spacy.load(name, exclude=list(_UNUSED_PIPES))
    fast = spacy.load(name, exclude=list(_UNUSED_PIPES))
    assert all(layer.ops.use_blis for layer in stock.get_pipe("tok2vec").model.walk())
    assert use_numpy_blas(fast) > 0
    layers = [layer for _n, p in fast.pipeline if hasattr(p, "model") for layer in p.model.walk()]
    assert layers and all(type(la.ops) is NumpyOps and not la.ops.use_blis for la in layers)
    for a, b in zip(stock.pipe(SENTENCES, batch_size=64), fast.pipe(SENTENCES, batch_size=64), strict=True):
        assert _attrs(b) == _attrs(a), a.text


def test_the_parser_runs_on_that_pipeline():
    nlp = load_parser(backend="rules").nlp
    assert not nlp.get_pipe("tok2vec").model.ops.use_blis
    assert type(load_pipeline(_find_model()).get_pipe("parser").model.ops).__name__ == "NumpyOps"


def test_two_worker_processes_give_the_same_graphs():
    # numpy's BLAS keeps a thread pool; spaCy's worker processes are forked from this one
    parser = load_parser(backend="rules")
    caps = SENTENCES[:5] * 8
    one = [g.to_dict() for g in parser.parse_batch(caps, batch_size=8)]
    two = [g.to_dict() for g in parser.parse_batch(caps, batch_size=8, n_process=2)]
    assert two == one and any(g["relations"] for g in one)
