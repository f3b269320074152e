"""The library API a notebook uses without the application: `sgfns.load_model`, `Matcher.similarity_pairs`,
`Matcher.pair_parts` (the one pair-scoring route) and `sgfns.eval.evaluate`."""

from __future__ import annotations

import json

import pytest
import torch

import sgfns
from sgfns.errors import UserError
from sgfns.models import create_model, list_models


@pytest.fixture
def trained(toy_run):
    return toy_run()


def test_load_model_returns_a_ready_matcher(trained):
    data, run = trained
    m = sgfns.load_model(run)
    assert isinstance(m, sgfns.models.Matcher) and not m.training
    assert m.run.run_dir == run and len(m.run.checkpoint_sha256) == 64
    assert m.run.config["model_json"]["name"] == "sgfns-tiny"
    with pytest.raises(UserError, match="run folder not found"):
        sgfns.load_model(run / "nope")


def test_similarity_pairs_by_ids_parts_sum_to_the_matrix_scores(trained):
    from sgfns.data.dataset import load_split
    from sgfns.models import scoring

    data, run = trained
    m = sgfns.load_model(run)
    split = load_split(data, "test")
    ids = [split.ids[1], split.ids[0], split.ids[1]]
    caps = [split.captions[0], split.captions[3], split.captions[7]]
    out = m.similarity_pairs(ids, caps, data=data, split="test")
    assert len(out) == 3 and out.image_ids == ids and out.captions == caps
    assert set(out.parts) >= {"global", "object"}
    torch.testing.assert_close(torch.stack(list(out.parts.values())).sum(0), out.score, rtol=0, atol=1e-5)
    # the same pairs read off the full matrix (captions parsed with the same parser)
    graphs = m.parser(caps)
    img = scoring.encode_images(m, split)
    cap = scoring.encode_captions(m, caps, graphs)
    full = scoring.similarity_matrix(m, img, cap)
    ref = torch.stack([full[1, 0], full[0, 1], full[1, 2]])
    torch.testing.assert_close(out.score, ref, rtol=1e-5, atol=1e-5)


def test_similarity_pairs_broadcasts_one_side_and_accepts_arrays_and_graphs(trained):
    from sgfns.data.dataset import load_split

    data, run = trained
    m = sgfns.load_model(run)
    split = load_split(data, "test")
    caps = split.captions[:4]
    by_id = m.similarity_pairs([split.ids[2]], caps, data=data, split="test")
    arrays = {"features": split.features[2:3], "graphs": split.image_graphs[2:3]}
    if split.boxes is not None:
        arrays["boxes"] = split.boxes[2:3]
    by_array = m.similarity_pairs(arrays, [(c, g) for c, g in zip(caps, m.parser(caps), strict=True)])
    assert len(by_id) == len(by_array) == 4
    torch.testing.assert_close(by_id.score, by_array.score, rtol=1e-5, atol=1e-5)
    with pytest.raises(UserError, match="2 images but 3 captions"):
        m.similarity_pairs(split.ids[:2], caps[:3], data=data, split="test")
    with pytest.raises(UserError, match="unknown image id"):
        m.similarity_pairs(["no-such-id"], caps[:1], data=data, split="test")
    with pytest.raises(UserError, match="need the dataset folder"):
        m.similarity_pairs(split.ids[:1], caps[:1])


def test_evaluate_is_what_sgfns_eval_writes(trained, cli, tmp_path):
    data, run = trained
    rec = sgfns.eval.evaluate(sgfns.load_model(run), data, split="test", protocol="full")
    rc, _, err = cli("eval", "--run", run, "--data", data, "--split", "test", "--json", tmp_path / "e.json",
                     "--no-progress")  # fmt: skip
    assert rc == 0, err
    cli_rec = json.loads((tmp_path / "e.json").read_text())
    assert rec["metrics"] == cli_rec["metrics"] and rec["checkpoint_sha256"] == cli_rec["checkpoint_sha256"]
    assert rec["caption_graphs"] in ("provided",) or rec["caption_graphs"].startswith("parser@")


@pytest.mark.parametrize("name", [n for n in list_models() if n.endswith("-tiny")] + ["symbolic"])
def test_pair_parts_equal_the_matrix_parts_for_every_model(name, toy_inputs, tmp_path):
    """The one pair-scoring route gives, per listed pair, exactly the entry of `similarity_parts` — with autograd
    (training terms) and without it (re-ranking, scoring) — for every registered model."""
    from sgfns.models import model_options

    inputs = toy_inputs(tmp_path / "toy")
    torch.manual_seed(0)
    opts = {"vocab_size": len(inputs.tp.vocab), "img_dim": inputs.split.feature_dim}
    model = create_model(name, **{k: v for k, v in opts.items() if k in model_options(name)})
    model.eval()
    img = model.encode_images(inputs.image_batch(list(range(6))))
    cap = model.encode_captions(inputs.caption_batch(list(range(9))))
    ii = torch.tensor([0, 5, 3, 3, 1, 2, 4])
    ci = torch.tensor([8, 0, 2, 7, 1, 1, 5])
    with torch.no_grad():
        full = model.similarity_parts(img, cap)
        fast = model.pair_parts(img, cap, ii, ci)
    with torch.enable_grad():
        grad = model.pair_parts(img, cap, ii, ci)
    assert fast.keys() == full.keys() == grad.keys()
    for k in full:
        torch.testing.assert_close(fast[k], full[k][ii, ci], rtol=1e-5, atol=1e-5, msg=k)
        torch.testing.assert_close(grad[k].detach(), full[k][ii, ci], rtol=1e-5, atol=1e-5, msg=k)
