"""What English adjectives in captions say, and what a *contrasting* one would be: colours (hues and metals),
hair colours, ages, sizes, materials, patterns, ground cover, states with their opposites, WordNet antonyms.

The caption-negative rules ask two questions of an attribute word: which class is it (only words of one class are
exchanged between two objects), and which words would say something *else* of the same kind about the same noun
(`brown horse` -> `black horse`, `older woman` -> `young woman`, `wood cabinets` -> `metal cabinets`). A replacement
must be false of the photo when the caption is true, so the classes are sets of mutually exclusive values; words that
overlap (`little` and `young` of a child, `pretty` and `cute`) are left without a contrast. Which values fit which
noun (coat colours for animals, no colour for a person) is decided from the noun's kind (`colours.colour_palette`).

Tables hold the classes people write most; `wordnet_contrasts` adds direct WordNet antonyms (and those of the
head of an adjective's similarity cluster) for words outside them, minus evaluative words whose truth is a matter
of taste."""

from __future__ import annotations

import functools

from sgfns.text import lexicon
from sgfns.text.colours import COLOURS, SHADE_WORDS, colour_palette

# --- classes --------------------------------------------------------------------------------------------------------
# People described by their hair ('a blond woman'); exchanged among themselves.
HAIR_WORDS = ("blond", "blonde", "brunette", "redheaded", "bald", "gray-haired", "dark-haired", "red-haired")
AGES = ("young", "old", "older", "elderly", "aged", "teenage", "adult", "middle-aged", "younger")
SIZES = ("big", "large", "huge", "giant", "small", "little", "tiny", "tall", "short", "long", "enormous", "massive")
MATERIALS = ("wooden", "wood", "metal", "metallic", "steel", "iron", "plastic", "glass", "stone", "brick", "leather",
             "concrete", "ceramic", "marble", "wicker", "paper", "cardboard")  # fmt: skip
# The adjective forms a replacement brings in ('paper sinks' is not one), and the noun-modifier forms ('wood
# cabinets' -> 'metal cabinets'), both common to furniture, buildings and tableware.
REPLACEMENT_MATERIALS = ("wooden", "metal", "plastic", "glass", "stone")
NOUN_MATERIALS = ("wood", "metal", "plastic", "glass", "stone")
PATTERNS = ("striped", "checkered", "plaid", "spotted", "floral", "polka dot", "camouflage", "flowered")
# What covers the ground: 'a snowy slope' -> 'a grassy slope'.
GROUND = ("snowy", "sandy", "grassy", "rocky", "muddy", "dirt", "icy", "paved", "carpeted", "tiled")
OPPOSITES: dict[str, tuple[str, ...]] = {
    "big": ("small", "little", "tiny"), "large": ("small", "little", "tiny"), "huge": ("small", "tiny"),
    "giant": ("small", "tiny"), "enormous": ("small", "tiny"), "massive": ("small", "tiny"),
    "small": ("big", "large", "huge"), "little": ("big", "large"), "tiny": ("big", "large", "huge"),
    "tall": ("short",), "short": ("tall", "long"), "long": ("short",),
    "young": ("old",), "old": ("young", "new"), "new": ("old",), "empty": ("full",), "full": ("empty",),
    "open": ("closed",), "closed": ("open",), "wet": ("dry",), "dry": ("wet",), "clean": ("dirty",),
    "dirty": ("clean",), "sunny": ("cloudy", "rainy"), "cloudy": ("sunny",), "rainy": ("sunny",),
    "busy": ("empty", "quiet"), "light": ("dark",), "dark": ("light", "bright"), "bright": ("dark",),
    "thin": ("thick",), "thick": ("thin",), "hot": ("cold",), "cold": ("hot", "warm"), "warm": ("cold",),
    "wide": ("narrow",), "narrow": ("wide",), "high": ("low",), "low": ("high",), "male": ("female",),
    "female": ("male",), "modern": ("old", "antique"), "antique": ("modern",), "crowded": ("empty", "deserted"),
    "deserted": ("crowded", "busy"), "smiling": ("frowning",), "happy": ("sad",), "sad": ("happy",),
    "calm": ("rough",), "rough": ("calm",), "straight": ("curly",), "curly": ("straight",),
    "sleeping": ("awake",), "awake": ("sleeping",), "asleep": ("awake",), "standing": ("sitting",),
    "sitting": ("standing",), "cooked": ("raw",), "raw": ("cooked",), "sliced": ("whole",), "indoor": ("outdoor",),
    "outdoor": ("indoor",),
    "wild": ("tame",), "heavy": ("light",), "loaded": ("empty",), "unfinished": ("finished",),
    "cluttered": ("tidy",), "messy": ("tidy", "clean"), "tidy": ("messy",), "plain": ("decorated",),
    "parked": ("moving",), "moving": ("parked",), "overcast": ("sunny",),
}  # fmt: skip
# Age words by the noun's age group: an adult is young or old, a child young or teenage; 'young'/'little' of a child
# overlap, so a child's age is only contrasted against 'teenage'.
ADULT_AGE = {"young": ("old", "elderly", "older"), "younger": ("older",), "old": ("young",), "older": ("young",),
             "elderly": ("young",), "aged": ("young",), "middle-aged": ("young", "elderly"),
             "adult": ("young",)}  # fmt: skip
CHILD_AGE = {"young": ("teenage",), "little": ("teenage",), "small": ("teenage",), "teenage": ("young", "little")}
ANIMAL_AGE = {"young": ("adult",), "baby": ("adult",), "adult": ("young",), "old": ("young",)}
CHILD_NOUNS = frozenset({"boy", "girl", "child", "kid", "toddler", "baby", "infant", "children", "kids", "son",
                         "daughter", "youngster", "schoolgirl", "schoolboy", "youth"})  # fmt: skip
# Evaluative words: whether 'pretty' or 'ugly' holds is taste, not the photo.
EVALUATIVE = frozenset({"pretty", "beautiful", "ugly", "cute", "nice", "lovely", "handsome", "attractive", "good",
                        "bad", "great", "fine", "gorgeous", "fancy", "cool", "funny", "interesting", "amazing",
                        "delicious", "tasty", "healthy", "unhealthy", "professional", "amateur", "favorite",
                        "strange", "weird", "unusual", "normal", "typical", "famous", "popular", "real",
                        "fake", "natural", "unnatural", "expensive", "cheap", "important", "proud",
                        "serious", "excited", "bored", "angry", "different", "similar", "other", "same",
                        "certain", "many", "few", "several", "various", "own", "able", "unable", "ready",
                        "unready", "available", "unavailable", "possible"})  # fmt: skip

CLASSES: dict[str, tuple[str, ...]] = {
    "colour": COLOURS,
    "hair": HAIR_WORDS,
    "age": AGES,
    "size": SIZES,
    "material": MATERIALS,
    "pattern": PATTERNS,
    "ground": GROUND,
    "state": tuple(w for w in OPPOSITES if w not in SIZES and w not in AGES and w not in GROUND),
}
# Class words written with a hyphen ("middle-aged", "gray-haired"): the parser reads each as one attribute, though
# it keeps the parts of other hyphenated words that start with an adjective ("long-haired" -> long, haired).
HYPHENATED = frozenset(w for words in CLASSES.values() for w in words if "-" in w)
# Classes whose members can be exchanged between two objects (states are not one scale: open/full).
SWAPPABLE = ("colour", "material", "pattern", "size")


@functools.lru_cache(maxsize=1)
def _class_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for cls, words in CLASSES.items():
        for w in words:
            out.setdefault(w, cls)
    return out


def attribute_class(word: str) -> str | None:
    """'colour', 'hair', 'age', 'size', 'material', 'pattern', 'ground', 'state' or None. A two-word colour
    ('dark blue', 'light green') is a colour."""
    w = word.lower()
    cls = _class_index().get(w)
    if cls is None and " " in w:
        first, last = w.rsplit(" ", 1)
        if first in SHADE_WORDS and _class_index().get(last) == "colour":
            return "colour"
    return cls


@functools.lru_cache(maxsize=8192)
def wordnet_contrasts(word: str) -> tuple[str, ...]:
    """Direct WordNet antonyms of the adjective, else those of its similarity cluster's head ('soaked' -> 'wet' ->
    'dry'); one-word, non-evaluative ones only."""
    w = word.lower()
    if w in EVALUATIVE or not lexicon.is_lemma(w, "a"):
        return ()
    out = sorted(lexicon.antonyms(w, "a"))  # a set: sorted, so that no run depends on string hashing
    if not out:
        for sid in lexicon.synset_ids(w, "a")[:1]:
            for head in lexicon.cluster_heads(sid):
                for t in lexicon.antonym_ids(head, "a"):
                    out.extend(lexicon.lemmas_of(t, "a"))
    return tuple(dict.fromkeys(a for a in out if " " not in a and a not in EVALUATIVE and a != w))


def first_sense_antonym(word: str, alt: str) -> bool:
    """`alt` is a direct WordNet antonym of the adjective's most frequent sense ('wet' -> 'dry'); an antonym of
    another sense ('open' -> 'covert') or of a similarity cluster's head ('whimsical' -> 'arbitrary' ->
    'unarbitrary', 'soaked' -> 'drunk' -> 'sober') may belong to a sense the caption does not mean."""
    return alt in lexicon.antonyms(word.lower(), "a", senses=1)


def needs_evidence(word: str, alt: str) -> bool:
    """The contrast `word` -> `alt` (one of `contrasts(word)`) came from WordNet by a route that may change the word's
    sense (see `first_sense_antonym`): offer it only where captions are seen to write `alt`. A word of a hand table
    (an attribute class or `OPPOSITES`) never needs it; every other word's contrasts are `wordnet_contrasts`."""
    w = word.lower()
    hand = attribute_class(w) is not None or w in OPPOSITES
    return not hand and not first_sense_antonym(w, alt)


def contrasts(word: str, kind: str | None = None, name: str = "") -> tuple[str, ...]:
    """Words that say something else of the same kind about a noun (`kind`: its table class or WordNet lexname;
    `name`: its lemma), most natural first; () when none is safe."""
    w = word.lower()
    cls = attribute_class(w)
    animate = kind in ("person", "role", "noun.person", "animal", "noun.animal")
    child = name.split()[-1] in CHILD_NOUNS if name else False
    person = kind in ("person", "role", "noun.person")
    if cls == "colour":
        if " " in w:  # 'dark blue' -> 'dark green': the shade word stays
            shade, hue = w.rsplit(" ", 1)
            return tuple(f"{shade} {c}" for c in colour_palette(kind, name) if c != hue)
        return tuple(c for c in colour_palette(kind, name) if c != w and not (w in ("gold", "golden") and c == "yellow")
                     and not (w == "grey" and c == "gray") and not (w in ("blond", "blonde") and c == "yellow"))
    if cls == "hair":
        return tuple(h for h in ("blond", "brunette", "bald") if h != w and not (w == "blonde" and h == "blond"))
    if person and child and w in CHILD_AGE:
        return CHILD_AGE[w]
    if person and w in ADULT_AGE:
        return ADULT_AGE[w]
    if animate and w in ANIMAL_AGE and not person:
        return ANIMAL_AGE[w]
    if cls == "age":
        return ("new",) if w == "old" and not animate else ()
    if animate and w in ("young", "old", "new", "little", "small") and person:
        return ()
    if cls == "material":
        pool = NOUN_MATERIALS if w in ("wood", "metal", "steel", "iron", "stone", "glass", "plastic", "brick",
                                       "marble", "concrete", "paper", "leather") else REPLACEMENT_MATERIALS  # fmt: skip
        same = {"wood": "wooden", "wooden": "wood", "metal": "metallic", "metallic": "metal", "steel": "metal",
                "iron": "metal"}  # fmt: skip
        return tuple(m for m in pool if m != w and m != same.get(w) and not (w in ("steel", "iron") and m == "metal"))
    if cls == "pattern":
        return tuple(p for p in PATTERNS if p != w and p != "flowered" and not {w, p} <= {"floral", "flowered"})
    if cls == "ground":
        return tuple(g for g in GROUND[:4] if g != w)
    if w in OPPOSITES:
        return OPPOSITES[w]
    return wordnet_contrasts(w)
