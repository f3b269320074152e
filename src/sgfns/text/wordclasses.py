"""Word classes the rules draw replacements from: small hand-made tables, extended with WordNet.

A replacement must be a *different thing of the same kind* (dog -> cat, red -> blue, on -> under), so that the
negative stays fluent and plausible (a text-only model cannot spot it) yet is false of the image. The tables hold
the kinds that matter most in captions; a noun outside them falls back to WordNet co-hyponyms of the same
lexicographer file (`noun.animal`, `noun.food`, ...) drawn from the nouns of the corpus itself.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sgfns.text import adjectives, closed_words, lexicon

# --- nouns ------------------------------------------------------------------------------------------------------
NOUN_CLASSES: dict[str, tuple[str, ...]] = {
    "animal": (
        "dog", "cat", "horse", "cow", "sheep", "elephant", "giraffe", "zebra", "bear", "bird", "duck", "goose",
        "pigeon", "seagull", "pony", "goat", "pig", "lion", "tiger", "monkey", "deer",
    ),
    "vehicle": (
        "car", "truck", "bus", "train", "motorcycle", "bicycle", "boat", "airplane", "van", "scooter", "tractor",
        "taxi", "jeep", "trolley", "helicopter", "canoe", "kayak", "sailboat",
    ),
    "food": (
        "pizza", "sandwich", "hot dog", "donut", "cake", "banana", "apple", "orange", "broccoli", "carrot", "salad",
        "burger", "hamburger", "bagel", "muffin", "pie", "steak", "soup", "taco", "cookie", "pastry", "omelet",
    ),
    "furniture": ("chair", "couch", "bench", "table", "bed", "desk", "shelf", "stool", "dresser", "cabinet"),
    "clothing": (
        "shirt", "hat", "jacket", "dress", "tie", "helmet", "cap", "coat", "sweater", "skirt", "vest", "hoodie",
        "uniform", "suit", "scarf", "wetsuit",
    ),
    "sports": (
        "frisbee", "ball", "kite", "skateboard", "surfboard", "snowboard", "ski", "tennis racket", "bat",
        "racket", "glove", "soccer ball", "football", "baseball", "basketball", "tennis ball",
    ),
    "tableware": ("plate", "bowl", "cup", "mug", "fork", "knife", "spoon", "bottle", "pan", "pot", "tray", "vase"),
    "electronics": (
        "laptop", "phone", "cellphone", "television", "keyboard", "computer", "remote", "monitor", "camera",
        "tablet",
    ),
    "person": ("man", "woman", "boy", "girl"),
    "role": (
        "skier", "snowboarder", "surfer", "skateboarder", "tennis player", "baseball player", "soccer player",
        "cyclist", "rider", "chef", "policeman", "soldier",
    ),
    "room": ("room", "kitchen", "bathroom", "bedroom", "living room", "office", "dining room", "classroom", "hallway",
             "washroom", "restroom", "lobby", "hall", "garage", "store", "shop", "restaurant", "station"),
    "outdoor": (
        "beach", "field", "street", "park", "road", "forest", "desert", "lake", "river", "ocean", "mountain",
        "hill", "parking lot", "sidewalk", "highway", "farm", "yard", "garden", "airport", "runway", "zoo",
    ),
    "structure": ("building", "house", "tower", "bridge", "church", "barn", "fence", "wall", "clock tower"),
    "plant": ("tree", "flower", "bush", "plant", "palm tree", "cactus"),
    "fixture": ("toilet", "sink", "bathtub", "shower", "refrigerator", "oven", "stove", "microwave", "counter"),
    "sign": ("stop sign", "street sign", "traffic light", "fire hydrant", "parking meter", "street light"),
}  # fmt: skip

# What the ground is covered with, where a photo tells each from the others ('running through the snow' -> 'the
# sand'); not a table class, since it is no kind of thing (counts and added objects leave it alone). Dirt and mud
# look like sand too often to be told apart.
GROUNDS = ("grass", "sand", "snow")

# --- attributes: classes and contrasts live in sgfns.text.adjectives (colours: sgfns.text.colours) ----------
OPPOSITES = adjectives.OPPOSITES

# --- predicates -----------------------------------------------------------------------------------------------------
# Contrasting predicates of the same kind (spatial <-> spatial, action <-> action); lemmas, multiword allowed.
# No 'up' <-> 'down' of a way travelled ('climbing up a rock' -> 'climbing down'): a still does not show it; no
# 'looking at' for 'playing with' (one looks at what one plays with).
PREDICATE_CONTRASTS: dict[str, tuple[str, ...]] = {
    # spatial
    "on": ("under",), "on top of": ("under", "beneath"), "under": ("on", "on top of"), "underneath": ("on top of",),
    "beneath": ("on top of",), "below": ("above",), "above": ("below", "under"), "over": ("under",),
    "in front of": ("behind",), "behind": ("in front of",), "inside": ("outside",), "outside": ("inside",),
    "inside of": ("outside of",), "outside of": ("inside of",), "left of": ("right of",), "right of": ("left of",),
    "to the left of": ("to the right of",), "to the right of": ("to the left of",), "in": ("outside",),
    "into": ("out of",), "out of": ("into",), "toward": ("away from",), "towards": ("away from",),
    "away from": ("toward",), "near": ("far from",), "far from": ("near",),
    "across": ("along",), "along": ("across",),
    # actions
    "ride": ("walk next to", "push", "stand next to"), "hold": ("throw", "drop"), "carry": ("drop", "push"),
    "throw": ("catch", "hold"), "catch": ("throw",),
    "push": ("pull", "ride"), "pull": ("push", "ride"), "kick": ("hold", "throw"), "chase": ("run from",),
    "lead": ("follow",), "follow": ("lead",), "feed": ("chase",), "pet": ("chase", "ride"), "watch": ("ignore",),
    "look at": ("turn away from",), "sit on": ("stand on", "lie on"), "stand on": ("sit on", "lie on"),
    "lie on": ("sit on", "stand on"), "lay on": ("sit on", "stand on"), "sit in": ("stand in", "lie in"),
    "stand in": ("sit in", "lie in"), "lie in": ("sit in", "stand in"), "lay in": ("sit in", "stand in"),
    "sit at": ("stand at",), "stand at": ("sit at",), "sit next to": ("stand next to",),
    "stand next to": ("sit next to",), "sit": ("stand", "lie"), "stand": ("sit", "lie"), "lie": ("sit", "stand"),
    "lay": ("sit", "stand"), "kneel": ("stand", "sit"), "squat": ("stand",), "crouch": ("stand",),
    "climb": ("sit on",), "jump over": ("walk around",),
    "jump into": ("climb out of",), "jump off": ("climb onto",),
    "smile at": ("frown at",), "lean against": ("sit against",), "hang from": ("stand under",),
    "sleep on": ("sit on",), "sleep in": ("sit in",), "rest on": ("stand on",), "stand under": ("sit under",),
    "sit under": ("stand under",), "sit by": ("stand by",), "stand by": ("sit by",), "sit near": ("stand near",),
    "stand near": ("sit near",), "sit beside": ("stand beside",), "stand beside": ("sit beside",),
    "enter": ("leave",), "leave": ("enter",),
    "read": ("write in",), "jog": ("walk",), "crawl": ("walk",), "skate": ("walk",), "ski down": ("walk down",),
    "skate on": ("walk on",), "climb on": ("sit on",), "step off": ("step onto",), "step onto": ("step off",),
    "walk": ("run", "sit"), "run": ("walk", "sit"), "walk on": ("sit on",), "walk down": ("run down",),
    "walk across": ("run across",), "walk along": ("run along",), "run on": ("walk on",),
    "run across": ("walk across",), "open": ("close",), "close": ("open",), "fly": ("carry",),
    "drive": ("push", "pull", "sit on"), "hit": ("miss", "catch"), "swing": ("hold", "drop"),
    "cut": ("hold", "eat"), "drink": ("spill", "hold"), "park on": ("drive on",),
    "drive on": ("park on",), "hang on": ("lean on",), "lean on": ("hang on",), "cover": ("uncover",),
}  # fmt: skip
# Relations that stay true with subject and object exchanged: a swap would not make a negative.
SYMMETRIC_PREDICATES = frozenset(
    {"next to", "near", "with", "beside", "by", "and", "close to", "alongside", "across from", "opposite",
     "adjacent to", "between", "among", "together with", "next", "talk to", "play with", "sit next to",
     "stand next to", "sit with", "stand with", "meet", "touch", "face", "hug", "kiss", "far from",
     "connect to", "connect with", "connect", "lead into", "lead to", "join", "share", "talk with", "help",
     "embrace", "cuddle", "cuddle with", "snuggle", "snuggle with", "wrestle", "wrestle with"}
)  # fmt: skip
# Relations that say what something is, has or shows rather than where it is or what it does: swapping their two
# nouns gives nonsense, not a scene ('a man has a dog', 'a boy dressed as a pirate', 'a room contains a bed').
NOT_SWAPPABLE_PREDICATES = frozenset({"have", "wear", "be", "dress as", "dress in", "dress like", "dress up as",
                                      "contain", "include", "show", "feature", "hold up", "use", "own", "become",
                                      "resemble", "look like", "dress"})  # fmt: skip
# Spatial predicates whose swap is plausible for things of different kinds ('a cup left of a laptop' / 'a laptop
# left of a cup'): lateral ones for any two inanimate concrete things, vertical ones only for small movable things
# (not 'a table on top of a cup').
LATERAL_PREDICATES = frozenset({"left of", "right of", "to the left of", "to the right of", "on the left of",
                                "on the right of", "on the left side of", "on the right side of", "in front of",
                                "behind"})  # fmt: skip
VERTICAL_PREDICATES = frozenset({"above", "below", "over", "under", "beneath", "underneath", "on top of"})
SMALL_THING_CLASSES = frozenset({"sports", "tableware", "electronics", "food"})
# Words that already say something about an object's colour: no colour is added next to them.
COLOURISH = frozenset({"colorful", "colourful", "multicolored", "multicoloured", "colored", "coloured", "painted",
                       "dark", "light", "bright", "pale", "rainbow", "striped", "checkered", "plaid", "spotted",
                       "floral", "neon", "golden", "gold", "beige", "maroon", "navy", "teal", "cream",
                       "chrome", "stainless", "rusty", "wooden", "metal", "steel", "clear", "transparent"})  # fmt: skip
SWAPPABLE_ATTRIBUTE_CLASSES = adjectives.SWAPPABLE
# Verbs of posture and motion whose contrast keeps the preposition ('sit on' -> 'stand on').
POSTURE_VERBS = frozenset({"sit", "stand", "lie", "lay", "walk", "run", "kneel", "jog", "crawl"})
# Verbs of position whose preposition can be contrasted ('parked on' -> 'parked under'); after an action verb
# the contrast is mostly absurd ('surfing under a surfboard') and a text-only model would spot it.
POSITION_VERBS = frozenset({"sit", "stand", "lie", "lay", "rest", "perch", "park", "place", "set", "stack", "hang",
                            "lean", "wait", "stop", "mount", "attach", "display", "sleep", "sat", "position",
                            "locate", "line", "pile", "store", "keep", "leave", "put", "be"})  # fmt: skip
# Things one is on or in but never under: the ground and scenes.
SURFACES = frozenset({"floor", "ground", "grass", "field", "street", "road", "sidewalk", "snow", "water", "sand",
                      "beach", "dirt", "pavement", "track", "tracks", "court", "lawn", "runway", "shore", "sky",
                      "wave", "ocean", "lake", "river", "sea", "hill", "mountain", "slope", "air", "countryside",
                      "area", "city", "town", "background", "distance", "yard", "park", "pasture", "curb",
                      "wall", "ceiling", "roof", "side"})  # fmt: skip
# Flat things that hang on a wall or fill a frame: nothing is under, on top of, behind or in front of them in a way
# a caption would say ('a commode under a picture' -> 'on top of a picture' is impossible).
FLAT_THINGS = frozenset({"picture", "photo", "photograph", "painting", "poster", "mirror", "window", "screen",
                         "sign", "image", "reflection", "shadow", "drawing", "print", "frame", "curtain", "door",
                         "wallpaper", "banner", "billboard", "map", "calendar", "board", "chalkboard",
                         "whiteboard", "mural"})  # fmt: skip
# Spatial predicates about above and below, and about in front and behind: contrasts of place between two things.
VERTICAL_CONTRASTS = frozenset({"on", "on top of", "under", "underneath", "beneath", "below", "above", "over",
                                "atop", "onto"})  # fmt: skip
# Words a predicate's prepositional part is made of ('in front of', 'on top of', 'down', 'through').
PREPOSITION_WORDS = frozenset({"on", "in", "at", "under", "over", "above", "below", "beneath", "behind", "inside",
                               "outside", "near", "by", "with", "into", "onto", "across", "along", "toward", "towards",
                               "up", "down", "through", "around", "top", "front", "of", "next", "to", "from", "out",
                               "off", "underneath", "beside", "against", "past", "atop", "among",
                               "between"})  # fmt: skip
# Words that lead a predicate without a verb ('on', 'left of', 'next to', 'away from'): a predicate led by one is not
# lemmatised as a verb ('left of' is not 'leave of'), and the negatives edit it as a preposition, not a verb form.
PREDICATE_PREPOSITIONS = frozenset({"on", "in", "at", "under", "over", "above", "below", "beneath", "behind",
                                    "inside", "outside", "near", "by", "with", "into", "onto", "across", "along",
                                    "toward", "towards", "up", "down", "through", "around", "top", "front", "left",
                                    "right", "of", "next", "to", "from", "away", "out", "off", "underneath",
                                    "beside", "against", "far"})  # fmt: skip


def normalize_predicate(pred: str) -> str:
    """Lemma form of a predicate ('sitting on' -> 'sit on', 'is riding' -> 'ride'): the one form the negatives and
    their corpus key predicates by."""
    words = pred.lower().split()
    if len(words) > 1 and words[0] in ("is", "are", "be", "was", "were"):
        words = words[1:]
    if words and words[0] not in PREDICATE_PREPOSITIONS:
        base = lexicon.morphy(words[0], "v")
        if base:
            words[0] = base[0]
    return " ".join(words)


MOTION_VERBS = frozenset({"walk", "run", "jog", "crawl"})
# Prepositions of direction: after 'riding X into the water' a contrast 'walking next to X' no longer reads.
DIRECTIONS = frozenset({"into", "past", "through", "across", "down", "up", "along", "toward", "towards", "onto",
                        "over", "top", "around", "under"})  # fmt: skip
# Verbs of doing (their contrasts need an animate subject).
ACTION_VERBS = frozenset({"ride", "hold", "carry", "wear", "eat", "throw", "catch", "push", "pull", "kick", "chase",
                          "lead", "follow", "feed", "pet", "watch", "look", "fly", "drive", "hit", "swing", "cut",
                          "drink", "play", "open", "close", "walk", "run"})  # fmt: skip
# Predicates of looking at something: what one looks at may be anything in sight, so a new object of theirs needs
# no caption that writes it with the verb ('three dogs looking at a cement ledge' -> 'looking at a hill'); what one
# looks through, out of or into (a window, glasses) is not among them.
LOOKED_AT = frozenset({"look at", "look up at", "look down at", "watch", "see", "view", "observe", "stare at",
                       "gaze at", "glance at", "peer at"})  # fmt: skip
# Nouns of people that WordNet files as groups ('people': noun.group): they act like a person.
PEOPLE_GROUPS = frozenset({"people", "crowd", "family", "couple", "team", "group", "persons", "audience"})
# Gendered words flipped together with a person noun ('boy' -> 'girl' also turns 'his' into 'her').
GENDERED_PERSONS = {"man": "woman", "woman": "man", "boy": "girl", "girl": "boy"}
# People named without a sex, or by another word for one: the other age group or sex ('the children are playing'
# -> 'the men are playing', 'a lady' -> 'a man'). A child is never made a boy or girl (it may be either).
OTHER_PERSONS = {"child": ("man", "woman"), "kid": ("man", "woman"), "toddler": ("man", "woman"),
                 "baby": ("man", "woman"), "adult": ("child",), "lady": ("man",), "guy": ("woman",),
                 "gentleman": ("woman",)}  # fmt: skip
# Words that tell a person's sex in the caption itself: a man<->woman edit beside them reads wrong without the photo
# ('a bearded woman', 'a man in a bikini').
GENDER_MARKED = frozenset({"blonde", "beard", "bearded", "mustache", "moustache", "mustached", "goatee", "shirtless",
                           "bikini", "bra", "dress", "skirt", "gown", "pregnant", "tuxedo", "bald", "lipstick",
                           "makeup", "ponytail", "pigtails", "purse", "handbag", "he", "his", "him", "she", "her",
                           "husband", "wife", "mother", "father", "son", "daughter", "brother", "sister",
                           "boyfriend", "girlfriend", "bride", "groom", "mom", "dad"})  # fmt: skip

# Quantities that are not a count: an edit of them is not reliably false.
VAGUE_QUANTIFIERS = frozenset(
    {"some", "few", "several", "many", "group", "bunch", "lot", "lots", "couple", "herd", "flock", "crowd",
     "number", "multiple", "various", "numerous", "plenty", "pair", "set", "pile", "stack", "row", "team",
     "line", "bundle", "variety", "assortment", "pack", "collection", "dozens", "hundreds", "bunches", "much",
     "more", "most", "all", "both", "each", "every", "other", "another", "assorted", "array", "fleet", "swarm"}
)  # fmt: skip
# The counts the count rule reads and writes as words: one to twelve (of the number words in `closed_words`).
NUMBER_WORDS = {w: n for w, n in closed_words.NUMBER_WORDS.items() if 1 <= n <= 12 and w != "dozen"}
NUMBER_NAMES = {v: k for k, v in NUMBER_WORDS.items()}
# Nouns that a colour or an added object makes no sense with (scenes, people, mass and abstract nouns).
NO_COLOUR_LEXNAMES = frozenset({"noun.person", "noun.location", "noun.time", "noun.act", "noun.event",
                                "noun.phenomenon", "noun.state", "noun.group", "noun.cognition", "noun.quantity",
                                "noun.communication", "noun.attribute", "noun.feeling", "noun.process",
                                "noun.motive", "noun.relation", "noun.shape"})  # fmt: skip
CONCRETE_LEXNAMES = frozenset({"noun.animal", "noun.artifact", "noun.food", "noun.plant", "noun.object"})
COUNTABLE_LEXNAMES = frozenset({"noun.animal", "noun.artifact", "noun.food", "noun.plant", "noun.person"})
COLOURLESS = frozenset(
    {
        "mirror",
        "window",
        "screen",
        "glass",
        "light",
        "sky",
        "water",
        "picture",
        "photo",
        "painting",
        "image",
        "reflection",
        "shadow",
        "traffic light",
        "tv",
        "television",
        "monitor",
    }
)
MASS_NOUNS = frozenset({"sky", "water", "grass", "ground", "air", "snow", "sand", "dirt", "food", "hair", "light",
                        "traffic", "furniture", "luggage", "equipment", "rice", "meat", "bread", "cheese", "soup",
                        "coffee", "tea", "milk", "wine", "beer", "juice", "broccoli", "lettuce", "spinach",
                        "clothing", "fruit", "produce", "cake", "pasta", "salad"})  # fmt: skip
# Spatial predicates whose contrast is only plausible for a thing, not for a person or animal
# ('a banana on a chair' -> 'under a chair', but not 'a man under a motorbike').
INANIMATE_ONLY_CONTRASTS = frozenset({"on", "on top of", "over", "above", "in", "inside", "inside of", "at"})


@functools.lru_cache(maxsize=1)
def _noun_class_index() -> dict[str, str]:
    return {w: cls for cls, words in NOUN_CLASSES.items() for w in words}


def noun_class(name: str) -> str | None:
    """The table class of a noun lemma ('animal', 'vehicle', ...) or None; a compound the table lacks has its
    head word's class ("baseball uniform" is clothing)."""
    if " " in name and not known_whole(name):  # not "teddy bear"
        return _noun_class_index().get(name.rsplit(" ", 1)[1])
    return _noun_class_index().get(name)


def known_whole(name: str) -> bool:
    """Do the word tables or WordNet know the name as a whole ("teddy bear", "fire hydrant"), not only its head
    word ("baseball uniform", "city street")?"""
    return name in _noun_class_index() or lexicon.is_lemma(name)


def noun_kind(name: str) -> str | None:
    """Table class, else the WordNet lexicographer file of its first sense ('noun.food'), else None."""
    return noun_class(name) or lexicon.lexname(name, "n")


# WordNet files of things that cannot act: a noun with a common sense in one of them is not counted as an agent
_THING_LEXNAMES = frozenset({"noun.artifact", "noun.food", "noun.body", "noun.object", "noun.plant", "noun.substance"})


def _doer_of(word: str) -> bool:
    """A word WordNet does not know, made with -er or -or from a board, boat or vehicle it does know ('kayaker',
    'wakeboarder', 'parasailors', 'snowmobiler', 'biker'): the one who rides it. Not from a verb: a misspelt machine
    is no person ('refrigerater'), and 'a windsurfer' is a board as often as a person."""
    word = word[:-1] if word.endswith(("ers", "ors")) else word
    if not word.endswith(("er", "or")) or len(word) < 5:
        return False
    return any(lexicon.lexname(stem, "n") == "noun.artifact" or stem.endswith("board")
               for stem in (word[:-2], word[:-1]))  # fmt: skip


@functools.lru_cache(maxsize=1)
def _top_senses() -> dict[int, str]:
    """The first senses of 'person' and 'animal', which WordNet files among its top-level nouns (noun.Tops)."""
    return {lexicon.synset_ids("person", "n")[0]: "person", lexicon.synset_ids("animal", "n")[0]: "animal"}


@functools.lru_cache(maxsize=65536)
def agent_kind(name: str) -> str | None:
    """'person' or 'animal' when the noun names one in its common uses, else None: a table person or animal, or a
    noun whose first WordNet sense is a person or an animal and none of whose first three senses is a thing
    ('controller' and 'pacifier' name a person first and a device third or second; 'bat' and 'fish' are also a club
    and a food; 'paw' is a body part). WordNet's top-level 'person' and 'animal' count, a compound it knows is read
    whole ('teddy bear'), `closed_words.AGENT_NOUNS` names the people it files otherwise ('climber'), and a word it
    does not know made with -er from a board, a boat or a vehicle is a person ('kayaker')."""
    if name in PEOPLE_GROUPS:
        return "person"
    if name in closed_words.AGENT_NOUNS:
        return closed_words.AGENT_NOUNS[name]
    if name.split()[-1] == "wheeler":  # 'a four wheeler' is a vehicle; WordNet knows only people of that name
        return None
    cls = noun_class(name)
    if cls is not None:
        return "person" if cls in ("person", "role") else "animal" if cls == "animal" else None
    last = name.split()[-1]
    if " " in name and lexicon.is_lemma(name, "n"):
        bases = [name]  # 'teddy bear' is a toy, not a bear
    else:
        bases = [last] if lexicon.is_lemma(last, "n") else lexicon.morphy(last, "n")[:1]
    senses = [sid for b in bases for sid in lexicon.synset_ids(b, "n")][:3]
    if not senses and _doer_of(last):
        return "person"
    if senses and senses[0] in _top_senses():  # 'person', 'individual', 'animal': filed with WordNet's top nouns
        return _top_senses()[senses[0]]
    if not senses or any(lexicon.lexname_of(sid, "n") in _THING_LEXNAMES for sid in senses):
        return None
    first = lexicon.lexname_of(senses[0], "n")
    return "person" if first == "noun.person" else "animal" if first == "noun.animal" else None


def attribute_class(word: str) -> str | None:
    """'colour', 'hair', 'age', 'size', 'material', 'pattern', 'ground', 'state' or None."""
    return adjectives.attribute_class(word)


def is_number_word(token: str) -> bool:
    return token.lower() in NUMBER_WORDS or token.isdigit()


def number_value(token: str) -> int | None:
    t = token.lower()
    if t in NUMBER_WORDS:
        return NUMBER_WORDS[t]
    return int(t) if t.isdigit() else None


@functools.lru_cache(maxsize=65536)
def _ancestors_by_depth(name: str) -> dict[int, int]:
    """Synset id -> distance for the first sense of `name` and its ancestors (distance 0 = itself)."""
    ids = lexicon.synset_ids(name, "n")
    if not ids:
        return {}
    dist = {ids[0]: 0}
    frontier = [ids[0]]
    d = 0
    while frontier:
        d += 1
        nxt = []
        for s in frontier:
            for h in lexicon.hypernyms(s, "n"):
                if h not in dist:
                    dist[h] = d
                    nxt.append(h)
        frontier = nxt
    return dist


_BY_ANCESTOR = frozenset({"animal", "vehicle"})


@functools.lru_cache(maxsize=65536)
def class_by_ancestor(name: str) -> str | None:
    """The table class of a noun, else the animal or vehicle class of its nearest WordNet ancestor within four steps
    (the ancestor's first word: 'doberman' -> dog, 'sedan' -> car). Other classes are not reached this way: their
    ancestors' words are too loose ('grass' is a 'plant', a 'ledge' a 'shelf')."""
    cls = noun_class(name)
    if cls is not None:
        return cls
    for sid, d in _ancestors_by_depth(name).items():  # nearest first
        if d > 4:
            break
        if d and (cls := noun_class(lexicon.lemmas_of(sid)[0].replace("_", " "))) in _BY_ANCESTOR:
            return cls
    return None


def wordnet_cohyponyms(name: str, a: str, max_up: int = 2) -> bool:
    """True when the first senses of `name` and `a` share an ancestor at most `max_up` steps above each
    (cat and dog under 'carnivore'), and neither is an ancestor of the other."""
    da, db = _ancestors_by_depth(name), _ancestors_by_depth(a)
    if not da or not db:
        return False
    first_a = next(iter(da))
    first_b = next(iter(db))
    if first_a in db or first_b in da:
        return False
    return any(da[s] <= max_up and db[s] <= max_up for s in set(da) & set(db))


class NounPool:
    """A corpus's nouns, indexed by WordNet file and by each ancestor at most two steps above their first sense: a
    noun's co-hyponyms among them are looked up, not searched for (a training set names tens of thousands)."""

    def __init__(self, nouns: Sequence[str]):
        self._order = {w: i for i, w in enumerate(dict.fromkeys(nouns))}
        self._by_ancestor: dict[tuple[str, int], list[str]] = {}
        for w in self._order:
            lex = lexicon.lexname(w, "n")
            if lex is None:
                continue
            for sid, d in _ancestors_by_depth(w).items():
                if d <= 2:
                    self._by_ancestor.setdefault((lex, sid), []).append(w)

    def cohyponyms(self, name: str, lex: str) -> list[str]:
        """The pool's nouns of WordNet file `lex` that are co-hyponyms of `name` (`wordnet_cohyponyms`), in pool
        order."""
        near = {w for sid, d in _ancestors_by_depth(name).items() if d <= 2
                for w in self._by_ancestor.get((lex, sid), ())}  # fmt: skip
        return sorted((w for w in near if w != name and wordnet_cohyponyms(name, w)), key=self._order.__getitem__)


def from_tables(name: str) -> bool:
    """`same_kind_nouns` draws this noun's replacements from the word tables (a person, the ground, a table class),
    not from WordNet."""
    return name in GENDERED_PERSONS or name in OTHER_PERSONS or name in GROUNDS or noun_class(name) is not None


def same_kind_nouns(name: str, pool: Sequence[str] | NounPool | None = None) -> list[str]:
    """Candidate replacements for a noun: its table class, else WordNet co-hyponyms among `pool` (corpus nouns)."""
    if name in GENDERED_PERSONS:  # a man is replaced by a woman, not by a girl (age is a softer contrast)
        return [GENDERED_PERSONS[name]]
    if name in OTHER_PERSONS:
        return list(OTHER_PERSONS[name])
    if name in GROUNDS:
        return [w for w in GROUNDS if w != name]
    cls = noun_class(name)
    if cls is not None:
        return [w for w in NOUN_CLASSES[cls] if w != name]
    lex = lexicon.lexname(name, "n")
    if lex is None or lex not in CONCRETE_LEXNAMES or (agent_kind(name) == "person") != (lex == "noun.person"):
        return []  # 'climber' is a person, whatever WordNet's first sense (a plant) would put in its place
    return (pool if isinstance(pool, NounPool) else NounPool(pool or ())).cohyponyms(name, lex)


def same_class_attributes(word: str, name: str = "") -> list[str]:
    """Replacements for an attribute of the noun `name`: a contrasting value of the same class (opposite size,
    another colour the noun can have, another material, the other age group ...)."""
    return list(adjectives.contrasts(word, noun_kind(name) if name else None, name))


def contrasting_predicates(predicate: str) -> list[str]:
    """Contrasts of a predicate lemma: the table entry, else verb + contrasting preposition or
    contrasting verb + same preposition ('sit on' -> 'sit under', 'stand on')."""
    if predicate in PREDICATE_CONTRASTS:
        return list(PREDICATE_CONTRASTS[predicate])
    words = predicate.split()
    out: list[str] = []
    for i in range(1, len(words)):
        head, tail = " ".join(words[:i]), " ".join(words[i:])
        if head in POSTURE_VERBS and head in PREDICATE_CONTRASTS and all(w in PREPOSITION_WORDS for w in tail.split()):
            out.extend(f"{h} {tail}" for h in PREDICATE_CONTRASTS[head]
                       if len(h.split()) == 1 and (h in MOTION_VERBS) == (head in MOTION_VERBS))  # fmt: skip
        if tail in PREDICATE_CONTRASTS and head in POSITION_VERBS:
            out.extend(f"{head} {t}" for t in PREDICATE_CONTRASTS[tail])
    return list(dict.fromkeys(out))


# --- what the caption parser asks of a noun (sgfns.graphs.parser.rules) --------------------------------------------
@functools.lru_cache(maxsize=20_000)
def is_animate(name: str) -> bool:
    """A person or an animal: something that acts, and can wear a garment. The project's word classes decide
    where they know the noun ("monitor" is electronics, though WordNet's first sense is a person), else the noun's
    first WordNet sense ("guy", "kid", "batter")."""
    if agent_kind(name) is not None:  # 'person' and 'people' included
        return True
    return noun_class(name) is None and lexicon.lexname(name) in ("noun.person", "noun.animal")


@functools.lru_cache(maxsize=1)
def _garment_synsets() -> frozenset[int]:
    out: set[int] = set()
    for w in ("clothing", "garment", "headdress", "footwear", "eyewear", "glasses", "glove"):
        out.update(lexicon.synset_ids(w, "n"))
    return frozenset(out)


@functools.lru_cache(maxsize=20_000)
def is_garment(name: str) -> bool:
    """Is one of the first two WordNet senses of the noun (or of its singular: "jeans" -> "jean") a garment,
    headdress, footwear or eyewear?"""
    roots = _garment_synsets()
    senses = lexicon.synset_ids(name, "n")[:2] or [s for b in lexicon.morphy(name, "n")[:1] for s in
                                                   lexicon.synset_ids(b, "n")[:2]]  # fmt: skip
    return any(s in roots or lexicon.hypernym_closure(s) & roots for s in senses)


# things worn or strapped on that WordNet files under no garment: nobody is "next to" the collar they wear
WORN_GEAR = frozenset({"collar", "harness", "leash", "bridle", "halter", "muzzle", "gear", "backpack", "knapsack",
                       "rucksack", "lanyard", "lei", "cast", "brace", "sling", "pack"})  # fmt: skip


def is_worn(name: str) -> bool:
    """A garment (`is_garment`) or worn gear: what a caption puts a person or animal *in* or *with* as clothing."""
    return is_garment(name) or name.split()[-1] in WORN_GEAR


@functools.lru_cache(maxsize=20_000)
def can_pose(name: str) -> bool:
    """A thing that sits, stands or lies in a caption ("a pizza sitting on a board", "a bike leaning on a wall"):
    an artifact, food, plant or natural object, but no garment (a shirt never stands)."""
    return lexicon.lexname(name) in ("noun.artifact", "noun.food", "noun.plant", "noun.object") and not is_garment(name)
