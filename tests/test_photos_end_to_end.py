"""Prepared photos are a dataset like any other: prepare -> data check -> train -> encode -> search by text and by
a photo file that is not in the gallery; a caption-less gallery is searched by text. Generated photos always, a few
shared coco_mini photos when ../shared/data is there."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("efficientnet_lite_pytorch")

from photo_helpers import SIZE, make_photo  # noqa: E402

TRAIN = ["--model", "vsepp-tiny", "--no-progress", "epochs=1", "data.batch_size=4", "threads=1"]
COLOURS = {"red": (210, 30, 30), "blue": (30, 30, 210), "green": (30, 170, 30), "yellow": (230, 220, 40)}


def run_pipeline(cli, tmp_path, train_src, dev_src, query_photo, extra=()):
    data = tmp_path / "data"
    for src, split in ((train_src, "train"), (dev_src, "dev")):
        rc, _, err = cli("prepare", src, "--split", split, "--out", data, *extra)
        assert rc == 0, err
    rc, out, err = cli("data", "check", data)
    assert rc == 0 and "OK" in out, err
    run = tmp_path / "run"
    rc, out, err = cli("train", "--data", data, "--out", run, *TRAIN)
    assert rc == 0, err
    assert json.loads(out.strip().splitlines()[-1])["val_rsum"] >= 0
    enc = tmp_path / "enc"
    rc, _, err = cli("encode", "--run", run, "--data", data, "--split", "dev", "--out", enc, "--no-progress")
    assert rc == 0, err
    ids = (data / "dev_ids.txt").read_text().split()
    rc, out, err = cli("search", "--run", run, "--index", enc, "a photo", "-k", "2", "--json")
    assert rc == 0, err
    rows = json.loads(out)["results"]  # one document in the service's shape
    assert len(rows) == 2 and all(r["image_id"] in ids for r in rows)
    rc, out, err = cli("search", "--run", run, "--index", enc, "--image", query_photo, "-k", "3", "--json")
    assert rc == 0, err
    rows = json.loads(out)["results"]
    captions = (data / "dev_caps.txt").read_text().splitlines()
    assert len(rows) == 3 and all(r["caption"] in captions for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    return data, run


def test_generated_photos_train_encode_and_search(cli, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for split, n in (("train", 8), ("dev", 4)):
        lines = []
        for i in range(n):
            name = list(COLOURS)[i % 4]
            make_photo(src / f"{split}{i}.jpg", COLOURS[name], size=(48 + i, 40))
            lines.append({"image": f"{split}{i}.jpg", "captions": [f"a {name} square", f"a {name} box on gray"]})
        (src / f"{split}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    query = make_photo(tmp_path / "query.png", COLOURS["red"])
    data, run = run_pipeline(cli, tmp_path, src / "train.jsonl", src / "dev.jsonl", query, SIZE)

    # a caption-less gallery prepared with the same settings, searched by text with the same run
    gallery_dir = tmp_path / "gallery_photos"
    gallery_dir.mkdir()
    for name, colour in COLOURS.items():
        make_photo(gallery_dir / f"{name}.png", colour)
    gallery = tmp_path / "gallery"
    assert cli("prepare", gallery_dir, "--split", "photos", "--out", gallery, *SIZE)[0] == 0
    enc = tmp_path / "gallery_enc"
    rc, _, err = cli("encode", "--run", run, "--data", gallery, "--split", "photos", "--out", enc, "--no-progress")
    assert rc == 0, err
    rc, out, err = cli("search", "--run", run, "--index", enc, "a red square", "-k", "4", "--json")
    assert rc == 0, err
    assert sorted(r["image_id"] for r in json.loads(out)["results"]) == sorted(COLOURS)
    rc, _, err = cli("search", "--run", run, "--index", enc, "--image", query)
    assert rc == 2 and "no captions to search" in err

    # photos added to the gallery later: `encode --append` encodes only them and gives what a fresh encode gives
    more = tmp_path / "more_photos"
    more.mkdir()
    for name, colour in (("purple", (150, 40, 160)), ("white", (240, 240, 240))):
        make_photo(more / f"{name}.png", colour)
    assert cli("prepare", more, "--split", "photos", "--out", gallery, *SIZE)[0] == 0
    rc, out, err = cli("encode", "--run", run, "--data", gallery, "--split", "photos", "--out", enc, "--append",
                       "--no-progress")  # fmt: skip
    assert rc == 0, err
    assert "encoded 6 images" in out and "4 images and 0 captions kept from the index" in out
    fresh = tmp_path / "gallery_enc_fresh"
    assert cli("encode", "--run", run, "--data", gallery, "--split", "photos", "--out", fresh, "--no-progress")[0] == 0
    appended, full = (json.loads((d / "index.json").read_text()) for d in (enc, fresh))
    assert appended["image_ids"] == full["image_ids"] and len(full["image_ids"]) == 6
    assert np.allclose(np.load(enc / "images_glob.npy"), np.load(fresh / "images_glob.npy"), atol=1e-6)
    rc, out, err = cli("encode", "--run", run, "--data", gallery, "--split", "photos", "--out", enc, "--append",
                       "--no-progress")  # fmt: skip
    assert rc == 0 and "6 images and 0 captions kept from the index" in out, err  # nothing new: nothing encoded
    rc, out, err = cli("search", "--run", run, "--index", enc, "a white square", "-k", "6", "--json")
    assert rc == 0 and {"purple", "white"} <= {r["image_id"] for r in json.loads(out)["results"]}, err

    # sgfns with the photos preset's model settings (whole-photo global, the label term): its search results carry
    # the label term beside the others, and the parts add up to the score
    sg = tmp_path / "sgfns_run"
    rc, out, err = cli("train", "--data", data, "--out", sg, "--model", "sgfns-tiny", "--no-progress", "epochs=1",
                       "data.batch_size=4", "threads=1", "neg.weight=0", "model.word_dim=384",
                       "model.text_encoder=minilm", "model.image_global=whole", "model.global_nodes=false",
                       "model.label_prior=1.0")  # fmt: skip
    assert rc == 0, err
    kept = (enc / "images.safetensors").read_bytes()
    rc, _, err = cli("encode", "--run", sg, "--data", gallery, "--split", "photos", "--out", enc, "--append")
    assert rc == 2 and "index.json: checkpoint_sha256" in err and len(err.strip().splitlines()) == 1
    assert (enc / "images.safetensors").read_bytes() == kept  # a refused append leaves the index as it was
    sg_enc = tmp_path / "sgfns_enc"
    rc, _, err = cli("encode", "--run", sg, "--data", gallery, "--split", "photos", "--out", sg_enc, "--no-progress")
    assert rc == 0, err
    rc, out, err = cli("search", "--run", sg, "--index", sg_enc, "a red square", "-k", "4", "--json")
    assert rc == 0, err
    rows = json.loads(out)["results"]
    assert len(rows) == 4
    for r in rows:
        assert {"global", "object", "label"} <= set(r["parts"])
        assert sum(r["parts"].values()) == pytest.approx(r["score"], abs=1e-5)

    # the library scores photo files directly: prepared with the settings of the folder the run was trained on, a
    # file scores as the same photo prepared into a folder does (up to the folder's float16 features)
    from sgfns import load_model
    from sgfns.errors import UserError

    m = load_model(sg)
    caps = ["a red square", "a blue square", "a green box on gray"]
    by_file = m.similarity_pairs([gallery_dir / "red.png"], caps)
    by_id = m.similarity_pairs(["red"], caps, data=gallery, split="photos")
    assert by_file.image_ids == [str(gallery_dir / "red.png")] * 3
    assert np.allclose(by_file.score.numpy(), by_id.score.numpy(), atol=1e-3)
    for name, part in by_file.parts.items():
        assert np.allclose(part.numpy(), by_id.parts[name].numpy(), atol=1e-3), name
    other = m.similarity_pairs([gallery_dir / "blue.png"], caps)
    assert not np.allclose(other.score.numpy(), by_file.score.numpy(), atol=1e-3)  # another photo, other scores
    with pytest.raises(UserError, match="not a mix"):
        m.similarity_pairs([gallery_dir / "red.png", "red"], ["a red square"], data=gallery, split="photos")
    with pytest.raises(UserError, match="not a folder made by `sgfns prepare`"):
        m.similarity_pairs([gallery_dir / "red.png"], caps, data=tmp_path)
    with pytest.raises(UserError, match="missing.png"):
        m.similarity_pairs([gallery_dir / "missing.png"], caps)


def test_shared_coco_photos_end_to_end(cli, tmp_path, shared_data):
    coco = shared_data / "coco_mini"
    for split, n in (("train", 6), ("dev", 4)):
        doc = json.loads((coco / f"{split}.json").read_text())
        doc["images"] = doc["images"][:n]
        (tmp_path / f"{split}.json").write_text(json.dumps(doc))
    query = coco / "images" / json.loads((coco / "dev.json").read_text())["images"][-1]["file_name"]
    data, _ = run_pipeline(cli, tmp_path, tmp_path / "train.json", tmp_path / "dev.json", query,
                           ["--images", coco / "images", "--input-size", "128", "--no-progress"])  # fmt: skip
    ids = (data / "train_ids.txt").read_text().split()
    assert ids == [str(r["image_id"]) for r in json.loads((tmp_path / "train.json").read_text())["images"]]
