"""`sgfns convert lgsgm` on the real Flickr30K val graphs (skips without ../shared/data)."""

import json
import stat

import numpy as np

from sgfns.data.dataset import load_split
from sgfns.data.safe_pickle import safe_load


def test_convert_lgsgm_val(cli, shared_data, tmp_path):
    src = shared_data / "flickr30k_sg"
    out = tmp_path / "f30k_sg"
    rc, stdout, err = cli("convert", "lgsgm", src, "--split", "val", "--out", out)
    assert rc == 0, err
    assert "val: 1014 images, 5070 captions (5 per image), graphs only (no features), boxes" in stdout

    meta = json.loads((out / "meta.json").read_text())
    assert meta["feature_dim"] is None and meta["box_format"] == "xyxy_pixels" and meta["captions_per_image"] == 5
    assert not (out / "val_ims.npy").exists()
    assert stat.S_IMODE((out / "val_caps.txt").stat().st_mode) & 0o044  # readable by others, not mkstemp's 0600
    sp = load_split(out, "val")
    assert (sp.n_images, sp.n_captions) == (1014, 5070) and sp.graphs_only
    assert sp.caption_graph_source == "provided" and sp.boxes.shape == (1014, 36, 4)

    # spot-check one image and its captions against the pickles
    images = safe_load(src / "flickr30k_val_lowered_images_data.joblib")
    caps = safe_load(src / "flickr30k_val_lowered_caps_data.joblib")
    matching = safe_load(src / "image_caption_matching_flickr_val.joblib")
    i = 17
    name = sp.ids[i]
    assert name == list(matching)[i] and name.endswith(".jpg")
    rec = images[name]
    g = sp.image_graphs[i]
    assert [o.name for o in g.objects] == rec["labels"] and [o.region for o in g.objects] == list(range(36))
    np.testing.assert_allclose(sp.boxes[i], np.asarray(rec["bbox"], dtype=np.float32))
    assert len(g.relations) == 25
    s, p, o = rec["rels"][3]
    r = g.relations[3]
    assert (f"{g.objects[r.subject].name}:{r.subject}", r.predicate, f"{g.objects[r.object].name}:{r.object}") == (
        s, p, o)  # fmt: skip
    for j, cid in enumerate(matching[name]):
        c = i * 5 + j
        assert sp.captions[c] == " ".join(caps[cid]["sent"].split())
        assert sorted(sp.caption_graphs[c].triples()) == sorted(tuple(t) for t in caps[cid]["rels"])
    # a caption without triplets is a valid empty graph
    empty = [c for c, g in enumerate(sp.caption_graphs) if not g.objects]
    assert empty and not sp.caption_graphs[empty[0]].relations

    # converting again into the same folder refuses (before reading the pickles)
    rc, _, err = cli("convert", "lgsgm", src, "--split", "val", "--out", out)
    assert rc == 2 and "split 'val' exists already" in err


def test_convert_lgsgm_missing_split(cli, shared_data, tmp_path):
    rc, _, err = cli("convert", "lgsgm", shared_data / "flickr30k_sg", "--split", "train", "--out", tmp_path / "x")
    assert rc == 2 and "flickr30k_train_lowered_images_data.joblib: file not found" in err


def _write_lgsgm(src, images, caps, matching, split="val"):
    import pickle

    src.mkdir(parents=True, exist_ok=True)
    for name, obj in ((f"flickr30k_{split}_lowered_images_data.joblib", images),
                      (f"flickr30k_{split}_lowered_caps_data.joblib", caps),
                      (f"image_caption_matching_flickr_{split}.joblib", matching)):  # fmt: skip
        (src / name).write_bytes(pickle.dumps(obj, protocol=3))


def _small():
    images = {
        "b.jpg": {"labels": ["man", "hat", "dog"], "bbox": [[0, 0, 5, 5], [1, 1, 2, 2], [3, 3, 9, 9]],
                  "rels": [["man:0", "wearing", "hat:1"], ["dog:2", "near", "man:0"]]},
        "a.jpg": {"labels": ["cat", "sofa", "cat"], "bbox": [[0, 0, 1, 1]] * 3, "rels": [["cat:2", "on", "sofa:1"]]},
    }  # fmt: skip
    caps = {
        "7": {"sent": "Two men in hats walk a dog.", "rels": [["man", "in", "hat"], ["man", "walk", "dog"]]},
        "3": {"sent": "a man and his dog.", "rels": []},
        "9": {"sent": "a cat sleeps on a sofa.", "rels": [["cat", "sleep on", "sofa"]]},
        "8": {"sent": "a cat.", "rels": []},
    }
    return images, caps, {"b.jpg": ["7", "3"], "a.jpg": ["9", "8"]}


def test_convert_lgsgm_small_fixture(cli, tmp_path):
    """Runs everywhere (no shared data): order from the matching file, node indices, spans of lemmatised names."""
    _write_lgsgm(tmp_path / "src", *_small())
    rc, out, err = cli("convert", "lgsgm", tmp_path / "src", "--split", "val", "--out", tmp_path / "out")
    assert rc == 0, err
    sp = load_split(tmp_path / "out", "val")
    assert sp.ids == ["b.jpg", "a.jpg"] and sp.captions[0] == "Two men in hats walk a dog."
    assert sp.captions[2:] == ["a cat sleeps on a sofa.", "a cat."]
    assert sp.image_graphs[0].triples() == [("man", "wearing", "hat"), ("dog", "near", "man")]
    assert sp.image_graphs[1].relations[0].subject == 2  # "cat:2": the second cat, not the first
    g = sp.caption_graphs[0]
    assert g.triples() == [("man", "in", "hat"), ("man", "walk", "dog")]
    spans = {o.name: sp.captions[0][o.span[0] : o.span[1]] for o in g.objects}
    assert spans == {"man": "men", "hat": "hats", "dog": "dog"}
    assert sp.caption_graphs[1].is_empty() and sp.caption_graphs[3].is_empty()
    assert sp.boxes.shape == (2, 3, 4) and sp.graphs_only


def test_convert_lgsgm_refuses_a_code_running_pickle(cli, tmp_path):
    import os

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    images, caps, matching = _small()
    images["b.jpg"]["labels"] = Exploit()
    _write_lgsgm(tmp_path / "src", images, caps, matching)
    rc, _, err = cli("convert", "lgsgm", tmp_path / "src", "--split", "val", "--out", tmp_path / "out")
    assert rc == 2 and err.count("\n") == 1
    assert "flickr30k_val_lowered_images_data.joblib: refused to load '" in err and "system'" in err
    assert not marker.exists() and not (tmp_path / "out" / "val_caps.txt").exists()


def test_convert_lgsgm_bad_records(cli, tmp_path):
    images, caps, matching = _small()
    images["a.jpg"]["rels"].append(["cat:0", "on", "sofa:7"])
    _write_lgsgm(tmp_path / "src", images, caps, matching)
    rc, _, err = cli("convert", "lgsgm", tmp_path / "src", "--split", "val", "--out", tmp_path / "out")
    assert rc == 2 and "image 'a.jpg': rels[1]: 'sofa:7' is not 'name:index' with an index below 3" in err
    images, caps, matching = _small()
    matching["a.jpg"].append("7")
    _write_lgsgm(tmp_path / "src", images, caps, matching)
    rc, _, err = cli("convert", "lgsgm", tmp_path / "src", "--split", "val", "--out", tmp_path / "out")
    assert rc == 2 and "image 'a.jpg': 3 captions but earlier images have 2" in err
