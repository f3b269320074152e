"""node_match against a brute-force per-pair reference: random sizes, holes in masks, garbage in padding, ties,
chunk boundaries, gradients, bf16."""

from __future__ import annotations

import pytest
import torch

from sgfns.models.similarity import node_match, node_match_inference, node_match_reference


def brute(img, im, txt, tm):
    out = torch.empty(img.shape[0], txt.shape[0], dtype=torch.float64)
    for i in range(img.shape[0]):
        a = img[i][im[i]].double()
        for c in range(txt.shape[0]):
            b = txt[c][tm[c]].double()
            out[i, c] = (b @ a.T).max(dim=1).values.mean()
    return out


def random_sets(g, n, L, d, p_real=0.6, garbage=100.0):
    """Node sets with arbitrary (non-prefix) masks, at least one real node each, huge values in padding."""
    nodes = torch.nn.functional.normalize(torch.randn(n, L, d, generator=g), dim=-1)
    mask = torch.rand(n, L, generator=g) < p_real
    mask[torch.arange(n), torch.randint(0, L, (n,), generator=g)] = True
    nodes = torch.where(mask[..., None], nodes, torch.full_like(nodes, garbage))
    return nodes, mask


@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_with_masks_and_chunks(seed):
    g = torch.Generator().manual_seed(seed)
    ni, nc = (int(x) for x in torch.randint(1, 14, (2,), generator=g))
    li, lt = (int(x) for x in torch.randint(1, 10, (2,), generator=g))
    img, im = random_sets(g, ni, li, 12)
    txt, tm = random_sets(g, nc, lt, 12)
    want = brute(img, im, txt, tm)
    # default blocks, tiny blocks (every caption and image its own chunk), and the padded reference
    for got in (
        node_match(img, im, txt, tm),
        node_match(img, im, txt, tm, cols=1, tile=1),
        node_match(img, im, txt, tm, cols=5, tile=17),
        node_match_reference(img, im, txt, tm),
    ):
        assert got.shape == (ni, nc)
        torch.testing.assert_close(got.double(), want, atol=1e-5, rtol=1e-5)


def test_padding_never_wins_the_max_nor_counts_in_the_mean():
    # one image with one real node (0.1 on axis 0) and a padded node that would dominate
    img = torch.tensor([[[0.1, 0.0], [1000.0, 1000.0]]])
    im = torch.tensor([[True, False]])
    # caption: one real node on axis 0, plus a padded node that would drag the mean to 0
    txt = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    tm = torch.tensor([[True, False]])
    assert node_match(img, im, txt, tm).item() == pytest.approx(0.1)


def test_ties_give_the_tied_value():
    # integer-valued nodes: many exact ties among image nodes and identical captions/images
    g = torch.Generator().manual_seed(3)
    img = torch.randint(-1, 2, (7, 5, 4), generator=g).float()
    txt = torch.randint(-1, 2, (9, 4, 4), generator=g).float()
    img[1] = img[0]
    txt[2] = txt[3]
    im = torch.ones(7, 5, dtype=torch.bool)
    im[2, 3:] = False
    tm = torch.ones(9, 4, dtype=torch.bool)
    tm[5, 1:] = False
    got = node_match(img, im, txt, tm)
    torch.testing.assert_close(got.double(), brute(img, im, txt, tm))
    assert torch.equal(got[0], got[1]) and torch.equal(got[:, 2], got[:, 3])


def test_gradients_match_the_padded_reference():
    g = torch.Generator().manual_seed(7)
    img, im = random_sets(g, 5, 6, 8, garbage=0.0)
    txt, tm = random_sets(g, 4, 5, 8, garbage=0.0)
    img, txt = img.double(), txt.double()
    grads = []
    for fn in (node_match, node_match_reference):
        a, b = img.clone().requires_grad_(), txt.clone().requires_grad_()
        w = torch.arange(20, dtype=torch.float64).view(5, 4)
        (fn(a, im, b, tm) * w).sum().backward()
        grads.append((a.grad, b.grad))
    torch.testing.assert_close(grads[0][0], grads[1][0])
    torch.testing.assert_close(grads[0][1], grads[1][1])
    # padded entries receive no gradient
    assert grads[0][0][~im].abs().max() == 0 and grads[0][1][~tm].abs().max() == 0


def test_gradcheck():
    g = torch.Generator().manual_seed(11)
    img, im = random_sets(g, 3, 4, 5, garbage=0.0)
    txt, tm = random_sets(g, 4, 3, 5, garbage=0.0)
    a = img.double().requires_grad_()
    b = txt.double().requires_grad_()
    assert torch.autograd.gradcheck(lambda x, y: node_match(x, im, y, tm, cols=2, tile=3), (a, b), fast_mode=True)


def test_bf16_and_inference_mode():
    g = torch.Generator().manual_seed(5)
    img, im = random_sets(g, 20, 9, 64)
    txt, tm = random_sets(g, 30, 6, 64)
    want = brute(img, im, txt, tm)
    got = node_match(img, im, txt, tm, dtype=torch.bfloat16)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), want, atol=2e-2, rtol=0)
    inf = node_match_inference(img, im, txt, tm)
    assert inf.is_inference()
    torch.testing.assert_close(inf.double(), want, atol=1e-5, rtol=1e-5)


def test_bad_inputs_are_refused():
    img = torch.randn(2, 3, 4)
    im = torch.ones(2, 3, dtype=torch.bool)
    txt = torch.randn(2, 3, 4)
    tm = torch.ones(2, 3, dtype=torch.bool)
    tm[1] = False
    with pytest.raises(ValueError, match="at least one real node"):
        node_match(img, im, txt, tm)
    with pytest.raises(ValueError, match="dims differ"):
        node_match(img, im, torch.randn(2, 3, 5), im)
    assert node_match(img[:0], im[:0], txt, im).shape == (0, 2)


def test_fused_count_term_equals_softcount_values_and_gradients():
    from sgfns.models.count import SoftCount
    from sgfns.models.similarity import node_match_count

    g = torch.Generator().manual_seed(13)
    img, im = random_sets(g, 8, 7, 16, garbage=0.0)
    txt, tm = random_sets(g, 11, 5, 16, garbage=0.0)
    counts = torch.randint(-1, 5, (11, 5), generator=g)
    counts[0] = -1  # a caption without any counted object -> term 0
    counts = torch.where(tm, counts, -1)
    sc = SoftCount()
    a, b = img.clone().requires_grad_(), txt.clone().requires_grad_()
    want = sc(a, im, b, tm, counts)
    m, c = node_match_count(a, im, b, tm, counts, sc.kappa, sc.tau, cols=4, tile=30)
    torch.testing.assert_close(c, want, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(m, node_match(img, im, txt, tm), atol=1e-6, rtol=1e-6)
    assert torch.all(c[:, 0] == 0)
    gw = torch.autograd.grad(want.sum(), [a, b, sc.tau])
    gc = torch.autograd.grad(c.sum(), [a, b, sc.tau])
    for x, y in zip(gw, gc, strict=True):
        torch.testing.assert_close(x, y, atol=1e-4, rtol=1e-4)
    with torch.inference_mode():  # the in-place inference path gives the same values
        _, ci = node_match_count(img, im, txt, tm, counts, sc.kappa, sc.tau, cols=4, tile=30)
    torch.testing.assert_close(ci, want.detach(), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("method", ["image", "bmm"])
@pytest.mark.parametrize("tile", [1, 40, 1 << 20])
def test_pairs_equal_matrix_entries(tile, method):
    from sgfns.models.similarity import node_match_count, node_match_pairs

    g = torch.Generator().manual_seed(17)
    img, im = random_sets(g, 9, 6, 8, garbage=0.0)  # varying real-node counts per image
    txt, tm = random_sets(g, 12, 5, 8, garbage=0.0)
    counts = torch.where(tm, torch.randint(-1, 4, (12, 5), generator=g), -1)
    m, c = node_match_count(img, im, txt, tm, counts, 10.0, 0.5)
    pi = torch.randint(0, 9, (70,), generator=g)
    pc = torch.randint(0, 12, (70,), generator=g)
    pm, pcnt = node_match_pairs(img, im, txt, tm, pi, pc, count=(counts, 10.0, 0.5), tile=tile, method=method)
    torch.testing.assert_close(pm, m[pi, pc], atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(pcnt, c[pi, pc], atol=1e-6, rtol=1e-6)
    assert node_match_pairs(img, im, txt, tm, pi[:0], pc[:0], method=method)[0].shape == (0,)


@pytest.mark.parametrize("seed", range(3))
def test_pairs_one_image_at_a_time_equals_the_stacked_bmm_path_and_brute_force(seed):
    """The CPU re-rank path (pairs sorted by image, caption columns gathered into a small reused buffer, chunked
    inside an image's run when `buf` is small) gives the stacked-bmm path's values and the brute-force ones, with
    holes in both masks, garbage in padding, repeated pairs, full image masks and one-node (global) sets."""
    from sgfns.models.similarity import _pairs_by_image, node_match_pairs

    g = torch.Generator().manual_seed(100 + seed)
    for img, im in (random_sets(g, 11, 7, 16), (torch.randn(11, 7, 16, generator=g), torch.ones(11, 7, dtype=bool))):
        txt, tm = random_sets(g, 23, 6, 16)
        counts = torch.where(tm, torch.randint(-1, 5, (23, 6), generator=g), -1)
        pi = torch.randint(0, 11, (150,), generator=g)
        pc = torch.randint(0, 23, (150,), generator=g)
        want = brute(img, im, txt, tm)[pi, pc]
        ref_m, ref_c = node_match_pairs(img, im, txt, tm, pi, pc, count=(counts, 10.0, 0.5), method="bmm")
        for buf in (16, 16 * 7, 1 << 20):  # 1 column at a time, runs split in chunks, whole runs
            m, c = _pairs_by_image(img, im, txt, tm, pi, pc, count=(counts, 10.0, 0.5), buf=buf)
            torch.testing.assert_close(m.double(), want, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(m, ref_m, atol=1e-6, rtol=1e-6)
            torch.testing.assert_close(c, ref_c, atol=1e-6, rtol=1e-6)
        # bf16 node sets: both paths round the same products, results in fp32
        mb = node_match_pairs(img, im, txt, tm, pi, pc, dtype=torch.bfloat16, method="image")[0]
        rb = node_match_pairs(img, im, txt, tm, pi, pc, dtype=torch.bfloat16, method="bmm")[0]
        assert mb.dtype == torch.float32
        torch.testing.assert_close(mb, rb, atol=2e-2, rtol=0)
    gi, gc = torch.randn(11, 1, 16, generator=g), torch.randn(23, 1, 16, generator=g)
    one_i, one_c = torch.ones(11, 1, dtype=bool), torch.ones(23, 1, dtype=bool)
    dots = (gi[pi, 0] * gc[pc, 0]).sum(-1)
    for method in ("image", "bmm"):
        torch.testing.assert_close(node_match_pairs(gi, one_i, gc, one_c, pi, pc, method=method)[0], dots)
    with pytest.raises(ValueError, match="method"):
        node_match_pairs(gi, one_i, gc, one_c, pi, pc, method="fast")
    with pytest.raises(ValueError, match="at least one real node"):
        node_match_pairs(img, torch.zeros_like(im), txt, tm, pi, pc)
