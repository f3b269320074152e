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
