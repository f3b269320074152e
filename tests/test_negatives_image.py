"""Image-side negatives: objects move as whole units, same-label replacements are rejected, and an image-only
classifier cannot tell edited images from real ones (the model must read the caption to use them)."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest
import torch

from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.negatives import image as imneg

LABELS = ("man", "horse", "dog", "cat", "car", "bench", "tree", "ball")
ATTRS = ("red", "blue", "brown", "white", "small", "big")
PREDS = ("on", "riding", "next to", "behind", "holding")


def scene(labels, attrs, rels, rng: np.random.Generator, dim=8, regions=6, protos=None):
    objs = [SGObject(n, [a], 1, region=i) for i, (n, a) in enumerate(zip(labels, attrs, strict=True))]
    feats = rng.normal(size=(regions, dim)).astype(np.float32)
    if protos is not None:
        for i, (n, a) in enumerate(zip(labels, attrs, strict=True)):
            feats[i] = protos[n] + protos[a] + 0.3 * rng.normal(size=dim)
    boxes = rng.uniform(size=(regions, 4)).astype(np.float32)
    return imneg.VisualScene(SceneGraph(objs, [Relation(s, p, o) for s, p, o in rels]), feats, boxes)


def units(sc: imneg.VisualScene):
    """(label, attributes, feature bytes, box bytes) of every object: what must move as one."""
    return {(o.name, tuple(o.attributes), sc.features[o.region].tobytes(), sc.boxes[o.region].tobytes())
            for o in sc.graph.objects}  # fmt: skip


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    a = scene(["man", "horse", "tree"], ["red", "brown", "big"], [(0, "riding", 1), (1, "next to", 2)], rng)
    b = scene(["dog", "ball", "horse"], ["white", "red", "brown"], [(0, "holding", 1)], rng)
    c = scene(["cat", "bench"], ["white", "blue"], [(0, "on", 1)], rng)
    return [a, b, c]


def caption_graph(names, attrs=None, rels=()):
    attrs = attrs or [[] for _ in names]
    return SceneGraph([SGObject(n, list(a)) for n, a in zip(names, attrs, strict=True)],
                      [Relation(s, p, o) for s, p, o in rels])  # fmt: skip


def test_reverse_exchanges_whole_objects_and_reads_backwards(batch):
    cap = caption_graph(["man", "horse"], rels=[(0, "riding", 1)])
    cands = imneg.candidates(cap, batch, 0)
    assert ("reverse", (0, 1), None) in cands
    neg = imneg.apply_edit(batch, 0, "reverse", (0, 1), None)
    assert neg.scene.graph.triples()[0] == ("horse", "riding", "man")
    assert units(neg.scene) == units(batch[0])  # the same objects, each still whole
    assert batch[0].graph.triples()[0] == ("man", "riding", "horse")  # the original is untouched


def test_every_edit_moves_label_attributes_feature_and_box_together(batch):
    cap = caption_graph(["man", "horse"], rels=[(0, "riding", 1)])
    rng = random.Random(0)
    all_units = set().union(*(units(s) for s in batch))
    seen = set()
    for _ in range(30):
        for neg in imneg.sample(cap, batch, 0, rng, k=2):
            seen.add(neg.edit)
            assert units(neg.scene) <= all_units
            assert neg.scene.graph.triples() != batch[0].graph.triples() or neg.edit == "replace"
    assert seen == {"reverse", "swap", "replace"}


def test_replacement_that_keeps_the_caption_true_is_rejected(batch):
    # the donor 'horse' (brown) of image 1 has the same label and attributes as image 0's horse
    cap = caption_graph(["horse"], [["brown"]])
    cands = imneg.replace_candidates(cap, batch, 0)
    donors = {batch[p].graph.objects[k].name for _, _, (p, k) in cands}
    assert cands and "horse" not in donors
    # a caption that names no attribute: any other horse would still fit it
    cands = imneg.replace_candidates(caption_graph(["horse"]), batch, 0)
    assert all(batch[p].graph.objects[k].name != "horse" for _, _, (p, k) in cands)


def test_unaligned_caption_gives_no_image_negative(batch):
    assert imneg.sample(caption_graph(["zebra"]), batch, 0, random.Random(0), k=3) == []


def _features(sc: imneg.VisualScene) -> np.ndarray:
    """What an image-only classifier sees: pooled features, boxes, label/attribute histograms, the feature under
    each label and under each attribute (a label or attribute that contradicts its feature would show here) and
    hashed triples."""
    v = [sc.features.mean(0), sc.boxes.mean(0)]
    lab = np.zeros(len(LABELS))
    att = np.zeros(len(ATTRS))
    per_label = np.zeros((len(LABELS), sc.features.shape[1]))
    per_att = np.zeros((len(ATTRS), sc.features.shape[1]))
    for o in sc.graph.objects:
        lab[LABELS.index(o.name)] += 1
        att[ATTRS.index(o.attributes[0])] += 1
        per_label[LABELS.index(o.name)] += sc.features[o.region]
        per_att[ATTRS.index(o.attributes[0])] += sc.features[o.region]
    v.extend([per_label.ravel(), per_att.ravel()])
    tri = np.zeros(64)
    for s, p, o in sc.graph.triples():
        tri[zlib.crc32(f"{s}|{p}|{o}".encode()) % 64] += 1
    return np.concatenate([*v, lab, att, tri]).astype(np.float32)


def image_only_classifier_accuracy(n_batches: int = 80) -> tuple[float, float]:
    rng = np.random.default_rng(1)
    prng = random.Random(1)
    protos = {w: rng.normal(size=8) for w in LABELS + ATTRS}
    X, y = [], []
    for _ in range(n_batches):  # batches of 8 images
        scenes, caps = [], []
        for _ in range(8):
            n = int(rng.integers(2, 5))
            labels = list(rng.choice(LABELS, size=n, replace=False))
            attrs = list(rng.choice(ATTRS, size=n))
            rels = [(i, str(rng.choice(PREDS)), (i + 1) % n) for i in range(n - 1)]
            scenes.append(scene(labels, attrs, rels, rng, protos=protos))
            s, p, o = rels[0]
            caps.append(caption_graph([labels[s], labels[o]], [[attrs[s]], [attrs[o]]], [(0, p, 1)]))
        for i, sc in enumerate(scenes):
            if prng.random() < 0.5:
                X.append(_features(sc))
                y.append(0)
            else:
                negs = imneg.sample(caps[i], scenes, i, prng, k=1)
                if negs:
                    X.append(_features(negs[0].scene))
                    y.append(1)
    X = torch.tensor(np.stack(X))
    y = torch.tensor(y, dtype=torch.float32)
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    n_train = int(0.7 * len(y))
    torch.manual_seed(0)
    clf = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    opt = torch.optim.Adam(clf.parameters(), lr=1e-2, weight_decay=1e-3)
    for _ in range(300):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(clf(X[:n_train]).squeeze(1), y[:n_train])
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = (clf(X[n_train:]).squeeze(1) > 0).float()
        acc = float((pred == y[n_train:]).float().mean())
        train_acc = float(((clf(X[:n_train]).squeeze(1) > 0).float() == y[:n_train]).float().mean())
    return acc, train_acc


def test_image_only_classifier_cannot_tell_edited_from_real():
    acc, train_acc = image_only_classifier_accuracy()
    assert train_acc > 0.6  # the classifier is able to fit what it sees...
    assert acc <= 0.60, acc  # ...but nothing in an image alone says it was edited


def test_the_classifier_would_catch_a_label_that_contradicts_its_feature(monkeypatch):
    # guard against a test that cannot fail: moving only the label (not the feature) is detected
    def label_only(dst, j, src, k):
        so, do = src.graph.objects[k], dst.graph.objects[j]
        do.name, do.attributes = so.name, list(so.attributes)

    monkeypatch.setattr(imneg, "_move_object", label_only)
    acc, _ = image_only_classifier_accuracy()
    assert acc > 0.65, acc


def test_replace_att_takes_an_object_of_the_same_label_that_lacks_a_caption_attribute(batch):
    # image 0's horse is brown; the caption says 'a brown horse'; image 1 has a brown horse (keeps the caption true)
    cap = caption_graph(["horse"], [["brown"]])
    assert not [c for c in imneg.replace_candidates(cap, batch, 0) if c[0] == "replace-att"]
    batch[2].graph.objects[1] = SGObject("horse", ["white"], 1, region=1)  # a white horse in image 2
    cands = [c for c in imneg.replace_candidates(cap, batch, 0) if c[0] == "replace-att"]
    assert cands == [("replace-att", (1,), (2, 1))]
    rng = random.Random(0)
    negs = imneg.sample(cap, batch, 0, rng, k=1, edits=("replace-att",))
    assert [(n.edit, n.objects, n.donor) for n in negs] == cands
    horse = negs[0].scene.graph.objects[1]
    assert (horse.name, horse.attributes) == ("horse", ["white"])  # the caption's 'brown horse' is no longer there
    assert units(negs[0].scene) <= set().union(*(units(s) for s in batch))  # label, attributes, feature, box as one
    # a caption that gives the horse no attribute has no replace-att edit: any horse keeps it true
    assert imneg.sample(caption_graph(["horse"]), batch, 0, rng, k=3, edits=("replace-att",)) == []


def test_replace_att_is_drawn_only_where_asked(batch):
    batch[2].graph.objects[1] = SGObject("horse", ["white"], 1, region=1)
    cap = caption_graph(["man", "horse"], [["red"], ["brown"]], rels=[(0, "riding", 1)])
    old = ("reverse", "swap", "replace")
    drawn = {n.edit for s in range(60) for n in imneg.sample(cap, batch, 0, random.Random(s), k=2, edits=old)}
    assert drawn == set(old)
    drawn = {n.edit for s in range(60) for n in imneg.sample(cap, batch, 0, random.Random(s), k=2)}
    assert drawn == set(imneg.EDITS)
