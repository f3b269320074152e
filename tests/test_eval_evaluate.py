"""The evaluator on a fake model over the toy dataset: chunked scoring equals one-shot scoring, metrics equal the
recall code on the same matrix, compositional negatives are scored with their own graphs, per-query ranks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from sgfns.data.batching import SplitInputs
from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.eval.evaluator import Scorer, evaluate_split, ranks_records
from sgfns.eval.recall import i2t_ranks, recall_metrics
from sgfns.models.base import Encoded, Matcher
from sgfns.text.vocab import TextProcessor


class FakeMatcher(Matcher):
    """Global = mean region feature / mean word embedding; 'object' part = node match on graph object counts."""

    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.words = nn.Parameter(torch.randn(vocab_size, dim, generator=g))
        self.proj = nn.Parameter(torch.randn(dim, dim, generator=g))
        self.graph_calls: list[int] = []

    def encode_images(self, b):
        v = b["feats"].mean(1) @ self.proj
        n_obj = b["obj_mask"].sum(1, keepdim=True).float()
        return Encoded(glob=nn.functional.normalize(v, dim=-1), extra={"n": n_obj})

    def encode_captions(self, b):
        real = (torch.arange(b["tokens"].shape[1])[None] < b["lengths"][:, None]).float()
        t = (self.words[b["tokens"]] * real[..., None]).sum(1) / b["lengths"][:, None]
        n_obj = b["obj_mask"].sum(1, keepdim=True).float()
        self.graph_calls.append(int(b["obj_mask"].sum()))
        return Encoded(glob=nn.functional.normalize(t, dim=-1), extra={"n": n_obj})

    def similarity_parts(self, img, cap):
        return {"global": img.glob @ cap.glob.T, "object": -0.01 * (img.extra["n"] - cap.extra["n"].T).abs()}


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = write_toy_dataset(tmp_path_factory.mktemp("toy"), n_images=24, feature_dim=16, splits=("train", "test"),
                             suites=True)  # fmt: skip
    split = load_split(root, "test")
    tp = TextProcessor.build(load_split(root, "train").captions)
    model = FakeMatcher(len(tp.vocab), 16)
    model.text_processor = tp
    return split, tp, model


def test_chunked_scores_equal_one_shot_and_metrics_match_recall(toy):
    split, tp, model = toy
    scorer = Scorer(model, batch_size=7, chunk=(5, 11), progress=False)
    ev = evaluate_split(scorer, split, "full", parse=lambda texts: [None] * len(texts))
    inputs = SplitInputs(split, tp)
    with torch.no_grad():
        img = model.encode_images(inputs.image_batch(range(split.n_images)))
        cap = model.encode_captions(inputs.caption_batch(range(split.n_captions)))
        want = model.similarity(img, cap)
    assert torch.allclose(ev.sim, want, atol=1e-5)
    assert ev.result.metrics == recall_metrics(want, split.positive_mask())
    rec = ev.record()
    assert rec["n_images"] == 24 and rec["n_captions"] == 120 and rec["protocol"] == "full"
    # the toy captions all state one relation
    assert rec["by_relations"]["with_relations"]["n_captions"] == 120
    assert rec["by_relations"]["without_relations"] == {"n_captions": 0}


def test_compositional_negatives_use_the_parse_callable(toy):
    split, tp, model = toy
    scorer = Scorer(model, batch_size=8, progress=False)
    parsed: list[str] = []

    def parse(texts):
        parsed.extend(texts)
        return [None] * len(texts)

    ev = evaluate_split(scorer, split, "full", parse=parse)
    comp = ev.record()["compositional"]
    assert parsed and all(isinstance(t, str) for t in parsed)
    assert "twins" in comp and "mean" in comp
    assert all(0.0 <= v <= 100.0 for v in comp.values())
    # recompute one item directly: caption and negative both scored with the parse callable's graphs
    from sgfns.data.suites import read_compositional

    items = read_compositional(split.root / "test_compositional.jsonl", split)
    assert len(parsed) == 2 * len(items) and parsed[len(items)] == items[0].negative
    enc = scorer.encode_texts([items[0].caption, items[0].negative], None)
    direct = model.similarity(ev.img_enc.select(slice(items[0].image, items[0].image + 1)), enc)[0]
    assert ev.comp_scores[0][0] == pytest.approx(float(direct[0]), abs=1e-5)
    assert ev.comp_scores[1][0] == pytest.approx(float(direct[1]), abs=1e-5)
    pos, neg = ev.comp_scores
    cats = [it.category for it in items]
    for cat in set(cats):
        sel = [i for i, c in enumerate(cats) if c == cat]
        want = 100.0 * sum(1.0 if pos[i] > neg[i] else 0.5 if pos[i] == neg[i] else 0.0 for i in sel) / len(sel)
        assert comp[cat] == pytest.approx(want)


def test_ranks_records_agree_with_ranks_and_parts_sum_to_score(toy):
    split, tp, model = toy
    scorer = Scorer(model, progress=False)
    ev = evaluate_split(scorer, split, "full", parse=lambda t: [None] * len(t))
    parts = scorer.similarity_parts(ev.img_enc, ev.cap_enc)
    recs = ranks_records(ev, lambda pi, pc: scorer.pair_parts(ev.img_enc, ev.cap_enc, pi, pc))
    i2t = [r for r in recs if r["direction"] == "i2t"]
    t2i = [r for r in recs if r["direction"] == "t2i"]
    assert len(i2t) == 24 and len(t2i) == 120
    assert [r["rank"] for r in i2t] == i2t_ranks(ev.sim, split.positive_mask()).tolist()
    for r in t2i[:10]:
        assert len(r["top"]) == 5
        assert [t["score"] for t in r["top"]] == sorted((t["score"] for t in r["top"]), reverse=True)
        for t in r["top"]:
            assert sum(t["parts"].values()) == pytest.approx(t["score"], abs=1e-5)
            # the pair-wise parts are the cells of the full parts matrices
            for name, v in t["parts"].items():
                assert v == pytest.approx(float(parts[name][t["image"], r["caption_index"]]), abs=1e-5)
        # rank 1 <=> the top candidate is a positive (up to ties)
        if r["rank"] == 1:
            assert r["top"][0]["positive"]
    assert np.isfinite([r["best_positive"]["score"] for r in recs]).all()
