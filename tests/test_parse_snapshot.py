"""The parser's output is byte-for-byte what it was when the digests in tests/fixtures/parse_snapshot.json were
recorded (`scripts/parse_snapshot.py`), for both backends: a refactor of the rules (moving word lists, splitting
the builder into modules) must not change a single graph. The real-caption sets skip without the shared data
folder; the synthetic captions always run.

The digests hold for the spaCy version and tagger model they were recorded with (another environment skips, naming
both); a deliberate change of the rules' output (which also bumps RULES_VERSION) fails here until re-recorded:
`python scripts/parse_snapshot.py --shared ../shared/data > tests/fixtures/parse_snapshot.json`.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((ROOT / "tests" / "fixtures" / "parse_snapshot.json").read_text(encoding="utf-8"))


def _script():
    spec = importlib.util.spec_from_file_location("parse_snapshot", ROOT / "scripts" / "parse_snapshot.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _check(name: str, shared: Path | None) -> None:
    snap = _script()
    caps = snap.load_captions(name, shared)
    want = RECORDED[name]
    assert snap.digest(caps) == want["captions_sha256"], f"{name}: the caption set itself changed; re-record"
    versions = snap.parser_versions()
    env = {v.partition("+spacy-")[2] for v in versions.values()}
    recorded_env = {v.partition("+spacy-")[2] for v in RECORDED["parser"].values()}
    if env != recorded_env:  # another spaCy or tagger model parses differently; the rules are not what changed
        pytest.skip(f"digests recorded with spacy-{recorded_env.pop()}, this environment has spacy-{env.pop()}")
    for backend in snap.BACKENDS:
        got = snap.digest(snap.canonical_lines(caps, backend))
        assert got == want[backend], (
            f"{name}/{backend}: parses differ from the recorded ones (recorded with "
            f"{RECORDED['parser'][backend]}, now {versions[backend]}); write both with `--out` and diff them"
        )


def test_synthetic_caption_parses_are_unchanged():
    _check("synth", None)


@pytest.mark.parametrize("name", ["factual_dev", "coco_mini", pytest.param("flickr30k_val", marks=pytest.mark.slow)])
def test_real_caption_parses_are_unchanged(shared_data, name):
    _check(name, shared_data)
