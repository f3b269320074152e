"""Near-duplicate "twin" scenes: the same picture with one small change.

Kinds: `attribute-binding` (two objects exchange their colours, or their patterns), `relation-direction` (two
objects exchange places, so every relation between them reverses) and `one-object` (one object becomes another
category, same colour, size, pattern and place). A twin keeps the style seed, so background, clutter, lighting and
noise are identical. The twin records (`{split}_twins.jsonl`) are the captions of one image that are false of its
twin, found by the truth check, not assumed."""

from __future__ import annotations

import numpy as np

from sgfns.data.synth.scene import PlacedScene, Scene, object_box, placement_ok
from sgfns.data.synth.vocab import CATEGORIES
from sgfns.io import read_jsonl

KINDS = ("attribute-binding", "relation-direction", "one-object")
KIND_P = (0.5, 0.4, 0.1)


def make_twin(rng: np.random.Generator, ps: PlacedScene) -> tuple[PlacedScene, str, tuple[int, ...]] | None:
    """A twin of `ps` and the objects it differs in, or None when no edit of the drawn kind fits."""
    sc = ps.scene
    n = len(sc)
    kind = KINDS[int(rng.choice(len(KINDS), p=KIND_P))]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    rng.shuffle(pairs)
    if kind == "attribute-binding":
        for i, j in pairs:
            if sc.cat[i] == sc.cat[j]:
                continue
            t = sc.copy()
            if sc.col[i] != sc.col[j]:
                t.col[i], t.col[j] = sc.col[j], sc.col[i]
            elif sc.pat[i] != sc.pat[j]:
                t.pat[i], t.pat[j] = sc.pat[j], sc.pat[i]
            else:
                continue
            return PlacedScene(t, list(ps.scales)), kind, (i, j)
        return None
    if kind == "relation-direction":
        for i, j in pairs:
            if sc.cat[i] == sc.cat[j] and sc.col[i] == sc.col[j]:
                continue
            t = sc.copy()
            t.centre[i], t.centre[j] = sc.centre[j], sc.centre[i]
            boxes = [object_box(t, k, ps.scales) for k in range(n)]
            if all(placement_ok(boxes[:k] + boxes[k + 1 :], boxes[k], limit=0.45) for k in range(n)):
                return PlacedScene(t, list(ps.scales)), kind, (i, j)
        return None
    for i in rng.permutation(n):
        i = int(i)
        for c in rng.permutation(len(CATEGORIES)):
            c = int(c)
            if c in sc.cat:
                continue
            t: Scene = sc.copy()
            t.cat[i] = c
            boxes = [object_box(t, k, ps.scales) for k in range(n)]
            if all(placement_ok(boxes[:k] + boxes[k + 1 :], boxes[k], limit=0.45) for k in range(n)):
                return PlacedScene(t, list(ps.scales)), kind, (i,)
    return None


def bag_of_words_twin_accuracy(root, split: str = "test") -> dict:
    """Accuracy (%) of a bag-of-words matcher on the twin records: score = number of distinct caption words among
    the image's ground-truth labels (names, attributes, predicate words); a tie counts one half."""
    import re
    from pathlib import Path

    root = Path(root)
    recs = [r for _, r in read_jsonl(root / f"{split}_gt.jsonl")]
    k = len(recs[0]["captions"])

    def labels(g):
        words = set()
        for o in g["objects"]:
            words.add(o["name"])
            words.update(o["attributes"])
        for r in g["relations"]:
            words.update(r["predicate"].split())
        return words

    lab = [labels(r["graph"]) for r in recs]
    score, by_kind = [], {}
    for _, it in read_jsonl(root / f"{split}_twins.jsonl"):
        words = set(re.findall(r"[a-z]+", recs[it["image"]]["captions"][it["caption_index"] % k]["caption"].lower()))
        a, b = len(words & lab[it["image"]]), len(words & lab[it["twin"]])
        s = 1.0 if a > b else 0.5 if a == b else 0.0
        score.append(s)
        by_kind.setdefault(recs[it["image"]].get("twin_kind"), []).append(s)
    mean = lambda xs: round(100.0 * sum(xs) / max(len(xs), 1), 2)  # noqa: E731
    return {"items": len(score), "accuracy": mean(score), "by_kind": {str(k): mean(v) for k, v in by_kind.items()}}
