"""`sgfns report`: grouping by model and config, mean ± std over seeds, every seed listed, bad input."""

from __future__ import annotations

import json
import statistics

import pytest

from sgfns.eval.report import collect, group, mean_std


def eval_json(model, seed, rsum_base, config_id="cfg1", comp=None):
    m = {k: rsum_base / 6 for k in ("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10")}
    m.update(rsum=rsum_base, i2t_medr=1, t2i_medr=2)
    rec = {
        "protocol": "full",
        "split": "test",
        "data": "world",
        "n_images": 10,
        "n_captions": 50,
        "metrics": m,
        "model": model,
        "seed": seed,
        "run": f"runs/{model}-{seed}",
        "config_id": config_id,
    }
    if comp is not None:
        rec["compositional"] = comp
    return rec


def write_run(tmp_path, rec):
    run = tmp_path / f"{rec['model']}-{rec['seed']}-{rec['config_id']}"
    (run / "eval").mkdir(parents=True)
    (run / "eval" / "world-test-full.json").write_text(json.dumps(rec))
    return run


def test_report_groups_by_model_and_lists_every_seed(tmp_path, cli):
    runs = []
    for seed, v in enumerate([300.0, 312.0, 306.0]):
        runs.append(write_run(tmp_path, eval_json("sgfns", seed, v, comp={"count": 60.0 + seed, "mean": 60.0})))
    for seed, v in enumerate([200.0, 210.0]):
        runs.append(write_run(tmp_path, eval_json("vsepp", seed, v, comp={"count": 50.0, "mean": 50.0})))
    rc, out, err = cli("report", *runs, "--json", tmp_path / "sum.json")
    assert rc == 0, err
    lines = out.splitlines()
    sg = next(line for line in lines if line.startswith("| sgfns |"))
    vs = next(line for line in lines if line.startswith("| vsepp |"))
    assert lines.index(sg) < lines.index(vs)  # best rSum first
    sd = statistics.stdev([300.0, 312.0, 306.0])
    assert f"306.0 ± {sd:.1f}" in sg and "| 3 |" in sg
    assert "0: 300.0, 1: 312.0, 2: 306.0" in sg
    assert "205.0 ± 7.1" in vs and "0: 200.0, 1: 210.0" in vs
    assert "Compositional accuracy" in out and "| count |" in out
    summ = json.loads((tmp_path / "sum.json").read_text())
    assert summ[0]["metrics"]["rsum"]["values"] == [300.0, 312.0, 306.0]


def test_two_configs_of_one_model_are_two_rows_and_a_single_seed_has_no_spread(tmp_path):
    recs = [eval_json("sgfns", 0, 300.0, "aaaa1111"), eval_json("sgfns", 0, 250.0, "bbbb2222")]
    p = tmp_path / "results.json"
    p.write_text(json.dumps({"results": recs}))
    groups = group(collect([p]))
    assert [g.config for g in groups] == ["aaaa1111", "bbbb2222"]
    assert groups[0].mean_std("rsum") == (300.0, None)
    assert mean_std([1.0, 3.0]) == (2.0, pytest.approx(2**0.5))


def test_a_tie_in_rsum_is_ordered_by_name_whatever_order_the_records_came_in():
    recs = [eval_json("sgfns", 0, 300.0, "bbbb2222"), eval_json("sgfns", 0, 300.0, "aaaa1111"),
            eval_json("scan", 0, 300.0)]  # fmt: skip
    orders = {tuple((g.model, g.config) for g in group(r)) for r in (recs, recs[::-1], recs[1:] + recs[:1])}
    assert orders == {(("scan", "cfg1"), ("sgfns", "aaaa1111"), ("sgfns", "bbbb2222"))}


def test_compositional_rows_name_the_config_like_the_retrieval_rows(tmp_path):
    from sgfns.eval.report import markdown

    recs = [eval_json("sgfns", 0, 300.0, "aaaa1111", {"count": 88.0, "mean": 91.0}),
            eval_json("sgfns", 1, 302.0, "aaaa1111", {"count": 86.0, "mean": 90.0}),
            eval_json("sgfns", 0, 250.0, "bbbb2222", {"count": 50.0, "mean": 80.0})]  # fmt: skip
    p = tmp_path / "results.json"
    p.write_text(json.dumps({"results": recs}))
    md = markdown(group(collect([p])))
    comp = md[md.index("Compositional") :]
    assert "| sgfns [aaaa1111] | 2 | 87.0 ± 1.4 | 90.5 ± 0.7 |" in comp
    assert "| sgfns [bbbb2222] | 1 | 50.0 | 80.0 |" in comp


def test_reevaluating_a_run_replaces_its_entry(tmp_path):
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text(json.dumps(eval_json("scan", 1, 100.0)))
    b.write_text(json.dumps(eval_json("scan", 1, 120.0)))
    (g,) = group(collect([a, b]))
    assert g.n == 1 and g.values("rsum") == [120.0]


def test_report_bad_inputs_exit_2(tmp_path, cli):
    rc, _, err = cli("report", tmp_path / "missing")
    assert rc == 2 and "no such file or run folder" in err
    (tmp_path / "x.json").write_text('{"foo": 1}')
    rc, _, err = cli("report", tmp_path / "x.json")
    assert rc == 2 and "x.json: not an evaluation JSON" in err
    (tmp_path / "run").mkdir()
    rc, _, err = cli("report", tmp_path / "run")
    assert rc == 2 and "no evaluation found" in err


def test_report_keeps_one_split_when_runs_were_evaluated_on_two(tmp_path, cli):
    runs = [write_run(tmp_path, eval_json("sgfns", s, v)) for s, v in enumerate([300.0, 310.0])]
    for run, v in zip(runs, [400.0, 410.0], strict=True):  # the same runs evaluated on val as well
        val = {**eval_json("sgfns", 0, v), "split": "val", "seed": int(run.name.split("-")[1])}
        (run / "eval" / "world-val-full.json").write_text(json.dumps(val))
    rc, out, err = cli("report", *runs)
    assert rc == 0 and "world · test · full" in out and "world · val · full" in out
    rc, out, err = cli("report", *runs, "--split", "test", "--json", tmp_path / "t.json")
    assert rc == 0, err
    assert "world · val" not in out and "305.0 ± 7.1" in out
    (entry,) = json.loads((tmp_path / "t.json").read_text())
    assert entry["split"] == "test" and entry["metrics"]["rsum"]["values"] == [300.0, 310.0]
    rc, _, err = cli("report", *runs, "--split", "dev")
    assert rc == 2 and "no evaluation of split dev" in err and "test/full" in err and "val/full" in err
