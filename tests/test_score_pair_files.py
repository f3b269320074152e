"""`sgfns score --benchmark`: SugarCrepe and ARO-style pair files as published, photos matched by file name."""

from __future__ import annotations

import json

import pytest

from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset
from sgfns.errors import UserError
from sgfns.eval.pair_files import match_image, read_pair_file

IDS = ["397133", "42", "flickr_1000268201_693b08cb0e"]


def test_file_names_match_ids_by_name_stem_or_number():
    index = {x: i for i, x in enumerate(IDS)}
    assert match_image("val2017/000000397133.jpg", index) == 0
    assert match_image("42.jpg", index) == 1
    assert match_image("flickr_1000268201_693b08cb0e.jpg", index) == 2
    assert match_image("000000000007.jpg", index) is None


def test_sugarcrepe_file_reads_pairs_and_counts_photos_not_in_the_split(tmp_path):
    f = tmp_path / "replace_obj.json"
    f.write_text(json.dumps({
        "0": {"filename": "000000397133.jpg", "caption": "a man on a horse", "negative_caption": "a man on a cow"},
        "1": {"filename": "000000000777.jpg", "caption": "two cats", "negative_caption": "two dogs"},
        "2": {"filename": "42.jpg", "caption": "a red bus", "negative_caption": "a blue bus"},
    }))  # fmt: skip
    pf = read_pair_file(f, IDS)
    assert pf.format == "sugarcrepe" and pf.images == [0, 1] and pf.skipped == 1
    assert pf.captions == ["a man on a horse", "a red bus"] and pf.negatives == ["a man on a cow", "a blue bus"]


def test_aro_style_list_reads_true_and_false_captions(tmp_path):
    f = tmp_path / "visual_genome_relation.json"
    f.write_text(json.dumps([
        {"image_id": "42", "image_path": "42.jpg", "true_caption": "the cup is on the table",
         "false_caption": "the table is on the cup", "relation_name": "on", "bbox_x": 1, "bbox_y": 2},
    ]))  # fmt: skip
    pf = read_pair_file(f, IDS)
    assert pf.format == "aro" and pf.images == [1] and pf.negatives == ["the table is on the cup"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not a JSON file"),
        ('"a string"', "expected a SugarCrepe object"),
        (json.dumps({"7": {"filename": "42.jpg", "caption": "x"}}), "entry '7': 'negative_caption'"),
        (json.dumps([{"image_path": "42.jpg", "true_caption": "", "false_caption": "y"}]), "item 0: 'true_caption'"),
    ],
)
def test_bad_files_are_one_line_errors_naming_file_and_entry(tmp_path, content, message):
    f = tmp_path / "bad.json"
    f.write_text(content)
    with pytest.raises(UserError, match=message) as e:
        read_pair_file(f, IDS)
    assert str(f) in str(e.value) and "\n" not in str(e.value)


def test_score_benchmark_prints_accuracy_per_file(tmp_path, cli):
    from tests.test_eval_cli import make_run

    data = write_toy_dataset(tmp_path / "data", n_images=6, feature_dim=16, splits=("train", "test"))
    run = make_run(tmp_path / "run", data)
    split = load_split(data, "test")
    sugar = {str(i): {"filename": f"{split.ids[i]}.jpg", "caption": split.captions[5 * i],
                      "negative_caption": split.captions[5 * ((i + 1) % 6)]} for i in range(6)}  # fmt: skip
    sugar["x"] = {"filename": "elsewhere.jpg", "caption": "a cube", "negative_caption": "a ball"}
    aro = [{"image_path": f"{split.ids[0]}.jpg", "true_caption": split.captions[0], "false_caption": "a cone"}]
    (tmp_path / "s.json").write_text(json.dumps(sugar))
    (tmp_path / "a.json").write_text(json.dumps(aro))
    out = tmp_path / "acc.json"
    rc, stdout, err = cli("score", "--run", run, "--data", data, "--split", "test", "--benchmark",
                          tmp_path / "s.json", tmp_path / "a.json", "-o", out, "--no-progress")  # fmt: skip
    assert rc == 0, err
    lines = stdout.strip().splitlines()
    assert len(lines) == 2 and "s.json: sugarcrepe accuracy" in lines[0] and "over 6 pairs" in lines[0]
    assert "1 pairs skipped" in lines[0] and "a.json: aro accuracy" in lines[1]
    rec = json.loads(out.read_text())
    assert [f["pairs"] for f in rec["files"]] == [6, 1] and all(0 <= f["accuracy"] <= 100 for f in rec["files"])
    # a file none of whose photos is in the split: exit 2, one line
    (tmp_path / "none.json").write_text(json.dumps({"0": sugar["x"]}))
    rc, _, err = cli("score", "--run", run, "--data", data, "--split", "test", "--benchmark", tmp_path / "none.json")
    assert rc == 2 and "none of its 1 photos" in err
