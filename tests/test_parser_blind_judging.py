"""The parser blind-judging draw: seeded, a graph that several parsers write is one item naming all of them, an
earlier round's captions are left out, and scoring reads both key formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "parser_blind_judging.py"


def _folder(tmp: Path) -> Path:
    coco = tmp / "coco"
    coco.mkdir()
    caps = ["A man riding a horse on a beach.", "Two dogs playing in the snow.", "A red bus on a street."]
    images = [{"image_id": i, "captions": [caps[i], f"A cat number {i} on a bed."]} for i in range(3)]
    (coco / "train.json").write_text(json.dumps({"images": images}))
    (coco / "dev.json").write_text(json.dumps({"images": []}))
    return coco


def _draw(coco: Path, out: Path, *extra: str) -> list[dict]:
    subprocess.run([sys.executable, str(SCRIPT), "draw", "--coco", str(coco), "--out", str(out), "--n", "4",
                    "--seed", "1", *extra], check=True, capture_output=True)  # fmt: skip
    return json.loads((out / "key.json").read_text())


def test_one_item_per_distinct_graph_and_excluded_captions_left_out(tmp_path):
    coco = _folder(tmp_path)
    src = str(ROOT / "src")
    key = _draw(coco, tmp_path / "a", "--parser", f"old={src}:rules", "--parser", f"new={src}:rules")
    assert len(key) == 4  # the same code twice: every graph written by both, judged once
    assert all([b["name"] for b in k["by"]] == ["old", "new"] for k in key)
    assert len({(k["image_id"], k["caption_index"]) for k in key}) == 4
    again = _draw(coco, tmp_path / "b", "--parser", f"old={src}:rules", "--parser", f"new={src}:rules")
    assert [(k["image_id"], k["caption_index"]) for k in again] == [(k["image_id"], k["caption_index"]) for k in key]
    rest = _draw(coco, tmp_path / "c", "--parser", f"x={src}:rules", "--exclude", str(tmp_path / "a" / "key.json"),
                 "--n", "2")  # fmt: skip
    seen = {(k["image_id"], k["caption_index"]) for k in key}
    assert len(rest) == 2 and not seen & {(k["image_id"], k["caption_index"]) for k in rest}
    judged = tmp_path / "j.jsonl"
    judged.write_text("".join(json.dumps({"item": k["item"], "right": k["item"] != 0, "error": None if k["item"]
                                          else "object"}) + "\n" for k in key))  # fmt: skip
    out = subprocess.run([sys.executable, str(SCRIPT), "score", "--key", str(tmp_path / "a" / "key.json"),
                          "--judged", str(judged)], check=True, capture_output=True, text=True)  # fmt: skip
    scores = json.loads(out.stdout)
    assert scores["old"]["fully_right_percent"] == scores["new"]["fully_right_percent"] == 75.0
    assert scores["new"]["errors"] == {"object": 1}


def test_keys_of_the_first_round_still_score(tmp_path):
    key = [{"item": 0, "image_id": "1", "caption_index": 0, "backend": "rules", "parser": "rules-9"},
           {"item": 1, "image_id": "1", "caption_index": 0, "backend": "learned", "parser": "edits-1"}]  # fmt: skip
    (tmp_path / "key.json").write_text(json.dumps(key))
    (tmp_path / "j.jsonl").write_text('{"item": 0, "right": true, "error": null}\n'
                                      '{"item": 1, "right": false, "error": "name"}\n')  # fmt: skip
    out = subprocess.run([sys.executable, str(SCRIPT), "score", "--key", str(tmp_path / "key.json"), "--judged",
                          str(tmp_path / "j.jsonl")], check=True, capture_output=True, text=True)  # fmt: skip
    scores = json.loads(out.stdout)
    assert scores["rules"]["fully_right_percent"] == 100.0 and scores["learned"]["errors"] == {"name": 1}


def test_a_bad_parser_spec_is_one_line(tmp_path):
    out = subprocess.run([sys.executable, str(SCRIPT), "draw", "--coco", str(tmp_path), "--out", str(tmp_path),
                          "--parser", "old=src"], capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "expected NAME=SRC:rules or NAME=SRC:learned" in out.stderr


def test_a_folder_with_train_only_draws_and_too_few_captions_is_one_line(tmp_path):
    coco = _folder(tmp_path)
    (coco / "dev.json").unlink()  # flickr8k_mini's layout: train.json alone
    src = str(ROOT / "src")
    assert len(_draw(coco, tmp_path / "a", "--parser", f"x={src}:rules")) == 4
    out = subprocess.run([sys.executable, str(SCRIPT), "draw", "--coco", str(coco), "--out", str(tmp_path / "b"),
                          "--n", "7", "--parser", f"x={src}:rules"], capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "6 captions left after the exclusions, fewer than --n 7" in out.stderr


def test_rounds_pool_with_per_round_names_wilson_intervals_and_pairs(tmp_path):
    def round_files(r: int, name: str, rights: list[bool]) -> list[str]:
        key = [{"item": i, "image_id": f"{r}-{i}", "caption_index": 0,
                "by": [{"name": name, "backend": "rules", "parser": name}, {"name": "old", "backend": "rules",
                                                                             "parser": "old"}]}
               for i in range(len(rights))]  # fmt: skip
        (tmp_path / f"k{r}.json").write_text(json.dumps(key))
        lines = [json.dumps({"item": i, "right": ok, "error": None if ok else "added"}) for i, ok in enumerate(rights)]
        (tmp_path / f"j{r}.jsonl").write_text("\n".join(lines) + "\n")
        return ["--key", str(tmp_path / f"k{r}.json"), "--judged", str(tmp_path / f"j{r}.jsonl")]

    args = [*round_files(1, "v1", [True, False]), *round_files(2, "v2", [True, True, False, True])]
    out = subprocess.run([sys.executable, str(SCRIPT), "score", *args, "--alias", "1:v1=new", "--alias", "2:v2=new"],
                         check=True, capture_output=True, text=True)  # fmt: skip
    scores = json.loads(out.stdout)
    assert scores["new"]["judged"] == 6 and scores["new"]["fully_right"] == 4  # both rounds, under one name
    assert scores["old"]["judged"] == 6 and scores["v1"]["judged"] == 2  # the other names keep counting
    lo, hi = scores["new"]["wilson_95"]
    assert 29.0 < lo < 31.0 and 89.0 < hi < 91.0  # Wilson 4/6: 30.0 to 90.3
    assert scores["pairs"]["new|old"] == {"captions": 6, "right_only_new": 0, "right_only_old": 0}
    assert "v1|v2" not in scores["pairs"]  # no caption in common
    bad = subprocess.run([sys.executable, str(SCRIPT), "score", *args, "--alias", "x:v1"], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode == 2 and "expected OLD=NEW or ROUND:OLD=NEW" in bad.stderr


def test_current_reuses_judgements_of_the_same_graph_and_writes_the_rest_to_judge(tmp_path):
    coco = _folder(tmp_path)
    src = str(ROOT / "src")
    key = _draw(coco, tmp_path / "a", "--parser", f"p={src}:rules")
    assert all(len(k["facts_sha256"]) == 16 for k in key)
    judged = tmp_path / "j.jsonl"  # all judged right but the first; one graph's record altered: judged no more
    judged.write_text("".join(json.dumps({"item": k["item"], "right": k["item"] != 0, "error": None}) + "\n"
                              for k in key))  # fmt: skip
    key[1]["facts_sha256"] = "0" * 16
    (tmp_path / "a" / "key.json").write_text(json.dumps(key))
    out = subprocess.run([sys.executable, str(SCRIPT), "current", "--coco", str(coco), "--key",
                          str(tmp_path / "a" / "key.json"), "--judged", str(judged), "--parser", f"p={src}:rules",
                          "--out", str(tmp_path / "todo")], check=True, capture_output=True, text=True)  # fmt: skip
    res = json.loads(out.stdout)
    assert (res["captions"], res["judged"], res["unjudged"], res["fully_right"]) == (4, 3, 1, 2)
    todo = json.loads((tmp_path / "todo" / "key.json").read_text())
    assert [(t["image_id"], t["caption_index"]) for t in todo] == [(key[1]["image_id"], key[1]["caption_index"])]
    old_key = tmp_path / "old.json"  # a key without hashes cannot be reused: one line, exit 2
    old_key.write_text(json.dumps([{k: v for k, v in key[0].items() if k != "facts_sha256"}]))
    bad = subprocess.run([sys.executable, str(SCRIPT), "current", "--coco", str(coco), "--key", str(old_key),
                          "--judged", str(judged), "--parser", f"p={src}:rules"],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "facts_sha256" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
