"""`sgfns convert sgm`: SGM's img_to_sg (-1 padded) and caps_with_rel (subject, object, relation) fixtures."""

import json

import numpy as np
import pytest

from sgfns.data.dataset import load_split

OBJECTS = ["__background__", "man", "horse", "hat", "grass", "dog"]
PREDICATES = ["__background__", "on", "wearing", "near"]


def _image(name, labels, rels, slots=5, rel_slots=4):
    boxes = [[10.0 * i, 5.0, 10.0 * i + 8, 20.0] for i in range(len(labels))]
    return {
        "filename": name,
        "imageid": 0,
        "sg": {
            "object": labels + [-1] * (slots - len(labels)),
            "relationship": rels + [[-1, -1, -1]] * (rel_slots - len(rels)),
            "bbox": boxes + [[0.0, 0.0, 0.0, 0.0]] * (slots - len(labels)),
        },
    }


def write_fixture(root, split="test"):
    root.mkdir(parents=True, exist_ok=True)
    sg = {
        "object_dict": OBJECTS,
        "predicate_dict": {str(i): p for i, p in enumerate(PREDICATES)},
        "object_num": len(OBJECTS),
        "predicate_num": len(PREDICATES),
        "img_to_sg": [
            _image("1.jpg", [1, 2, 3], [[0, 1, 1], [0, 2, 2]]),  # man on horse, man wearing hat
            _image("2.jpg", [5, 4], [[0, 1, 1]]),  # dog on grass
            _image("3.jpg", [1], []),
        ],
    }
    caps = [
        {"filename": "1.jpg", "captions": [
            {"sent": "A man rides a brown horse .", "rels": [["man"], ["horse", "brown"], ["man", "horse", "ride"]]},
            {"sent": "A man in a hat .", "rels": [["man", "hat", "in"], ["hat"]]},
        ]},
        {"filename": "2.jpg", "captions": [
            {"sent": "A small dog lies on the grass .", "rels": [["dog", "small"], ["dog", "grass", "lie on"]]},
            {"sent": "A dog .", "rels": []},
        ]},
        {"filename": "3.jpg", "captions": [
            {"sent": "Someone stands\nthere .", "rels": [["someone"]]},
            {"sent": "A man .", "rels": [["man"]]},
        ]},
    ]  # fmt: skip
    (root / f"f30k_{split}_image_sg_by_NM_36_25.json").write_text(json.dumps(sg))
    (root / f"f30k_{split}_caps_with_rel.json").write_text(json.dumps(caps))
    return sg, caps


def test_convert_sgm_fixture(cli, tmp_path):
    src, out = tmp_path / "sgm", tmp_path / "out"
    write_fixture(src)
    rc, stdout, err = cli("convert", "sgm", src, "--split", "test", "--out", out)
    assert rc == 0, err
    assert "test: 3 images, 6 captions (2 per image), graphs only (no features), boxes" in stdout
    sp = load_split(out, "test")
    assert sp.ids == ["1.jpg", "2.jpg", "3.jpg"] and sp.graphs_only and sp.caption_graph_source == "provided"
    # image side: padding dropped, [subject, predicate, object] indices, region = position
    g = sp.image_graphs[0]
    assert [o.name for o in g.objects] == ["man", "horse", "hat"] and [o.region for o in g.objects] == [0, 1, 2]
    assert g.triples() == [("man", "on", "horse"), ("man", "wearing", "hat")]
    assert sp.image_graphs[1].triples() == [("dog", "on", "grass")] and not sp.image_graphs[2].relations
    assert sp.boxes.shape == (3, 5, 4)
    np.testing.assert_allclose(sp.boxes[0, 1], [10, 5, 18, 20])
    assert not sp.boxes[2, 1:].any()
    # caption side: SPICE tuples, relations in subject, object, relation order; attributes from 2-tuples
    c0 = sp.caption_graphs[0]
    assert c0.triples() == [("man", "ride", "horse")]
    assert {o.name: o.attributes for o in c0.objects} == {"man": [], "horse": ["brown"]}
    assert sp.caption_graphs[1].triples() == [("man", "in", "hat")]
    assert sp.caption_graphs[2].triples() == [("dog", "lie on", "grass")]
    assert sp.caption_graphs[2].objects[0].attributes == ["small"]
    assert sp.caption_graphs[3].is_empty()
    assert sp.captions[4] == "Someone stands there ."  # a newline inside a caption cannot break caps.txt
    rc, out_text, err = cli("data", "check", out)
    assert rc == 0 and "graphs only" in out_text


def _mutate_sg(src, fn):
    path = next(src.glob("*image_sg*.json"))
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


def _mutate_caps(src, fn):
    path = next(src.glob("*caps_with_rel*.json"))
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


BAD = {
    "relation beyond objects": (
        lambda s: _mutate_sg(s, lambda d: d["img_to_sg"][1]["sg"]["relationship"].__setitem__(0, [0, 1, 3])),
        "img_to_sg[1]: sg.relationship[0] = [0, 1, 3] refers beyond the 2 objects",
    ),
    "label after padding": (
        lambda s: _mutate_sg(s, lambda d: d["img_to_sg"][2]["sg"]["object"].__setitem__(3, 2)),
        "img_to_sg[2]: sg.object has a label after the -1 padding",
    ),
    "unknown label": (
        lambda s: _mutate_sg(s, lambda d: d["img_to_sg"][0]["sg"]["object"].__setitem__(0, 99)),
        "img_to_sg[0]: sg.object[0] = 99 is not in object_dict",
    ),
    "no vocabulary": (
        lambda s: _mutate_sg(s, lambda d: d.pop("object_dict")),
        "'object_dict' must be a list of names or a mapping",
    ),
    "caption count": (
        lambda s: _mutate_caps(s, lambda d: d[1]["captions"].pop()),
        "[1]: 1 captions but earlier images have 2",
    ),
    "image count": (
        lambda s: _mutate_caps(s, lambda d: d.pop()),
        "2 entries but f30k_test_image_sg_by_NM_36_25.json has 3 images",
    ),
    "bad tuple": (
        lambda s: _mutate_caps(s, lambda d: d[0]["captions"][0]["rels"].append(["a", "b", "c", "d"])),
        "[0].captions[0]: rels[3] must be a SPICE tuple of 1-3 non-empty strings",
    ),
    "filename mismatch": (
        lambda s: _mutate_caps(s, lambda d: d[2].update(filename="9.jpg")),
        "[2]: filename '9.jpg' but the image graph is for '3.jpg'",
    ),
    "two candidate files": (
        lambda s: (s / "coco_test_caps_with_rel.json").write_text("[]"),
        "2 files (coco_test_caps_with_rel.json, f30k_test_caps_with_rel.json) matching *test*caps_with_rel*.json",
    ),
    "not JSON": (
        lambda s: next(s.glob("*caps_with_rel*.json")).write_text("[{"),
        "f30k_test_caps_with_rel.json:1: not valid JSON",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_convert_sgm_bad_input(cli, tmp_path, case):
    src = tmp_path / "sgm"
    write_fixture(src)
    mutate, message = BAD[case]
    mutate(src)
    rc, _, err = cli("convert", "sgm", src, "--split", "test", "--out", tmp_path / "out")
    assert rc == 2 and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "out" / "test_caps.txt").exists()


def test_convert_sgm_refuses_to_replace_a_split_and_overwrites_when_asked(cli, tmp_path):
    src, out = tmp_path / "sgm", tmp_path / "out"
    write_fixture(src)
    assert cli("convert", "sgm", src, "--split", "test", "--out", out)[0] == 0
    (out / "test_ims.npy").write_bytes(b"stale")  # a file the new split does not have
    rc, _, err = cli("convert", "sgm", src, "--split", "test", "--out", out)
    assert rc == 2 and "split 'test' exists already" in err
    rc, _, err = cli("convert", "sgm", src, "--split", "test", "--out", out, "--overwrite")
    assert rc == 0, err
    assert not (out / "test_ims.npy").exists()
    # a second split into the same folder joins meta.json
    rc, _, err = cli("convert", "sgm", src, "--split", "test", "--out", out, "--out-split", "val")
    assert rc == 0, err
    assert json.loads((out / "meta.json").read_text())["splits"] == ["test", "val"]
