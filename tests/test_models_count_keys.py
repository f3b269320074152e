"""SGFNS `count_keys`: S_count counts the image objects whose label matches the caption object's name (keys: one
shared projection of the label embedding), with a learned sharpness; the count reaches the score only via S_count."""

from __future__ import annotations

import pytest
import torch

from sgfns.models import create_model
from sgfns.models.count import SoftCount, count_keys


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, toy_inputs):
    return toy_inputs(tmp_path_factory.mktemp("toycount"), n_images=12, regions=5)


def _model(inputs, **kw):
    torch.manual_seed(0)
    return create_model("sgfns-tiny", vocab_size=len(inputs.tp.vocab), img_dim=16, count_keys=True, **kw).eval()


def _encode(model, inputs, counts=None):
    caps = list(range(12))
    cb = inputs.caption_batch(caps)
    if counts is not None:
        n, o = cb["obj_mask"].shape
        cb = {**cb, "obj_count": torch.where(cb["obj_mask"], counts[:n, :o], -1)}
    return model.encode_images(inputs.image_batch(list(range(6)))), model.encode_captions(cb)


def test_counts_stay_out_of_the_object_nodes_and_move_only_s_count(inputs):
    model = _model(inputs)
    assert model.count.log_kappa is not None and model.txt_graph.obj.count_emb is None
    counts = torch.randint(1, 5, (12, 8))
    with torch.no_grad():
        img, cap = _encode(model, inputs, counts)
        _, cap2 = _encode(model, inputs, counts + 1)
    assert set(img.sets) == {"obj", "rel", "cnt"} and set(cap.sets) == {"obj", "rel", "cnt"}
    torch.testing.assert_close(cap.sets["obj"][0], cap2.sets["obj"][0])  # the count does not move object nodes
    torch.testing.assert_close(cap.sets["cnt"][0], cap2.sets["cnt"][0])
    p1, p2 = model.similarity_parts(img, cap), model.similarity_parts(img, cap2)
    torch.testing.assert_close(p1["object"], p2["object"])
    assert not torch.allclose(p1["count"], p2["count"])  # ... it moves S_count only


def test_a_label_and_a_name_that_are_the_same_word_have_the_same_key(inputs):
    model = _model(inputs)
    with torch.no_grad():
        img, cap = _encode(model, inputs)

    def labels(b, keys):
        ids, mask = b["obj_name"], b["obj_mask"]
        return [(tuple(int(w) for w in ids[i, j] if w), keys[i, j]) for i, j in mask.nonzero().tolist()]

    vis = labels(inputs.image_batch(list(range(6))), img.sets["cnt"][0])
    txt = labels(inputs.caption_batch(list(range(12))), cap.sets["cnt"][0])
    same = [float(a @ b) for la, a in vis for lb, b in txt if la == lb]
    other = [float(a @ b) for la, a in vis for lb, b in txt if la != lb]
    assert same and other
    assert min(same) > 1 - 1e-5 and max(other) < 0.99


@pytest.mark.parametrize("switches", [{}, {"use_obj": False}])
def test_matrix_pairs_and_paired_scores_agree_with_count_keys(inputs, switches):
    model = _model(inputs, **switches)
    counts = torch.randint(1, 5, (12, 8))
    with torch.no_grad():
        img, cap = _encode(model, inputs, counts)
        parts = model.similarity_parts(img, cap)
        ii = torch.tensor([0, 1, 5, 3, 2, 4, 0])
        ci = torch.tensor([0, 11, 3, 7, 2, 9, 6])
        pairs = model.pair_parts(img, cap, ii, ci)  # no autograd: the grouped route
        assert pairs.keys() == parts.keys() and "count" in parts
        for k in parts:
            torch.testing.assert_close(pairs[k], parts[k][ii, ci], rtol=1e-5, atol=1e-6, msg=k)
    with torch.enable_grad():  # autograd on: the gathered route training terms use
        paired = model.pair_scores(img, cap, ii, ci)
    torch.testing.assert_close(paired, sum(parts.values())[ii, ci], rtol=1e-5, atol=1e-6)


def test_soft_count_over_separated_keys_counts_and_kappa_is_learned():
    """Three keys of one kind, two of another: with a sharp κ the soft count of a caption key equal to the first
    kind is 3, and the gradient reaches log κ."""
    a, b = torch.zeros(8), torch.zeros(8)
    a[0], b[1] = 1.0, 1.0
    img = torch.stack([a, a, a, b, b]).unsqueeze(0)
    keys, mask = count_keys(img, torch.ones(1, 5, dtype=torch.bool))
    txt, tmask = count_keys(a.view(1, 1, 8), torch.ones(1, 1, dtype=torch.bool))
    sc = SoftCount(kappa=40.0, tau=0.5, learn_kappa=True)
    right = sc(keys, mask, txt, tmask, torch.tensor([[3]]))
    wrong = sc(keys, mask, txt, tmask, torch.tensor([[2]]))
    assert float(right.detach()) > -0.01 and float(wrong.detach()) < -0.25
    wrong.sum().backward()
    assert sc.log_kappa.grad is not None and sc.log_kappa.grad.abs() > 0


def test_an_empty_key_set_gets_one_zero_key():
    keys, mask = count_keys(torch.randn(2, 3, 4), torch.tensor([[True, False, False], [False, False, False]]))
    assert mask.tolist() == [[True, False, False], [True, False, False]]
    assert torch.all(keys[1] == 0) and torch.allclose(keys[0, 0].norm(), torch.tensor(1.0))
