"""`sgfns negatives`: records as docs/negatives.md describes them, deterministic by seed, one-line errors with
exit status 2."""

from __future__ import annotations

import json

from sgfns.graphs.types import SceneGraph

CAPTIONS = [
    "A black dog chasing a white cat near a bench.",
    '{"caption": "Two men riding horses next to an old barn.", "image_id": "x1", '
    '"other_captions": ["Two people on horseback."]}',
    "",
    "A red car parked next to a big truck.",
]


def _run(cli, tmp_path, *extra):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(CAPTIONS) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    rc, _, err = cli("negatives", src, "-o", out, *extra)
    assert rc == 0, err
    return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


def test_records_and_determinism(cli, tmp_path):
    recs = _run(cli, tmp_path, "--seed", "3", "--graphs")
    assert recs
    for r in recs:
        assert set(r) <= {"image_id", "caption", "negative", "rule", "edit", "graph"}
        assert r["negative"] != r["caption"] and set(r["edit"]) == {"from", "to"}
        SceneGraph.from_dict(r["graph"], caption=r["negative"])  # spans lie in the negative
    assert {r["image_id"] for r in recs if "image_id" in r} == {"x1"}
    assert [r["caption"] for r in recs] == sorted((r["caption"] for r in recs), key=lambda c: [
        i for i, x in enumerate(CAPTIONS) if c in x][0])  # fmt: skip
    again = _run(cli, tmp_path, "--seed", "3", "--graphs")
    assert again == recs
    others = [_run(cli, tmp_path, "--seed", str(s)) for s in (4, 5, 6)]
    assert any([r["negative"] for r in o] != [r["negative"] for r in recs] for o in others)


def test_rules_and_per_rule(cli, tmp_path):
    recs = _run(cli, tmp_path, "--rules", "replace-obj,count", "--per-rule", "2")
    assert recs and {r["rule"] for r in recs} <= {"replace-obj", "count"}
    per = {}
    for r in recs:
        per[(r["caption"], r["rule"])] = per.get((r["caption"], r["rule"]), 0) + 1
    assert max(per.values()) <= 2


def test_errors_exit_2(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text('A dog.\n{"caption": "x", "colour": 1}\n', encoding="utf-8")
    rc, _, err = cli("negatives", bad)
    assert rc == 2 and "bad.txt:2" in err and "colour" in err
    rc, _, err = cli("negatives", bad, "--rules", "replace-obj,flip")
    assert rc == 2 and "flip" in err
    rc, _, err = cli("negatives", tmp_path / "missing.txt")
    assert rc == 2 and "not found" in err


def test_default_rules_leave_out_the_add_rules(cli, tmp_path):
    from sgfns.negatives.rules import CORE_RULES, DEFAULT_RULES

    assert DEFAULT_RULES == CORE_RULES
    default = {r["rule"] for r in _run(cli, tmp_path)}
    assert default and default <= set(CORE_RULES)
    named = {r["rule"] for r in _run(cli, tmp_path, "--rules", "add-obj,add-att")}
    assert named and named <= {"add-obj", "add-att"}  # still made when named


def test_evidence_is_read_not_negated(cli, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("A stove in a kitchen.\n", encoding="utf-8")
    ev = tmp_path / "evidence.txt"  # enough captions to be trusted: stoves are in kitchens, showers in bathrooms
    ev.write_text("A stove in a kitchen.\nA shower in a bathroom.\n" * 300, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    made = []
    for extra in ((), ("--evidence", ev)):
        rc, _, err = cli("negatives", src, "-o", out, "--rules", "replace-obj", "--per-rule", "50", *extra)
        assert rc == 0, err
        made.append([json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])
    alone, read = ({r["negative"] for r in recs} for recs in made)
    assert "A stove in a bathroom." in alone  # four captions cannot say what goes with what
    assert "A stove in a bathroom." not in read  # the evidence never names a stove with a bathroom
    assert {r["caption"] for r in made[1]} <= {"A stove in a kitchen."}  # no negatives of the evidence
    rc, _, err = cli("negatives", src, "--evidence", tmp_path / "missing.txt")
    assert rc == 2 and "missing.txt" in err
