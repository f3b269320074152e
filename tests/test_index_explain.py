"""Explanations are faithful: a hit's terms sum to its score, and each node term's per-caption-node shares sum to
the term, for text and image queries; the shares name real image nodes and recompute from the encodings."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(scope="module")
def searcher(served_world):
    from sgfns import load_model
    from sgfns.index.searcher import Searcher

    _, run, index = served_world
    model = load_model(run)
    return Searcher(model, index, checkpoint_sha256=model.run.checkpoint_sha256, threshold=-1.0)


def check_hit(hit: dict) -> None:
    parts = hit["parts"]
    assert abs(sum(parts.values()) - hit["score"]) <= 1e-5
    assert abs(sum(m["weight"] for m in hit["matches"]) - parts["object"]) <= 1e-5
    assert abs(sum(m["contribution"] for m in hit["relations"]) - parts["relation"]) <= 1e-5
    assert abs(sum(m["contribution"] for m in hit["counts"]) - parts["count"]) <= 1e-5


def test_text_hits_are_explained_faithfully(searcher):
    queries = [searcher.captions[i] for i in (0, 9, 23, 41)] + ["two small red cubes above a blue ball"]
    for q in queries:
        out = searcher.text(q, k=12)
        assert len(out["results"]) == 12
        for hit in out["results"]:
            check_hit(hit)


def test_image_hits_are_explained_faithfully(searcher):
    for image_id in searcher.ids[:4]:
        for hit in searcher.image(image_id, k=10)["results"]:
            check_hit(hit)


def test_counted_objects_carry_the_count_share(searcher):
    out = searcher.text("two small red cubes above a blue ball", k=3)
    counted = [c for hit in out["results"] for c in hit["counts"]]
    assert counted and all(c["count"] == 2 and c["contribution"] <= 0 for c in counted)


def test_each_match_is_the_best_image_node_and_its_box(searcher):
    """Recompute one hit by hand: the matched image object has the highest cosine, its region's box is returned."""
    out = searcher.text(searcher.captions[5], k=1)
    hit = out["results"][0]
    i = hit["image"]
    from sgfns.graphs.types import SceneGraph
    from sgfns.models.scoring import encode_captions

    enc = encode_captions(searcher.model, [out["query"]], [SceneGraph.from_dict(out["graph"])])
    iv, im = searcher.img.sets["obj"][0][i], searcher.img.sets["obj"][1][i]
    cv = enc.sets["obj"][0][0][enc.sets["obj"][1][0]]
    cos = (iv.float() @ cv.float().T).masked_fill(~im[:, None], float("-inf"))
    for m in hit["matches"]:
        j = m["caption_object"]
        assert m["image_object"] == int(cos[:, j].argmax())
        assert m["cosine"] == pytest.approx(float(cos[:, j].max()), abs=1e-5)
        objects = searcher.image_graphs[i].objects
        if not objects:  # an image without a graph matches its null node: no region
            assert m["image_object"] == 0 and m["region"] is None and m["image_label"] is None
            continue
        obj = objects[m["image_object"]]
        assert m["region"] == obj.region
        if obj.region is not None:
            assert m["box"] == pytest.approx(searcher.boxes[i, obj.region].tolist(), abs=1e-4)


def test_threshold_turns_weak_matches_into_no_region(searcher):
    from sgfns.index.searcher import Searcher

    strict = Searcher(searcher.model, searcher.index_dir, threshold=1.01)
    hit = strict.text(searcher.captions[5], k=1)["results"][0]
    assert hit["matches"] and all(m["region"] is None and m["box"] is None for m in hit["matches"])
    loose = searcher.text(searcher.captions[5], k=1)["results"][0]
    assert [m["weight"] for m in hit["matches"]] == pytest.approx([m["weight"] for m in loose["matches"]])


def test_explain_pairs_on_random_sgfns_parts_match_pair_parts():
    """Library level, no data: shares of random encodings sum to `pair_parts`' terms (count keys on and off)."""
    from sgfns.index.explain import explain_pairs
    from sgfns.models.base import Encoded
    from sgfns.models.registry import create_model
    from sgfns.models.scoring import pair_parts

    torch.manual_seed(0)
    for keys in (False, True):
        model = create_model("sgfns-tiny", count_keys=keys, vocab_size=50, img_dim=8).eval()

        def enc(n: int, L: int, counts: bool, keys: bool = keys) -> Encoded:
            sets = {}
            for s in ("obj", "rel") + (("cnt",) if keys else ()):
                mask = torch.rand(n, L) < 0.7
                mask[:, 0] = True
                sets[s] = (torch.nn.functional.normalize(torch.randn(n, L, 32), dim=-1), mask)
            extra = {"count": torch.randint(-1, 4, (n, L))} if counts else {}
            return Encoded(glob=torch.nn.functional.normalize(torch.randn(n, 32), dim=-1), sets=sets, extra=extra)

        img, cap = enc(6, 5, False), enc(4, 4, True)
        pi, pc = torch.tensor([0, 1, 5, 3, 2]), torch.tensor([0, 3, 1, 2, 3])
        parts = pair_parts(model, img, cap, pi, pc)
        for p, ex in enumerate(explain_pairs(model, img, cap, pi.tolist(), pc.tolist(), parts)):
            for term in ("object", "relation", "count"):
                shares = sum(m.contribution for m in ex.nodes[term])
                assert abs(shares - float(parts[term][p])) <= 1e-5, (keys, term)
