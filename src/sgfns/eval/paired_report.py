"""Tables of a paired comparison (`scripts/photos_results.py` output): retrieval recalls and rSum (mean ± sd over
seeds, chance first) and two-way accuracy per negative rule, each model beside the baseline with the paired-bootstrap
difference and its 95 % interval (and, where the file has it, the interval with the seeds redrawn as well).
docs/photos_results.md's tables are this function of docs/results/photos-*.json (scripts/render_results.py)."""

from __future__ import annotations

from sgfns.eval.recall import RECALL_KEYS


def is_paired_result(obj: object) -> bool:
    """True for a paired-comparison result (an object with "chance", "models" and "baseline")."""
    return isinstance(obj, dict) and {"chance", "models", "baseline"} <= set(obj)


def paired_tables(result: dict) -> str:
    """The tables of docs/photos_results.md: retrieval (mean ± sd over seeds; chance row first) and per-rule two-way
    accuracy (and over all rules pooled, where the file has it), each with the paired-bootstrap difference from the
    baseline and its 95 % interval."""
    ch, base = result["chance"], result["baseline"]

    def vs(rec: dict, key: str) -> str:
        v = rec.get("vs_baseline", {}).get(key)
        if v is None:
            return "—"
        text = f"{v['diff']:+.1f} [{v['low']:+.1f}, {v['high']:+.1f}]"
        s = v.get("seeds")  # newer files: the interval with each model's runs redrawn too
        return text if s is None else f"{text}, with seeds [{s['low']:+.1f}, {s['high']:+.1f}]"

    head = "| model | seeds | " + " | ".join(RECALL_KEYS) + f" | rSum | Δ rSum vs {base} [95 % CI] |"
    rows = [head, "|" + "---|" * (len(RECALL_KEYS) + 4),
            "| chance | | " + " | ".join(f"{ch[k]:.1f}" for k in RECALL_KEYS) + f" | {ch['rsum']:.1f} | |"]
    for name, rec in result["models"].items():
        cells = " | ".join(f"{rec[k]['mean']:.1f}" for k in RECALL_KEYS)
        rows.append(f"| {name} | {rec['seeds']} | {cells} | {rec['rsum']['mean']:.1f} ± {rec['rsum']['sd']:.1f} | "
                    f"{vs(rec, 'rsum')} |")  # fmt: skip
    # rules alphabetically, the pooled "all" column (files since 2026-12-07) last
    rules = sorted({r for rec in result["models"].values() for r in rec["negatives"]}, key=lambda r: (r == "all", r))
    first = next(iter(result["models"].values()))["negatives"]
    rows += ["", "| model | " + " | ".join(f"{r} ({first[r]['pairs']})" for r in rules) + " |",
             "|---|" + "---|" * len(rules), "| chance | " + " | ".join("50.0" for _ in rules) + " |"]
    for name, rec in result["models"].items():
        rows.append(f"| {name} | " + " | ".join(f"{rec['negatives'][r]['mean']:.1f} ({vs(rec, r)})" for r in rules)
                    + " |")  # fmt: skip
    return "\n".join(rows)
