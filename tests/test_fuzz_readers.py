"""Property-based fuzzing of every reader: random bytes, random structure and random sizes end in a valid result or
a `UserError` (the command line's one line and exit status 2), never another exception, within a bounded time.

The examples are derandomised, so CI runs the same ones every time. Profiles (tests/conftest.py):
`SGFNS_FUZZ=ci` (default, 200 examples per reader) and `SGFNS_FUZZ=long` (10,000 per reader):

    SGFNS_FUZZ=long .venv/bin/python -m pytest -q tests/test_fuzz_readers.py
"""

from __future__ import annotations

import copy
import json
import pickle
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgfns.errors import UserError

SECONDS_PER_EXAMPLE = 10.0  # generous: the machine running CI may be shared; a hang is what this catches

leaf = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30)
json_like = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner, max_size=6),
    max_leaves=40,
)
py_leaf = leaf | st.binary(max_size=20)
py_like = st.recursive(  # what a pickle can hold without naming a class
    py_leaf,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.frozensets(py_leaf, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.integers(-5, 50), inner, max_size=5)
    ),
    max_leaves=40,
)
byte_soup = st.binary(max_size=4000) | st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass"))


@contextmanager
def bounded(what: str):
    """The block must end in a valid result or a UserError, in bounded time."""
    t0 = time.perf_counter()
    try:
        yield
    except UserError as e:
        assert str(e).strip() and "\n" not in str(e).strip(), f"{what}: error message is not one line: {e!r}"
    dt = time.perf_counter() - t0
    assert dt < SECONDS_PER_EXAMPLE, f"{what} took {dt:.1f} s"


def _paths(x, prefix=()):
    """Every path into a nested JSON-like value (the value itself included)."""
    yield prefix
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated(draw, valid, values=json_like):
    """`valid` with one node replaced by a random value (or a dict key / list item removed)."""
    x = copy.deepcopy(valid)
    paths = list(_paths(x))
    path = paths[draw(st.integers(0, len(paths) - 1))]
    if not path:
        return draw(values)
    parent = x
    for p in path[:-1]:
        parent = parent[p]
    if draw(st.booleans()) and isinstance(parent, dict | list):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(values)
    return x


def _tmp():
    return tempfile.TemporaryDirectory(prefix="sgfns-fuzz-")


fuzz = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)


# --- caption files, image ids, scene-graph JSONL, .npy: the dataset loader ---------------------------------------
@fuzz
@given(caps=byte_soup, ids=byte_soup)
def test_caption_and_id_files(caps, ids):
    from sgfns.data.dataset import load_split

    with _tmp() as d:
        Path(d, "train_caps.txt").write_bytes(caps)
        Path(d, "train_ids.txt").write_bytes(ids)
        with bounded("load_split"):
            sp = load_split(d, "train")
            assert sp.n_captions % sp.n_images == 0 and all(len(c) <= 1000 for c in sp.captions)


GRAPH = {"objects": [{"name": "dog", "attributes": ["brown"], "count": 2, "span": [2, 5]},
                     {"name": "mat", "attributes": [], "count": None, "span": [11, 14]}],
         "relations": [{"subject": 0, "predicate": "on", "object": 1}]}  # fmt: skip
CAPTION = "a dog on a mat"


@fuzz
@given(lines=st.lists(mutated(GRAPH) | json_like, min_size=1, max_size=4), raw=byte_soup, use_raw=st.booleans())
def test_scene_graph_jsonl(lines, raw, use_raw):
    from sgfns.graphs.io import read_graphs

    with _tmp() as d:
        path = Path(d, "g.jsonl")
        if use_raw:
            path.write_bytes(raw)
        else:
            path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
        n = len(lines)
        with bounded("read_graphs (caption graphs)"):
            read_graphs(path, n, captions=[CAPTION] * n)
        with bounded("read_graphs (image graphs)"):
            read_graphs(path, n, n_regions=4)


def _npy_header(descr: str, shape, fortran: bool = False) -> bytes:
    head = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}).encode("latin1")
    return b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head + b"\n"


@fuzz
@given(
    header=st.one_of(
        st.builds(
            _npy_header,
            st.sampled_from(["<f4", "<f8", "|O", "<i8", "<U3", "zz", "<f2"]),
            st.lists(st.integers(-2, 6), max_size=4),
            st.booleans(),
        ),  # fmt: skip
        st.binary(max_size=200).map(lambda b: b"\x93NUMPY\x01\x00" + len(b).to_bytes(2, "little") + b),
        st.binary(max_size=200),
    ),
    body=st.binary(max_size=600),
)
def test_npy_headers(header, body):
    from sgfns.data.dataset import load_split

    with _tmp() as d:
        Path(d, "train_ims.npy").write_bytes(header + body)
        Path(d, "train_caps.txt").write_text("a dog\n", encoding="utf-8")
        with bounded("load_split (.npy)"):
            sp = load_split(d, "train")
            assert np.isfinite(np.asarray(sp.features)).all()


# --- converters ---------------------------------------------------------------------------------------------------
LGSGM_IMAGES = {
    "1.jpg": {"labels": ["man", "horse"], "bbox": [[0, 0, 5, 5], [2, 2, 9, 9]], "rels": [["man:0", "on", "horse:1"]]},
    "2.jpg": {"labels": ["dog", "grass"], "bbox": [[0, 0, 3, 3], [0, 4, 9, 9]], "rels": []},
}
LGSGM_CAPS = {
    10: {"sent": "A man on a horse .", "rels": [["man", "on", "horse"]]},
    11: {"sent": "A man riding .", "rels": []},
    12: {"sent": "A dog on the grass .", "rels": [["dog", "on", "grass"]]},
    13: {"sent": "A dog .", "rels": []},
}
LGSGM_MATCHING = {"1.jpg": [10, 11], "2.jpg": [12, 13]}


@fuzz
@given(
    which=st.sampled_from(["images", "captions", "matching"]),
    value=st.data(),
    protocol=st.integers(0, pickle.HIGHEST_PROTOCOL),
    raw=st.none() | st.binary(max_size=300),
)
def test_lgsgm_pickles_through_the_restricted_unpickler(which, value, protocol, raw):
    from sgfns.data.convert_lgsgm import convert_lgsgm

    files = {"images": LGSGM_IMAGES, "captions": LGSGM_CAPS, "matching": LGSGM_MATCHING}
    files[which] = value.draw(mutated(files[which], py_like))
    names = {"images": "flickr30k_val_lowered_images_data.joblib",
             "captions": "flickr30k_val_lowered_caps_data.joblib",
             "matching": "image_caption_matching_flickr_val.joblib"}  # fmt: skip
    with _tmp() as d:
        for key, obj in files.items():
            data = raw if raw is not None and key == which else pickle.dumps(obj, protocol=protocol)
            Path(d, names[key]).write_bytes(data)
        with bounded("convert_lgsgm"):
            sp = convert_lgsgm(d, "val", Path(d, "out"))
            assert sp.n_captions == sp.n_images * sp.captions_per_image


@pytest.fixture(scope="module")
def sgm_valid(tmp_path_factory):
    from test_convert_sgm import write_fixture

    root = tmp_path_factory.mktemp("sgm")
    write_fixture(root)
    return {p.name: json.loads(p.read_text()) for p in sorted(root.glob("*.json"))}


@fuzz
@given(value=st.data(), raw=st.none() | byte_soup)
def test_sgm_json(sgm_valid, value, raw):
    from sgfns.data.convert_sgm import convert_sgm

    which = value.draw(st.sampled_from(sorted(sgm_valid)))
    with _tmp() as d:
        for name, data in sgm_valid.items():
            if name == which:
                body = raw if raw is not None else json.dumps(value.draw(mutated(data))).encode()
            else:
                body = json.dumps(data).encode()
            Path(d, name).write_bytes(body)
        with bounded("convert_sgm"):
            convert_sgm(d, "test", Path(d, "out"))


# --- configuration ------------------------------------------------------------------------------------------------
CONFIG_KEYS = ["epochs", "seed", "model", "model.name", "model.embed_dim", "neg.rules", "neg.weight", "optim.lr",
               "data.text_graphs", "neg.stop_gradient", "optim", "x", "model.x.y", "", "data.batch_size"]  # fmt: skip


@fuzz
@given(
    items=st.lists(
        st.one_of(
            st.tuples(st.sampled_from(CONFIG_KEYS), st.text(max_size=30)).map(lambda kv: f"{kv[0]}={kv[1]}"),
            st.text(max_size=40),
        ),
        max_size=4,
    ),
    yaml_text=st.none() | st.text(max_size=300),
)
def test_config_overrides_and_files(items, yaml_text):
    from sgfns.config import build
    from sgfns_app.train.config import TrainConfig

    with _tmp() as d:
        path = None
        if yaml_text is not None:
            path = Path(d, "c.yaml")
            path.write_text(yaml_text, encoding="utf-8", errors="surrogatepass")
        with bounded("config build"):
            build(TrainConfig, path, items).validate()


# --- parse / negatives input lines --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def parser():
    from sgfns.graphs.parser import load_parser

    return load_parser()


words = st.sampled_from("a an the two red big dog dogs man woman on in near wearing holding , . and 3 ! é 🐶".split())
captions = st.one_of(
    st.lists(words, max_size=40).map(" ".join),
    st.text(max_size=120),
    st.lists(words, min_size=40, max_size=80).map(" ".join),
)  # captions at the length bound are timed by benchmarks/input_bound.py


@fuzz
@given(data=byte_soup | st.lists(captions, max_size=3).map(lambda c: "\n".join(c).encode()), as_json=st.booleans())
def test_parse_and_negatives_input_lines(parser, data, as_json):
    from sgfns.negatives.corpus import Corpus
    from sgfns.negatives.generator import Generator
    from sgfns_app.cli.negatives import read_inputs
    from sgfns_app.cli.parse import read_lines

    with _tmp() as d:
        path = Path(d, "in.txt")
        if as_json:
            try:
                data = b"\n".join(json.dumps({"caption": c}).encode() for c in data.decode().split("\n"))
            except UnicodeDecodeError:
                pass
        path.write_bytes(data)
        with bounded("sgfns parse input"):
            lines = read_lines(str(path))
            lines = [ln for ln in lines if len(ln) <= 1000]
            graphs = parser.parse_batch(lines)
            assert len(graphs) == len(lines)
        with bounded("sgfns negatives input"):
            items = read_inputs(str(path))
            caps = [it["caption"] for it in items]
            graphs = parser.parse_batch(caps)
            gen = Generator(seed=0, corpus=Corpus.build(caps, graphs))  # re-parsing is fuzzed just above
            for c, g in zip(caps, graphs, strict=True):
                for neg in gen.generate(c, g):
                    assert neg.negative != c
