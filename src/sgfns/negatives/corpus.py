"""What the captions of a dataset say, used to make negatives look like its captions.

A negative that uses words or phrasings the positives never use is solvable without the image (a text-only
model learns "'next to a' at the end -> negative"). So replacements are drawn in proportion to how often the
corpus uses them, added objects are things the corpus names together with the caption's objects, and an added
object is realised with a relation phrase ("above a white ball") taken from a real caption of the corpus."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sgfns.graphs.types import SceneGraph
from sgfns.negatives import locate
from sgfns.text import inflection as surface
from sgfns.text import lexicon, verbs
from sgfns.text import wordclasses as wc

PREPOSITIONS = frozenset({"on", "in", "at", "under", "over", "above", "below", "beneath", "behind", "inside", "near",
                          "by", "with", "next", "beside", "underneath", "in front of", "across", "along", "against",
                          "outside", "around", "atop"})  # fmt: skip


@dataclass(frozen=True)
class Tail:
    """A caption-final relation phrase of the corpus: `text` = predicate + object phrase ("on top of a red box"),
    the object's name / attributes, the predicate lemma and the head word's offsets inside `text`."""

    text: str
    name: str
    attributes: tuple[str, ...]
    predicate: str
    head: tuple[int, int]


@dataclass
class Corpus:
    nouns: Counter = field(default_factory=Counter)
    attributes: Counter = field(default_factory=Counter)
    predicates: Counter = field(default_factory=Counter)
    # (predicate, its object's table class or else its name): 'sleep on' is written of furniture, never of water
    predicate_kinds: Counter = field(default_factory=Counter)
    # (predicate, its subject's table class or else its name), and (predicate, name) for a class's noun: a ski is
    # never written 'sitting next to' anything, a chef never 'throwing a pitch'
    predicate_subjects: Counter = field(default_factory=Counter)
    cooccur: dict[str, Counter] = field(default_factory=dict)
    numbers: Counter = field(default_factory=Counter)  # number words and digits as the captions write them
    # (subject kind, predicate, object kind) of relations between people and animals ('person', 'ride', 'animal'),
    # the predicate in its lemma form (`wordclasses.normalize_predicate`: 'is riding' is counted as 'ride')
    agents: Counter = field(default_factory=Counter)
    # (animal name, verb lemma) the captions write ('cow', 'lay'): horses are never written sitting, dogs throwing
    animal_verbs: Counter = field(default_factory=Counter)
    tails: list[Tail] = field(default_factory=list)
    _by_name: dict[str, list[Tail]] | None = field(default=None, repr=False)
    _keys: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _same_kind: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _pool: wc.NounPool | None = field(default=None, repr=False)

    # With a large corpus, a replacement word the captions never use is a giveaway: only known words are used.
    MIN_TOTAL = 500

    # Fewer number words than this and the corpus cannot say which numbers its captions prefer.
    MIN_NUMBERS = 100

    def same_kind_nouns(self, name: str) -> list[str]:
        """`wordclasses.same_kind_nouns` with this corpus's nouns as the pool, worked out once per name (a corpus is
        not changed once built; every caption naming a dog asks again)."""
        alts = self._same_kind.get(name)
        if alts is None:
            if self._pool is None:
                self._pool = wc.NounPool(list(self.nouns))
            alts = self._same_kind[name] = wc.same_kind_nouns(name, self._pool)
        return list(alts)

    def balance(self, counts: Counter, old: str, new: str) -> float:
        """How often to offer an edit old -> new: f(new) / f(old), at most 1. The reverse edit is then offered
        always, so each direction is made about as often as the other and a word the captions rarely write is not
        mostly found in negatives (with 'two' written five times as often as 'three', two -> three is offered one
        time in five, three -> two every time). 1 where the corpus is too small to tell."""
        if counts.total() < self.MIN_NUMBERS:
            return 1.0
        return min(1.0, counts.get(new, 0) / max(counts.get(old, 0), 1))

    def knows_predicate(self, p: str) -> bool:
        return self.predicates.total() < self.MIN_TOTAL or self.predicates.get(p, 0) > 0

    def knows_predicate_with(self, p: str, object_name: str) -> bool:
        """The captions use predicate `p` with this object, or one of its table class ('sleep on' + a bed: seen
        with a couch, furniture); a WordNet file is too coarse ('sit in' the water would allow 'sit in' the air)."""
        if self.predicates.total() < self.MIN_TOTAL:
            return True
        return self.predicate_kinds.get((p, _object_key(object_name)), 0) > 0

    def fits_with(self, noun: str, others: Sequence[str]) -> bool:
        """The captions name `noun` together with each of `others` (a noun of their table class will do;
        people aside: they go with anything), so a replacement does not put a stove in a bathroom or a sheep at
        a laptop."""
        if self.nouns.total() < self.MIN_TOTAL:
            return True
        seen = self._seen_keys(noun)
        return all(_object_key(o) in seen for o in others if not _person(o) and o != noun)

    def object_of(self, predicate: str, noun: str) -> bool:
        """The captions write this noun as the object of this predicate ('throw' a frisbee, never a ski)."""
        return self.predicates.total() < self.MIN_TOTAL or self.predicate_kinds.get((predicate, noun), 0) > 0

    def subject_of(self, predicate: str, noun: str, by_name: bool = False) -> bool:
        """The captions write this noun (or, unless `by_name`, one of its table class) as the subject of this
        predicate."""
        key = noun if by_name else _object_key(noun)
        return self.predicates.total() < self.MIN_TOTAL or (predicate, key) in self.predicate_subjects

    def _seen_keys(self, noun: str) -> set[str]:
        """Names and table classes of the nouns the captions name together with `noun`."""
        keys = self._keys.get(noun)
        if keys is None:
            keys = {_object_key(b) for b in self.cooccur.get(noun, ())} | set(self.cooccur.get(noun, ()))
            self._keys[noun] = keys
        return keys

    def writes_agents(self, subject_kind: str, predicate: str, object_kind: str) -> bool:
        """The captions write a `subject_kind` ('person' / 'animal') doing `predicate` (a lemma form, as
        `wordclasses.normalize_predicate` gives it) to an `object_kind`. A corpus too small to tell vouches for
        nothing: a swap of a person and an animal needs the captions' word for it."""
        return self.agents.get((subject_kind, predicate, object_kind), 0) > 0

    def writes_animal_doing(self, animal: str, verb: str) -> bool:
        """The captions write this animal doing this (a verb lemma), or in the same body state by another verb
        ('lay' for 'lie'); True where the corpus is too small to tell."""
        if self.predicates.total() < self.MIN_TOTAL or self.animal_verbs.get((animal, verb), 0) > 0:
            return True
        st = verbs.state(verb)
        return st is not None and any(self.animal_verbs.get((animal, v), 0) > 0 for v in verbs.verbs_of(st))

    def knows_attribute(self, a: str, evidence: bool = False) -> bool:
        """The captions write attribute `a` (or its last word: 'dark green' -> 'green'); any attribute when the corpus
        is too small to tell, unless `evidence` asks for the word to have been seen all the same."""
        known = self.attributes.get(a, 0) > 0 or self.attributes.get(a.split()[-1], 0) > 0
        return known or (not evidence and self.attributes.total() < self.MIN_TOTAL)

    def tails_by_name(self) -> dict[str, list[Tail]]:
        if self._by_name is None:
            self._by_name = {}
            for t in self.tails:
                self._by_name.setdefault(t.name, []).append(t)
        return self._by_name

    @classmethod
    def build(cls, captions: Sequence[str] | None, graphs: Sequence[SceneGraph | None], max_tails: int = 20000):
        c = cls()
        for i, g in enumerate(graphs):
            if g is None:
                continue
            names = {o.name for o in g.objects}
            c.nouns.update(o.name for o in g.objects)
            c.attributes.update(a for o in g.objects for a in o.attributes)
            c.predicates.update(r.predicate for r in g.relations)
            c.predicate_kinds.update((r.predicate, _object_key(g.objects[r.object].name)) for r in g.relations)
            c.predicate_kinds.update((r.predicate, g.objects[r.object].name) for r in g.relations
                                     if _object_key(g.objects[r.object].name) != g.objects[r.object].name)
            for r in g.relations:
                s_name = g.objects[r.subject].name
                c.predicate_subjects.update({(r.predicate, _object_key(s_name)), (r.predicate, s_name)})
            for r in g.relations:
                ks, ko = wc.agent_kind(g.objects[r.subject].name), wc.agent_kind(g.objects[r.object].name)
                if ks is None:
                    continue
                pred = wc.normalize_predicate(r.predicate)
                if ko is not None:
                    c.agents[(ks, pred, ko)] += 1
                if ks == "animal":
                    c.animal_verbs[(g.objects[r.subject].name, pred.split()[0])] += 1
            for a in names:
                c.cooccur.setdefault(a, Counter()).update(b for b in names if b != a)
            if captions is not None:
                c.numbers.update(t.lower for t in surface.tokenize(captions[i]) if wc.is_number_word(t.lower))
            if captions is not None and len(c.tails) < max_tails:
                t = caption_tail(captions[i], g)
                if t is not None:
                    c.tails.append(t)
        return c


def _person(name: str) -> bool:
    return wc.noun_class(name) in ("person", "role") or lexicon.lexname(name, "n") in ("noun.person", "noun.group")


def _object_key(name: str) -> str:
    """A noun's table class stands for it (a couch for a bed; a doberman, through WordNet, for a dog), except rooms,
    scenes and fixtures: what goes with a kitchen does not go with a bathroom."""
    cls = wc.class_by_ancestor(name)
    return name if cls is None or cls in ("room", "outdoor", "fixture") else cls


def caption_tail(caption: str, g: SceneGraph) -> Tail | None:
    """The relation phrase that ends the caption, when the parse of it is clean ('... above a white ball.')."""
    tokens = surface.tokenize(caption)
    for r_i, r in enumerate(g.relations):
        obj = g.objects[r.object]
        try:
            seg = locate.predicate_tokens(caption, tokens, g, r_i)
            ph = locate.noun_phrase(caption, tokens, obj)
        except locate.Unreliable:
            continue
        if caption[ph.end :].strip() not in ("", ".", "!") or ph.plural:
            continue
        start = seg[0].start
        if seg[0].lower not in PREPOSITIONS:  # a bare prepositional phrase attaches to any noun; a verb does not
            continue
        text = caption[start : ph.end]
        if not text[:1].islower():
            continue
        return Tail(text, obj.name, tuple(obj.attributes), r.predicate, (ph.head.start - start, ph.head.end - start))
    return None
