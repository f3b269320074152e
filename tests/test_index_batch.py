"""Batched text search (`Searcher.texts`, what the service's batcher calls) answers each query as `Searcher.text`
does alone, and as `sgfns search` prints it; the encoded gallery is memory-mapped, not copied."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch


@pytest.fixture(scope="module")
def searcher(served_world):
    from sgfns import load_model
    from sgfns.index.searcher import Searcher

    _, run, index = served_world
    model = load_model(run)
    return Searcher(model, index, checkpoint_sha256=model.run.checkpoint_sha256)


def assert_same_answer(a, b, where: str = "answer") -> None:
    """Equal answers: every id, rank, label, region and box the same, every float within 1e-5 (a batch encodes
    its queries padded to the longest, which moves scores in the last bits: measured <= 3e-7 on the benchmark
    gallery)."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-5), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assert_same_answer(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_answer(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_a_batch_answers_each_query_as_it_is_answered_alone(searcher):
    queries = [searcher.captions[i] for i in (0, 7, 13, 21, 38)] + ["two red cubes to the left of a blue ball",
                                                                      "a zebra"]  # fmt: skip
    ks = [3, 12, 1, 5, 12, 4, 2]
    batch = searcher.texts(queries, ks)
    assert len(batch) == len(queries)
    for q, k, got in zip(queries, ks, batch, strict=True):
        alone = searcher.text(q, k)
        assert got["query"] == q and len(got["results"]) == k
        assert_same_answer(got, alone, q)
        for hit in got["results"]:  # the explanation still sums to the score
            assert sum(hit["parts"].values()) == pytest.approx(hit["score"], abs=1e-5)


def test_a_batch_with_repeated_queries_and_the_shortlist_length(searcher):
    q = searcher.captions[4]
    a, b = searcher.texts([q, q], [2, 2], n_short=6)
    assert_same_answer(a, b)
    assert_same_answer(a, searcher.text(q, 2, n_short=6))


def test_a_batch_refuses_what_a_single_search_refuses(searcher):
    from sgfns.errors import UserError

    assert searcher.texts([], 10) == []
    with pytest.raises(UserError, match="empty"):
        searcher.texts(["a cube", "  "], 10)
    with pytest.raises(UserError, match="k must be"):
        searcher.texts(["a cube", "a ball"], [10, 101])
    with pytest.raises(ValueError, match="values of k"):
        searcher.texts(["a cube", "a ball"], [10])


def test_a_batch_equals_sgfns_search(cli, served_world, searcher):
    _, run, index = served_world
    queries = [searcher.captions[9], "a small cube right of a ball"]
    batch = searcher.texts(queries, 6)
    for q, got in zip(queries, batch, strict=True):
        rc, out, err = cli("search", "--run", run, "--index", index, q, "-k", "6", "--json")
        assert rc == 0, err
        assert_same_answer(got, json.loads(out), q)


def test_queries_are_parsed_without_being_remembered(searcher):
    """A service sees endless distinct queries: the run's LazyParser must not keep each one."""
    memo = getattr(searcher.model.parser, "_memo", None)
    if memo is None:
        pytest.skip("the run's parser keeps no memo")
    before = len(memo)
    searcher.texts(["a never seen query about a purple cube", "another one with a ball"], 2)
    assert len(memo) == before


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/self/maps (Linux)")
def test_the_encoded_gallery_is_memory_mapped(served_world):
    """The node sets are views of the files' pages (shared with the page cache, read on first touch), not copies;
    the safetensors header checks still run (a corrupt file is a UserError: tests/test_index_cli.py)."""
    from sgfns.index.store import load_gallery

    _, _, index = served_world
    meta, img, cap = load_gallery(index)
    maps = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[5].endswith((str(Path(index) / "images.safetensors"),
                                                  str(Path(index) / "captions.safetensors"))):  # fmt: skip
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            maps.append((lo, hi))
    assert maps, "the gallery files are not mapped"

    def mapped(t: torch.Tensor) -> bool:
        return any(lo <= t.data_ptr() < hi for lo, hi in maps)

    for enc in (img, cap):
        assert mapped(enc.glob)
        for nodes, mask in enc.sets.values():
            assert mapped(nodes) and mapped(mask)


def test_warm_up_finds_every_image_file_and_freezes_what_is_loaded(served_world):
    """Before the first request: every gallery image's file is found (no search pays the disk checks) and the
    loaded objects leave the garbage collector's full passes, which walked all of them with the interpreter lock
    held (0.4 s a pass on the benchmark's gallery: a health check waited that long)."""
    import gc

    from sgfns import load_model
    from sgfns.index.searcher import Searcher

    _, run, index = served_world
    model = load_model(run)
    s = Searcher(model, index, checkpoint_sha256=model.run.checkpoint_sha256)
    assert s._files == {}
    before = gc.get_freeze_count()
    try:
        s.warm_up(batch=32, k=100)  # what `sgfns serve` asks: its largest batch at the largest k (gallery-capped)
        assert gc.get_freeze_count() > before
        assert set(s._files) == set(s.ids) and all(f is not None for f in s._files.values())
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
