"""The library's layout stays layered: it never imports the application, and its folders import each other without
cycles (every import counted, also those inside functions), so each folder can be read and tested on its own."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            if node.module == "sgfns":  # `from sgfns import lexicon`
                out.update(f"sgfns.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _unit(path: Path) -> str:
    """A library module's folder (`sgfns/eval/recall.py` -> eval), or its own name at the top (`sgfns/io.py` -> io)."""
    rel = path.relative_to(SRC / "sgfns")
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_the_library_never_imports_the_application():
    offenders = [str(p) for p in (SRC / "sgfns").rglob("*.py") if p.name != "__main__.py"
                 and any(m == "sgfns_app" or m.startswith("sgfns_app.") for m in _imports(p))]  # fmt: skip
    assert offenders == []


def test_library_folders_import_each_other_without_cycles():
    graph: dict[str, set[str]] = defaultdict(set)
    for p in (SRC / "sgfns").rglob("*.py"):
        if p.name == "__main__.py" or p.parent == SRC / "sgfns" and p.name == "__init__.py":
            continue  # the package's entry points re-export everything by design
        src = _unit(p)
        for m in _imports(p):
            parts = m.split(".")
            if parts[0] == "sgfns" and len(parts) > 1 and parts[1] != src:
                graph[src].add(parts[1])
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(n: str, path: list[str]) -> bool:
        state[n] = 1
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                cycle.extend([*path, n, d])
                return True
            if d not in state and visit(d, [*path, n]):
                return True
        state[n] = 2
        return False

    for n in sorted(graph):
        if n not in state and visit(n, []):
            break
    assert not cycle, " -> ".join(cycle)
