"""scripts/negatives_unchanged.py: a data folder's cached negatives regenerated with this code, compared."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "negatives_unchanged.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def test_same_code_same_negatives_and_a_changed_cache_is_found(tmp_path):
    from sgfns.data.dataset import load_split
    from sgfns.data.toy import write_toy_dataset
    from sgfns.negatives.cache import caption_negatives_for

    root = write_toy_dataset(tmp_path / "toy", n_images=8, feature_dim=16, regions=4)
    split = load_split(root, "train")
    negs = caption_negatives_for(split, split.caption_graphs, seed=3)  # writes train_negs.jsonl beside the data
    assert sum(map(len, negs)) > 0
    r = _run(root)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[0])
    assert out["differ"] == 0 and out["captions"] == len(split.captions) and out["seed"] == 3
    # one negative of the cache edited by hand: found, named, exit status 1
    path = Path(root) / "train_negs.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if json.loads(line))
    recs = json.loads(lines[i])
    recs[0]["negative"] = recs[0]["negative"] + " indeed"
    lines[i] = json.dumps(recs)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = _run(root)
    assert r.returncode == 1 and json.loads(r.stdout.splitlines()[0])["differ"] == 1
    assert json.loads(r.stdout.splitlines()[1])["caption"] == split.captions[i]


def test_no_cache_is_a_one_line_error(tmp_path):
    from sgfns.data.toy import write_toy_dataset

    root = write_toy_dataset(tmp_path / "toy", n_images=4, feature_dim=16, regions=4)
    r = _run(root)
    assert r.returncode == 2 and "train_negs.meta.json" in r.stderr and r.stderr.count("\n") == 1


def test_a_cache_of_another_parser_is_refused_unless_asked(tmp_path):
    pytest.importorskip("spacy")
    from sgfns.data.dataset import load_split
    from sgfns.data.toy import write_toy_dataset
    from sgfns.graphs.parser import load_parser
    from sgfns.negatives.cache import caption_negatives_for

    root = write_toy_dataset(tmp_path / "toy", n_images=4, feature_dim=16, regions=4)
    split = load_split(root, "train")
    caption_negatives_for(split, split.caption_graphs, seed=3, parser=load_parser())  # with the re-parse check
    meta_path = Path(root) / "train_negs.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["reparse_parser"] == load_parser().version
    meta["reparse_parser"] = "rules-1+spacy-0+an_older_model"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    r = _run(root)
    assert r.returncode == 2 and "rules-1+spacy-0+an_older_model" in r.stderr and r.stderr.count("\n") == 1
    r = _run(root, "--any-parser")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[0])
    assert out["differ"] == 0 and out["cache_parser"] == "rules-1+spacy-0+an_older_model"
    assert out["parser"] and out["parser"] != out["cache_parser"]


def test_a_cache_of_the_first_images_only_is_compared_on_those(tmp_path):
    # a run trained with data.max_train_images caches the negatives of the captions it read: the first images'
    from sgfns.data.dataset import load_split
    from sgfns.data.toy import write_toy_dataset
    from sgfns.negatives.cache import caption_negatives_for
    from sgfns_app.train.loop import subset_split

    root = write_toy_dataset(tmp_path / "toy", n_images=8, feature_dim=16, regions=4)
    split = subset_split(load_split(root, "train"), 4)
    caption_negatives_for(split, split.caption_graphs, seed=3)
    r = _run(root)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[0])
    assert out["differ"] == 0 and out["captions"] == len(split.captions) < len(load_split(root, "train").captions)
