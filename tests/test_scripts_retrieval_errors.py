"""scripts/retrieval_errors.py: what the wrongly first image lacks, and which score part put it first."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import retrieval_errors  # noqa: E402


def obj(name, *atts, count=None):
    return {"name": name, "attributes": list(atts), "count": count}


def graph(objects, relations=()):
    return {"objects": objects, "relations": [{"subject": s, "predicate": p, "object": o} for s, p, o in relations]}


IMAGES = [
    graph([obj("ball", "red"), obj("tree")]),  # 0
    graph([obj("ball", "blue"), obj("tree")]),  # 1
    graph([obj("dog"), obj("cat")], [(0, "left of", 1)]),  # 2
    graph([obj("dog"), obj("cat")], [(1, "left of", 0)]),  # 3
    graph([obj("dog", count=2), obj("cat")]),  # 4
]
CAPTIONS = [
    [graph([obj("ball", "red")])],
    [graph([obj("ball", "blue")])],
    [graph([obj("dog"), obj("cat")], [(0, "left of", 1)])],
    [graph([obj("cat"), obj("dog")], [(0, "left of", 1)])],
    [graph([obj("cat"), obj("dog", count=2)])],
]


def world(tmp_path: Path, predicted=IMAGES) -> Path:
    gt = [{"image": i, "graph": g, "captions": [{"caption": "c", "graph": c} for c in CAPTIONS[i]]}
          for i, g in enumerate(IMAGES)]  # fmt: skip
    (tmp_path / "test_gt.jsonl").write_text("".join(json.dumps(r) + "\n" for r in gt))
    (tmp_path / "test_image_sg.jsonl").write_text("".join(json.dumps(g) + "\n" for g in predicted))
    return tmp_path


def t2i(c, rank, top, best_parts=None, top_parts=None):
    return {"direction": "t2i", "caption_index": c, "rank": rank, "best_positive": {"image": c, "parts": best_parts},
            "top": [{"image": top, "parts": top_parts}]}  # fmt: skip


RANKS = [
    t2i(0, 2, 1, {"global": 0.5, "object": 0.3}, {"global": 0.7, "object": 0.1}),  # a blue ball above the red one
    t2i(1, 1, 1),
    t2i(2, 3, 3, {"global": 0.4, "object": 0.2}, {"global": 0.5, "object": 0.2}),  # the cat is left of the dog there
    t2i(3, 1, 3),
    t2i(4, 2, 2),  # one dog in image 2, the caption says two
    {"direction": "i2t", "image": 1, "rank": 2, "top": [{"caption_index": 0}]},
]


def test_failures_are_sorted_by_what_the_first_image_lacks_and_parts_read_on_separable_ones(tmp_path, capsys):
    assert retrieval_errors.main(["--ranks", str(_ranks(tmp_path)), "--data", str(world(tmp_path))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["t2i"]["failures"] == 3
    assert out["t2i"]["image_lacks"] == {"attribute": 1, "relation reversed": 1, "count": 1}
    assert out["t2i"]["missing_attributes"] == {"red": 1}
    # the predicted graphs are the truth here: each failure was separable
    assert out["t2i"]["separable_by_predicted_graphs"] == 3
    parts = out["t2i"]["parts_on_separable"]
    assert parts["global"] == {"mean_true_minus_wrong": -0.15, "true_image_higher": 0}
    assert parts["object"] == {"mean_true_minus_wrong": 0.1, "true_image_higher": 1}
    assert out["i2t"] == {"failures": 1, "image_lacks": {"attribute": 1}}


def test_a_failure_the_predicted_graphs_cannot_separate_is_not_counted_separable(tmp_path, capsys):
    blind = [IMAGES[0], IMAGES[0], IMAGES[2], IMAGES[2], IMAGES[4]]  # the predictor sees image 1 as image 0, 3 as 2
    assert retrieval_errors.main(["--ranks", str(_ranks(tmp_path)), "--data", str(world(tmp_path, blind))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["t2i"]["separable_by_predicted_graphs"] == 1  # only the count failure (image 2's one dog)
    assert out["t2i"]["image_lacks"] == {"attribute": 1, "relation reversed": 1, "count": 1}  # truth, not prediction


def test_ranks_of_another_split_are_a_one_line_error(tmp_path, capsys):
    ranks = tmp_path / "r.jsonl"
    ranks.write_text(json.dumps(RANKS[0]) + "\n")
    assert retrieval_errors.main(["--ranks", str(ranks), "--data", str(world(tmp_path))]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "1 text queries for 5 captions" in err


def _ranks(tmp_path: Path) -> Path:
    p = tmp_path / "ranks.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in RANKS))
    return p
