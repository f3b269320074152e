"""Tables over evaluation results: runs grouped by model (and config), mean ± std over seeds, every seed listed.

Input records are the evaluation JSON (docs/evaluation.md#sgfns-eval; as written by `sgfns eval`), found in files
or run folders:
- a `.json` file holding one evaluation object, a list of them, or an object with a `"results"` list (the demo's
  `results.json`);
- a run folder, whose `eval/*.json` files are read.

Rows are grouped by (data, split, protocol, model, config); `config` is the `config_id` the evaluator stores (a
hash of the run's resolved config without its seed and paths), so two configs of one model are two rows. The
spread is the sample standard deviation (n - 1) over seeds; one seed shows no spread. Every seed's rSum is listed
so a reader can see the values, not only their summary."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sgfns.errors import UserError
from sgfns.eval.compositional import CATEGORIES, order_categories
from sgfns.eval.recall import RECALL_KEYS
from sgfns.io import read_json

METRIC_LABELS = {
    "i2t_r1": "I→T R@1",
    "i2t_r5": "R@5",
    "i2t_r10": "R@10",
    "t2i_r1": "T→I R@1",
    "t2i_r5": "R@5",
    "t2i_r10": "R@10",
    "rsum": "rSum",
}


def _is_eval_record(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("metrics"), dict) and "model" in obj


def _records_in(obj: Any, path: Path) -> list[dict[str, Any]]:
    if _is_eval_record(obj):
        return [obj]
    if isinstance(obj, dict) and isinstance(obj.get("results"), list):
        obj = obj["results"]
    if isinstance(obj, list) and obj and all(_is_eval_record(o) for o in obj):
        return list(obj)
    raise UserError(f"{path}: not an evaluation JSON (expected an object with 'model' and 'metrics', or a list)")


def collect(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Evaluation records from files and run folders, each tagged with `_source` (the file it came from)."""
    out: list[dict[str, Any]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted((p / "eval").glob("*.json")) if (p / "eval").is_dir() else []
            files += sorted(p.glob("results.json"))
            if not files:
                raise UserError(f"{p}: no evaluation found (no eval/*.json or results.json; run `sgfns eval` first)")
        elif p.exists():
            files = [p]
        else:
            raise UserError(f"{p}: no such file or run folder")
        for f in files:
            for rec in _records_in(read_json(f), f):
                out.append({**rec, "_source": str(f)})
    return out


@dataclass
class Group:
    data: str
    split: str
    protocol: str
    model: str
    config: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.runs)

    def values(self, key: str, block: str = "metrics") -> list[float]:
        return [float(r[block][key]) for r in self.runs if key in (r.get(block) or {})]

    def mean_std(self, key: str, block: str = "metrics") -> tuple[float, float | None] | None:
        v = self.values(key, block)
        return mean_std(v) if v else None

    def seed_labels(self) -> list[str]:
        return [str(r.get("seed", Path(r.get("run") or r["_source"]).name)) for r in self.runs]


def mean_std(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and sample standard deviation (None for one value)."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, None
    return m, math.sqrt(sum((x - m) ** 2 for x in values) / (n - 1))


def group(records: Iterable[dict[str, Any]]) -> list[Group]:
    """Group records; within a group, one record per run (a later duplicate of the same run and seed wins)."""
    groups: dict[tuple, Group] = {}
    for r in records:
        key = (
            str(r.get("data", "")),
            str(r.get("split", "")),
            str(r.get("protocol", "")),
            str(r["model"]),
            str(r.get("config_id", "")),
        )
        g = groups.setdefault(key, Group(*key))
        ident = (r.get("run"), r.get("seed"))
        if ident != (None, None):
            g.runs = [x for x in g.runs if (x.get("run"), x.get("seed")) != ident]
        g.runs.append(r)
    for g in groups.values():
        g.runs.sort(key=_seed_order)
    # best rSum first; a tie by name, so the order does not depend on the order the records came in
    return sorted(groups.values(), key=lambda g: (g.data, g.split, g.protocol, -(g.mean_std("rsum") or (0, 0))[0],
                                                  g.model, g.config))  # fmt: skip


def _seed_order(r: dict[str, Any]) -> tuple:
    s = r.get("seed")
    if isinstance(s, int) and not isinstance(s, bool):
        return (0, s, "")
    return (1, 0, str(s if s is not None else r.get("run") or r.get("_source")))


def fmt(ms: tuple[float, float | None] | None, digits: int = 1) -> str:
    if ms is None:
        return "–"
    m, s = ms
    return f"{m:.{digits}f}" if s is None else f"{m:.{digits}f} ± {s:.{digits}f}"


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _labels(groups: Sequence[Group]) -> list[str]:
    """Row labels: the model name, with the config id's first 8 characters when a block has several configs of it."""
    labels = []
    for g in groups:
        same_block = [h for h in groups if (h.data, h.split, h.protocol) == (g.data, g.split, g.protocol)]
        several = sum(1 for h in same_block if h.model == g.model) > 1
        labels.append(f"{g.model} [{g.config[:8]}]" if several and g.config else g.model)
    return labels


def markdown(groups: Sequence[Group], digits: int = 1) -> str:
    """The retrieval table (and a compositional table when any record has one), one block per data/split/protocol."""
    if not groups:
        raise UserError("nothing to report")
    return tables(summary(groups), digits)


def tables(entries: Sequence[dict[str, Any]], digits: int = 1) -> str:
    """Markdown of `summary` entries (as `sgfns report --json` writes them): the tables `sgfns report` prints.

    Rendering goes through the summary so that results kept as data (docs/results/) print exactly like fresh runs."""
    blocks: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for e in entries:
        blocks.setdefault((e["data"], e["split"], e["protocol"]), []).append(e)
    out = []
    for (data, split, protocol), es in blocks.items():
        title = " · ".join(x for x in (data, split, protocol) if x)
        out.append(f"**{title}** (mean ± std over seeds; rSum of every seed listed)\n")
        header = ["model", "seeds", *(METRIC_LABELS[k] for k in (*RECALL_KEYS, "rsum")), "rSum per seed"]
        rows = []
        for e in es:
            rsum = e["metrics"].get("rsum") or {}
            values = rsum.get("values") or []
            per_seed = ", ".join(f"{s}: {v:.{digits}f}" for s, v in zip(e["seeds"], values, strict=False))
            cells = [_fmt_entry(e["metrics"].get(k), digits) for k in (*RECALL_KEYS, "rsum")]
            rows.append([e["label"], str(len(e["seeds"])), *cells, per_seed])
        out.append(_md_table(header, rows))
        comp = _comp_keys(e.get("compositional") for e in es)
        if comp:
            out.append("\nCompositional accuracy (%, ties count ½; `mean` over caption categories):\n")
            rows = [[e["label"], str(len(e["seeds"])), *(_fmt_entry(e["compositional"].get(k), digits) for k in comp)]
                    for e in es]  # fmt: skip
            out.append(_md_table(["model", "seeds", *comp], rows))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _fmt_entry(stat: dict[str, Any] | None, digits: int) -> str:
    return fmt(None if stat is None else (stat["mean"], stat["std"]), digits)


def _comp_keys(blocks: Iterable[dict[str, Any] | None]) -> list[str]:
    """Report order of the compositional keys found in these blocks: caption categories, then twins and mean."""
    cats = {k for b in blocks for k in (b or {})}
    tail = [k for k in ("twins", "mean") if k in cats]
    return order_categories(cats - {"twins", "mean"}) + tail


def summary(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """Machine-readable form of the table: per group, its row label and mean/std/values of every metric."""
    out = []
    for g, label in zip(groups, _labels(groups), strict=True):
        entry: dict[str, Any] = {
            "label": label,
            "data": g.data,
            "split": g.split,
            "protocol": g.protocol,
            "model": g.model,
            "config_id": g.config,
            "seeds": g.seed_labels(),
            "metrics": {},
            "compositional": {},
        }
        comp = _comp_keys(r.get("compositional") for r in g.runs)
        for block, keys in (("metrics", (*RECALL_KEYS, "rsum")), ("compositional", comp)):
            for k in keys:
                ms = g.mean_std(k, block)
                if ms is not None:
                    entry[block][k] = {"mean": ms[0], "std": ms[1], "values": g.values(k, block)}
        out.append(entry)
    return out


__all__ = ["CATEGORIES", "Group", "collect", "group", "markdown", "mean_std", "summary", "tables"]
