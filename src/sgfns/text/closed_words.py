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
    "fleet", "fleets", "bouquet", "bouquets", "bit", "bits", "colors", "colours", "armful", "armfuls", "handfuls",
    "mouthful", "spray", "puff", "plume",
}  # fmt: skip
# Nouns that say how the photo shows something when they head the caption ("a close up of a bear", "a picture of
# two cows grazing"): no object of their own; what follows "of" is the thing.
FRAMING_NOUNS = {"closeup", "view", "picture", "photo", "photograph", "image", "shot", "snapshot", "pic", "section",
                 "part", "portion", "perspective", "overview"}  # fmt: skip
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

# People WordNet files first under another sense ('climber' is a plant first, 'sailor' a hat third) or does not know
# (words made with -er from a board, a boat or a vehicle are found without a table: wordclasses.agent_kind)
AGENT_NOUNS = {"climber": "person", "rock climber": "person", "mountain climber": "person", "sailor": "person",
               "coworker": "person"}  # fmt: skip
# Pronouns never become objects; indefinite person pronouns become "person".
PERSON_PRONOUNS = {"someone": "person", "somebody": "person", "anyone": "person", "everyone": "person",
                   "anybody": "person", "everybody": "person"}  # fmt: skip
RELATIVE_PRONOUNS = {"who", "that", "which", "whom", "whose"}

COPULAS = {"be"}
# Modifiers that are not attributes of the thing ("other man", "same shirt").
NON_ATTRIBUTES = {
    "other", "another", "same", "such", "many", "several", "few", "various", "much", "more", "most", "some",
    "each", "every", "all", "only", "own", "certain", "different", "numerous", "multiple", "else", "looking",
}  # fmt: skip

# Nouns whose plural is the lemma ("jeans" is not one "jean").
PLURALIA_TANTUM = {
    "jeans", "pants", "shorts", "glasses", "sunglasses", "eyeglasses", "trousers", "scissors", "clothes", "goggles",
    "stairs", "binoculars", "headphones", "tongs", "pliers", "pajamas", "pyjamas", "overalls", "leggings",
    "sweatpants", "trunks", "earphones", "earbuds", "tights", "slacks", "suspenders", "briefs", "boxers", "people",
    "police", "cattle", "spectacles",
}  # fmt: skip

# --- words the parser's rules test (`sgfns.graphs.parser.rules`); a change here changes parses (RULES_VERSION) ---
# Modifiers that add nothing of their own to an attribute ("very red", "pretty big").
INTENSIFIERS = {"very", "really", "so", "too", "quite", "extremely", "rather", "pretty", "fairly", "somewhat", "all"}
# Adjectives of how a thing looks: never part of its name ("big truck" is a truck), read as adjectives even where
# the tagger made them nouns.
VISUAL_ADJECTIVES = {
    "white", "black", "red", "blue", "green", "yellow", "brown", "gray", "grey", "orange", "pink", "purple", "big",
    "small", "large", "little", "old", "young", "tall", "short", "long", "new", "dark", "light", "wooden", "open",
}  # fmt: skip
# Quantifier nouns that become an attribute of what they quantify ("a slice of pizza" -> pizza [slice]).
ATTRIBUTE_QUANTIFIERS = {"piece", "pieces", "slice", "slices", "bunch", "pile", "stack", "chunk", "chunks", "strip",
                         "strips", "patch", "clump", "portion", "section", "part"}  # fmt: skip
# Nouns whose "of" names what they hold or show ("a plate of food" -> (plate, have, food)).
CONTAINERS = {
    "plate", "plates", "bowl", "bowls", "cup", "cups", "glass", "glasses", "box", "boxes", "bag", "bags", "basket",
    "baskets", "bottle", "bottles", "jar", "jars", "tray", "trays", "bucket", "buckets", "pot", "pots", "pan",
    "pans", "vase", "vases", "cart", "carts", "container", "containers", "mug", "mugs", "crate", "crates",
    "picture", "pictures", "photo", "photos", "image", "images", "poster", "posters", "painting", "paintings",
    "field", "fields", "sheet", "sheets", "can", "cans", "carton", "cartons", "platter", "platters", "dish",
    "dishes", "loaf", "bed", "beds", "glob", "flock", "tub", "tubs", "display", "displays",
}  # fmt: skip
# "a painting of the sun", "a cup of coffee": what follows "of" is in the depiction or the vessel.
# What one poses or smiles for ("posing for a picture on a boat": the place is where they pose)
POSED_FOR = frozenset({"picture", "photo", "photograph", "camera", "snapshot", "shot", "portrait", "photographer"})
POSING_VERBS = frozenset({"pose", "smile", "stand", "sit", "gather", "line"})
# How the doer is while doing it, said after the verb ("running barefoot", "sucking a binky asleep in a chair").
STATES_OF_THE_DOER = frozenset({"barefoot", "barefooted", "shirtless", "topless", "asleep", "awake", "naked"})
# What is printed on a garment ("a shirt with white writing"): "with" such a thing after a garment is the garment's,
# not the wearer's (not a garment's parts: "a man in a hat with long sleeves" has the sleeves).
MARKINGS = frozenset({"writing", "words", "word", "letters", "lettering", "logo", "logos", "print", "design",
                      "designs", "pattern", "patterns", "stripe", "stripes", "sign", "symbol", "symbols", "picture",
                      "pictures", "image", "images", "graphic", "graphics", "number", "numbers", "name", "slogan",
                      "emblem", "decal", "dots", "writings"})  # fmt: skip
# Things that are not alive but wear what a caption puts on them ("a snowman in a red tie").
WEARERS = frozenset({"snowman", "statue", "mannequin", "doll", "scarecrow", "figure", "teddy bear"})
# An -ing verb after these is a clause of its own ("shaking after coming out of the water").
CLAUSE_TIME_WORDS = frozenset({"after", "before", "upon", "while", "whilst", "when"})
# Verbs whose -ing clause says what the thing seen does ("watch the fish moving in the pond").
SEEING_VERBS = frozenset({"watch", "see", "observe", "view", "film", "photograph"})
# Verbs whose participle says how the photo shows a thing ("a foot is seen", "shown"), not how the thing is.
SHOWING_VERBS = frozenset({"show", "picture", "depict", "display", "capture"})
DEPICTIONS = {"picture", "photo", "photograph", "painting", "image", "poster", "drawing", "portrait", "reflection",
              "print", "mural", "sculpture", "statue", "figurine", "snapshot"}  # fmt: skip
# (a vessel the negatives replace stays one: "a mug of coffee", never "a fork of coffee")
VESSELS = {"cup", "glass", "bowl", "bottle", "jar", "mug", "bucket", "pot", "vase", "basket", "box", "bag",
           "container", "can", "carton", "crate", "pitcher", "jug", "pan", "cart"}  # fmt: skip
# "a plate of cupcakes": what follows "of" lies on it.
SERVING_SURFACES = {"plate", "tray", "platter", "dish", "saucer", "board", "table"}
# Vessels and trays: what comes "with" them is in or on them ("a plate with a sandwich sitting on a table": the plate
# sits on it).
HOLDERS = VESSELS | {"plate", "tray", "platter", "dish", "saucer"}
POSSESSIVE_PRONOUNS = {"his", "her", "its", "their"}
# "a walk in shower" (walk-in written without its hyphen): one thing, walk-in, named by the noun after "in".
# Two-word names WordNet lacks that FACTUAL's annotators keep whole (kept in >= 80 % of >= 8 occurrences in FACTUAL
# train, the held-out ids left out: `scripts/factual_compounds.py`); a compound WordNet knows ("fire hydrant") is
# one name anyway.
COMPOUND_NAMES = frozenset({
    "train track", "stop sign", "train car", "city street", "train platform", "skate park", "grass field",
    "light post", "traffic sign", "light fixture", "light pole", "train engine", "game controller", "food truck",
    "snow ski", "picnic table", "cardboard box", "pizza box",
})  # fmt: skip
# Noun modifiers true of the thing itself, not a kind of it: "a toy car" is a toy, "a rock wall" is rock, "camo
# shorts" are camouflage; and of a person or animal, its age or sex ("a baby elephant", not "a baby stroller").
TOY_WORDS = frozenset({"toy", "miniature", "model"})
TRUE_OF_THE_THING = frozenset({"rock", "camo", "denim", "silk", "lace", "velvet",
                               "bamboo", "tin", "gold", "chrome", "wool", "foam", "cloth", "fabric", "wire",
                               "canvas", "flannel", "satin", "mesh", "adobe", "pinstripe", "print",
                               "paisley"})  # fmt: skip
# Substances a thing holds or serves rather than is made of: "a water bottle", "a wine shop", "a beer sign".
CONTENTS = frozenset({"water", "coffee", "wine", "beer", "juice", "milk", "tea", "oil", "gas", "soda", "paint",
                      "ink", "soap", "shampoo", "perfume", "gasoline", "fuel", "air", "steam", "smoke"})  # fmt: skip
AGE_AND_SEX_NOUNS = frozenset({"baby", "adult", "male", "female", "teen", "teenager", "youth", "giant"})
WALK_IN_NOUNS = {"shower", "showers", "closet", "closets", "tub", "bathtub", "pantry", "cooler", "freezer", "fridge",
                 "refrigerator", "wardrobe", "bath"}  # fmt: skip
# Linking verbs: the adjective after them is an attribute of the subject ("the dog looks brown").
STATIVE_COPULAS = {"be", "look", "appear", "seem", "become", "remain", "stay", "get"}
# Verbs that add nothing to a spatial predicate ("is placed to the right of" -> "right of").
PLACEMENT_VERBS = {"place", "locate", "position", "situate"}
# Places a scene happens in: "holding a racket on a court" puts the one holding there, not the racket.
SCENE_PLACES = {
    "court", "field", "beach", "street", "road", "sidewalk", "park", "lawn", "grass", "snow", "ocean", "sea",
    "lake", "pool", "track", "runway", "slope", "hill", "mountain", "sand", "shore", "yard", "stage", "platform",
    "kitchen", "room", "bathroom", "bedroom", "restaurant", "office", "living room", "airport", "station", "city",
    "town", "zoo", "parking lot", "area", "pasture", "forest", "wood", "woods", "desert", "market", "store", "shop",
    "crowd", "rain", "tennis court", "baseball field", "ski slope", "playground", "skate park", "subway",
    "train station", "city street", "grass field", "train platform", "train track",
}  # fmt: skip
# Verbs that put their object somewhere ("putting a pan in the oven"): the place is the object's.
PLACING_VERBS = {
    "put", "place", "set", "lay", "hang", "drop", "pour", "stack", "spread", "plant", "park", "dip", "insert",
    "leave", "load", "pile", "sprinkle", "stick", "push", "pull", "drag", "rest", "mount", "display", "keep",
    "store", "show", "see", "watch", "find", "photograph", "take", "bring", "sell", "cook", "bake", "wash", "serve",
    "cut",
}  # fmt: skip
# Verbs that move their object to where the phrase after it says ("placing goods inside a bag"): that place is the
# object's (sgfns.graphs.parser.rules.prepositions._carried_object); throwing verbs only with a phrase that is
# clearly a destination ("into the water", not "on the beach"). Narrower than PLACING_VERBS above, which also
# holds verbs whose scene is not the doer's ("photographing a woman by a fountain": he is by it too).
MOVING_VERBS = {"put", "place", "set", "lay", "load", "insert", "stick", "pour", "drop", "stack", "pile", "sprinkle",
                "dip", "hang", "pack", "stuff", "slide", "tuck", "lower", "lift"}  # fmt: skip
THROWING_VERBS = {"throw", "toss", "kick", "hit", "fling", "launch"}
DESTINATIONS = {"in", "into", "on", "onto", "inside", "under", "over", "on top of", "next to", "beside", "behind",
                "in front of", "near", "above", "below", "between", "through", "across", "at", "by",
                "inside of"}  # fmt: skip
# What things do in captions as well as people ("a coat hanging on a hook", "a boat floating in the water"): a
# participle of these hung on a thing stays the thing's.
THING_STATES = {"hang", "lie", "lay", "rest", "lean", "float", "stick", "grow", "flow", "fly", "sail", "park",
                "line", "cover", "overlook", "face", "lead", "surround", "contain", "display", "show", "protrude",
                "dangle", "extend", "poke", "shine", "blow", "ask", "say", "warn", "indicate",
                "advertise", "announce", "direct", "tell", "depict", "feature", "crash", "drip", "burn", "glow",
                "sparkle", "loom", "billow"}  # fmt: skip
# Postures things take as well as people ("a pizza sitting on a cutting board", "a laptop standing open").
POSTURES = {"sit", "stand", "lie", "lay", "rest", "lean", "perch"}
# Nouns of manner after "in" ("holding a frisbee in a throwing position", "swimming in unison"), and of how big,
# how far or what season ("torn in half", "in varied sizes", "in the distance", "a fence in winter"): no thing.
# FACTUAL's annotators keep almost none of the added ones as an object (1 of 21 "half", 0 of 27 "distance", 1 of 17
# "winter" in FACTUAL train).
MANNER_NOUNS = {"position", "pose", "stance", "manner", "way", "fashion", "attempt", "effort", "unison", "process",
                "middle", "center", "centre",
                "mid-air", "midair", "style", "half", "preparation", "size", "sizes", "distance", "winter", "summer",
                "autumn", "wintertime", "summertime", "fall"}  # fmt: skip
# Objects of a light verb that make one act with it and name no thing ("making their way", "taking a break").
LIGHT_VERB_OBJECTS = frozenset({("make", "way"), ("take", "break"), ("take", "rest"), ("take", "nap"),
                                ("take", "turn"), ("take", "turns")})  # fmt: skip
# Nouns that name no thing after any preposition ("under construction", "for sale", "set up for Christmas", "in the
# process of remodeling", "under repair", "clothes of many different colors"); FACTUAL train keeps none of them as
# an object but "color" (1 of 63).
NO_THING_NOUNS = {"construction", "renovation", "renovations", "remodeling", "remodelling", "repair", "repairs",
                  "christmas", "sale", "efficiency", "intent", "goodness", "color", "colors", "colour",
                  "colours"}  # fmt: skip
# Adverbs of place or manner the small model tags as nouns ("swims underwater", "going headfirst down a slide"):
# never an object.
ADVERBS_READ_AS_NOUNS = frozenset({"underwater", "headfirst", "downhill", "uphill", "upstream", "downstream",
                                   "indoors", "outdoors", "overhead", "offshore", "nearby"})  # fmt: skip
# Parts of the body one puts somewhere ("with his hands in his pockets", "with one foot on the stage").
LIMBS = frozenset({"hand", "arm", "leg", "foot", "finger", "head", "knee", "elbow", "toe", "paw", "thumb", "fist",
                   "wrist", "hoof", "palm"})  # fmt: skip
# Times of day after a preposition ("on a sunny day", "at night"): when, not where -- no relation to them.
TIME_NOUNS = {"day", "night", "morning", "afternoon", "evening", "daytime", "nighttime", "dusk", "dawn", "sunset",
              "sunrise", "time", "moment", "today", "tonight"}  # fmt: skip
# Times of day that are no thing in a photo after these prepositions ("at night", "on a sunny day", "in the evening");
# "sunset" and "sunrise" are left as things: their sky is what the photo shows.
TIMES_OF_DAY = frozenset(TIME_NOUNS - {"sunset", "sunrise"})
TIME_PREPOSITIONS = frozenset({"at", "on", "in", "during", "by"})
# Participles a noun before them covers or fills the next noun with: "snow covered ground" -> (snow, cover, ground).
COVERING_VERBS = {"cover", "fill", "line", "top", "coat", "cap", "crowd", "dust", "surround", "soak", "stuff"}
# Adjectives that relate two things through a preposition ("full of", "close to", "covered in").
RELATIONAL_ADJECTIVES = {"full", "close", "next", "near", "adjacent", "similar", "covered", "filled", "attached"}
