"""L_match: the VSE++ hinge against a brute-force reference, with known positives never used as negatives."""

from __future__ import annotations

import torch

from sgfns.losses import batch_positive_mask, hinge_triplet


def brute(sim, pos, margin, hardest):
    B = len(sim)
    total = 0.0
    for i in range(B):
        c_costs = [max(0.0, margin + sim[i][j] - sim[i][i]) for j in range(B) if not pos[i][j]]
        i_costs = [max(0.0, margin + sim[j][i] - sim[i][i]) for j in range(B) if not pos[j][i]]
        if hardest:
            total += max(c_costs, default=0.0) + max(i_costs, default=0.0)
        else:
            total += sum(c_costs) + sum(i_costs)
    return total


def test_hinge_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    for hardest in (True, False):
        sim = torch.rand(7, 7, generator=g, dtype=torch.float64)
        pos = torch.eye(7, dtype=torch.bool)
        pos[1, 3] = pos[3, 1] = True
        got = float(hinge_triplet(sim, pos, 0.2, hardest))
        assert abs(got - brute(sim.tolist(), pos.tolist(), 0.2, hardest)) < 1e-9


def test_duplicate_image_in_batch_is_not_a_negative():
    # captions 0 and 1 belong to the same image: scoring caption 1 high on image 0 must cost nothing
    img_idx, cap_idx = torch.tensor([4, 4, 9]), torch.tensor([20, 21, 45])
    pos = batch_positive_mask(img_idx, cap_idx)
    sim = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert float(hinge_triplet(sim, pos, 0.2)) == 0.0
    unmasked = torch.eye(3, dtype=torch.bool)
    assert float(hinge_triplet(sim, unmasked, 0.2)) > 0.0


def test_listed_extra_positive_is_masked():
    pos = batch_positive_mask(torch.tensor([0, 1]), torch.tensor([0, 5]), {0: [1]})
    assert pos.tolist() == [[True, False], [True, True]]


def test_gradient_pushes_hardest_negative_down():
    sim = torch.tensor([[0.5, 0.6, 0.1], [0.2, 0.5, 0.0], [0.1, 0.0, 0.5]], requires_grad=True)
    hinge_triplet(sim, torch.eye(3, dtype=torch.bool), 0.2).backward()
    assert sim.grad[0, 1] > 0 and sim.grad[0, 2] == 0  # only the hardest negative of image 0 is charged
    assert sim.grad[0, 0] < 0
