"""`sgfns demo` end to end at a tiny size: every model trained and evaluated, one table, results.json, a figure,
the README comparison."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sgfns_app import demo

TINY = ["--train", 40, "--val", 10, "--test", 20, "--epochs", 1, "--no-progress", "data.batch_size=16",
        "model.embed_dim=16", "model.word_dim=8"]  # fmt: skip


def test_demo_end_to_end_tiny(tmp_path, cli):
    out = tmp_path / "demo"
    rc, stdout, err = cli("demo", "--out", out, "--quick", *TINY)
    assert rc == 0, err
    res = json.loads((out / "results.json").read_text())
    models = [r["model"] for r in res["results"]]
    assert sorted(models) == sorted(demo.MODELS)
    for r in res["results"]:
        assert r["n_images"] == 20 and 0.0 <= r["metrics"]["rsum"] <= 600.0
        assert "mean" in r["compositional"] and "twins" in r["compositional"]
        run = out / "runs" / demo.run_folder(r["model"])
        assert (run / "checkpoints" / "best.safetensors").exists()
        # each run's log holds its own training only; sgfns + L_neg trains with generated negatives, sgfns without
        log = (run / "train.log").read_text()
        name = demo.MODELS[r["model"]][0]
        assert log.count("model ") == 1 and f"model {name}:" in log
        assert ("caption negatives:" in log) == (r["model"] == "sgfns + L_neg"), r["model"]
    assert (out / "data" / "images").is_dir() and (out / "data" / "test_compositional.jsonl").exists()
    # one table with every model, compositional columns, and the README comparison
    for m in demo.MODELS:
        assert f"| {m} |" in stdout
    assert "Compositional accuracy" in stdout and "README" in stdout
    from PIL import Image

    with Image.open(out / "figure.png") as im:
        assert im.size[0] > 500 and im.size[1] > 100
    assert res["timing"]["total_s"] > 0
    # it ends with the command that serves its own run, over a test split it encoded
    serve = re.search(r"sgfns serve --run (\S+) --index (\S+)$", stdout.strip().splitlines()[-2])
    assert serve and Path(serve[1]).parent == out / "runs" and serve[2] == str(out / "index")
    rc, hits, err = cli("search", "--run", serve[1], "--index", serve[2], "a red cube", "-k", "2")
    assert rc == 0 and str(out / "data" / "images") in hits, err
    # the same numbers through `sgfns report`
    rc, table, err = cli("report", out / "results.json")
    assert rc == 0 and all(f"| {m} |" in table for m in demo.MODELS)
    rc, table2, err = cli("report", *sorted((out / "runs").iterdir()))  # each run holds its evaluation too
    assert rc == 0 and table2 == table


def test_reference_rsum_and_ranking_warning():
    rows = [{"label": "sgfns", "metrics": {"rsum": {"mean": 450.2, "std": 3.1}}},
            {"label": "vsepp", "metrics": {"rsum": {"mean": 300.0, "std": 1.0}}}]  # fmt: skip
    ref = demo.reference_rsum(rows)
    assert ref == {"sgfns": 450.2, "vsepp": 300.0}
    agree, msg = demo.compare_rankings({"sgfns": 100.0, "vsepp": 50.0, "scan": 70.0}, ref)
    assert agree is True and "sgfns > vsepp" in msg
    # symbolic (not trained) is shown, never ranked: its place alone cannot raise the warning
    agree, msg = demo.compare_rankings({"sgfns": 100.0, "vsepp": 50.0, "symbolic": 500.0},
                                       {**ref, "symbolic": 10.0})  # fmt: skip
    assert agree is True and "symbolic" not in msg
    agree, msg = demo.compare_rankings({"sgfns": 40.0, "vsepp": 50.0}, ref)
    assert agree is False and msg.startswith("WARNING") and "vsepp > sgfns" in msg
    assert demo.compare_rankings({"sgfns": 1.0}, None)[0] is None
    # the packaged reference holds every model the demo trains (equality with docs/results: test_results_tables)
    assert set(demo.MODELS) <= set(demo.reference_rsum())


def test_demo_rejects_unknown_models(tmp_path, cli):
    rc, _, err = cli("demo", "--out", tmp_path / "d", "--models", "sgfns,clip")
    assert rc == 2 and "unknown clip" in err


@pytest.mark.parametrize("n", [0, 3])
def test_new_demo_dir_never_reuses_a_folder(tmp_path, n):
    base = tmp_path / "runs"
    first = demo.new_demo_dir(base)
    assert first == base
    seen = {first}
    for _ in range(n):
        p = demo.new_demo_dir(base)
        assert p not in seen and p.parent == base and not any(p.iterdir())
        seen.add(p)
