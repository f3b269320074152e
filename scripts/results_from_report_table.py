"""One-time converter: the README's `sgfns report` tables of a past commit -> `sgfns report --json` records.

The runs behind the README's synthetic-world tables are no longer on the machine; only their printed tables are.
This script reads those tables from `git show COMMIT:README.md`, turns every row into the record `sgfns report
--json` writes for a grouped row (label, model, seeds, mean/std of every metric, rSum of every seed, compositional
mean/std), and checks that rendering the records again (`sgfns.eval.report.tables`) gives back the very same table
lines, so nothing is lost or altered in transcription. Values are what the tables printed (one decimal); per-seed
values are known only for rSum, and the runs' config ids are unknown (null).

    .venv/bin/python scripts/results_from_report_table.py --commit 8c5eabc --out-dir docs/results

writes `synthetic-world.json` (the current rows) and `synthetic-world-earlier.json` (earlier configurations and
ablations), each `{"provenance": {...}, "results": [records]}`."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from sgfns.eval.recall import RECALL_KEYS
from sgfns.eval.report import tables
from sgfns.io import write_json

SECTION = "### Models on the default synthetic world (one budget for all, 3 seeds)"
#: rows of the table that are the current configuration of each model (the README keeps only these), with the label
#: they get there: the demo's model label, so that the demo finds its reference row
CURRENT = {"sgfns + L_neg (λ = 1)": "sgfns + L_neg", "sgfns": "sgfns", "sgm": "sgm", "scan": "scan",
           "symbolic": "symbolic", "vsepp": "vsepp"}  # fmt: skip
METRICS = (*RECALL_KEYS, "rsum")
TITLE = re.compile(r"^\*\*(?P<title>[^*]+)\*\* \(mean ± std over seeds; rSum of every seed listed\)")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _stat(cell: str) -> dict[str, float | None] | None:
    if cell == "–":
        return None
    mean, _, std = cell.partition("±")
    return {"mean": float(mean), "std": float(std) if std.strip() else None}


def _table(lines: list[str], start: int) -> tuple[list[str], int]:
    """The table lines (header, rule, rows) beginning at `start`, and the index after them."""
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end], end


def parse(readme: str) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(records, the original table lines, the section's command block) from a README in the old format."""
    lines = readme.splitlines()
    sec = lines.index(SECTION)
    title_at = next(i for i in range(sec, len(lines)) if TITLE.match(lines[i]))
    data, split, protocol = (x.strip() for x in TITLE.match(lines[title_at])["title"].split("·"))
    ret_at = next(i for i in range(title_at, len(lines)) if lines[i].startswith("| model | seeds | I→T R@1"))
    retrieval, after = _table(lines, ret_at)
    comp_at = next(i for i in range(after, len(lines)) if lines[i].startswith("| model | seeds |"))
    comp, _ = _table(lines, comp_at)
    comp_keys = _cells(comp[0])[2:]
    comp_rows = {_cells(r)[0]: _cells(r) for r in comp[2:]}
    records = []
    for row in retrieval[2:]:
        c = _cells(row)
        label, n = c[0], int(c[1])
        per_seed = [p.split(":") for p in c[9].split(",")]
        seeds = [s.strip() for s, _ in per_seed]
        if len(seeds) != n:
            raise ValueError(f"{label}: {n} seeds but {len(seeds)} per-seed rSum values")
        metrics = {k: _stat(v) for k, v in zip(METRICS, c[2:9], strict=True)}
        metrics["rsum"]["values"] = [float(v) for _, v in per_seed]
        cc = comp_rows[label]
        records.append({
            "label": label,
            "data": data,
            "split": split,
            "protocol": protocol,
            "model": label.split()[0].rstrip(","),
            "config_id": None,
            "seeds": seeds,
            "metrics": {k: v for k, v in metrics.items() if v is not None},
            "compositional": {k: s for k, v in zip(comp_keys, cc[2:], strict=True) if (s := _stat(v)) is not None},
        })  # fmt: skip
    code = lines.index("```bash", sec)
    commands = lines[code + 1 : lines.index("```", code + 1)]
    return records, retrieval + comp, commands


def check_round_trip(records: list[dict[str, Any]], original: list[str]) -> None:
    """Rendering the records must give back every original table line, character for character."""
    rendered = [line for line in tables(records).splitlines() if line.startswith("|")]
    if rendered != original:
        diff = [(a, b) for a, b in zip(original, rendered, strict=False) if a != b]
        raise SystemExit(f"round trip differs ({len(diff)} lines), first: {diff[:1]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commit", required=True, help="the commit whose README.md holds the tables")
    ap.add_argument("--out-dir", type=Path, default=Path("docs/results"))
    args = ap.parse_args(argv)
    sha = subprocess.run(["git", "rev-parse", args.commit], capture_output=True, text=True, check=True).stdout.strip()
    date = subprocess.run(["git", "show", "-s", "--format=%cI", sha], capture_output=True, text=True, check=True)
    readme = subprocess.run(["git", "show", f"{sha}:README.md"], capture_output=True, text=True, check=True).stdout
    records, original, commands = parse(readme)
    check_round_trip(records, original)
    provenance = {
        "source": f"README.md of commit {sha}, section {SECTION.lstrip('# ')!r}",
        "commit": sha,
        "commit_date": date.stdout.strip(),
        "produced_by": "sgfns report runs/* (over the evaluation JSONs of the runs below, run on 2026-11-29 on the "
        "shared 2-core CPU machine; WORLD = `sgfns synth --out WORLD`, default sizes, seed 0)",
        "commands": commands,
        "variants": "rows whose label names a variant (other rules, stop-gradient, an earlier configuration) were "
        "trained with the overrides listed, run by run, in docs/negatives.md, section 'Full-size runs'",
        "transcribed_by": f"scripts/results_from_report_table.py --commit {args.commit}",
        "note": "values as the table printed them (one decimal); per-seed values only for rSum; config_id unknown "
        "(the runs are no longer on this machine)",
    }
    current = [{**r, "label": CURRENT[r["label"]]} for r in records if r["label"] in CURRENT]
    earlier = [r for r in records if r["label"] not in CURRENT]
    if len(current) != len(CURRENT):
        raise SystemExit(f"expected the rows {CURRENT}, found {[r['label'] for r in current]}")
    write_json(args.out_dir / "synthetic-world.json", {"provenance": provenance, "results": current})
    write_json(args.out_dir / "synthetic-world-earlier.json", {"provenance": provenance, "results": earlier})
    print(f"{len(current)} current and {len(earlier)} earlier rows from {sha[:7]} -> {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
