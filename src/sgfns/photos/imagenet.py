"""ImageNet-1k class names in the classifier's output order, from `resources/imagenet_classes.json`.

The file is built once by `scripts/build_imagenet_classes.py` (class order: the sorted WordNet ids shipped in
timm's wheel; names from the project's WordNet lexicon), so nothing but this JSON is read at run time."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class ImageNetClasses:
    """`wnids`, `synsets` (lexicon noun ids), `lemmas` (e.g. "golden retriever"), `names` (caption words, e.g.
    "dog"); `name_list` the distinct names and `name_of_class` [1000] each class's index into it."""

    wnids: tuple[str, ...]
    synsets: tuple[int, ...]
    lemmas: tuple[str, ...]
    names: tuple[str, ...]
    name_list: tuple[str, ...]
    name_of_class: np.ndarray

    def name_probabilities(self, probs: np.ndarray) -> np.ndarray:
        """[..., 1000] class probabilities -> [..., len(name_list)] summed over the classes sharing a name."""
        onehot = np.zeros((len(self.names), len(self.name_list)), dtype=np.float32)
        onehot[np.arange(len(self.names)), self.name_of_class] = 1.0
        return np.asarray(probs, dtype=np.float32) @ onehot


@functools.lru_cache(maxsize=1)
def imagenet_classes() -> ImageNetClasses:
    with resources.files("sgfns.resources").joinpath("imagenet_classes.json").open("rb") as f:
        doc = json.load(f)
    classes = doc["classes"]
    names = tuple(c["name"] for c in classes)
    name_list = tuple(sorted(set(names)))
    index = {n: i for i, n in enumerate(name_list)}
    return ImageNetClasses(
        wnids=tuple(c["wnid"] for c in classes),
        synsets=tuple(c["synset"] for c in classes),
        lemmas=tuple(c["lemma"] for c in classes),
        names=names,
        name_list=name_list,
        name_of_class=np.array([index[n] for n in names], dtype=np.int64),
    )
