"""The docs hold together and stand alone: every relative link and anchor in README.md, CHANGELOG.md and docs/
resolves, every `docs/….md#anchor` that code, help texts and tests point at exists, and nothing cites a document
outside the repository (a design document's section numbers) or an issue number."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])
CODE = sorted(p for d in ("src", "benchmarks", "scripts", "tests") for p in (ROOT / d).rglob("*.py"))
TEXT = [*MARKDOWN, *CODE, *sorted((ROOT / "configs").glob("*.yaml")), ROOT / "pyproject.toml", ROOT / "Makefile"]

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
DOCS_REF = re.compile(r"(?<![\w/.])(docs/[\w./-]+\.md)(#[\w-]+)?")
#: a citation of something outside the repository: a design document, a section sign, an issue number
CITATION = re.compile(r"DESIGN\s*[§:]|§\s*\d|\b[Ii]ssues?\s*#?\d+")


def slug(heading: str) -> str:
    """The anchor a markdown renderer (GitHub's rule) gives a heading."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _prose(path: Path) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    out, fenced = [], False
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            out.append((i, line))
    return out


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, line in _prose(path):
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            s = slug(m[1])
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
        out.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", line))
    return out


def _problem(target: Path, anchor: str | None) -> str | None:
    if not target.exists():
        return f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: no such file"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"{target.relative_to(ROOT)}#{anchor}: no such heading"
    return None


def test_every_relative_link_in_the_markdown_resolves():
    bad = []
    for md in MARKDOWN:
        for i, line in _prose(md):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):
                    continue  # http:, https:, mailto:
                path, _, anchor = target.partition("#")
                problem = _problem((md.parent / path).resolve() if path else md, anchor or None)
                if problem:
                    bad.append(f"{md.relative_to(ROOT)}:{i}: {target} ({problem})")
    assert not bad, "\n".join(bad)


def test_every_docs_reference_in_code_and_docs_exists():
    bad = []
    for f in [*CODE, *MARKDOWN]:
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            for path, anchor in DOCS_REF.findall(line):
                problem = _problem(ROOT / path, anchor[1:] or None)
                if problem:
                    bad.append(f"{f.relative_to(ROOT)}:{i}: {path}{anchor} ({problem})")
    assert not bad, "\n".join(bad)


def test_nothing_cites_a_document_outside_the_repository_or_an_issue():
    bad = []
    for f in TEXT:
        if f == Path(__file__).resolve() or not f.exists():
            continue
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if CITATION.search(line):
                bad.append(f"{f.relative_to(ROOT)}:{i}: {line.strip()[:100]}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("text", "cited"),
    [("see DESIGN §2.6", True), ("as in issue 7's workload", True), ("fixes issue #12", True), ("§4.2 says", True),
     ("see docs/method.md#l_neg", False), ("the issue's bound", False)],
)  # fmt: skip
def test_the_citation_pattern(text, cited):
    assert bool(CITATION.search(text)) is cited


def test_slugs_follow_the_renderer():
    assert slug("Caption-graph cache (`sgfns/graphs/cache.py`)") == "caption-graph-cache-sgfnsgraphscachepy"
    assert slug("Protocols (`--protocol`)") == "protocols---protocol"
    assert slug("3. Evaluation suites") == "3-evaluation-suites"
    assert slug("L_neg") == "l_neg"
