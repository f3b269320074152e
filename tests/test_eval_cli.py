"""`sgfns eval` and `sgfns score` end to end on a tiny untrained run over the toy dataset."""

from __future__ import annotations

import json

import pytest
import yaml

from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.eval.recall import recall_metrics


def make_run(root, data, model_name="sgfns-tiny", seed=0):
    """A run folder as `sgfns train` leaves it (model.json, vocab.json, config.yaml, best weights)."""
    import torch

    from sgfns.models import create_model
    from sgfns.text import TextProcessor
    from sgfns_app.train.checkpoint import save_weights, write_model_json

    train = load_split(data, "train")
    tp = TextProcessor.build(train.captions, train.caption_graphs)
    torch.manual_seed(seed)
    opts = {"vocab_size": len(tp.vocab), "img_dim": train.feature_dim} if model_name != "symbolic" else {}
    model = create_model(model_name, **opts)
    root.mkdir(parents=True)
    write_model_json(root, model)
    tp.save(root / "vocab.json")
    (root / "config.yaml").write_text(yaml.safe_dump({"seed": seed, "epochs": 1, "model": {"name": model_name}}))
    (root / "checkpoints").mkdir()
    save_weights(model, root / "checkpoints" / "best.safetensors")
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("evalcli")
    data = write_toy_dataset(base / "data", n_images=20, feature_dim=16, splits=("train", "test"), suites=True)
    run = make_run(base / "run", data)
    return base, data, run


def test_eval_writes_design_json_and_ranks(world, cli):
    base, data, run = world
    out = base / "e.json"
    ranks = base / "ranks.jsonl"
    rc, stdout, err = cli("eval", "--run", run, "--data", data, "--json", out, "--ranks", ranks, "--no-progress")
    assert rc == 0, err
    rec = json.loads(out.read_text())
    assert rec["protocol"] == "full" and rec["split"] == "test"
    assert (rec["n_images"], rec["n_captions"]) == (20, 100)
    assert set(rec["metrics"]) == {"i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10", "rsum", "i2t_medr",
                                   "t2i_medr"}  # fmt: skip
    assert rec["model"] == "sgfns-tiny" and len(rec["checkpoint_sha256"]) == 64
    assert {"sgfns", "torch"} <= set(rec["versions"])
    assert rec["seed"] == 0 and rec["config_id"]
    assert set(rec["compositional"]) >= {"twins", "mean"}
    assert "with_relations" in rec["by_relations"]
    assert "rSum" in stdout
    # the copy in the run folder is what `report RUN` reads
    assert json.loads((run / "eval" / "data-test-full.json").read_text()) == rec
    lines = [json.loads(x) for x in ranks.read_text().splitlines()]
    assert len(lines) == 20 + 100
    t2i = [r for r in lines if r["direction"] == "t2i"]
    i2t = [r for r in lines if r["direction"] == "i2t"]
    # the ranks file agrees with the metrics
    assert 100.0 * sum(r["rank"] <= 1 for r in t2i) / 100 == pytest.approx(rec["metrics"]["t2i_r1"])
    assert 100.0 * sum(r["rank"] <= 5 for r in i2t) / 20 == pytest.approx(rec["metrics"]["i2t_r5"])
    top = t2i[0]["top"][0]
    assert {"global", "object", "relation"} <= set(top["parts"])
    assert sum(top["parts"].values()) == pytest.approx(top["score"], abs=1e-4)
    rc, stdout, err = cli("report", run)
    assert rc == 0 and "| sgfns-tiny |" in stdout


def test_eval_metrics_equal_recall_of_the_models_matrix(world):
    from sgfns import load_model
    from sgfns.eval.evaluator import evaluate_with_split
    from sgfns.models.scoring import encode_captions, encode_images, similarity_matrix

    base, data, run = world
    model = load_model(run)
    rec, ev = evaluate_with_split(model, data)
    split = load_split(data, "test")
    sim = similarity_matrix(
        model,
        encode_images(model, split),
        encode_captions(model, split.captions, split.caption_graphs),
    )
    want = recall_metrics(sim, split.positive_mask())
    for k, v in want.items():
        assert rec["metrics"][k] == pytest.approx(v), k


def test_eval_user_errors(world, cli):
    base, data, run = world
    rc, _, err = cli("eval", "--run", run, "--data", data, "--protocol", "f30k-1k")
    assert rc == 2 and "protocol 'f30k-1k' does not fit: 20 images (expected 1000)" in err
    rc, _, err = cli("eval", "--run", base / "nope", "--data", data)
    assert rc == 2 and "run folder not found" in err
    rc, _, err = cli("eval", "--run", run, "--data", data, "--split", "val")
    assert rc == 2 and "no split 'val'" in err
    rc, _, err = cli("eval", "--run", run, "--data", data, "--protocol", "coco")
    assert rc == 2 and "unknown protocol 'coco'" in err


def test_score_pairs_adds_scores_consistently(world, cli):
    from sgfns import load_model
    from sgfns.graphs.parser import load_parser
    from sgfns.models.scoring import encode_captions, encode_images, similarity_matrix

    base, data, run = world
    split = load_split(data, "test")
    pairs = [
        {"image_id": split.ids[3], "caption": split.captions[15], "negative": "a purple ring above a tiny cone"},
        {"image": 3, "caption": split.captions[15]},
        {"image": 7, "caption": split.captions[15], "note": "kept"},
    ]
    pin = base / "pairs.jsonl"
    pin.write_text("".join(json.dumps(p) + "\n" for p in pairs))
    out = base / "scored.jsonl"
    rc, _, err = cli("score", "--run", run, "--data", data, "--split", "test", "--pairs", pin, "-o", out,
                     "--no-progress")  # fmt: skip
    assert rc == 0, err
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert [{k: v for k, v in g.items() if k not in ("score", "negative_score")} for g in got] == pairs
    assert "negative_score" in got[0] and "negative_score" not in got[1]
    assert got[0]["score"] == got[1]["score"]  # same pair by id or index, independent of the batch
    model = load_model(run)
    texts = [split.captions[15], "a purple ring above a tiny cone"]
    sim = similarity_matrix(
        model, encode_images(model, split), encode_captions(model, texts, load_parser().parse_batch(texts))
    )
    assert got[0]["score"] == pytest.approx(float(sim[3, 0]), abs=1e-5)
    assert got[0]["negative_score"] == pytest.approx(float(sim[3, 1]), abs=1e-5)
    assert got[2]["score"] == pytest.approx(float(sim[7, 0]), abs=1e-5)


def test_score_bad_pairs_name_the_line(world, cli):
    base, data, run = world
    pin = base / "bad.jsonl"
    pin.write_text('{"image": 0, "caption": "a red cube"}\n{"image_id": "nope", "caption": "x"}\n')
    rc, _, err = cli("score", "--run", run, "--data", data, "--split", "test", "--pairs", pin)
    assert rc == 2 and "bad.jsonl:2: image_id 'nope' is not in the split" in err
    pin.write_text('{"image": 0, "image_id": "test_00000", "caption": "a red cube"}\n')
    rc, _, err = cli("score", "--run", run, "--data", data, "--split", "test", "--pairs", pin)
    assert rc == 2 and "bad.jsonl:1: give exactly one of" in err


def test_eval_warns_when_the_parser_changed_since_training(world, cli, monkeypatch, tmp_path):
    import shutil

    base, data, run = world
    monkeypatch.setenv("SGFNS_CACHE_DIR", str(tmp_path / "cache"))
    run2 = tmp_path / "run-parser"
    shutil.copytree(run, run2, ignore=shutil.ignore_patterns("eval"))
    cfg = yaml.safe_load((run2 / "config.yaml").read_text())
    cfg["data"] = {"text_graphs": "parser"}
    (run2 / "config.yaml").write_text(yaml.safe_dump(cfg))
    (run2 / "versions.json").write_text(json.dumps({"parser": "parser@rules-0+old"}))
    rc, _, err = cli("eval", "--run", run2, "--data", data, "--no-progress")
    assert rc == 0, err
    assert "trained on caption graphs from parser@rules-0+old" in err


def test_config_id_ignores_seed_and_device_but_not_the_recipe():
    from sgfns.eval.provenance import config_id

    a = {"seed": 0, "device": "cpu", "epochs": 6, "optim": {"lr": 5e-4}, "run_dir": "/x/a", "threads": 2}
    b = {"seed": 1, "device": "cuda", "epochs": 6, "optim": {"lr": 5e-4}, "run_dir": "/y/b", "threads": 1}
    c = {**a, "optim": {"lr": 1e-4}}
    assert config_id(a) == config_id(b) != config_id(c)
