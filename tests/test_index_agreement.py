import torch

from sgfns.eval.recall import i2t_ranks, metrics_from_ranks, t2i_ranks
from sgfns.index.agreement import shortlist_agreement


def _setup(seed=0, n_img=30, k=5):
    g = torch.Generator().manual_seed(seed)
    full = torch.randn(n_img, n_img * k, generator=g)
    pos = torch.zeros_like(full, dtype=torch.bool)
    pos[torch.arange(n_img * k) // k, torch.arange(n_img * k)] = True
    return full, pos


def test_whole_gallery_shortlist_agrees_exactly():
    full, pos = _setup()
    first = torch.randn_like(full)  # any first-stage order: a list covering the gallery re-ranks to the full ranking
    short_t2i = first.T.argsort(1, descending=True)
    short_i2t = first.argsort(1, descending=True)
    k = full.shape[1]  # covers every image (t2i lists) and every caption (i2t lists)
    exh, rows = shortlist_agreement(full, pos, short_t2i, short_i2t, [k])
    assert exh == metrics_from_ranks(i2t_ranks(full, pos), t2i_ranks(full, pos))["rsum"]
    assert rows[k]["recall10"] == 1.0
    assert rows[k]["rsum_delta"] == 0.0


def test_a_random_short_list_misses_part_of_the_top10_and_loses_rsum():
    full, pos = _setup(seed=1)
    full = full + 3.0 * pos  # exhaustive retrieval is near perfect; a list that misses the positive must lose it
    first = torch.randn_like(full)
    _, rows = shortlist_agreement(full, pos, first.T.argsort(1, descending=True)[:, :10],
                                  first.argsort(1, descending=True)[:, :10], [10])  # fmt: skip
    assert 0.0 < rows[10]["recall10"] < 0.7
    assert rows[10]["rsum_delta"] < 0


def test_agreement_with_a_longer_top_counts_the_top_n():
    full, pos = _setup(seed=2)
    # a first stage that lists the exhaustive order exactly: its first 20 hold the top 20, its first 10 only half
    short_t2i, short_i2t = full.T.argsort(1, descending=True), full.argsort(1, descending=True)
    _, rows = shortlist_agreement(full, pos, short_t2i, short_i2t, [10, 20], top=20)
    assert rows[20]["recall20"] == 1.0 and rows[10]["recall20"] == 0.5
    assert "recall10" not in rows[20]
