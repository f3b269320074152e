"""Every registered model: builds by name, trains a step, scores consistently however the work is split."""

from __future__ import annotations

import pytest
import torch

from sgfns.data.batching import SplitInputs
from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.errors import UserError
from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.models import create_model, list_models, model_options, scoring
from sgfns.text import TextProcessor

SMALL = [m for m in list_models() if m.endswith("-tiny") or m == "symbolic"]


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = write_toy_dataset(tmp_path_factory.mktemp("toy"), n_images=12, feature_dim=16, regions=6)
    split = load_split(root, "train")
    tp = TextProcessor.build(split.captions, list(split.image_graphs) + list(split.caption_graphs))
    return split, tp, SplitInputs(split, tp)


def make(name, split, tp):
    opts = model_options(name)
    kw = {k: v for k, v in {"vocab_size": len(tp.vocab), "img_dim": split.feature_dim}.items() if k in opts}
    torch.manual_seed(0)
    m = create_model(name, **kw)
    m.text_processor = tp
    return m


def test_registry_lists_the_issue_models():
    names = set(list_models())
    assert {"vsepp", "sgm", "scan", "symbolic", "sgfns"} <= names
    assert {"vsepp-tiny", "sgm-tiny", "scan-tiny", "sgfns-tiny"} <= names


def test_unknown_model_and_option_are_user_errors():
    with pytest.raises(UserError, match="unknown model"):
        create_model("nope")
    with pytest.raises(UserError, match="embed_dimm"):
        create_model("vsepp-tiny", embed_dimm=3)


@pytest.mark.parametrize("name", SMALL)
def test_forward_backward_and_parts(name, toy):
    split, tp, inputs = toy
    m = make(name, split, tp)
    ib, cb = inputs.image_batch([0, 1, 2, 3]), inputs.caption_batch([0, 5, 10, 15])
    img, cap = m.encode_images(ib), m.encode_captions(cb)
    parts = m.similarity_parts(img, cap)
    s = m.similarity(img, cap)
    assert s.shape == (4, 4) and torch.isfinite(s).all()
    assert torch.allclose(torch.stack(list(parts.values())).sum(0), s)
    params = [p for p in m.parameters() if p.requires_grad]
    if params:
        (s.diagonal().sum() - s.sum() / 4).backward()
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in params)


@pytest.mark.parametrize("name", SMALL)
def test_blockwise_scoring_equals_one_block(name, toy):
    """Encoding in batches and scoring in blocks gives the same matrix as one big block (no cross-item leakage)."""
    split, tp, inputs = toy
    m = make(name, split, tp).eval()
    e1 = scoring.encode_images(m, split, "cpu", batch_size=5)
    c1 = scoring.encode_captions(m, split.captions, split.caption_graphs, "cpu", batch_size=7)
    small = scoring.similarity_matrix(m, e1, c1, chunk=(4, 9))
    with torch.inference_mode():
        big = m.similarity(m.encode_images(inputs.image_batch(list(range(split.n_images)))),
                           m.encode_captions(inputs.caption_batch(list(range(split.n_captions)))))  # fmt: skip
    assert small.shape == (split.n_images, split.n_captions)
    assert torch.allclose(small, big, atol=1e-5)
    parts = scoring.similarity_parts_matrix(m, e1, c1, chunk=(5, 11))
    assert torch.allclose(sum(parts.values()), small, atol=1e-5)


@pytest.mark.parametrize("name", ["sgfns-tiny", "sgm-tiny"])
def test_empty_graphs_use_null_nodes_not_nan(name, toy):
    split, tp, _ = toy
    m = make(name, split, tp).eval()
    img = scoring.encode_images(m, split, "cpu", 8, indices=[0, 1])
    cap = scoring.encode_captions(m, ["a red cube", "nothing here"], [SceneGraph(), None], "cpu")
    s = scoring.similarity_matrix(m, img, cap)
    assert torch.isfinite(s).all()
    split.image_graphs, saved = None, split.image_graphs
    try:
        img0 = scoring.encode_images(m, split, "cpu", 8, indices=[0, 1])
    finally:
        split.image_graphs = saved
    assert torch.isfinite(scoring.similarity_matrix(m, img0, cap)).all()


def test_sgfns_relation_direction_changes_the_caption_encoding(toy):
    split, tp, _ = toy
    m = make("sgfns-tiny", split, tp).eval()
    text = "a red cube left of a blue ball"
    objs = [SGObject("cube", ["red"], 1, span=(6, 10)), SGObject("ball", ["blue"], 1, span=(26, 30))]
    fwd = SceneGraph(objs, [Relation(0, "left of", 1)])
    rev = SceneGraph(objs, [Relation(1, "left of", 0)])
    enc = scoring.encode_captions(m, [text, text], [fwd, rev], "cpu")
    r = enc.sets["rel"][0]
    assert not torch.allclose(r[0, 0], r[1, 0], atol=1e-4)


def test_sgfns_switches_remove_parts(toy):
    split, tp, inputs = toy
    m = create_model("sgfns-tiny", vocab_size=len(tp.vocab), img_dim=16, use_rel=False, use_count=False, fusion=False)
    parts = m.similarity_parts(
        m.encode_images(inputs.image_batch([0, 1])), m.encode_captions(inputs.caption_batch([0]))
    )
    assert set(parts) == {"global", "object"}
    with pytest.raises(UserError):
        create_model("sgfns-tiny", use_global=False, use_obj=False, use_rel=False)


def test_symbolic_counts_label_overlap(toy):
    _, tp, _ = toy
    m = create_model("symbolic")
    m.text_processor = tp
    img_g = SceneGraph([SGObject("cube", ["red"], region=0), SGObject("ball", ["blue"], region=1)],
                       [Relation(0, "left of", 1)])  # fmt: skip
    from sgfns.data.batching import collate_graphs, graph_item

    img = m.encode_images(collate_graphs([graph_item(img_g, tp)]))
    caps = [
        SceneGraph([SGObject("cube", ["red"]), SGObject("ball", ["blue"])], [Relation(0, "left of", 1)]),  # all 5
        SceneGraph([SGObject("cube", ["blue"]), SGObject("ball", ["red"])], [Relation(0, "left of", 1)]),  # 3 of 5
        SceneGraph([SGObject("ball", ["blue"]), SGObject("cube", ["red"])], [Relation(0, "left of", 1)]),  # 4 of 5
        SceneGraph([SGObject("cone")]),  # 0 of 1
    ]
    cap = m.encode_captions(collate_graphs([graph_item(g, tp) for g in caps]))
    s = m.similarity(img, cap)[0]
    assert torch.allclose(s, torch.tensor([1.0, 3 / 5, 4 / 5, 0.0]))
