"""The node first stage (global + compressed node matching): what it computes, that its shortlists follow from its
scores with ties toward lower ids, that query-at-a-time search lists the same items as the whole-split pass, that
a global-only stage is the flat index, and that re-ranking both directions at once equals re-ranking each."""

from __future__ import annotations

import pytest
import torch

from sgfns.index import (
    FlatIndex,
    NodeIndex,
    NodeStage,
    faiss_available,
    fit_projection,
    rerank,
    rerank_both,
    two_stage_search,
)
from sgfns.models import create_model
from sgfns.models.base import Encoded
from sgfns.models.similarity import node_match


def random_encoded(g, n, d, sets, counts=False, rank=None):
    """Random l2-normalised node sets with holes in the masks; `rank` confines the nodes to a subspace."""
    basis = torch.linalg.qr(torch.randn(d, rank, generator=g))[0] if rank else None

    def nodes(L):
        v = torch.randn(n, L, rank or d, generator=g)
        v = v @ basis.T if basis is not None else v
        v = torch.nn.functional.normalize(v, dim=-1)
        m = torch.rand(n, L, generator=g) < 0.6
        m[:, 0] = True
        return v, m

    built = {name: nodes(L) for name, L in sets.items()}
    extra = {}
    if counts:
        extra["count"] = torch.where(built["obj"][1], torch.randint(-1, 4, (n, sets["obj"]), generator=g), -1)
    glob = torch.nn.functional.normalize(torch.randn(n, d, generator=g), dim=-1)
    return Encoded(glob=glob, sets=built, extra=extra), basis


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=30).eval()
    model.alpha, model.beta = 1.5, 0.7  # distinct weights, so a swapped or missing weight shows
    g = torch.Generator().manual_seed(5)
    img, _ = random_encoded(g, 40, 32, {"obj": 7, "rel": 5})
    cap, _ = random_encoded(g, 90, 32, {"obj": 4, "rel": 3}, counts=True)
    return model, img, cap


def exact_first_stage(model, img, cap):
    """global + alpha * object match + beta * relation match on the uncompressed nodes (the count term dropped)."""
    return (
        img.glob @ cap.glob.T
        + model.alpha * node_match(*img.sets["obj"], *cap.sets["obj"])
        + model.beta * node_match(*img.sets["rel"], *cap.sets["rel"])
    )


def test_projection_is_orthonormal_deterministic_and_ordered_by_energy():
    g = torch.Generator().manual_seed(0)
    scale = torch.cat([torch.tensor([4.0, 2.0, 1.0]), torch.linspace(0.3, 0.1, 13)])  # energies along a rotation
    rot = torch.linalg.qr(torch.randn(16, 16, generator=g))[0]
    v = (torch.randn(50, 6, 16, generator=g) * scale) @ rot.T
    m = torch.rand(50, 6, generator=g) < 0.7
    for dim in (3, 16):  # randomised subspace iteration (dim < d/4) and the full eigendecomposition
        p = fit_projection(v, m, dim)
        assert p.shape == (16, dim)
        torch.testing.assert_close(p.T @ p, torch.eye(dim), atol=1e-5, rtol=0)
        assert torch.equal(p, fit_projection(v, m, dim))
        energy = ((v[m] @ p) ** 2).sum(0)
        assert torch.all(energy[:-1] >= energy[1:] * (1 - 1e-4))
    # the top directions are the data's main axes: rot[:, 0] and rot[:, 1] up to sign
    p = fit_projection(v, m, 3)
    assert abs(float(p[:, 0] @ rot[:, 0])) > 0.99 and abs(float(p[:, 1] @ rot[:, 1])) > 0.99
    with pytest.raises(ValueError, match=">= 1"):
        fit_projection(v, m, 0)


def test_full_dimension_stage_equals_the_exact_terms(setup):
    model, img, cap = setup
    stage = NodeStage.fit(model, img, cap, 32)
    assert stage.use_global and stage.weights == {"obj": 1.5, "rel": 0.7}
    got = stage.scores(stage.compress(img), stage.compress(cap))
    torch.testing.assert_close(got, exact_first_stage(model, img, cap), atol=1e-5, rtol=1e-5)


def test_projection_keeps_scores_exactly_when_the_nodes_span_few_dimensions():
    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=30).eval()
    g = torch.Generator().manual_seed(9)
    d, rank = 32, 5
    img, basis = random_encoded(g, 30, d, {"obj": 6, "rel": 4}, rank=rank)
    cap, _ = random_encoded(g, 60, d, {"obj": 3, "rel": 2}, counts=True, rank=rank)
    # captions in the *same* subspace as the images (the PCA is fitted on image nodes only)
    for s in ("obj", "rel"):
        v, m = cap.sets[s]
        cap.sets[s] = (torch.nn.functional.normalize(v @ basis @ basis.T, dim=-1), m)
    exact = exact_first_stage(model, img, cap)
    stage = NodeStage.fit(model, img, cap, rank)
    torch.testing.assert_close(stage.scores(stage.compress(img), stage.compress(cap)), exact, atol=1e-5, rtol=1e-5)
    # ... and a smaller dimension loses part of the node scores
    small = NodeStage.fit(model, img, cap, 2)
    assert float((small.scores(small.compress(img), small.compress(cap)) - exact).abs().max()) > 1e-2


def test_shortlists_are_the_top_k_with_ties_toward_lower_ids(setup):
    model, img, cap = setup
    stage = NodeStage.fit(model, img, cap, 8)
    ci, cc = stage.compress(img), stage.compress(cap)
    s = stage.scores(ci, cc).double()
    t2i, i2t = stage.shortlists(ci, cc, 6, 9)
    assert t2i.shape == (90, 6) and i2t.shape == (40, 9)

    def brute(rows, k):
        return torch.stack([torch.tensor(sorted(range(rows.shape[1]), key=lambda j: (-rows[r, j].item(), j))[:k])
                            for r in range(rows.shape[0])])  # fmt: skip

    assert torch.equal(t2i, brute(s.T, 6))
    assert torch.equal(i2t, brute(s, 9))
    # k larger than the gallery is clipped
    assert stage.shortlists(ci, cc, 500, 500)[0].shape == (90, 40)


def test_ties_go_to_the_lower_id():
    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=30).eval()
    g = torch.Generator().manual_seed(2)
    img, _ = random_encoded(g, 12, 16, {"obj": 3, "rel": 2})
    cap, _ = random_encoded(g, 5, 16, {"obj": 2, "rel": 2}, counts=True)
    img = img.select(torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]))  # every image four times: exact ties
    stage = NodeStage.fit(model, img, cap, 4)
    ci, cc = stage.compress(img), stage.compress(cap)
    s = stage.scores(ci, cc)
    assert torch.equal(s[0], s[3]) and torch.equal(s[1], s[10])  # the copies tie exactly
    t2i, _ = stage.shortlists(ci, cc, 8, 3)
    for r, row in enumerate(t2i.tolist()):
        # the 8 listed are the copies of the best images, each image's copies in increasing id order
        vals = s[row, r].tolist()
        assert all(a >= b for a, b in zip(vals, vals[1:], strict=False))
        for a in range(3):
            copies = [x for x in row if x % 3 == a]
            assert copies == [a + 3 * j for j in range(len(copies))]


def test_query_at_a_time_search_lists_what_the_whole_split_pass_lists(setup):
    model, img, cap = setup
    stage = NodeStage.fit(model, img, cap, 8)
    t2i, i2t = stage.shortlists(stage.compress(img), stage.compress(cap), 7, 11)
    s_img, ids_img = NodeIndex(stage, img, "image").search(cap.select(torch.arange(90)), 7)
    assert torch.equal(ids_img, t2i)
    assert torch.all(s_img[:, :-1] >= s_img[:, 1:])
    ids_cap = NodeIndex(stage, cap, "caption").search(img.select(torch.arange(40)), 11)[1]
    assert torch.equal(ids_cap, i2t)
    with pytest.raises(ValueError, match="side"):
        NodeIndex(stage, img, "audio")


def test_global_only_stage_is_the_flat_index(setup):
    model, img, cap = setup
    stage = NodeStage.fit(model, img, cap, 0)
    assert stage.weights == {} and stage.proj == {}
    t2i, i2t = stage.shortlists(stage.compress(img), stage.compress(cap), 6, 6)
    backends = ["torch", "faiss"] if faiss_available() else ["torch"]
    for b in backends:
        assert torch.equal(t2i, FlatIndex(img.glob, backend=b).search(cap.glob, 6)[1])
        assert torch.equal(i2t, FlatIndex(cap.glob, backend=b).search(img.glob, 6)[1])


def test_stage_state_round_trip(setup):
    model, img, cap = setup
    stage = NodeStage.fit(model, img, cap, 8)
    tensors, info = stage.state()
    back = NodeStage.from_state(tensors, info)
    assert back.weights == stage.weights and back.dim == 8 and back.use_global
    torch.testing.assert_close(back.scores(back.compress(img), back.compress(cap)),
                               stage.scores(stage.compress(img), stage.compress(cap)))  # fmt: skip
    with pytest.raises(ValueError, match="projection"):
        NodeStage.from_state({}, info)


def test_two_stage_with_node_index_and_full_shortlist_is_exhaustive(setup):
    model, img, cap = setup
    with torch.inference_mode():
        full = model.similarity(img, cap)
    stage = NodeStage.fit(model, img, cap, 4)
    s, ids = two_stage_search(model, img, cap, NodeIndex(stage, img, "image"), torch.arange(90), 40, "caption")
    assert torch.equal(ids, torch.argsort(-full.T, dim=1, stable=True))
    torch.testing.assert_close(s, full.T.gather(1, ids), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="NodeIndex over the image side"):
        two_stage_search(model, img, cap, NodeIndex(stage, cap, "caption"), torch.arange(3), 5, "caption")


def test_rerank_both_equals_each_direction(setup):
    model, img, cap = setup
    stage = NodeStage.fit(model, img, cap, 8)
    t2i, i2t = stage.shortlists(stage.compress(img), stage.compress(cap), 6, 15)
    (s1, id1), (s2, id2) = rerank_both(model, img, cap, t2i, i2t)
    r1 = rerank(model, img, cap, torch.arange(90), t2i, "caption")
    r2 = rerank(model, img, cap, torch.arange(40), i2t, "image")
    assert torch.equal(id1, r1[1]) and torch.equal(id2, r2[1])
    torch.testing.assert_close(s1, r1[0])
    torch.testing.assert_close(s2, r2[0])


def brute(img, im, txt, tm):
    """mean over real caption nodes of the max over real image nodes of the dot product (fp64)."""
    out = torch.empty(img.shape[0], txt.shape[0], dtype=torch.float64)
    for i in range(img.shape[0]):
        a = img[i][im[i]].double()
        for c in range(txt.shape[0]):
            out[i, c] = (txt[c][tm[c]].double() @ a.T).max(dim=1).values.mean()
    return out


@pytest.mark.parametrize("seed", range(3))
def test_match_bf16_is_node_match_up_to_bf16_rounding(seed):
    """The CPU bf16 node term (int16 max over scores shifted to be non-negative): the exact max/mean within bf16
    rounding at the shift's magnitude, negative best matches included; masks with holes, garbage in padding,
    image buckets of several sizes, tiny blocks; nodes of norm != 1 (the shift follows the norms)."""
    from sgfns.index.nodestage import match_bf16

    g = torch.Generator().manual_seed(seed)
    img, _ = random_encoded(g, 13, 16, {"n": 6})
    cap, _ = random_encoded(g, 21, 16, {"n": 4})
    (iv, im), (cv, cm) = img.sets["n"], cap.sets["n"]
    iv, cv = iv * 1.7, cv * 0.6  # |x·y| up to 1.02
    want = brute(iv, im, cv, cm)
    iv = torch.where(im[..., None], iv, torch.full_like(iv, 1e4))  # padding never counts
    cv = torch.where(cm[..., None], cv, torch.full_like(cv, -1e4))
    for kw in ({}, {"cols": 1, "tile": 1}, {"cols": 5, "tile": 40}):
        got = match_bf16(iv, im, cv, cm, **kw)
        assert got.dtype == torch.float32 and got.shape == (13, 21)
        torch.testing.assert_close(got.double(), want, atol=1.1 * 2**-7 + 2e-3, rtol=0)
    # a caption node pointing away from every image node keeps its (negative) best match
    a = torch.nn.functional.normalize(torch.rand(2, 3, 8, generator=g) + 0.1, dim=-1)  # all positive
    b = torch.stack([a[0, :1], -a[0, :1]])
    ones = torch.ones(2, 3, dtype=bool)
    got = match_bf16(a, ones, b, torch.ones(2, 1, dtype=bool))
    want = brute(a, ones, b, torch.ones(2, 1, dtype=bool))
    assert torch.all(got[:, 1] < -0.2)
    torch.testing.assert_close(got.double(), want, atol=2**-7, rtol=0)
    assert match_bf16(a[:0], ones[:0], b, torch.ones(2, 1, dtype=bool)).shape == (0, 2)


def test_match_bf16_with_the_images_prepared_once_gives_the_same_bits():
    """A `NodeIndex` prepares its gallery's side of the bf16 node term once (`BF16Images`); each query's scores
    are exactly those of the unprepared call, alone or in a batch of queries."""
    from sgfns.index.nodestage import BF16Images, match_bf16

    g = torch.Generator().manual_seed(5)
    img, _ = random_encoded(g, 17, 16, {"n": 6})
    cap, _ = random_encoded(g, 9, 16, {"n": 4})
    (iv, im), (cv, cm) = img.sets["n"], cap.sets["n"]
    prepared = BF16Images(iv, im)
    for kw in ({}, {"cols": 3, "tile": 50}):
        whole = match_bf16(iv, im, cv, cm, **kw)
        assert torch.equal(match_bf16(iv, im, cv, cm, images=prepared, **kw), whole)
        one = match_bf16(iv, im, cv[2:3], cm[2:3], **kw)
        assert torch.equal(match_bf16(iv, im, cv[2:3], cm[2:3], images=prepared, **kw), one)
    with pytest.raises(ValueError, match="prepared images"):
        match_bf16(iv[:5], im[:5], cv, cm, images=prepared)


def test_cpu_rerank_stacks_images_with_few_pairs_each():
    """`node_match_pairs` picks the stacked-bmm path on the CPU when the listed images have few pairs each (a text
    query's shortlist) and the one-image-at-a-time path when they have many (evaluation)."""
    from sgfns.models.similarity import BMM_BELOW_PAIRS_PER_IMAGE, _cpu_method

    assert _cpu_method(torch.arange(1000)) == "bmm"
    assert _cpu_method(torch.arange(10).repeat_interleave(BMM_BELOW_PAIRS_PER_IMAGE)) == "image"
    assert _cpu_method(torch.arange(10).repeat_interleave(BMM_BELOW_PAIRS_PER_IMAGE - 1)) == "bmm"
    assert _cpu_method(torch.zeros(0, dtype=torch.long)) == "image"


def test_bf16_stage_ranks_like_the_fp32_stage_and_ignores_padding_garbage(setup):
    model, img, cap = setup
    f32 = NodeStage.fit(model, img, cap, 32)
    b16 = NodeStage.fit(model, img, cap, 32, dtype=torch.bfloat16)
    s32 = f32.scores(f32.compress(img), f32.compress(cap))
    s16 = b16.scores(b16.compress(img), b16.compress(cap))
    assert s16.dtype == torch.float32
    # bf16 rounding only: every score within a few bf16 steps of the fp32 stage's
    assert float((s16 - s32).abs().max()) < 0.03
    # garbage in padded caption slots never reaches the compressed nodes or the scores
    v, m = cap.sets["obj"]
    dirty = Encoded(glob=cap.glob, sets={**cap.sets, "obj": (torch.where(m[..., None], v, float("inf")), m)})
    for stage in (f32, b16):
        c = stage.compress(dirty)
        assert torch.all(c.sets["obj"][0][~m] == 0)
        torch.testing.assert_close(
            stage.scores(stage.compress(img), c), stage.scores(stage.compress(img), stage.compress(cap))
        )


def test_first_stage_dtype_follows_the_device(monkeypatch):
    from sgfns.index.nodestage import first_stage_dtype

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)
    assert first_stage_dtype("cpu") == torch.bfloat16
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    assert first_stage_dtype("cpu") == torch.float32


def test_bf16_gram_fit_spans_the_fp32_fit_subspace():
    """The bf16 second-moment matrix (fast on AVX512-BF16) gives the same top-k subspace as fp32 when the
    spectrum has a gap at k; both results are orthonormal and deterministic."""
    g = torch.Generator().manual_seed(3)
    d, k = 256, 16
    basis = torch.linalg.qr(torch.randn(d, k, generator=g))[0]
    scale = torch.linspace(3.0, 1.5, k)
    x = (torch.randn(400, 10, k, generator=g) * scale) @ basis.T + 0.05 * torch.randn(400, 10, d, generator=g)
    m = torch.ones(400, 10, dtype=torch.bool)
    p32 = fit_projection(x, m, k, bf16_gram=False)
    p16 = fit_projection(x, m, k, bf16_gram=True)
    eye = torch.eye(k)
    torch.testing.assert_close(p16.T @ p16, eye, atol=1e-4, rtol=0)
    assert float(torch.linalg.matrix_norm(p32 @ p32.T - p16 @ p16.T, ord=2)) < 0.05
    assert float(torch.linalg.matrix_norm(p16 @ p16.T - basis @ basis.T, ord=2)) < 0.1
    assert torch.equal(p16, fit_projection(x, m, k, bf16_gram=True))
