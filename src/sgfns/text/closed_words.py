"""Closed word lists the rules need (English). Kept apart from the rules so a change here is easy to review."""

from __future__ import annotations

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "dozen": 12,
}  # fmt: skip
# Determiners and quantity words that fix an exact count.
EXACT_QUANTITY = {"both": 2, "pair": 2, "couple": 2, "twin": 2, "twins": 2, "single": 1, "lone": 1}

# "a group of people" -> the entity is "people"; the container noun becomes an attribute of it.
QUANTIFIER_NOUNS = {
    "group", "bunch", "pair", "couple", "lot", "lots", "herd", "flock", "number", "variety", "piece", "pieces",
    "slice", "slices", "pile", "stack", "row", "rows", "line", "crowd", "cluster", "set", "bundle", "handful",
    "collection", "assortment", "school", "swarm", "team", "batch", "heap", "amount", "array", "selection",
    "series", "chunk", "chunks", "strip", "strips", "kind", "type", "sort", "part",
    "section", "portion", "clump", "patch", "body", "roll", "kinds", "types", "sorts", "groups", "herds",
    "flocks", "bunches", "piles", "stacks", "crowds", "clusters", "sets", "bundles", "lines", "rolls",
}  # fmt: skip
# Quantifier nouns that carry a count of their own.
QUANTIFIER_COUNTS = {"pair": 2, "couple": 2}
# Quantifier nouns that add no attribute ("a lot of", "a kind of", "body of water").
SILENT_QUANTIFIERS = {"lot", "lots", "number", "amount", "kind", "type", "sort", "body", "variety"}

# Nouns that, between a preposition and "of", form one spatial predicate: "in front of", "on top of".
PREDICATE_NOUNS = {
    "front", "top", "side", "back", "middle", "edge", "bottom", "center", "centre", "left", "right", "corner",
    "end", "rear", "inside", "outside", "base", "foot", "underside", "surface", "tip", "sides", "rest", "behalf",
}  # fmt: skip
# Adverbs / adjectives that take a preposition to form one predicate: "next to", "close to", "out of".
PREDICATE_HEADS = {
    "next", "close", "near", "adjacent", "out", "away", "across", "up", "down", "ahead", "outside", "inside",
    "alongside", "along", "apart", "together", "off", "back", "right", "left", "far", "on", "in", "around",
    "over", "behind", "underneath", "beneath", "opposite", "onto", "into",
}  # fmt: skip

# Pronouns never become objects; indefinite person pronouns become "person".
PERSON_PRONOUNS = {"someone": "person", "somebody": "person", "anyone": "person", "everyone": "person",
                   "anybody": "person", "everybody": "person"}  # fmt: skip
RELATIVE_PRONOUNS = {"who", "that", "which", "whom", "whose"}

COPULAS = {"be"}
# Modifiers that are not attributes of the thing ("other man", "same shirt").
NON_ATTRIBUTES = {
    "other", "another", "same", "such", "many", "several", "few", "various", "much", "more", "most", "some",
    "each", "every", "all", "only", "own", "certain", "different", "numerous", "multiple", "else",
}  # fmt: skip

# Nouns whose plural is the lemma ("jeans" is not one "jean").
PLURALIA_TANTUM = {
    "jeans", "pants", "shorts", "glasses", "sunglasses", "eyeglasses", "trousers", "scissors", "clothes", "goggles",
    "stairs", "binoculars", "headphones", "tongs", "pliers", "pajamas", "pyjamas", "overalls", "leggings",
    "sweatpants", "trunks", "earphones", "earbuds", "tights", "slacks", "suspenders", "briefs", "boxers", "people",
    "police", "cattle", "spectacles",
}  # fmt: skip
