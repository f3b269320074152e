#!/usr/bin/env python3
"""Derive `src/sgfns/resources/imagenet_classes.json`: the ImageNet-1k classes in classifier order, named through
the project's WordNet lexicon.

The EfficientNet-Lite0 weights ship no class names. The standard ImageNet-1k class order is the sorted list of the
1,000 WordNet noun ids (`n01440764`, ...); that list ships as `timm/data/_info/imagenet_synsets.txt` inside timm's
wheel (Apache-2.0). The id's digits are the synset's byte offset in WordNet 3.0's `data.noun`, which is how the
class is found in the project's lexicon (whose synset ids are line positions in `data.noun`). Run once with the
timm wheel downloaded (`pip download --no-deps timm==1.0.31`) and Debian's `wordnet-base` installed; the result is
committed, so timm is never needed at run time:

    python scripts/build_imagenet_classes.py --timm-wheel timm-1.0.31-py3-none-any.whl --wordnet /usr/share/wordnet

Per class: `wnid`, `synset` (lexicon noun id), `lemma` (the synset's first lemma, e.g. "golden retriever") and
`name` (the word a caption would use: the nearest hypernym — the class itself included — holding one of the
basic-level nouns below in its most frequent sense, e.g. "dog"; else `lemma`). The basic-level nouns are the 80
COCO category names plus common caption words for kinds COCO lacks, fixed here in advance (not chosen on any
evaluation data)."""

from __future__ import annotations

import argparse
import hashlib
import json
import zipfile
from pathlib import Path

SYNSETS_IN_WHEEL = "timm/data/_info/imagenet_synsets.txt"
COCO = (
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "television",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
)  # COCO's 80 category names ("sports ball" as "ball", "tv" as "television")
EXTRA = (
    "fish",
    "shark",
    "snake",
    "lizard",
    "turtle",
    "frog",
    "spider",
    "insect",
    "butterfly",
    "bee",
    "beetle",
    "crab",
    "lobster",
    "monkey",
    "ape",
    "fox",
    "wolf",
    "rabbit",
    "squirrel",
    "pig",
    "goat",
    "deer",
    "lion",
    "tiger",
    "leopard",
    "duck",
    "goose",
    "owl",
    "parrot",
    "eagle",
    "chicken",
    "penguin",
    "whale",
    "seal",
    "shell",
    "flower",
    "mushroom",
    "tree",
    "fruit",
    "vegetable",
    "bread",
    "food",
    "drink",
    "dish",
    "building",
    "house",
    "church",
    "bridge",
    "tower",
    "ship",
    "vehicle",
    "cart",
    "wagon",
    "tractor",
    "helmet",
    "hat",
    "shirt",
    "dress",
    "coat",
    "shoe",
    "glasses",
    "bag",
    "box",
    "basket",
    "table",
    "desk",
    "lamp",
    "screen",
    "computer",
    "phone",
    "camera",
    "guitar",
    "piano",
    "drum",
    "tool",
    "machine",
    "fence",
    "wall",
    "door",
    "window",
    "mountain",
    "beach",
    "lake",
    "shore",
    "valley",
    "rock",
    "toy",
    "sign",
    "jar",
    "pot",
    "pan",
    "plate",
    "mug",
    "tent",
)  # common caption nouns for kinds COCO lacks


def basic_nouns() -> list[str]:
    return sorted(set(COCO) | set(EXTRA))


def offsets(wordnet: Path) -> dict[str, int]:
    """WordNet noun offset -> lexicon synset id (the synset's position among data.noun's synset lines)."""
    out = {}
    i = 0
    for line in (wordnet / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        out[line.split(" ", 1)[0]] = i
        i += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timm-wheel", required=True, type=Path)
    ap.add_argument("--wordnet", default=Path("/usr/share/wordnet"), type=Path)
    ap.add_argument("--out", default=Path("src/sgfns/resources/imagenet_classes.json"), type=Path)
    a = ap.parse_args()
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from sgfns.text.lexicon import hypernyms, lemmas_of, synset_ids

    with zipfile.ZipFile(a.timm_wheel) as z:
        raw = z.read(SYNSETS_IN_WHEEL)
    wnids = raw.decode().split()
    assert len(wnids) == 1000 and wnids == sorted(wnids), "expected the 1,000 sorted ImageNet-1k WordNet ids"
    where = offsets(a.wordnet)

    def parents(sid: int) -> list[int]:
        return hypernyms(sid, "n")

    basic = basic_nouns()
    basic_synsets = {}
    for word in basic:
        for sid in synset_ids(word, "n")[:1]:  # the first (most frequent) sense only
            basic_synsets.setdefault(sid, word)
    classes = []
    for wnid in wnids:
        sid = where[wnid[1:]]
        lemma = lemmas_of(sid, "n")[0]
        name = basic_synsets.get(sid)
        if name is None:  # nearest ancestor first: breadth-first up the hypernym graph
            frontier, seen = [sid], {sid}
            while frontier and name is None:
                nxt = []
                for s in frontier:
                    for h in parents(s):
                        if h not in seen:
                            seen.add(h)
                            nxt.append(h)
                hits = [basic_synsets[h] for h in nxt if h in basic_synsets]
                name = hits[0] if hits else None
                frontier = nxt
        classes.append({"wnid": wnid, "synset": sid, "lemma": lemma, "name": name or lemma})
    doc = {
        "about": "ImageNet-1k classes in the order of the classifier's outputs (sorted WordNet ids)",
        "source": f"{SYNSETS_IN_WHEEL} from {a.timm_wheel.name} (sha256 {hashlib.sha256(raw).hexdigest()})",
        "licence": "timm: Apache-2.0; WordNet 3.0: WordNet licence (Princeton University)",
        "built_by": "scripts/build_imagenet_classes.py",
        "basic_nouns": basic,
        "classes": classes,
    }
    a.out.write_text(json.dumps(doc, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    named = sum(c["name"] != c["lemma"] for c in classes)
    print(json.dumps({"classes": len(classes), "renamed_to_basic": named, "bytes": a.out.stat().st_size}))


if __name__ == "__main__":
    main()
