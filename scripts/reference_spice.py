"""Score a candidate file with FACTUAL's own scorer (the reference) and write per-row values.

The reference is NOT a project dependency. Install it somewhere apart, e.g.

    python -m pip install --no-deps --target /tmp/factual_ref factualscenegraph==0.7.3 nltk tabulate

and run (PYTHONHASHSEED fixed: the reference iterates over Python sets of strings)

    PYTHONHASHSEED=0 python scripts/reference_spice.py --ref-path /tmp/factual_ref \
        --gold ../shared/data/factual/random_dev.csv --cand dev_facts.txt --out per_row.jsonl

`--cand` holds one FACTUAL fact line per gold row (`sgfns parse --format factual` writes this). Per row the
output has: `spice_f` (`eval_spice(cand, [gold])` with its defaults), `spice_f_nosyn` (`merge_tuples_synonyms=False,
synonym_match=False`), `relation_f` (`eval_spice` over the relation facts only; null when the gold has none; 0 when
the candidate has none) and `set_match` (`eval_set_match`). The last line printed is a JSON summary in percent.
The scorer's code path never opens NLTK's WordNet corpus (it uses its own `english.synsets`), so no NLTK data is
needed although `nltk` must be importable (checked: the figures are identical with NLTK_DATA unset). Debian's
`wordnet-base` (/usr/share/wordnet) is not enough for NLTK 3.10's WordNet reader anyway: it also wants `lexnames`
and `index.sense` (the latter is in Debian's `wordnet-sense-index`), and it refuses symlinked files.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys


def relation_facts(graph: str, get_seg_list) -> str:
    out = []
    for seg in get_seg_list(graph):
        lf = [t.strip() for t in seg.split(",")]
        if len(lf) >= 3 and not (len(lf) == 3 and lf[1] == "is"):
            out.append("( " + " , ".join(lf) + " )")
    return " , ".join(sorted(out))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref-path", help="folder holding the installed factual_scene_graph package")
    ap.add_argument("--gold", required=True, help="FACTUAL csv (caption, scene_graph columns)")
    ap.add_argument("--cand", required=True, help="one candidate fact line per gold row")
    ap.add_argument("--out", required=True, help="per-row JSON lines")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    if args.ref_path:
        sys.path.insert(0, args.ref_path)
    from factual_scene_graph.evaluation.set_match_evaluation import eval_set_match
    from factual_scene_graph.evaluation.spice_evaluation import eval_spice
    from factual_scene_graph.utils import get_seg_list

    with open(args.gold, newline="", encoding="utf-8") as f:
        gold = [r["scene_graph"] for r in csv.DictReader(f)]
    with open(args.cand, encoding="utf-8") as f:
        cand = [line.rstrip("\n") for line in f]
    if args.limit:
        gold, cand = gold[: args.limit], cand[: args.limit]
    if len(cand) != len(gold):
        raise SystemExit(f"{args.cand}: {len(cand)} lines but {args.gold} has {len(gold)} rows")
    rows = []
    for i, (c, g) in enumerate(zip(cand, gold, strict=True)):
        g_rel = relation_facts(g, get_seg_list)
        c_rel = relation_facts(c, get_seg_list)
        rel = None
        if g_rel:
            rel = eval_spice(c_rel, [g_rel]) if c_rel else 0.0
        rows.append(
            {
                "row": i,
                "spice_f": eval_spice(c, [g]),
                "spice_f_nosyn": eval_spice(c, [g], merge_tuples_synonyms=False, synonym_match=False),
                "relation_f": rel,
                "set_match": bool(eval_set_match(c, g)),
            }
        )
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    n = len(rows)
    rel = [r["relation_f"] for r in rows if r["relation_f"] is not None]
    summary = {
        "n": n,
        "spice_f": 100 * sum(r["spice_f"] for r in rows) / n,
        "spice_f_nosyn": 100 * sum(r["spice_f_nosyn"] for r in rows) / n,
        "relation_f": 100 * sum(rel) / len(rel) if rel else None,
        "relation_n": len(rel),
        "set_match": 100 * sum(r["set_match"] for r in rows) / n,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
