"""The visual graph's parts: ImageNet class names through WordNet, colour words, geometric relations, region
pooling; all without the backbone."""

from __future__ import annotations

import numpy as np
import torch


def test_imagenet_classes_are_the_sorted_wordnet_ids_named_through_the_lexicon():
    from sgfns.photos.imagenet import imagenet_classes
    from sgfns.text.lexicon import lemmas_of

    c = imagenet_classes()
    assert len(c.wnids) == 1000 and list(c.wnids) == sorted(c.wnids)
    i = c.wnids.index("n02099601")  # golden retriever
    assert i == 207 and c.lemmas[i] == "golden retriever" and c.names[i] == "dog"
    assert "golden retriever" in lemmas_of(c.synsets[i], "n")
    probs = np.zeros(1000)
    probs[[207, 208]] = 0.4  # two dog breeds
    probs[0] = 0.2
    by_name = c.name_probabilities(probs)
    assert by_name[c.name_list.index("dog")] == np.float32(0.8)
    assert np.isclose(by_name.sum(), 1.0)


def test_colour_words_from_pixels():
    from sgfns.photos.visual_graph import COLOURS, colour_names, dominant_colour

    rgb = np.array([[220, 20, 20], [20, 20, 220], [20, 180, 20], [250, 250, 250], [10, 10, 10], [120, 70, 20]])
    assert [COLOURS[i] for i in colour_names(rgb.astype(np.uint8))] == [
        "red",
        "blue",
        "green",
        "white",
        "black",
        "brown",
    ]
    img = np.full((40, 40, 3), 240, dtype=np.uint8)
    img[10:30, 10:30] = (20, 20, 220)
    assert dominant_colour(img, np.array([0.25, 0.25, 0.75, 0.75])) == "blue"


def test_relations_from_boxes():
    from sgfns.photos.visual_graph import relation

    cup = np.array([0.4, 0.2, 0.6, 0.5])
    table = np.array([0.1, 0.5, 0.9, 0.9])
    r = relation(cup, table, 0, 1)
    assert (r.subject, r.predicate, r.object) == (0, "on", 1)
    inner = np.array([0.2, 0.6, 0.3, 0.7])
    r = relation(table, inner, 0, 1)
    assert (r.subject, r.predicate, r.object) == (1, "in", 0)
    left = np.array([0.0, 0.4, 0.2, 0.6])
    r = relation(table, left, 0, 1)
    assert (r.subject, r.predicate, r.object) == (1, "left of", 0)


def test_roi_pool_of_the_whole_photo_is_the_global_average():
    from sgfns.photos.features import roi_pool

    fmap = torch.randn(7, 3, 4)
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.5, 1 / 3], [0.6, 0.6, 0.61, 0.61]])
    out = roi_pool(fmap, boxes)
    assert torch.allclose(out[0], fmap.mean((1, 2)), atol=1e-6)
    assert torch.allclose(out[1], fmap[:, 0, :2].mean(1), atol=1e-6)  # exactly the top-left 1 x 2 cells
    assert torch.allclose(out[2], fmap[:, 1, 2], atol=1e-6)  # a sliver inside one cell gets that cell


def test_proposals_fill_every_slot_and_keep_the_whole_photo_first():
    from sgfns.photos.regions import RegionSettings, propose

    torch.manual_seed(0)
    fmap = torch.relu(torch.randn(1280, 6, 6))
    fc = torch.nn.Linear(1280, 1000)
    r = propose(fmap, fc, RegionSettings(count=12))
    assert r.boxes.shape == (12, 4) and r.mask.all()
    assert np.allclose(r.boxes[0], [0, 0, 1, 1]) and r.source[0] == "whole"
    assert (r.boxes[:, 2] > r.boxes[:, 0]).all() and (r.boxes[:, 3] > r.boxes[:, 1]).all()
    empty = propose(fmap, fc, RegionSettings(count=40, methods=(), fill="none"))
    assert empty.mask.sum() == 1 and not empty.boxes[1:].any()


def test_a_folder_prepared_before_cluster_dim_keeps_its_full_feature_clustering():
    """A meta.json without `cluster_dim` (folders prepared before the projection) is read as the full-feature
    k-means it was made with, and written back unchanged: photos prepared on the fly for such a folder (search by a
    photo file, scoring photo files) get the regions the folder's own photos got."""
    from sgfns.photos.regions import RegionSettings, cluster_boxes

    old = RegionSettings().to_dict()
    del old["cluster_dim"]
    settings = RegionSettings.from_dict(old)
    assert settings.cluster_dim == 0 and settings.to_dict() == old
    assert RegionSettings.from_dict(RegionSettings().to_dict()) == RegionSettings()  # today's folders: cluster_dim 16
    torch.manual_seed(1)
    fmap = torch.relu(torch.randn(64, 6, 6))
    full = cluster_boxes(fmap, settings)
    assert full and full != cluster_boxes(fmap, RegionSettings(cluster_dim=2))  # the two methods differ
