"""The toy dataset other areas' tests build on: canonical files, loadable, deterministic, with a learnable signal."""

import json

import numpy as np

from sgfns.data.dataset import load_split
from sgfns.data.toy import write_toy_dataset


def _fact(g, r):
    s, o = g.objects[r.subject], g.objects[r.object]
    return (s.name, s.attributes[0], r.predicate, o.name, o.attributes[0])


def test_toy_dataset_loads_with_graphs_and_positives(tmp_path):
    root = write_toy_dataset(tmp_path / "toy", n_images=12, captions_per_image=3, regions=6, feature_dim=16)
    meta = json.loads((root / "meta.json").read_text())
    assert meta["feature_dim"] == 16 and meta["captions_per_image"] == 3 and meta["box_format"] == "xyxy_norm"
    for split in ("train", "val", "test"):
        sp = load_split(root, split)
        assert (sp.n_images, sp.n_captions, sp.captions_per_image) == (12, 36, 3)
        assert sp.features.shape == (12, 6, 16) and sp.features.dtype == np.float32
        assert isinstance(sp.features, np.memmap)
        assert sp.boxes.shape == (12, 6, 4)
        assert len(sp.image_graphs) == 12 and len(sp.caption_graphs) == 36
        assert sp.caption_graph_source == "provided"
        for c, g in enumerate(sp.caption_graphs):
            text = sp.captions[c]
            assert [text[o.span[0] : o.span[1]] for o in g.objects] == [o.name for o in g.objects]
            assert all(o.attributes[0] in text for o in g.objects)
            # the caption's fact is in its own image's graph (possibly stated from the other side)
            img = sp.image_graphs[c // 3]
            (subj, pred, obj) = g.triples()[0]
            facts = {_fact(img, r) for r in img.relations}
            conv = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
            a, b = g.objects[0].attributes[0], g.objects[1].attributes[0]
            assert (subj, a, pred, obj, b) in facts or (obj, b, conv[pred], subj, a) in facts
        for c in range(sp.n_captions):
            assert c // 3 in sp.positives(c)


def test_toy_dataset_is_deterministic_and_seeded(tmp_path):
    a = write_toy_dataset(tmp_path / "a", n_images=5, splits=("train",), seed=3)
    b = write_toy_dataset(tmp_path / "b", n_images=5, splits=("train",), seed=3)
    c = write_toy_dataset(tmp_path / "c", n_images=5, splits=("train",), seed=4)
    for name in ("train_ims.npy", "train_caps.txt", "train_image_sg.jsonl", "train_caps_sg.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "train_ims.npy").read_bytes() != (c / "train_ims.npy").read_bytes()


def test_toy_without_graphs_is_scan_style(tmp_path):
    root = write_toy_dataset(tmp_path, n_images=4, splits=("train",), graphs=False)
    assert not (root / "train_image_sg.jsonl").exists() and not (root / "train_caps_sg.jsonl").exists()
    sp = load_split(root, "train")
    assert sp.image_graphs is None and sp.caption_graphs is None and sp.n_captions == 20


def test_toy_features_carry_the_label_signal(tmp_path):
    """A nearest-centroid classifier on object regions recovers shape and colour: the signal a model can learn."""
    root = write_toy_dataset(tmp_path, n_images=60, splits=("train",))
    sp = load_split(root, "train")
    x, shape, colour = [], [], []
    for i, g in enumerate(sp.image_graphs):
        for o in g.objects:
            x.append(np.asarray(sp.features[i, o.region]))
            shape.append(o.name)
            colour.append(o.attributes[0])
    x = np.stack(x)
    for labels in (shape, colour):
        names = sorted(set(labels))
        lab = np.array([names.index(n) for n in labels])
        cent = np.stack([x[lab == j].mean(0) for j in range(len(names))])
        acc = (np.argmax(x @ cent.T - 0.5 * (cent**2).sum(1), axis=1) == lab).mean()
        assert acc > 0.8, acc


def test_toy_suites_are_consistent_with_the_scenes(tmp_path):
    """Compositional negatives are false of their image, twins false of the twin: checked against image graphs."""
    from sgfns.data.suites import load_suites

    root = write_toy_dataset(tmp_path, n_images=16, captions_per_image=3, splits=("test",))
    sp = load_split(root, "test")
    suites = load_suites(sp)  # the readers range-check indices and check caption text and positives
    assert len(suites.gt) == 16 and suites.gt[5].captions[1].caption == sp.captions[16]
    assert len(suites.compositional) == 48
    assert {i.category for i in suites.compositional} >= {"replace-obj", "replace-att", "replace-rel", "swap-obj"}
    conv = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}

    def true_of(text, image):
        g = sp.image_graphs[image]
        facts = set()
        for r in g.relations:
            s, o = g.objects[r.subject], g.objects[r.object]
            a, b = f"{s.attributes[0]} {s.name}", f"{o.attributes[0]} {o.name}"
            facts |= {f"{a} {r.predicate} {b}", f"{b} {conv[r.predicate]} {a}"}
        words = text.replace(" is ", " ").replace("there ", "").split()
        core = " ".join(w for w in words if w not in ("a", "the"))
        return core in facts

    for item in suites.compositional:
        assert true_of(item.caption, item.image) and not true_of(item.negative, item.image), item
    assert suites.twins
    for t in suites.twins:
        assert true_of(sp.captions[t.caption_index], t.image) and not true_of(sp.captions[t.caption_index], t.twin)
        assert abs(t.image - t.twin) == 1
