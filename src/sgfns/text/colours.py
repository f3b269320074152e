"""Colour words: the hues and metals captions name, the colours each kind of noun plausibly has, and the words
that stay with a colour as one attribute ("dark blue").

Read by the caption-negative rules (`sgfns.text.adjectives`: a colour is exchanged for another of the same noun's
palette, so that 'a purple horse' or 'a blue lawn' never gives a negative away) and by the parser (a shade stays
with its colour, a colour after "and" is an attribute, not an object)."""

from __future__ import annotations

BASIC_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray")
# Hue and metal words: a colour too (replaced by a basic colour, never given as a replacement except where listed).
EXTRA_COLOURS = ("grey", "silver", "tan", "golden", "gold", "beige", "maroon", "navy", "teal", "turquoise", "violet",
                 "bronze", "copper", "brass", "khaki", "olive", "burgundy", "magenta", "lavender", "cream", "ivory",
                 "crimson", "scarlet", "aqua", "cyan", "blond", "blonde")  # fmt: skip
COLOURS = BASIC_COLOURS + EXTRA_COLOURS
# Colours a noun of each kind is plausibly given (a text-only model would spot 'a purple horse' or 'a blue lawn').
ANIMAL_COLOURS = ("brown", "black", "white", "gray", "tan", "golden")
HAIR_COLOURS = ("blond", "brown", "black", "red", "gray", "white")
VEGETATION_COLOURS = ("green", "brown", "yellow")
WATER_COLOURS = ("blue", "green", "brown", "gray")
SKY_COLOURS = ("blue", "gray")
HAIR_NOUNS = frozenset({"hair", "beard", "mustache", "moustache", "ponytail", "braid", "mohawk", "dreadlocks"})
VEGETATION_NOUNS = frozenset({"grass", "field", "pasture", "lawn", "meadow", "hill", "hillside", "tree", "trees",
                              "leaf", "leaves", "bush", "bushes", "shrub", "plant", "foliage", "forest", "woods",
                              "vegetation", "jungle"})  # fmt: skip
WATER_NOUNS = frozenset({"water", "ocean", "sea", "lake", "river", "pond", "pool", "stream", "creek", "wave"})
SKY_NOUNS = frozenset({"sky", "cloud", "clouds"})

# Words that make one colour of the next: 'dark blue' is a colour (`adjectives.attribute_class`).
SHADE_WORDS = ("dark", "light", "bright", "pale", "deep", "navy")

# The parser's colour words (a subset of COLOURS) and the modifiers it keeps with the colour or participle they
# modify, as one attribute ('dark blue', 'partly cloudy', 'freshly cut'). Both are part of the parse: a change to
# either changes graphs (RULES_VERSION).
PARSER_COLOURS = {
    "white", "black", "red", "blue", "green", "yellow", "brown", "gray", "grey", "orange", "pink", "purple", "tan",
    "beige", "silver", "gold", "golden", "maroon", "teal", "turquoise", "violet", "cream", "navy",
}  # fmt: skip
PARSER_SHADES = {"dark", "light", "bright", "pale", "deep", "pastel", "navy", "hot", "neon", "dull", "fully", "partly",
                 "half", "partially", "brightly", "well", "freshly", "newly", "recently"}  # fmt: skip


def colour_palette(kind: str | None, name: str) -> tuple[str, ...]:
    """Colours a caption could give this noun: `kind` is its table class or WordNet lexname ('animal',
    'noun.artifact' ...). People and food get none (a person's colour is not for us to change; 'a blue steak'
    is a giveaway)."""
    last = name.split()[-1]
    if last in HAIR_NOUNS:
        return HAIR_COLOURS
    if last in SKY_NOUNS:
        return SKY_COLOURS
    if last in WATER_NOUNS:
        return WATER_COLOURS
    if last in VEGETATION_NOUNS:
        return VEGETATION_COLOURS
    if kind in ("animal", "noun.animal"):
        return ANIMAL_COLOURS
    if kind in ("person", "role", "noun.person", "food", "noun.food", "noun.plant", "plant"):
        return ()
    return BASIC_COLOURS
