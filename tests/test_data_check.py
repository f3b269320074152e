"""`sgfns data check`: every bad input (docs/data_formats.md) ends with exit status 2 and one line naming file and
problem."""

import json
import pickle

import numpy as np
import pytest

from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset


@pytest.fixture
def toy(tmp_path):
    return write_toy_dataset(tmp_path / "toy", n_images=4, captions_per_image=2, regions=4, feature_dim=8,
                             splits=("train",))  # fmt: skip


def _lines(path):
    return path.read_text().splitlines()


def _set_line(path, lineno, text):
    lines = _lines(path)
    lines[lineno - 1] = text
    path.write_text("\n".join(lines) + "\n")


def _edit_graph(path, lineno, fn):
    lines = _lines(path)
    rec = json.loads(lines[lineno - 1])
    fn(rec)
    _set_line(path, lineno, json.dumps(rec))


def _save(path, arr):
    np.save(path, arr)


def _append_caption(r):
    with open(r / "train_caps.txt", "a") as f:
        f.write("one caption too many\n")


def _nan(r, value):
    x = np.load(r / "train_ims.npy")
    x[2, 1, 3] = value
    _save(r / "train_ims.npy", x)


CASES = {
    "caption count": (_append_caption, "train_caps.txt: 9 captions is not a whole multiple of 4 images"),
    "features 2-D": (
        lambda r: _save(r / "train_ims.npy", np.zeros((4, 8), np.float32)),
        "train_ims.npy: features must be a 3-D array [images, regions, dim], got shape [4, 8]",
    ),
    "features int": (
        lambda r: _save(r / "train_ims.npy", np.zeros((4, 4, 8), np.int64)),
        "train_ims.npy: features must be floating point, got dtype int64",
    ),
    "features NaN": (lambda r: _nan(r, np.nan), "train_ims.npy: image 2 has NaN or Inf features"),
    "features Inf": (lambda r: _nan(r, -np.inf), "train_ims.npy: image 2 has NaN or Inf features"),
    "features pickled": (
        lambda r: (r / "train_ims.npy").write_bytes(pickle.dumps([1, 2])),
        "train_ims.npy: cannot read features as a plain .npy array",
    ),
    "features truncated": (
        lambda r: (r / "train_ims.npy").write_bytes((r / "train_ims.npy").read_bytes()[:200]),
        "train_ims.npy: cannot read features as a plain .npy array",
    ),
    "feature_dim vs meta": (
        lambda r: _save(r / "train_ims.npy", np.zeros((4, 4, 6), np.float32)),
        "train_ims.npy: shape [4, 4, 6] but meta.json says feature_dim=8",
    ),
    "ids count": (
        lambda r: (r / "train_ids.txt").write_text("a\nb\nc\n"),
        "train_ids.txt: 3 ids but train_ims.npy holds 4 images",
    ),
    "duplicate id": (
        lambda r: (r / "train_ids.txt").write_text("a\nb\na\nd\n"),
        "train_ids.txt:3: duplicate image id 'a' (first on line 1)",
    ),
    "empty caption": (lambda r: _set_line(r / "train_caps.txt", 3, "  "), "train_caps.txt:3: empty caption"),
    "boxes shape": (
        lambda r: _save(r / "train_boxes.npy", np.zeros((4, 4, 2), np.float32)),
        "train_boxes.npy: expected shape [4, R, 4], got [4, 4, 2]",
    ),
    "jsonl not JSON": (
        lambda r: _set_line(r / "train_image_sg.jsonl", 2, '{"objects": [}'),
        "train_image_sg.jsonl:2: not valid JSON",
    ),
    "jsonl empty line": (
        lambda r: _set_line(r / "train_caps_sg.jsonl", 5, ""),
        "train_caps_sg.jsonl:5: empty line",
    ),
    "graph relation index": (
        lambda r: _edit_graph(r / "train_caps_sg.jsonl", 3, lambda g: g["relations"][0].update(object=5)),
        "train_caps_sg.jsonl:3: relations[0].object index 5 out of range (2 objects)",
    ),
    "graph empty name": (
        lambda r: _edit_graph(r / "train_image_sg.jsonl", 4, lambda g: g["objects"][0].update(name="")),
        "train_image_sg.jsonl:4: objects[0].name is empty",
    ),
    "graph region range": (
        lambda r: _edit_graph(r / "train_image_sg.jsonl", 1, lambda g: g["objects"][1].update(region=4)),
        "train_image_sg.jsonl:1: objects[1].region 4 out of range (image has 4 regions)",
    ),
    "graph span outside caption": (
        lambda r: _edit_graph(r / "train_caps_sg.jsonl", 2, lambda g: g["objects"][1].update(span=[5, 500])),
        "train_caps_sg.jsonl:2: objects[1].span [5, 500] lies outside the caption",
    ),
    "graph wrong type": (
        lambda r: _set_line(r / "train_caps_sg.jsonl", 1, "[1, 2]"),
        "train_caps_sg.jsonl:1: scene graph must be a JSON object, got list",
    ),
    "graph count": (
        lambda r: (r / "train_image_sg.jsonl").write_text("\n".join(_lines(r / "train_image_sg.jsonl")[:3]) + "\n"),
        "train_image_sg.jsonl: 3 graphs but 4 expected",
    ),
    "caption graphs stale": (
        lambda r: _set_line(r / "train_caps.txt", 1, "a different caption that is long enough for the spans"),
        "train_caps_sg.meta.json: the caption graphs were made for other captions",
    ),
    "positives range": (
        lambda r: (r / "train_positives.jsonl").write_text('{"caption_index": 1, "images": [9]}\n'),
        "train_positives.jsonl:1: images must be a list of image indices in 0..3",
    ),
    "meta type": (
        lambda r: (r / "meta.json").write_text('{"feature_dim": "eight"}'),
        "meta.json: 'feature_dim' must be a positive integer or null, got 'eight'",
    ),
    "meta split missing": (
        lambda r: (r / "meta.json").write_text('{"splits": ["train", "test"]}'),
        "meta.json: lists split 'test' but there is no test_caps.txt",
    ),
    "orphan split file": (
        lambda r: _save(r / "test_ims.npy", np.zeros((1, 4, 8), np.float32)),
        "split 'test' has test_ims.npy but no test_caps.txt",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_data_check_rejects_bad_input(cli, toy, case):
    mutate, message = CASES[case]
    mutate(toy)
    rc, out, err = cli("data", "check", toy)
    assert rc == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("sgfns data: error: "), err
    assert message in err
    assert "Traceback" not in err


def test_data_check_summary_of_toy(cli, toy, tmp_path):
    rc, out, err = cli("data", "check", toy, "--json", tmp_path / "summary.json")
    assert rc == 0, err
    assert "train: 4 images, 8 captions (2 per image), 4 regions x 8-d features, boxes" in out
    assert "caption graphs (provided): 8 graphs; per graph 2.00 objects, 1.00 relations" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    (s,) = summary["splits"]
    assert (s["images"], s["captions"], s["feature_dim"], s["graphs_only"]) == (4, 8, 8, False)
    assert s["image_graphs"]["empty_share"] == 0.0


def test_debug_shows_the_traceback(cli, toy):
    _append_caption(toy)
    with pytest.raises(Exception, match="not a whole multiple"):
        cli("--debug", "data", "check", toy)


def test_scan_precomp_folder_loads_as_it_is(cli, tmp_path):
    """f30k_precomp style: {split}_ims.npy + {split}_caps.txt, `dev` and `testall` names, no meta.json."""
    root = tmp_path / "f30k_precomp"
    root.mkdir()
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("dev", 3), ("testall", 2)):
        np.save(root / f"{split}_ims.npy", rng.standard_normal((n, 5, 7)).astype(np.float32))
        (root / f"{split}_caps.txt").write_text("".join(f"caption {i} of {split}\n" for i in range(5 * n)))
    (root / "train_ids.txt").write_text("".join(f"{1000 + i}\n" for i in range(6)))
    # coco_precomp style ids: one per caption, each image id repeated 5 times
    (root / "testall_ids.txt").write_text("".join(f"{i // 5 + 7}\n" for i in range(10)))

    val = load_split(root, "val")
    assert val.name == "dev" and (val.n_images, val.n_captions, val.captions_per_image) == (3, 15, 5)
    assert val.ids == ["0", "1", "2"] and val.image_graphs is None and val.caption_graphs is None
    assert load_split(root, "train").ids[0] == "1000"
    assert load_split(root, "testall").ids == ["7", "8"]
    assert list(load_split(root, "train").positives(7)) == [1]

    rc, out, err = cli("data", "check", root)
    assert rc == 0, err
    assert "no meta.json (SCAN precomp layout)" in out
    assert "dev: 3 images, 15 captions (5 per image), 5 regions x 7-d features" in out
    assert "testall: 2 images, 10 captions" in out


def test_graphs_only_split_reports_and_refuses_features(cli, toy):
    (toy / "train_ims.npy").unlink()
    meta = json.loads((toy / "meta.json").read_text())
    meta["feature_dim"] = None
    (toy / "meta.json").write_text(json.dumps(meta))
    rc, out, err = cli("data", "check", toy)
    assert rc == 0, err
    assert "graphs only (no features)" in out
    sp = load_split(toy, "train")
    assert sp.graphs_only and sp.n_images == 4
    with pytest.raises(Exception, match="graphs-only .* training needs region features"):
        sp.require_features("training")


def test_stale_parser_cache_is_ignored_not_fatal(toy):
    meta = json.loads((toy / "train_caps_sg.meta.json").read_text())
    meta["source"] = "parser@rules-1"
    (toy / "train_caps_sg.meta.json").write_text(json.dumps(meta))
    _set_line(toy / "train_caps.txt", 1, "a different caption")
    sp = load_split(toy, "train")
    assert sp.caption_graphs is None and sp.caption_graph_source is None
