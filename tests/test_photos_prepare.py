"""`sgfns prepare` on small generated photos: the layout it writes, the backbone contract, appending and shards."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("efficientnet_lite_pytorch")

from photo_helpers import SIZE, make_photo  # noqa: E402


@pytest.fixture
def photo_source(tmp_path):
    """A JSONL source of four photos with two captions each."""
    src = tmp_path / "src"
    src.mkdir()
    colours = [(200, 30, 30), (30, 30, 200), (30, 160, 30), (230, 220, 40)]
    lines = []
    for i, c in enumerate(colours):
        make_photo(src / f"p{i}.jpg", c)
        lines.append({"image": f"p{i}.jpg", "id": f"photo-{i}", "captions": [f"a shape number {i}", f"picture {i}"]})
    (src / "caps.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return src


def test_prepare_writes_a_loadable_split_with_the_backbone_contract(cli, photo_source, tmp_path):
    import torch

    from sgfns.data.dataset import load_split
    from sgfns.photos.backbone import load_backbone
    from sgfns.photos.decode import open_photo

    out = tmp_path / "data"
    rc, stdout, err = cli("prepare", photo_source / "caps.jsonl", "--split", "train", "--out", out,
                          "--captions-per-image", "2", *SIZE)  # fmt: skip
    assert rc == 0, err
    sp = load_split(out, "train")
    assert sp.ids == [f"photo-{i}" for i in range(4)]
    assert sp.captions[:2] == ["a shape number 0", "picture 0"]
    assert sp.features.shape == (4, 6, 1280) and sp.features.dtype == np.float16
    assert sp.boxes.shape == (4, 6, 4) and np.allclose(sp.boxes[:, 0], [0, 0, 1, 1])
    assert sp.region_mask.all()
    assert len(sp.image_graphs) == 4
    meta = json.loads((out / "meta.json").read_text())
    assert meta["backbone"]["weights_sha256"] and meta["backbone"]["input_size"] == 64
    assert meta["region_settings"]["count"] == 6 and meta["box_format"] == "xyxy_norm"
    images = (out / "train_images.txt").read_text().split()
    assert all((out / p).is_file() for p in images)
    # region 0 is the whole photo: the classifier on it gives the network's own logits for the photo
    backbone = load_backbone(64)
    pixels = open_photo(photo_source / "p2.jpg", 64).pixels
    x = torch.from_numpy(pixels.copy())[None].permute(0, 3, 1, 2).float().sub(127).div(128)
    with torch.no_grad():
        ref = backbone.net(x)[0]
    got = backbone.classify(torch.from_numpy(np.asarray(sp.features[2, 0], dtype=np.float32)))
    assert int(ref.argmax()) == int(got.argmax())
    assert float((ref - got).abs().max()) < 0.05  # float16 storage


def test_append_keeps_old_rows_and_refuses_other_settings(cli, photo_source, tmp_path):
    out = tmp_path / "data"
    first = photo_source / "first.jsonl"
    second = photo_source / "second.jsonl"
    lines = (photo_source / "caps.jsonl").read_text().splitlines(keepends=True)
    first.write_text("".join(lines[:2]))
    second.write_text("".join(lines[2:]))
    assert cli("prepare", first, "--split", "train", "--out", out, *SIZE)[0] == 0
    before = np.load(out / "train_ims.npy").copy()
    rc, _, err = cli("prepare", second, "--split", "train", "--out", out, "--input-size", "96", "--regions", "6")
    assert rc == 2 and "input_size is 64 but this call uses 96" in err
    assert cli("prepare", second, "--split", "train", "--out", out, *SIZE)[0] == 0
    after = np.load(out / "train_ims.npy")
    assert after.shape[0] == 4 and np.array_equal(after[:2], before)
    assert (out / "train_ids.txt").read_text().split() == [f"photo-{i}" for i in range(4)]
    rc, _, err = cli("prepare", second, "--split", "train", "--out", out, *SIZE)
    assert rc == 2 and "duplicate image id 'photo-2' (already in the split)" in err


def test_shards_merge_to_the_same_split(cli, photo_source, tmp_path):
    src = photo_source / "caps.jsonl"
    whole = tmp_path / "whole"
    assert cli("prepare", src, "--split", "train", "--out", whole, *SIZE)[0] == 0
    shards = []
    for i in range(2):
        shards.append(tmp_path / f"shard{i}")
        assert cli("prepare", src, "--split", "train", "--out", shards[-1], "--shard", f"{i}/2", *SIZE)[0] == 0
    merged = tmp_path / "merged"
    rc, _, err = cli("prepare", "--merge", *shards, "--split", "train", "--out", merged)
    assert rc == 0, err
    for name in ("train_ids.txt", "train_caps.txt", "train_image_sg.jsonl"):
        assert (merged / name).read_text() == (whole / name).read_text()
    assert np.array_equal(np.load(merged / "train_ims.npy"), np.load(whole / "train_ims.npy"))


def test_caption_less_folder_is_a_gallery(cli, tmp_path):
    from sgfns.data.dataset import load_split

    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    make_photo(folder / "a.png")
    make_photo(folder / "sub" / "b.jpg", (0, 0, 255))
    out = tmp_path / "gallery"
    rc, _, err = cli("prepare", folder, "--split", "gallery", "--out", out, *SIZE)
    assert rc == 0, err
    sp = load_split(out, "gallery")
    assert sp.ids == ["a", "sub/b"] and sp.captions == [] and sp.captions_per_image == 0


def test_coco_captions_with_instances_keep_ids_and_never_use_the_given_boxes(cli, tmp_path):
    from sgfns.photos.sources import read_source

    src = tmp_path / "coco"
    (src / "val").mkdir(parents=True)
    make_photo(src / "val" / "000000000042.jpg", size=(64, 48))
    make_photo(src / "val" / "000000000007.jpg", (0, 0, 200), size=(64, 48))
    images = [{"id": 42, "file_name": "000000000042.jpg"}, {"id": 7, "file_name": "000000000007.jpg"}]
    caps = {"images": images, "annotations": [{"image_id": i, "caption": f"photo {i} take {j}\n"}
                                              for i in (42, 7) for j in range(6 if i == 42 else 5)]}  # fmt: skip
    inst = {"images": images, "categories": [{"id": 18, "name": "dog"}],
            "annotations": [{"image_id": 42, "bbox": [8, 8, 20, 20], "category_id": 18}]}  # fmt: skip
    (src / "captions_val.json").write_text(json.dumps(caps))
    (src / "instances_val.json").write_text(json.dumps(inst))
    records = read_source(src / "captions_val.json", images=src / "val", instances=src / "instances_val.json")
    assert [r.id for r in records] == ["42", "7"]
    assert records[0].given_boxes == [([8.0, 8.0, 28.0, 28.0], "dog")] and records[1].given_boxes == []
    outs = []
    for name, extra in (("with", ["--instances", src / "instances_val.json"]), ("without", [])):
        outs.append(tmp_path / name)
        rc, _, err = cli("prepare", src / "captions_val.json", "--images", src / "val", "--split", "val",
                         "--out", outs[-1], *extra, *SIZE)  # fmt: skip
        assert rc == 0, err
    assert (outs[0] / "val_ids.txt").read_text().split() == ["42", "7"]
    captions = (outs[0] / "val_caps.txt").read_text().splitlines()
    assert len(captions) == 10 and captions[0] == "photo 42 take 0"  # 5 per photo: the fewest any photo has
    for name in ("val_boxes.npy", "val_ims.npy"):
        assert np.array_equal(np.load(outs[0] / name), np.load(outs[1] / name))
    oracle = tmp_path / "oracle"
    rc, _, err = cli("prepare", src / "captions_val.json", "--images", src / "val", "--split", "val", "--out", oracle,
                     "--instances", src / "instances_val.json", "--oracle-boxes", *SIZE)  # fmt: skip
    assert rc == 0, err
    meta = json.loads((oracle / "meta.json").read_text())
    assert meta["oracle"] is True and meta["region_settings"]["methods"] == ["given"]
    boxes = np.load(oracle / "val_boxes.npy")
    assert np.allclose(boxes[0, 1], [8 / 64, 8 / 48, 28 / 64, 28 / 48])  # the given box, then grid fill
    assert json.loads((outs[0] / "meta.json").read_text())["oracle"] is False
