"""What English verbs of posture and motion say of a body, and which of them cannot be true of it at once.

Captions describe people and animals by what their body is doing, in every verb form (`a man standing behind a
fence`, `a dog that is lying on a couch`, `children play in the sand while ...`). A negative that changes that verb
must say something the photo rules out, so verbs are grouped by the *state* they put the body in (seated, upright,
lying, walking, running ...), and a verb is only replaced by a verb of a state that excludes its own: `standing` ->
`sitting` (one cannot do both), but `playing` -> `running` is no contrast (children play by running), so `playing`
is only contrasted with `sleeping`.

The replacement keeps the preposition (`playing in the sand` -> `sleeping in the sand`); which preposition a state
can take is decided by the caller from the captions it has seen (`sleeping in the water` is never written, so a
text-only reader would spot it). After a preposition of direction (`jumping into the pool`) only another motion
reads (`walking into the pool`, not `sitting into the pool`)."""

from __future__ import annotations

# verb lemma -> the state it puts a body in ('hike' puts it in none: an outing, and hikers are photographed standing
# as often as walking)
STATES: dict[str, str] = {
    "sit": "seated", "perch": "seated",
    "stand": "upright",
    "lie": "lying", "lay": "lying",
    "sleep": "asleep", "nap": "asleep", "doze": "asleep",
    "kneel": "kneeling", "squat": "kneeling", "crouch": "kneeling",
    "walk": "walking", "stroll": "walking", "wander": "walking", "march": "walking",
    "run": "running", "jog": "running", "race": "running", "sprint": "running", "dash": "running",
    "jump": "jumping", "leap": "jumping", "hop": "jumping",
    "swim": "swimming",
    "play": "playing", "tussle": "playing", "wrestle": "playing", "romp": "playing", "frolic": "playing",
    "splash": "playing", "dance": "playing",
    "graze": "grazing",
}  # fmt: skip
# The verb a state is written with when it replaces another.
WRITTEN: dict[str, str] = {"seated": "sit", "upright": "stand", "lying": "lie", "asleep": "sleep",
                           "kneeling": "kneel", "walking": "walk", "running": "run", "jumping": "jump",
                           "swimming": "swim", "playing": "play"}  # fmt: skip
# Pairs of states that can hold of one body at once (or that a photo cannot tell apart): never a contrast.
_COMPATIBLE = {
    frozenset(p)
    for p in (
        ("lying", "asleep"), ("seated", "asleep"), ("running", "jumping"), ("walking", "grazing"),
        ("upright", "grazing"), ("seated", "kneeling"), ("lying", "kneeling"), ("jumping", "swimming"),
        ("walking", "running"),  # a photo often cannot tell a fast walk from a jog
        ("swimming", "upright"),  # in a pool or the sea one swims and stands by turns, the legs under water
    )
}  # fmt: skip
# `playing` is compatible with every state but sleep: children and dogs play sitting, running, jumping, swimming.
_PLAY_CONTRASTS = frozenset({"asleep"})
# States that move a body somewhere: the only ones that read before a preposition of direction ('into', 'off').
MOVING = frozenset({"walking", "running", "jumping", "swimming"})
# Verbs that take their object along a path: they read before a direction too ('pushing a bike down the street').
PATH_VERBS = frozenset({"ride", "push", "pull", "carry", "drag", "lead", "follow", "chase", "walk", "drive",
                        "climb"})  # fmt: skip
DIRECTIONAL = frozenset({"into", "onto", "off", "from", "through", "over", "across", "down", "up", "toward",
                         "towards", "past", "along", "around", "out", "away", "to"})  # fmt: skip
# Verbs of handling or bearing another's weight: with a child as the subject and an adult as the object they
# describe what a photo almost never shows ('a man lifting a boy' -> 'a boy lifting a man').
HANDLING = frozenset({"hold", "carry", "lift", "throw", "toss", "push", "pull", "swing", "spin", "feed", "put",
                      "take", "give", "hand", "juggle", "cradle", "bathe", "dress", "pick", "raise", "catch",
                      "drag", "tickle", "rock", "bounce", "walk", "lead", "wash"})  # fmt: skip
# Verbs done with a hand: never an animal's, whatever a misread caption says ('a object thrown at it' read as the
# dog throwing).
BY_HAND = frozenset({"throw", "toss", "pitch", "hand", "juggle", "pass", "write", "type"})
# Still postures: they read at any place ('sitting behind a fence', 'standing in a field'), where a motion or sleep
# needs the captions to have written it with that object ('sleeping in the water' never is).
STILL = frozenset({"seated", "upright", "kneeling"})
PLACE_PREPOSITIONS = frozenset({"in", "on", "at", "by", "near", "next to", "beside", "behind", "in front of",
                                "under", "underneath", "beneath", "inside", "outside", "around", "among",
                                "on top of", "in middle of", "on side of"})  # fmt: skip
NO_FOOTING = frozenset({"air", "sky", "wave", "waves", "rapid", "rapids", "waterfall", "sunset", "sunlight", "sun",
                        "rain", "wind", "night", "dark", "day", "distance", "background", "foreground"})  # fmt: skip
# Prepositions after which a state verb is about company or purpose, not place: 'sitting with a friend'.
_NOT_PLACE = frozenset({"with", "for", "like", "of", "as", "without", "against"})


def state(verb: str) -> str | None:
    """The body state a verb lemma names ('standing' must be lemmatised first), or None."""
    return STATES.get(verb)


def verbs_of(st: str) -> list[str]:
    """The verb lemmas of a body state ('lying' -> ['lie', 'lay'])."""
    return [v for v, s in STATES.items() if s == st]


def excludes(a: str, b: str) -> bool:
    """Two states that cannot both be true of one body."""
    if a == b or frozenset((a, b)) in _COMPATIBLE:
        return False
    if "playing" in (a, b):
        return (b if a == "playing" else a) in _PLAY_CONTRASTS
    return True


# Swimming is only done in water, and nobody is written asleep in it.
_WATER_ONLY = frozenset({"swimming"})
_NEVER_IN_WATER = frozenset({"asleep"})


def contrasts(predicate: str, in_water: bool = False) -> list[str]:
    """Predicates that put the subject in an excluded state, keeping the preposition: 'stand behind' ->
    ['sit behind', 'lie behind', ...]; none for a verb without a preposition of place ('play with').
    `in_water`: the object is water ('wading in the lake' -> 'swimming in the lake', never 'sleeping')."""
    words = predicate.split()
    if len(words) < 2 or words[0] not in STATES:
        return []
    tail = words[1:]
    if tail[0] in _NOT_PLACE:
        return []
    own = STATES[words[0]]
    directional = tail[0] in DIRECTIONAL
    out = []
    for st, verb in WRITTEN.items():
        if not excludes(own, st) or (directional and st not in MOVING):
            continue
        if (st in _WATER_ONLY and not in_water) or (st in _NEVER_IN_WATER and in_water):
            continue
        out.append(" ".join([verb, *tail]))
    return out
