"""How many captions the project's parser turns into exactly their ground-truth graph, per construction.

"Exactly" = `gtgraph.graphs_equal`: equal after the canonical-synonym map, object order ignored, count 1 == null,
spans ignored. Captions are never filtered by this: it measures the parser on the world, it does not shape the
world. Failures can be written out for the parser's authors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sgfns.data.synth.gtgraph import graphs_equal
from sgfns.io import read_jsonl


def parse_check(root: str | Path, split: str = "test", parser=None, limit: int | None = None) -> dict[str, Any]:
    """Parse the split's captions and compare with `{split}_gt.jsonl`. Returns overall and per-construction rates
    (percent) and the failing captions with both graphs."""
    if parser is None:
        from sgfns.graphs.parser import load_parser

        parser = load_parser()
    root = Path(root)
    caps, gts, cons = [], [], []
    for _, rec in read_jsonl(root / f"{split}_gt.jsonl"):
        for c in rec["captions"]:
            caps.append(c["caption"])
            gts.append(c["graph"])
            cons.append(c.get("constructions", []))
        if limit is not None and len(caps) >= limit:
            break
    parsed = parser.parse_batch(caps)
    ok_by: Counter = Counter()
    n_by: Counter = Counter()
    failures = []
    n_ok = 0
    for text, gt, pg, cs in zip(caps, gts, parsed, cons, strict=True):
        got = pg.to_dict()
        ok = graphs_equal(got, gt)
        n_ok += ok
        for c in cs:
            n_by[c] += 1
            ok_by[c] += ok
        if not ok:
            failures.append({"caption": text, "constructions": cs, "expected": _brief(gt), "parsed": _brief(got)})
    return {
        "split": split,
        "captions": len(caps),
        "exact": round(100.0 * n_ok / max(len(caps), 1), 2),
        "by_construction": {c: round(100.0 * ok_by[c] / n_by[c], 2) for c in sorted(n_by)},
        "parser": getattr(parser, "version", "?"),
        "failures": failures,
    }


def _brief(g: dict) -> str:
    objs = g.get("objects", [])

    def name(o):
        n = o["name"] if o.get("count") in (None, 1) else f"{o['count']}x{o['name']}"
        return " ".join([*o.get("attributes", []), n])

    rels = [f"{name(objs[r['subject']])} -{r['predicate']}-> {name(objs[r['object']])}" for r in g.get("relations", [])]
    return "; ".join([name(o) for o in objs] + rels)


def write_failures(report: dict[str, Any], path: str | Path, max_lines: int = 400) -> int:
    """Append-free rewrite of the failures file the parser's authors read: one block per failing caption."""
    lines = [
        f"# synthetic-world captions the parser ({report['parser']}) does not parse to their ground-truth graph",
        f"# split {report['split']}: {report['exact']}% exact of {report['captions']}; per construction "
        + ", ".join(f"{k} {v}%" for k, v in report["by_construction"].items()),
        "# caption\tconstructions\texpected\tparsed",
    ]
    for f in report["failures"][:max_lines]:
        lines.append(f"{f['caption']}\t{','.join(f['constructions'])}\t{f['expected']}\t{f['parsed']}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(report["failures"])
