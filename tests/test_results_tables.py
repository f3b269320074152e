"""Results as data: the README's and docs' results tables and the demo's packaged reference are what
docs/results/*.json render to (scripts/render_results.py); the one-time converter reads back its own format."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


render = _script("render_results")


def _labels(path: Path) -> list[str]:
    return [r["label"] for r in render.records(path)]


def test_readme_docs_and_packaged_reference_are_what_the_results_data_render_to():
    stale = [str(p.relative_to(ROOT)) for p, text in render.outputs().items() if p.read_text("utf-8") != text]
    assert not stale, f"out of date (run .venv/bin/python scripts/render_results.py): {stale}"


def test_a_changed_figure_in_the_readme_is_caught_and_restored():
    readme = (ROOT / "README.md").read_text("utf-8")
    rsum = render.records(ROOT / "docs/results/synthetic-world.json")[0]["metrics"]["rsum"]
    cell = f"| {rsum['mean']:.1f} ± {rsum['std']:.1f} |"
    assert cell in readme
    edited = readme.replace(cell, f"| {rsum['mean'] + 1:.1f} ± {rsum['std']:.1f} |", 1)
    assert render.render(edited) == readme


def _block(path: Path, results_file: str) -> str:
    """The generated block of `path` whose marker names `results_file` first (the README also has a photos block)."""
    text = path.read_text("utf-8")
    start = text.index(f"<!-- begin results: {results_file}")
    return text[start : text.index("<!-- end results -->", start)]


def test_readme_keeps_the_current_rows_and_the_experiments_doc_every_row():
    current = _labels(ROOT / "docs/results/synthetic-world.json")
    before = _labels(ROOT / "docs/results/synthetic-world-2026-11-29.json")
    earlier = _labels(ROOT / "docs/results/synthetic-world-earlier.json")
    assert sorted(c.split()[0] for c in current) == ["scan", "sgfns", "sgfns", "sgm", "symbolic", "vsepp"]
    readme = _block(ROOT / "README.md", "docs/results/synthetic-world.json")
    experiments = (ROOT / "docs/experiments/synthetic.md").read_text("utf-8")
    for label in current:
        assert readme.count(f"| {label} |") == 2  # retrieval and compositional tables
    # the experiments doc: the re-measured table, and the earlier world's table with the ablations beside it
    assert set(before) == set(current)
    for label in current:
        assert experiments.count(f"| {label} |") == 4
    for label in earlier:
        assert experiments.count(f"| {label} |") == 2
    full_readme = (ROOT / "README.md").read_text("utf-8")
    assert not any(f"| {label} |" in full_readme for label in earlier)


def test_the_demo_reads_the_packaged_reference():
    from sgfns_app import demo

    docs = json.loads((ROOT / "docs/results/synthetic-world.json").read_text("utf-8"))["results"]
    assert demo.reference_results() == docs
    plain = next(r for r in docs if r["label"] == "sgfns")
    assert demo.reference_rsum()["sgfns"] == plain["metrics"]["rsum"]["mean"]


def test_converter_reads_back_tables_in_the_old_readme_format():
    from sgfns.eval.report import tables

    conv = _script("results_from_report_table")
    rows = render.records(ROOT / "docs/results/synthetic-world-2026-11-29.json")  # transcribed: one decimal
    old = "\n".join([
        conv.SECTION, "", "Produced by:", "", "```bash", "sgfns report runs/*", "```", "",
        tables(rows).replace(" (mean ± std over seeds; rSum of every seed listed)\n",
                             " (mean ± std over seeds; rSum of every seed listed). Notes.\n"),
    ])  # fmt: skip
    records, original, commands = conv.parse(old)
    assert records == rows and commands == ["sgfns report runs/*"]
    conv.check_round_trip(records, original)


def test_a_paired_comparison_block_renders_its_file_and_catches_an_edit(tmp_path):
    """A block naming one paired-comparison file (`scripts/photos_results.py -o`) becomes its two tables: recalls
    with the bootstrap difference from the baseline, and per-rule accuracy; a figure edited by hand is restored."""
    from sgfns.eval.paired_report import paired_tables

    rec = {k: {"mean": 10.0, "sd": 0.0} for k in ("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10")}
    base = dict(rec, rsum={"mean": 60.0, "sd": 0.0}, seeds=1, negatives={"count": {"mean": 40.0, "pairs": 9}})
    other = dict(base, rsum={"mean": 75.5, "sd": 2.25}, seeds=3, negatives={"count": {"mean": 55.0, "pairs": 9}},
                 vs_baseline={"rsum": {"diff": 15.5, "low": 3.0, "high": 28.25},
                              "count": {"diff": 15.0, "low": -1.0, "high": 30.0,
                                        "seeds": {"low": -6.5, "high": 34.0, "n_seeds": [3, 1]}}})  # fmt: skip
    chance = {k: 1.0 for k in rec} | {"rsum": 6.0}
    result = {"chance": chance, "baseline": "fp", "models": {"fp": base, "sg": other}}
    (tmp_path / "r.json").write_text(json.dumps(result))
    text = paired_tables(result)
    assert "| sg | 3 | 10.0 | 10.0 | 10.0 | 10.0 | 10.0 | 10.0 | 75.5 ± 2.2 | +15.5 [+3.0, +28.2] |" in text
    assert "| model | count (9) |" in text and "| sg | 55.0 (+15.0 [-1.0, +30.0], with seeds [-6.5, +34.0]) |" in text
    block = "x\n<!-- begin results: r.json -->\nstale\n<!-- end results -->\n"
    rendered = render.render(block, tmp_path)
    assert rendered == f"x\n<!-- begin results: r.json -->\n\n{text}\n<!-- end results -->\n"
    assert render.render(rendered.replace("75.5 ± 2.2", "80.0 ± 2.2"), tmp_path) == rendered


def test_the_pooled_accuracy_column_comes_after_the_rules():
    from sgfns.eval.paired_report import paired_tables

    rec = {k: {"mean": 10.0, "sd": 0.0} for k in ("i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10")}
    negatives = {"all": {"mean": 50.0, "pairs": 12}, "count": {"mean": 40.0, "pairs": 9},
                 "swap-att": {"mean": 80.0, "pairs": 3}}  # fmt: skip
    model = dict(rec, rsum={"mean": 60.0, "sd": 0.0}, seeds=1, negatives=negatives)
    text = paired_tables({"chance": {k: 1.0 for k in rec} | {"rsum": 6.0}, "baseline": "fp", "models": {"fp": model}})
    assert "| model | count (9) | swap-att (3) | all (12) |" in text
    assert "| fp | 40.0 (—) | 80.0 (—) | 50.0 (—) |" in text
