"""Relation-node options of sgfns: centring (sgfns.models.centering) and the role input (subject − object)."""

from __future__ import annotations

import torch

from sgfns.models.centering import NodeCentering


def test_running_mean_tracks_real_nodes_only_and_padding_stays_zero():
    torch.manual_seed(0)
    c = NodeCentering(4, momentum=0.5).train()
    x = torch.randn(2, 3, 4) + 5.0
    mask = torch.tensor([[True, True, False], [True, False, False]])
    x[~mask] = 1e6  # padding must not reach the mean
    out = c(x, mask)
    assert torch.allclose(c.mean, 0.5 * x[mask].mean(0))
    assert torch.all(out[~mask] == 0)
    assert torch.allclose(out[mask], x[mask] - c.mean)


def test_eval_and_no_grad_do_not_update_and_items_are_independent_of_their_batch():
    c = NodeCentering(4).train()
    c(torch.randn(3, 2, 4) + 3.0, torch.ones(3, 2, dtype=torch.bool))
    frozen = c.mean.clone()
    c.eval()
    a = torch.randn(1, 2, 4)
    alone = c(a, torch.ones(1, 2, dtype=torch.bool))
    both = c(torch.cat([a, torch.randn(1, 2, 4) * 100]), torch.ones(2, 2, dtype=torch.bool))
    assert torch.equal(alone[0], both[0])
    c.train()
    with torch.no_grad():
        c(torch.randn(1, 2, 4), torch.ones(1, 2, dtype=torch.bool))
    assert torch.equal(c.mean, frozen)


def test_centring_removes_a_shared_direction_from_the_cosines():
    torch.manual_seed(1)
    shared = torch.randn(64) * 10
    nodes = (shared + torch.randn(64, 64)).unsqueeze(0)
    mask = torch.ones(1, 64, dtype=torch.bool)
    c = NodeCentering(64, momentum=1.0).train()
    cen = torch.nn.functional.normalize(c(nodes, mask)[0], dim=-1)
    raw = torch.nn.functional.normalize(nodes[0], dim=-1)
    off = ~torch.eye(64, dtype=torch.bool)
    assert (raw @ raw.T)[off].mean() > 0.8
    assert abs((cen @ cen.T)[off].mean()) < 0.05


def test_sgfns_with_rel_center_trains_and_scores(cli, toy_run):
    data, run = toy_run("model.rel_center=true", n_images=12, regions=5, batch_size=6)
    from safetensors.torch import load_file

    weights = load_file(next((run / "checkpoints").glob("best*.safetensors")))
    assert weights["center_img.mean"].abs().sum() > 0 and weights["center_txt.mean"].abs().sum() > 0
    rc, out, err = cli("eval", "--run", run, "--data", data, "--split", "test")
    assert rc == 0, err


def test_relation_roles_input_tells_subject_from_object():
    from sgfns.models.graph_nodes import RelationNodes

    torch.manual_seed(0)
    emb = torch.nn.Embedding(5, 8)
    obj = torch.randn(1, 2, 16)
    b = {"rel_pred": torch.tensor([[[1, 2]]]), "rel_subj": torch.tensor([[0]]), "rel_obj": torch.tensor([[1]])}
    swapped = {**b, "rel_subj": torch.tensor([[1]]), "rel_obj": torch.tensor([[0]])}
    plain, roles = RelationNodes(8, 16), RelationNodes(8, 16, roles=True)
    assert roles.mlp.fc1.in_features == 4 * 16 and plain.mlp.fc1.in_features == 3 * 16
    a, _ = roles(emb, obj, b)
    c, _ = roles(emb, obj, swapped)
    assert not torch.allclose(a, c)
