"""Results as data -> the results tables of the README and docs, and the demo's packaged reference.

A block in a markdown file

    <!-- begin results: docs/results/A.json docs/results/B.json -->
    ... (generated) ...
    <!-- end results -->

is replaced by the tables `sgfns report` prints (`sgfns.eval.report.tables`) for the records of the named files,
best rSum first; a block naming one paired-comparison file (`scripts/photos_results.py -o` output: models beside a
baseline with bootstrap intervals) is replaced by its tables (`sgfns.eval.paired_report.paired_tables`), rows in the
file's order. A results file is what `sgfns report --json` writes (a list of records) or an object with that
list under "results" and a "provenance" beside it. `docs/results/synthetic-world.json`, the headline table, is also
copied to `src/sgfns_app/resources/reference_results.json`: the demo's reference figures.

    .venv/bin/python scripts/render_results.py            # rewrite the blocks and the packaged copy
    .venv/bin/python scripts/render_results.py --check    # exit 1 naming what is out of date (tests run this)"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from sgfns.eval.paired_report import is_paired_result, paired_tables
from sgfns.eval.report import tables
from sgfns.io import atomic_write

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("README.md", "docs/experiments/synthetic.md", "docs/photos_results.md")
HEADLINE = "docs/results/synthetic-world.json"
PACKAGED = "src/sgfns_app/resources/reference_results.json"
BLOCK = re.compile(r"(<!-- begin results: (?P<files>[^>]*?) -->\n)(?P<body>.*?)(<!-- end results -->)", re.S)


def _rows(obj: Any) -> list[dict[str, Any]]:
    return obj["results"] if isinstance(obj, dict) else obj


def records(path: Path) -> list[dict[str, Any]]:
    return _rows(json.loads(path.read_text(encoding="utf-8")))


def render_block(files: list[str], root: Path = ROOT) -> str:
    objs = [json.loads((root / f).read_text(encoding="utf-8")) for f in files]
    if len(objs) == 1 and is_paired_result(objs[0]):
        return "\n" + paired_tables(objs[0]) + "\n"
    recs = [r for obj in objs for r in _rows(obj)]
    recs.sort(key=lambda r: -r["metrics"]["rsum"]["mean"])
    return "\n" + tables(recs) + "\n"


def render(text: str, root: Path = ROOT) -> str:
    """`text` with every results block regenerated from the files its marker names."""
    return BLOCK.sub(lambda m: m[1] + render_block(m["files"].split(), root) + m[4], text)


def outputs(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file and the text it should hold."""
    out = {root / t: render((root / t).read_text(encoding="utf-8"), root) for t in TARGETS}
    out[root / PACKAGED] = (root / HEADLINE).read_text(encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 when a file is out of date")
    args = ap.parse_args(argv)
    todo = outputs()
    stale = [p for p, text in todo.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"{p.relative_to(ROOT)}: out of date; run scripts/render_results.py", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(p) as f:
            f.write(todo[p])
        print(f"wrote {p.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
