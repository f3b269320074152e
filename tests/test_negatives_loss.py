"""L_neg: the hinge, the per-step negatives (precomputed captions, edited images), the cache, and a training run."""

from __future__ import annotations

import json

import pytest
import torch

from sgfns.data.batching import SplitInputs
from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.losses.generated import build_term, generated_hinge
from sgfns.text import TextProcessor


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return write_toy_dataset(tmp_path_factory.mktemp("toyneg"), n_images=16, feature_dim=16, regions=6)


class _Cfg:
    weight, margin, rules, per_positive, text_side, image_side = 1.0, 0.2, [], 1, True, True


def _inputs(toy):
    split = load_split(toy, "train")
    tp = TextProcessor.build(split.captions, list(split.image_graphs) + list(split.caption_graphs), 1)
    return SplitInputs(split, tp, split.caption_graphs)


def test_generated_hinge():
    pos = torch.tensor([1.0, 0.5])
    neg = torch.tensor([0.9, 0.1, 0.6])
    owner = torch.tensor([0, 0, 1])
    # [0.2 - 1 + 0.9]+ + [0.2 - 1 + 0.1]+ + [0.2 - 0.5 + 0.6]+ = 0.1 + 0 + 0.3
    assert generated_hinge(pos, neg, owner, 0.2).item() == pytest.approx(0.4)
    assert generated_hinge(pos, neg[:0], owner[:0], 0.2).item() == 0.0


def test_term_draws_precomputed_caption_and_edited_image_negatives(toy):
    inputs = _inputs(toy)
    term = build_term(_Cfg(), inputs, seed=0)
    caps = list(range(0, 16))
    imgs = [c // inputs.split.captions_per_image for c in caps]
    extra = term.extra_batch(caps, imgs, epoch=0)
    assert "cap" in extra and "img" in extra
    own_c, own_i = extra["own"]["cap"], extra["own"]["img"]
    assert len(own_c) >= 12 and len(own_i) >= 8  # nearly every positive gets one of each
    assert extra["cap"]["tokens"].shape[0] == len(own_c) and extra["img"]["feats"].shape[0] == len(own_i)
    # same seed, epoch and batch -> same negatives (resume draws what the uninterrupted run drew)
    again = term.extra_batch(caps, imgs, epoch=0)
    assert torch.equal(again["cap"]["tokens"], extra["cap"]["tokens"])
    assert torch.equal(again["img"]["feats"], extra["img"]["feats"])
    other = term.extra_batch(caps, imgs, epoch=1)
    assert not torch.equal(other["cap"]["tokens"], extra["cap"]["tokens"])

    from sgfns.models import create_model

    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=len(inputs.tp.vocab), img_dim=16)
    img = model.encode_images(inputs.image_batch(imgs))
    cap = model.encode_captions(inputs.caption_batch(caps))
    loss = term.loss(model, extra, img, cap)
    assert torch.isfinite(loss) and loss.item() > 0
    loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


def test_caption_negatives_are_cached_not_regenerated(toy, monkeypatch):
    inputs = _inputs(toy)
    build_term(_Cfg(), inputs, seed=3)
    assert (toy / "train_negs.jsonl").exists()
    import sgfns.negatives.cache as cache

    def boom(*a, **k):
        raise AssertionError("regenerated although cached")

    monkeypatch.setattr(cache, "generate_split", boom)
    term = build_term(_Cfg(), inputs, seed=3)
    assert sum(len(x) for x in term.neg_of) > 0
    with pytest.raises(AssertionError):  # a different seed is a different cache key
        build_term(type("C", (_Cfg,), {"seed": 4})(), inputs, seed=4)


def test_neg_seed_gives_every_run_seed_the_same_negatives(toy, monkeypatch):
    """neg.seed fixes the generation seed: a run of another seed reads the cached negatives (nothing regenerated),
    while its per-step draws still follow its own seed."""
    inputs = _inputs(toy)
    first = build_term(_Cfg(), inputs, seed=3)
    import sgfns.negatives.cache as cache

    def boom(*a, **k):
        raise AssertionError("regenerated although neg.seed names a cached set")

    monkeypatch.setattr(cache, "generate_split", boom)
    other = build_term(type("C", (_Cfg,), {"seed": 3})(), inputs, seed=5)
    assert [it.text for it in other.neg_items] == [it.text for it in first.neg_items]
    assert other.seed == 5


def test_caches_of_two_seeds_coexist(tmp_path, monkeypatch):
    """A second seed on the same data folder keeps the first seed's cache there and caches itself by key in the
    user cache directory: afterwards neither is regenerated."""
    import sgfns.negatives.cache as cache

    data = write_toy_dataset(tmp_path / "toy", n_images=8, feature_dim=16, regions=6)
    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "user_cache"))
    inputs = _inputs(data)
    first = build_term(_Cfg(), inputs, seed=1)
    second = build_term(_Cfg(), inputs, seed=2)
    assert json.loads((data / "train_negs.meta.json").read_text())["seed"] == 1
    assert len(list((tmp_path / "user_cache" / "caption_negatives").glob("*/train_negs.jsonl"))) == 1

    def boom(*a, **k):
        raise AssertionError("regenerated although cached")

    monkeypatch.setattr(cache, "generate_split", boom)
    for seed, term in ((1, first), (2, second)):
        again = build_term(_Cfg(), inputs, seed=seed)
        assert [it.tokens for it in again.neg_items] == [it.tokens for it in term.neg_items]


@pytest.mark.parametrize("extra", [[], ["model.count_keys=true"]], ids=["default", "count_keys"])
def test_training_with_l_neg_runs(cli, toy, tmp_path, extra):
    run = tmp_path / "run"
    rc, out, err = cli("train", "--data", toy, "--out", run, "--model", "sgfns-tiny", "--no-progress", "epochs=1",
                       "data.batch_size=8", "threads=1", "log_every=1", "neg.weight=1.0", *extra)  # fmt: skip
    assert rc == 0, err
    steps = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    negs = [r["neg"] for r in steps if "neg" in r]
    assert negs and all(v >= 0 for v in negs) and any(v > 0 for v in negs)


def test_resume_with_l_neg_equals_uninterrupted(train_cut_and_resume, toy):
    # negatives are drawn from (seed, epoch, batch): a resumed run draws exactly what the uninterrupted one drew
    a, b = train_cut_and_resume(toy, 2, 1, "data.batch_size=8", "neg.weight=1.0")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    "switches",
    [{}, {"use_count": False}, {"use_obj": False}, {"use_global": False, "use_rel": False}, {"count_keys": True}],
)
def test_paired_scores_equal_the_diagonal_of_similarity(toy, switches):
    """The pair scorer L_neg uses (model.pair_scores with autograd on) gives S(I_i, T_i) and its gradients exactly as
    the full similarity matrix does, for the listed pairs only."""
    from sgfns.models import create_model

    inputs = _inputs(toy)
    caps = list(range(0, 16))
    imgs = [c // inputs.split.captions_per_image for c in caps]
    torch.manual_seed(0)
    model = create_model("sgfns-tiny", vocab_size=len(inputs.tp.vocab), img_dim=16, **switches)
    ii = torch.tensor([3, 0, 5, 5, 1, 7, 2])
    ci = torch.tensor([0, 9, 5, 2, 15, 7, 11])

    def run(fast: bool):
        model.zero_grad()
        img = model.encode_images(inputs.image_batch(imgs))
        cap = model.encode_captions(inputs.caption_batch(caps))
        s = model.pair_scores(img, cap, ii, ci) if fast else model.similarity(img, cap)[ii, ci]
        (s * torch.linspace(0.5, 2.0, len(s))).sum().backward()
        return s.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}

    fast, g_fast = run(True)
    ref, g_ref = run(False)
    torch.testing.assert_close(fast, ref, rtol=1e-5, atol=1e-6)
    assert g_fast.keys() == g_ref.keys()
    for n in g_ref:
        torch.testing.assert_close(g_fast[n], g_ref[n], rtol=1e-4, atol=1e-6, msg=n)


def test_edited_image_items_equal_preparing_the_edited_graph_from_scratch(toy):
    """Image negatives reuse the batch's prepared items (no re-tokenising per step); the result must be exactly
    what preparing the edited scene graph gives, for every edit kind."""
    import random

    from sgfns.data.batching import graph_item
    from sgfns.losses.generated import edited_item
    from sgfns.negatives import image as imneg

    inputs = _inputs(toy)
    split = inputs.split
    scenes = [imneg.VisualScene(g, split.features[i], split.boxes[i]) for i, g in enumerate(split.image_graphs)]
    prepared = [inputs.images[i] for i in range(len(scenes))]
    rng = random.Random(0)
    kinds = set()
    for c, cg in enumerate(split.caption_graphs):
        pos = c // split.captions_per_image
        for neg in imneg.sample(cg, scenes, pos, rng, k=3):
            kinds.add(neg.edit)
            assert edited_item(prepared, pos, neg) == graph_item(neg.scene.graph, inputs.tp), (c, neg.edit)
    assert kinds == set(imneg.EDITS)


# --- epoch-time savings: each equal to the slow path (docs/negatives.md, "Epoch time") --------------------------
def _model(inputs, **kw):
    from sgfns.models import create_model

    torch.manual_seed(0)
    return create_model("sgfns-tiny", vocab_size=len(inputs.tp.vocab), img_dim=16, **kw)


def same(a, b) -> bool:
    """Batch values equal: tensors exactly, the caption strings (`Texts`, a tuple) element by element."""
    return a == b if isinstance(a, tuple) else torch.equal(a, b)


def test_sub_batch_equals_collating_just_those_items(toy):
    from sgfns.data.batching import collate_captions, collate_graphs
    from sgfns.losses.generated import size_buckets, sub_batch

    inputs = _inputs(toy)
    n_img, n_cap = len(inputs.images), len(inputs.captions)
    full_i = inputs.image_batch(list(range(n_img)))
    full_c = inputs.caption_batch(list(range(n_cap)))
    g = torch.Generator().manual_seed(0)
    for full, n, collate in ((full_i, n_img, None), (full_c, n_cap, collate_captions)):
        for rows in (torch.randperm(n, generator=g)[:5], torch.tensor([3]), *size_buckets(full, 4)):
            sub = sub_batch(full, rows)
            if collate is None:
                ref = collate_graphs([inputs.images[int(r)] for r in rows])
                ref["feats"], ref["boxes"] = full_i["feats"][rows], full_i["boxes"][rows]
            else:
                ref = collate([inputs.captions[int(r)] for r in rows])
            assert sub.keys() == ref.keys()
            for k in ref:
                assert same(sub[k], ref[k]), (k, rows.tolist())


def test_size_buckets_cover_every_row_once_smallest_graphs_first(toy):
    from sgfns.losses.generated import size_buckets

    inputs = _inputs(toy)
    b = inputs.image_batch(list(range(len(inputs.images))))
    buckets = size_buckets(b, 5)
    assert len(buckets) == 4 and sorted(torch.cat(buckets).tolist()) == list(range(len(inputs.images)))
    rels = [b["rel_mask"][r].sum(1) for r in buckets]
    assert all(rels[i].max() <= rels[i + 1].min() for i in range(len(rels) - 1))
    assert len(size_buckets(b, 1000)) == 1


@pytest.mark.parametrize("side", ["images", "captions"])
def test_bucketed_encoding_equals_encoding_the_whole_batch(toy, side):
    from sgfns.losses.generated import encode_bucketed

    inputs = _inputs(toy)
    model = _model(inputs)
    n = len(inputs.images) if side == "images" else len(inputs.captions)
    b = (inputs.image_batch if side == "images" else inputs.caption_batch)(list(range(n)))
    encode = getattr(model, f"encode_{side}")
    whole = encode(b)
    enc, rows = encode_bucketed(encode, b, 5)
    assert sorted(rows.tolist()) == list(range(n))
    torch.testing.assert_close(enc.glob, whole.glob[rows], rtol=1e-5, atol=1e-6)
    for k, (v, m) in whole.sets.items():
        bv, bm = enc.sets[k]
        L = bv.shape[1]
        assert not m[rows][:, L:].any()  # nothing real was cut
        assert torch.equal(bm, m[rows][:, :L])
        ref = (v[rows] * m[rows].unsqueeze(-1))[:, :L]
        torch.testing.assert_close(bv * bm.unsqueeze(-1), ref, rtol=1e-5, atol=1e-6)
    if side == "images":  # and the scores against the other modality follow the rows
        other = model.encode_captions(inputs.caption_batch(list(range(len(inputs.captions)))))
        sim, ref = model.similarity(enc, other), model.similarity(whole, other)[rows]
    else:
        other = model.encode_images(inputs.image_batch(list(range(len(inputs.images)))))
        sim, ref = model.similarity(other, enc), model.similarity(other, whole)[:, rows]
    torch.testing.assert_close(sim, ref, rtol=1e-5, atol=1e-5)


def _detached(enc):
    from sgfns.models.base import Encoded

    return Encoded(enc.glob.detach(), {k: (v.detach(), m) for k, (v, m) in enc.sets.items()},
                   {k: v.detach() for k, v in enc.extra.items()})  # fmt: skip


def _term_loss_and_grads(inputs, term, extra, caps, imgs, detach_negatives=False):
    """detach_negatives: True (both sides), "captions" or "images" — the negatives of those sides are encoded as
    constants (the reference for neg.stop_gradient)."""
    model = _model(inputs)
    img = model.encode_images(inputs.image_batch(imgs))
    cap = model.encode_captions(inputs.caption_batch(caps))
    # the reference: whatever the term encodes from here on (on the detached sides) is a constant
    if detach_negatives in (True, "images"):
        enc_i = model.encode_images
        model.encode_images = lambda b: _detached(enc_i(b))
    if detach_negatives in (True, "captions"):
        enc_c = model.encode_captions
        model.encode_captions = lambda b: _detached(enc_c(b))
    loss = term.loss(model, extra, img, cap)
    loss.backward()
    return loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("stop_gradient", [False, True, "images"])
def test_bucketed_term_gives_the_unbucketed_loss_and_gradients(toy, stop_gradient):
    inputs = _inputs(toy)
    term = build_term(_Cfg(), inputs, seed=0)
    term.stop_gradient = stop_gradient
    caps = list(range(0, 16))
    imgs = [c // inputs.split.captions_per_image for c in caps]
    extra = term.extra_batch(caps, imgs, epoch=0)
    term.rows_per_bucket = 3
    fast, g_fast = _term_loss_and_grads(inputs, term, extra, caps, imgs)
    term.rows_per_bucket = 10**6
    ref, g_ref = _term_loss_and_grads(inputs, term, extra, caps, imgs)
    torch.testing.assert_close(fast, ref, rtol=1e-5, atol=1e-6)
    assert g_fast.keys() == g_ref.keys()
    for n in g_ref:
        torch.testing.assert_close(g_fast[n], g_ref[n], rtol=1e-4, atol=1e-6, msg=n)


@pytest.mark.parametrize("side", [True, "captions", "images"])
def test_stop_gradient_keeps_the_loss_and_cuts_only_the_negatives_own_encoding(toy, side):
    """neg.stop_gradient (both sides, or one): same L_neg value; the gradient is the one of the loss with those
    negatives' encodings detached (the positives still get the whole hinge), and it differs from the full
    gradient and from the other side's stop-gradient."""
    inputs = _inputs(toy)
    caps = list(range(0, 16))
    imgs = [c // inputs.split.captions_per_image for c in caps]
    term = build_term(_Cfg(), inputs, seed=0)
    extra = term.extra_batch(caps, imgs, epoch=0)
    assert not term.stop_gradient  # the default: the full gradient
    term.stop_gradient = False
    full, g_full = _term_loss_and_grads(inputs, term, extra, caps, imgs)
    ref, g_ref = _term_loss_and_grads(inputs, term, extra, caps, imgs, detach_negatives=side)
    term.stop_gradient = side
    stop, g_stop = _term_loss_and_grads(inputs, term, extra, caps, imgs)
    torch.testing.assert_close(stop, full)
    torch.testing.assert_close(stop, ref)
    assert g_stop.keys() == g_ref.keys()
    for n in g_ref:
        torch.testing.assert_close(g_stop[n], g_ref[n], rtol=1e-5, atol=1e-7, msg=n)
    assert any(not torch.allclose(g_stop[n], g_full[n]) for n in g_ref)
    if side is not True:  # one side only: not the same as detaching both
        _, g_both = _term_loss_and_grads(inputs, term, extra, caps, imgs, detach_negatives=True)
        assert any(not torch.allclose(g_stop[n], g_both[n]) for n in g_ref)


@pytest.mark.parametrize("value", ["true", "images"])
def test_training_with_stop_gradient_negatives_runs(cli, toy, tmp_path, value):
    run = tmp_path / "run"
    rc, out, err = cli("train", "--data", toy, "--out", run, "--model", "sgfns-tiny", "--no-progress", "epochs=1",
                       "data.batch_size=8", "threads=1", "log_every=1", "neg.weight=1.0",
                       f"neg.stop_gradient={value}")  # fmt: skip
    assert rc == 0, err
    steps = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert any(r.get("neg", 0) > 0 for r in steps)


@pytest.mark.parametrize("per_positive, image_edits", [(1, None), (2, None), (2, ["replace-att", "reverse"])])
def test_negatives_built_as_tensors_equal_collating_the_sampled_items(toy, per_positive, image_edits):
    """extra_batch selects caption negatives from a table collated once and realises image edits as tensor moves;
    both must equal collating what the plain path makes: the sampled caption items, and `imneg.sample`'s edited
    scenes (same draws), features and boxes included."""
    import numpy as np

    from sgfns.data.batching import collate_captions, collate_graphs
    from sgfns.losses.generated import draw, edited_item
    from sgfns.negatives import image as imneg

    inputs = _inputs(toy)
    split = inputs.split
    settings = {"per_positive": per_positive} | ({"image_edits": image_edits} if image_edits else {})
    term = build_term(type("C", (_Cfg,), settings)(), inputs, seed=0)
    assert term.neg_weight is not None  # rule-balanced draws by default
    assert term.neg_table is not None
    g = torch.Generator().manual_seed(per_positive)
    kinds = set()
    for epoch in range(3):
        caps = torch.randperm(split.n_captions, generator=g)[:12].tolist()
        imgs = [c // split.captions_per_image for c in caps]
        extra = term.extra_batch(caps, imgs, epoch)
        key = term._batch_key(caps, epoch)
        # caption side
        items, owner = [], []
        for j, c in enumerate(caps):
            avail = term.neg_of[c]
            for n in draw(term._rng(key, "cap", j), avail, term.k, term.neg_weight):
                items.append(term.neg_items[n])
                owner.append(j)
        ref = collate_captions(items)
        assert extra["cap"].keys() == ref.keys() and torch.equal(extra["own"]["cap"], torch.tensor(owner))
        for k in ref:
            assert same(extra["cap"][k], ref[k]), k
        # image side
        uniq = sorted(set(imgs))
        where = {im: p for p, im in enumerate(uniq)}
        scenes = [imneg.VisualScene(split.image_graphs[im], np.asarray(split.features[im], dtype=np.float32),
                                    np.asarray(split.boxes[im], dtype=np.float32)) for im in uniq]  # fmt: skip
        prepared = [inputs.images[im] for im in uniq]
        items, feats, boxes, owner = [], [], [], []
        for j, c in enumerate(caps):
            for neg in imneg.sample(split.caption_graphs[c], scenes, where[imgs[j]], term._rng(key, "img", j),
                                    k=term.k, edits=term.image_edits):  # fmt: skip
                kinds.add(neg.edit)
                items.append(edited_item(prepared, where[imgs[j]], neg))
                feats.append(neg.scene.features)
                boxes.append(neg.scene.boxes)
                owner.append(j)
        ref = collate_graphs(items)
        ref["feats"], ref["boxes"] = torch.from_numpy(np.stack(feats)), torch.from_numpy(np.stack(boxes))
        assert extra["img"].keys() == ref.keys() and torch.equal(extra["own"]["img"], torch.tensor(owner))
        for k in ref:
            assert torch.equal(extra["img"][k], ref[k]), k
    assert kinds == set(image_edits or ("reverse", "swap", "replace"))  # the default leaves replace-att out


def test_negatives_without_tables_are_collated_per_step_alike(toy, monkeypatch):
    """Above MAX_TABLE elements nothing is kept collated for the split: each step collates its own negatives (caption
    side) and its batch's images (image side), with the same result."""
    from sgfns.losses import generated

    inputs = _inputs(toy)
    caps = [0, 7, 9, 20, 33, 41, 52, 60, 71, 79]
    imgs = [c // inputs.split.captions_per_image for c in caps]
    with_table = build_term(_Cfg(), inputs, seed=0).extra_batch(caps, imgs, 0)
    monkeypatch.setattr(generated, "MAX_TABLE", 0)
    term = build_term(_Cfg(), inputs, seed=0)
    assert term.neg_table is None and term.image_table() is None
    plain = term.extra_batch(caps, imgs, 0)
    for side in ("cap", "img"):
        assert plain[side].keys() == with_table[side].keys()
        for k in plain[side]:
            assert same(plain[side][k], with_table[side][k]), (side, k)


def test_balanced_rule_sampling_draws_a_rare_rule_whenever_a_caption_has_it():
    import random
    from types import SimpleNamespace

    from sgfns.losses.generated import balanced_weights, draw

    neg = lambda r: SimpleNamespace(rule=r)  # noqa: E731
    per_caption = [[neg("replace-obj"), neg("count")]] + [[neg("replace-obj"), neg("add-obj")] for _ in range(99)]
    rules = [n.rule for ns in per_caption for n in ns]
    w = balanced_weights(per_caption, rules)
    assert w[:4] == [1 / 100, 1.0, 1 / 100, 1 / 99]
    balanced = [draw(random.Random(s), [0, 1], 1, w)[0] for s in range(400)]
    uniform = [draw(random.Random(s), [0, 1], 1, None)[0] for s in range(400)]
    assert balanced.count(1) / 400 > 0.95 and 0.4 < uniform.count(1) / 400 < 0.6
    both = draw(random.Random(0), [0, 1], 2, w)
    assert sorted(both) == [0, 1]  # k draws are distinct, and all of them when k covers the caption's negatives
    with pytest.raises(Exception, match="rule_sampling"):
        build_term(type("C", (_Cfg,), {"rule_sampling": "rare-first"})(), None, seed=0)


@pytest.mark.parametrize("setting", ["neg.stop_gradient=text", "neg.image_edits=[reverse,recolour]",
                                     "neg.image_edits=[]"])
def test_bad_neg_setting_is_a_one_line_error(cli, toy, tmp_path, setting):
    rc, out, err = cli("train", "--data", toy, "--out", tmp_path / "run", "--model", "sgfns-tiny", "--no-progress",
                       "epochs=1", "neg.weight=1.0", setting)  # fmt: skip
    assert rc == 2
    assert setting.split("=")[0] in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run" / "metrics.jsonl").exists()
