"""The count of names FACTUAL keeps whole, and that the parser's list of them is what the documented command prints."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import factual_compounds  # noqa: E402


def _write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["image_id", "region_id", "caption", "scene_graph"])
        for i, (image, caption, graph) in enumerate(rows):
            w.writerow([image, i, caption, graph])


def test_kept_and_split_are_counted_per_caption_and_held_out_images_are_left_out(tmp_path):
    rows = [
        ("1", "a stop sign on a pole", "( stop sign , on , pole )"),
        ("2", "two stop signs", "( stop signs , is , 2 )"),  # plural kept whole: counted singular
        ("3", "a stop sign near a tree", "( sign , near , tree ) , ( sign , is , stop )"),  # split
        ("4", "a stop sign", "( stop sign )"),  # image 4 is held out
        ("5", "red sign", "( sign , is , red )"),  # no adjacent "red sign"? it is: a split, not of a compound
    ]
    path = tmp_path / "train.csv"
    _write(path, rows)
    kept, split = factual_compounds.count(path, heldout={"4"})
    assert kept["stop sign"] == 2
    assert split["stop sign"] == 1
    assert split["red sign"] == 1 and kept["red sign"] == 0


def test_the_printed_names_obey_the_thresholds(tmp_path, capsys):
    rows = [("1", "a stop sign", "( stop sign )")] * 8 + [("2", "a stop sign", "( sign , is , stop )")] * 2
    rows += [("3", "the front wheel", "( front wheel )")] * 9  # a position word: not printed
    rows += [("4", "a food truck", "( food truck )")] * 7  # under 8: not printed
    path = tmp_path / "train.csv"
    _write(path, rows)
    heldout = tmp_path / "heldout.txt"
    heldout.write_text("\n")
    assert factual_compounds.main(["--train", str(path), "--heldout", str(heldout)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == [{"name": "stop sign", "kept": 8, "split": 2}]


def test_the_parser_list_is_what_the_command_prints_on_factual_train(shared_data, capsys):
    from sgfns.text.closed_words import COMPOUND_NAMES

    assert factual_compounds.main(["--train", str(shared_data / "factual" / "random_train.csv")]) == 0
    printed = {json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()}
    assert printed == set(COMPOUND_NAMES)
