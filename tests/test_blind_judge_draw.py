"""The blind-judging draw: seeded, one entry per negative with the versions that made it, and captions of an
earlier round's sample left out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp: Path, *extra: str) -> tuple[list[dict], list[dict]]:
    sample, key = tmp / "sample.jsonl", tmp / "key.jsonl"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "blind_judge_draw.py"), "--data", str(tmp),
                    "--negatives", f"old={tmp / 'old.json'}", "--negatives", f"new={tmp / 'new.json'}",
                    "--rules", "replace-rel", "--per-version", "10", "--seed", "3", "--sample", str(sample),
                    "--key", str(key), *extra], check=True, capture_output=True)  # fmt: skip
    read = lambda p: [json.loads(line) for line in p.read_text().splitlines()]  # noqa: E731
    return read(sample), read(key)


def test_draw_marks_shared_negatives_and_leaves_out_excluded_captions(tmp_path):
    caps = [f"A man number {i} sitting on a bench." for i in range(6)]
    (tmp_path / "train.json").write_text(json.dumps({"images": [
        {"file_name": f"{i}.jpg", "captions": [c]} for i, c in enumerate(caps)]}))  # fmt: skip
    old = [[{"rule": "replace-rel", "negative": c.replace("sitting", "standing")}] for c in caps]
    new = [[{"rule": "replace-rel", "negative": c.replace("sitting", "standing" if i % 2 else "lying")}]
           for i, c in enumerate(caps)]  # fmt: skip
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    sample, key = _run(tmp_path)
    assert len(sample) == 9  # 3 shared + 3 old-only + 3 new-only
    by_id = {k["id"]: k["versions"] for k in key}
    shared = [s for s in sample if by_id[s["id"]] == ["new", "old"]]
    assert len(shared) == 3 and all("standing" in s["negative"] for s in shared)
    assert _run(tmp_path)[0] == sample  # seeded
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text("".join(json.dumps(s) + "\n" for s in sample if s["caption"] in caps[:2]))
    again, _ = _run(tmp_path, "--exclude", str(earlier))
    assert {s["caption"] for s in again} == set(caps[2:])


def test_differing_draws_every_changed_negative_and_some_shared(tmp_path):
    caps = [f"A man number {i} sitting on a bench." for i in range(8)]
    (tmp_path / "train.json").write_text(json.dumps({"images": [
        {"file_name": f"{i}.jpg", "captions": [c]} for i, c in enumerate(caps)]}))  # fmt: skip
    old = [[{"rule": "replace-rel", "negative": c.replace("sitting", "standing")}] if i < 6 else []
           for i, c in enumerate(caps)]  # fmt: skip
    new = [[{"rule": "replace-rel", "negative": c.replace("sitting", "lying" if i == 0 else "standing")}]
           for i, c in enumerate(caps)]  # fmt: skip
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    sample, key = _run(tmp_path, "--differing")
    versions = [k["versions"] for k in key]
    # caption 0 changed (one old-only, one new-only), captions 6 and 7 are new-only; 5 shared, at most 10 drawn
    assert sorted(map(tuple, versions)).count(("new",)) == 3 and versions.count(["old"]) == 1
    assert versions.count(["new", "old"]) == 5 and len(sample) == 9


def test_a_malformed_exclude_or_judged_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "train.json").write_text(json.dumps({"images": [{"file_name": "0.jpg", "captions": ["A man."]}]}))
    for v in ("old", "new"):
        (tmp_path / f"{v}.json").write_text(json.dumps([[{"rule": "replace-rel", "negative": "A woman."}]]))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file_name": "0.jpg", "caption": "A man."}{"file_name": "1.jpg"}\n')  # two records on a line
    script = str(ROOT / "scripts" / "blind_judge_draw.py")
    r = subprocess.run([sys.executable, script, "--data", str(tmp_path), "--negatives", f"old={tmp_path / 'old.json'}",
                        "--rules", "replace-rel", "--exclude", str(bad), "--sample", str(tmp_path / "s.jsonl"),
                        "--key", str(tmp_path / "k.jsonl")], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and "bad.jsonl:1: not valid JSON" in r.stderr and "Traceback" not in r.stderr
    key = tmp_path / "key.jsonl"
    key.write_text('{"id": 0, "rule": "replace-rel", "versions": ["old"]}\n')
    judged = tmp_path / "judged.jsonl"
    judged.write_text('{"id": 0, "judgement": "valid"}\n{"id": 1}\n')
    r = subprocess.run([sys.executable, script, "--data", str(tmp_path), "--key", str(key), "--score", str(judged)],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and "judged.jsonl:2:" in r.stderr and "judgement" in r.stderr


def test_sgfns_negatives_output_of_the_written_input_is_read_per_caption(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from blind_judge_draw import coco_items, load_negatives, write_input

    caps = ["A man sitting on a bench.", "A dog on a couch.", "A dog on a couch.", "A red car."]
    (tmp_path / "train.json").write_text(json.dumps({"images": [
        {"file_name": "0.jpg", "captions": caps[:2]}, {"file_name": "1.jpg", "captions": caps[2:]}]}))  # fmt: skip
    write_input(coco_items(tmp_path), str(tmp_path / "in.jsonl"))
    given = [json.loads(line) for line in (tmp_path / "in.jsonl").read_text().splitlines()]
    assert [g["caption"] for g in given] == caps and given[3]["other_captions"] == ["A dog on a couch."]
    out = tmp_path / "out.jsonl"  # as `sgfns negatives` writes it: records in input order, none for some captions
    out.write_text("".join(json.dumps(r) + "\n" for r in [
        {"caption": caps[0], "rule": "replace-rel", "negative": "A man standing on a bench.", "edit": {}},
        {"caption": caps[1], "rule": "replace-obj", "negative": "A cat on a couch.", "edit": {}},
        {"caption": caps[3], "rule": "replace-att", "negative": "A blue car.", "edit": {}}]))  # fmt: skip
    per = load_negatives(str(out), caps)
    assert [[n["negative"] for n in p] for p in per] == [["A man standing on a bench."], ["A cat on a couch."], [],
                                                         ["A blue car."]]  # fmt: skip
