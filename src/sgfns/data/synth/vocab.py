"""The world's vocabulary: categories (one drawn shape each), attribute classes, predicates and their synonyms.

Everything a caption can say is listed here, so the canonical-synonym map used to compare graphs (`gtgraph.py`),
the bag-of-words check and the docs all read one table."""

from __future__ import annotations

GENERATOR_VERSION = "synth-1.0"

# category -> shape drawn for it (see render.py). Shapes differ in outline, aspect or holes, so a pixel descriptor
# (occupancy grid, fill ratio, aspect) can tell them apart.
CATEGORIES = ["ball", "box", "kite", "tent", "plate", "star", "ring", "bottle", "moon", "bowl", "egg"]
PLURALS = {c: (c + "es" if c.endswith("x") else c + "s") for c in CATEGORIES}

COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "pink", "white", "black", "brown"]
COLOUR_RGB = {
    "red": (215, 35, 35),
    "green": (40, 165, 55),
    "blue": (40, 75, 215),
    "yellow": (240, 215, 40),
    "orange": (245, 135, 20),
    "purple": (135, 50, 175),
    "pink": (250, 145, 195),
    "white": (248, 248, 248),
    "black": (28, 28, 28),
    "brown": (125, 78, 35),
}
SIZES = ["small", "big"]
PATTERNS = ["plain", "striped", "spotted", "checkered"]
ATTRIBUTE_CLASSES = {"colour": COLOURS, "size": SIZES, "pattern": PATTERNS}

# Canonical predicates. Relations are decided from box geometry (scene.relation_tensor).
PREDICATES = ["left of", "right of", "above", "below", "next to", "on top of"]
INVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above", "next to": "next to"}

# Surface forms a caption may use for each canonical predicate / attribute. The first is the canonical wording.
PREDICATE_SURFACES = {
    "left of": ["to the left of", "on the left side of", "left of"],
    "right of": ["to the right of", "on the right side of", "right of"],
    "above": ["above", "over"],
    "below": ["below", "under", "beneath"],
    "next to": ["next to", "beside"],
    "on top of": ["on top of", "on"],
}
ATTRIBUTE_SURFACES = {
    "big": ["big", "large"],
    "small": ["small", "little"],
    "spotted": ["spotted", "dotted"],
    "checkered": ["checkered", "checked"],
}
NUMERALS = {2: "two", 3: "three", 4: "four"}

# Constructions a caption can carry (a caption may carry several). Measured shares go to meta.json.
CONSTRUCTIONS = [
    "plain_phrase",
    "copula_sentence",
    "relative_clause",
    "passive",
    "existential",
    "coordination",
    "numeral_plural",
    "multiword_predicate",
    "synonym",
]
CONSTRUCTION_EXAMPLES = {
    "plain_phrase": "a small red ball next to a blue box",
    "copula_sentence": "A big green tent is below a white star.",
    "relative_clause": "a striped kite that is above an orange bowl",
    "passive": "A pink egg is placed to the right of a black ring.",
    "existential": "there is a yellow star on top of a big box",
    "coordination": "a red ball and a blue box / a kite that is red and striped / a star is above a box and next "
    "to a ring",
    "numeral_plural": "two green bottles and a red ball",
    "multiword_predicate": "to the left of, on the left side of, on top of, next to",
    "synonym": "large (big), little (small), dotted (spotted), checked (checkered), beside (next to), under (below)",
}
