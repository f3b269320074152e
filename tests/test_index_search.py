"""Flat index (FAISS and torch give the same shortlist) and fine-grained re-ranking of the shortlist."""

from __future__ import annotations

import pytest
import torch

from sgfns.index import FlatIndex, faiss_available, rerank, two_stage_search
from sgfns.models import create_model
from sgfns.models.scoring import pair_parts


def brute_topk(x, q, k):
    s = q.double() @ x.double().T
    ids = torch.stack(
        [torch.tensor(sorted(range(x.shape[0]), key=lambda j: (-s[r, j].item(), j))[:k]) for r in range(q.shape[0])]
    )
    return ids


def test_torch_backend_exact_with_ties_toward_lower_ids():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(-2, 3, (60, 4), generator=g).float()  # integer vectors: many exact ties
    q = torch.randint(-2, 3, (25, 4), generator=g).float()
    idx = FlatIndex(x, backend="torch", chunk=7)
    s, ids = idx.search(q, 9)
    assert torch.equal(ids, brute_topk(x, q, 9))
    torch.testing.assert_close(s, (q @ x.T).gather(1, ids))
    assert idx.search(q, 500)[1].shape == (25, 60)  # k clipped to the gallery


@pytest.mark.skipif(not faiss_available(), reason="faiss extra not installed")
def test_faiss_and_torch_give_the_same_shortlist():
    g = torch.Generator().manual_seed(1)
    x = torch.nn.functional.normalize(torch.randn(500, 32, generator=g), dim=-1)
    q = torch.nn.functional.normalize(torch.randn(40, 32, generator=g), dim=-1)
    a = FlatIndex(x, backend="faiss").search(q, 20)
    b = FlatIndex(x, backend="torch").search(q, 20)
    assert torch.equal(a[1], b[1])
    torch.testing.assert_close(a[0], b[0])
    xi = torch.randint(-2, 3, (80, 4), generator=g).float()
    qi = torch.randint(-2, 3, (30, 4), generator=g).float()
    assert torch.equal(
        FlatIndex(xi, backend="faiss").search(qi, 11)[1], FlatIndex(xi, backend="torch").search(qi, 11)[1]
    )


def test_bad_shapes_are_refused():
    idx = FlatIndex(torch.randn(5, 3), backend="torch")
    with pytest.raises(ValueError, match="queries must be"):
        idx.search(torch.randn(2, 4), 2)
    with pytest.raises(ValueError, match="unknown index backend"):
        FlatIndex(torch.randn(5, 3), backend="annoy")


def random_encoded(g, n, d, sets, counts=False):
    from test_index_nodestage import random_encoded as with_basis  # one generator of random node sets

    return with_basis(g, n, d, sets, counts)[0]


@pytest.mark.parametrize("name", ["sgfns-tiny", "sgm-tiny", "vsepp-tiny"])
def test_pair_scores_equal_the_matrix_entries(name):
    torch.manual_seed(0)
    model = create_model(name, vocab_size=30)
    g = torch.Generator().manual_seed(2)
    d = 32
    img = random_encoded(g, 9, d, {"obj": 7, "rel": 4})
    cap = random_encoded(g, 13, d, {"obj": 5, "rel": 3}, counts=True)
    with torch.inference_mode():
        full = model.similarity_parts(img, cap)
    pi = torch.randint(0, 9, (50,), generator=g)
    pc = torch.randint(0, 13, (50,), generator=g)
    got = pair_parts(model, img, cap, pi, pc)
    assert set(got) == set(full)
    for k in full:
        torch.testing.assert_close(got[k].float(), full[k][pi, pc].float(), atol=1e-5, rtol=1e-5)


def test_two_stage_with_full_shortlist_is_the_exhaustive_ranking():
    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=30)
    g = torch.Generator().manual_seed(3)
    img = random_encoded(g, 12, 32, {"obj": 6, "rel": 3})
    cap = random_encoded(g, 20, 32, {"obj": 4, "rel": 2}, counts=True)
    with torch.inference_mode():
        full = model.similarity(img, cap)
    # text -> image with k = gallery: the fine-grained order over all images
    s, ids = two_stage_search(model, img, cap, FlatIndex(img.glob, backend="torch"), torch.arange(20), 12, "caption")
    want = torch.argsort(-full.T, dim=1, stable=True)
    assert torch.equal(ids, want)
    torch.testing.assert_close(s, full.T.gather(1, ids), atol=1e-5, rtol=1e-5)
    # image -> text with a shortlist of 5: the top-5 by global score, re-ordered by the full score
    s, ids = two_stage_search(model, img, cap, FlatIndex(cap.glob, backend="torch"), torch.tensor([0, 5]), 5, "image")
    short = FlatIndex(cap.glob, backend="torch").search(img.glob[[0, 5]], 5)[1]
    assert torch.equal(ids.sort(1).values, short.sort(1).values)
    torch.testing.assert_close(s, full[[0, 5]].gather(1, ids), atol=1e-5, rtol=1e-5)
    assert torch.all(s[:, :-1] >= s[:, 1:])
    with pytest.raises(ValueError, match="query_side"):
        rerank(model, img, cap, torch.tensor([0]), short[:1], "audio")
