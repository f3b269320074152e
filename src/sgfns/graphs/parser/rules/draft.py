"""The graph being built from one parsed caption, and the look-ups every rule module shares.

A `Draft` holds the objects (with the token each stands for), the relations so far and the tokens a multi-word
predicate or a quantifier has consumed; the rule modules fill it in turn (`spacy_rules.build`). Entity groups
("a man and a woman"), the subjects of a verb and the one way to add a relation (canonical predicate, no
duplicates, no self-relation) live here because objects, attributes and relations all ask them."""

from __future__ import annotations

from sgfns.graphs.parser.rules.parsed import Parsed
from sgfns.graphs.parser.rules.reattach import reattach
from sgfns.graphs.parser.rules.retag import mend_word
from sgfns.graphs.parser.rules.tokens import (
    NOUNS,
    OBJ_DEPS,
    SUBJ_DEPS,
    acts_as_verb,
    conj_root,
    lemma,
    noun_lemma,
    resolve,
    with_object_before,
)
from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.text import closed_words as W
from sgfns.text.wordclasses import can_pose, is_animate, is_garment, noun_class

VERBS = {"VERB", "AUX"}

# Spatial predicates written several ways -> one form (the determiner-free FACTUAL style).
PREDICATE_CANON = {}
for _side in ("left", "right"):
    for _form in ("to {} of", "on {} side of", "on {} of", "at {} of", "to {} side of", "at {} side of", "{} side of"):
        PREDICATE_CANON[_form.format(_side)] = f"{_side} of"
PREDICATE_CANON.update({"inside of": "inside", "outside of": "outside", "on top": "on top of"})


def _listed(tok) -> bool:
    """A noun with its own article hung on the noun before it in a list that goes on ("cabinets, a stove,
    microwave and refrigerator": an apposition; "a bath tub a toilet and a sink": an adverbial noun); a person
    or animal is listed only with one ("a woman, a little boy, and a baby")."""
    if tok.dep_ not in ("appos", "npadvmod") or tok.i < tok.head.i or tok.head.pos_ not in NOUNS:
        return False
    if tok.head.dep_ == "ROOT" or _has_phrase(tok) or not any(c.dep_ == "det" and c.lower_ in ("a", "an")
                                                             for c in tok.children):  # fmt: skip
        return False
    goes_on = any(c.dep_ == "conj" for c in tok.children) or (
        tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ in (",", "and", "or"))
    return goes_on and is_animate(noun_lemma(tok)) == is_animate(noun_lemma(tok.head))


def _has_phrase(tok) -> bool:
    """The noun has a prepositional phrase of its own: a new description, not one more item of a list ("a small
    bowl with a red dish")."""
    return any(c.dep_ == "prep" for c in tok.children)


class Draft:
    """One caption's graph under construction (see the module docstring)."""

    def __init__(self, doc):
        # the parse as plain objects: spaCy builds a new Token for each `.head` or `doc[i]`
        self.doc = doc if isinstance(doc, Parsed) else Parsed(doc)
        for w in self.doc.words:  # in reading order: a list's later nouns hang on its earlier ones
            mend_word(w)
            reattach(w)
        self.tokens = self.doc.words
        self.objects: list[SGObject] = []
        self.tok2obj: dict[int, int] = {}
        self.relations: list[Relation] = []
        self._rel_seen: set[tuple[int, str, int]] = set()
        self.skip: set[int] = set()  # tokens consumed by a multi-word predicate or a quantifier
        self.owners: list = []  # (owner modifier token, owned head token) from "elephant leg"
        self._home_of: dict[int, int] | None = None
        self.kind_words: dict[int, list[str]] = {}  # head token -> the modifiers that join its name at the end
        self.doers: dict[int, list[int]] = {}  # noun token -> who acts on it ("baby brushing teeth": the baby)

    def graph(self) -> SceneGraph:
        """The finished graph: the noun modifiers that say which kind of thing an object is join its name only
        now, since the rules ask what a thing is by its head word ("uniform" is a garment, "baseball uniform" is
        a word WordNet does not know)."""
        for i, words in self.kind_words.items():
            obj = self.objects[self.tok2obj[i]]
            obj.name = " ".join([*words, obj.name])
            obj.attributes = [a for a in obj.attributes if a not in words]
        self.kind_words = {}  # joined once, however often the graph is asked for
        self._join_mentions()
        return SceneGraph(objects=self.objects, relations=self.relations)

    def _definite(self, t: int | None) -> bool:
        return t is not None and any(c.dep_ == "det" and c.lower_ == "the" for c in self.tokens[t].children)

    def _join_mentions(self) -> None:
        """A thing named again with "the" is the one named before ("a child is jumping into a pool while a man is
        watching the child", "a large dog ... sniffing the large dog's butt"): where exactly one earlier object has
        its name, every attribute it is given and its count, and was named first without "the", the later object is that
        one; not where the later one has a phrase of its own ("a man in red talks to the man in blue")."""
        heads: dict[int, int] = {}
        for t, j in self.tok2obj.items():
            heads.setdefault(j, t)  # the first token an object stands for
        drop: dict[int, int] = {}
        for j, obj in enumerate(self.objects):
            tok = self.tokens[heads[j]] if j in heads else None
            if tok is None or not self._definite(tok.i):
                continue
            if any(c.lower_ in ("other", "second") or c.dep_ in ("prep", "acl", "relcl") for c in tok.children):
                continue  # "the other dog", "the man in blue": another one
            earlier = [i for i, o in enumerate(self.objects[:j]) if i not in drop and o.name == obj.name
                       and set(obj.attributes) <= set(o.attributes) and obj.count in (None, o.count)
                       and heads.get(i, tok.i) < tok.i and not self._definite(heads.get(i))]  # fmt: skip
            if len(earlier) == 1:
                drop[j] = earlier[0]
        if not drop:
            return
        keep = [j for j in range(len(self.objects)) if j not in drop]
        index = {j: n for n, j in enumerate(keep)}
        index.update({j: index[i] for j, i in drop.items()})
        relations, seen = [], set()
        for r in self.relations:
            s, o = index[r.subject], index[r.object]
            if s != o and (s, r.predicate, o) not in seen:
                seen.add((s, r.predicate, o))
                relations.append(Relation(subject=s, predicate=r.predicate, object=o))
        self.objects = [self.objects[j] for j in keep]
        self.relations = relations
        self.tok2obj = {t: index[j] for t, j in self.tok2obj.items()}

    def ent(self, tok) -> int | None:
        """The object `tok` stands for, through quantifiers ("a group of people" -> people), or None."""
        return self.tok2obj.get(resolve(tok).i)

    def group(self, tok, *, distribute_back: bool = False) -> list[int]:
        """The entity of `tok` and of its coordinated nouns ("a man and a woman")."""
        toks = [tok]
        if distribute_back and tok.dep_ == "conj" and not any(c.dep_ == "conj" for c in tok.children):
            toks = [conj_root(tok)]
        out: list[int] = []
        stack = list(toks)
        seen = set()
        while stack:
            t = stack.pop(0)
            if t.i in seen:
                continue
            seen.add(t.i)
            e = self.ent(t)
            if e is not None and e not in out:
                out.append(e)
            stack.extend(c for c in t.children if (c.dep_ == "conj" or _listed(c))
                         and (c.pos_ in NOUNS or c.pos_ == "PRON") and self._homes().get(c.i, t.i) == t.i)  # fmt: skip
            stack.extend(self.tokens[j] for j, home in self._homes().items() if home == t.i)
            rt = resolve(t)
            if rt.i != t.i:
                stack.extend(c for c in rt.children if c.dep_ == "conj" and c.pos_ in NOUNS)
        return out

    def _homes(self) -> dict[int, int]:
        """Nouns the parse coordinated with the head of a phrase instead of with the noun in it: garments with their
        wearer ("a man in a red shirt and a red hat", "a woman with glasses and a pink hat" -> the hat goes with
        the shirt, the glasses), things with the caption's head after its "with" ("a bathroom with two sinks and a
        bathtub" -> the bathtub goes with the sinks) (token index -> the token it is coordinated with)."""
        def garment(t) -> bool:  # by the object's name where it has one ("tank top")
            j = self.tok2obj.get(t.i)
            return is_garment(self.objects[j].name if j is not None else noun_lemma(t))

        if self._home_of is None:
            self._home_of = {}
            for c in self.tokens:
                h = c.head
                if c.dep_ != "conj" or c.pos_ not in NOUNS or h.pos_ not in NOUNS:
                    continue
                if not is_animate(noun_lemma(h)):
                    # "a corner bathroom with two sinks and a bathtub": a thing coordinated with the caption's head
                    # after its "with" phrase is one more thing it has
                    had = [g for p in h.children if p.dep_ == "prep" and p.lower_ == "with" and p.i < c.i
                           for g in p.children if g.dep_ == "pobj"]  # fmt: skip
                    if h.dep_ == "ROOT" and had and not is_animate(noun_lemma(c)) and not _has_phrase(c):
                        self._home_of[c.i] = had[-1].i
                    continue
                if not garment(c):
                    continue
                worn = [g for p in h.children if p.dep_ == "prep" and p.lower_ in ("in", "with") and p.i < c.i
                        for g in p.children if g.dep_ == "pobj" and garment(g)]  # fmt: skip
                if worn:
                    self._home_of[c.i] = worn[-1].i
        return self._home_of

    def subjects_of(self, v, depth: int = 0) -> list[int]:
        """The objects doing what the verb (or adjective, or preposition) `v` says: its own subjects, the
        antecedent of a relative clause, the expletive's noun ("there is a cat"), else those of the word it hangs on."""
        if depth > 6:
            return []
        subs = [c for c in v.children if c.dep_ in SUBJ_DEPS]
        if not subs:  # "a bowl is positioned over ..." parsed with the subject on the auxiliary
            subs = [c for a in v.children if a.dep_ in ("aux", "auxpass") for c in a.children if c.dep_ in SUBJ_DEPS]
        if not subs and acts_as_verb(v):  # "a sheep grazes in a field", with "grazes" read as a noun
            subs = [c for c in v.children if c.dep_ in ("compound", "amod") and c.i in self.tok2obj]
        if not subs and v.dep_ == "ROOT" and v.tag_ == "VBG":  # "a polar bear yawning": the noun hung on the verb
            subs = [c for c in v.children if c.dep_ in ("compound", "npadvmod", "nmod") and c.pos_ in NOUNS
                    and c.i < v.i and c.i in self.tok2obj]  # fmt: skip
        if subs:
            out: list[int] = []
            for s in subs:
                if s.lower_ in W.RELATIVE_PRONOUNS and v.dep_ in ("relcl", "acl") and v.head.pos_ in NOUNS:
                    out += self.agent(v, self.group(v.head, distribute_back=True), s.lower_ == "who")
                elif s.tag_ == "CD" and s.lower_ in W.NUMBER_WORDS and (a := self._counted_group(s)) is not None:
                    out.append(a)  # "two dogs are playing, one is catching a ball": one of the dogs
                elif s.lower_ in ("he", "she", "they") and v.dep_ in ("advcl", "conj") and v.head.pos_ in VERBS:
                    # "the girls hold hands while they skate on the ice": the main clause's people
                    out += [i for i in self.subjects_of(v.head, depth + 1) if is_animate(self.objects[i].name)]
                else:
                    out += self.group(s)
            return out
        if any(c.dep_ == "expl" for c in v.children):  # "there is a cat on the mat"
            out = []
            for c in v.children:
                if c.dep_ in ("attr", "dobj") and (c.pos_ in NOUNS or c.pos_ == "PRON"):
                    out += self.group(c)
            return out
        if v.dep_ in ("acl", "relcl", "amod", "appos") and v.head.pos_ in NOUNS | {"PRON"}:
            return self.agent(v, self.group(v.head, distribute_back=True), v.tag_ == "VBG")
        if v.dep_ in ("acl", "relcl") and v.head.pos_ in VERBS and v.head.i != v.i:
            return self.subjects_of(v.head, depth + 1)  # "a train sitting parked at a station": the train is parked
        if v.dep_ in ("conj", "xcomp", "advcl", "ccomp", "pcomp", "dep", "acomp", "oprd") and v.head.i != v.i:
            if v.head.pos_ in ("VERB", "AUX", "ADJ") or acts_as_verb(v.head):  # "a woman ... blow drying her hair"
                return self.subjects_of(v.head, depth + 1)
            if v.head.pos_ in NOUNS:  # "baby brushing teeth while sitting on a toilet": the baby sits
                return self.doers.get(v.head.i) or self.group(v.head, distribute_back=True)
        if v.dep_ == "prep" and v.head.i != v.i:
            return self.subjects_of(v.head, depth + 1)
        return []

    def _counted_group(self, num) -> int | None:
        """The people or animals a lone number word counts off ("two dogs ..., one is catching a ball"): the nearest
        plural person or animal before it, else None."""
        for t in reversed(self.tokens[: num.i]):
            j = self.tok2obj.get(t.i)
            if j is not None and t.tag_ == "NNS" and is_animate(self.objects[j].name):
                return j
        return None

    def agent(self, v, subs: list[int], acts: bool) -> list[int]:
        """Who does what a participle or a 'who' clause says when the parse hung it on a thing: inside a
        prepositional phrase ("a dog sits on a step perking its ears up", "a boy with an umbrella who is touching
        a cow"), as a verb's object ("two men wearing aprons working in a kitchen") or beside a person in a
        coordination ("a desk with a monitor and a person holding a laptop") -> the nearest person or animal;
        `subs` where none is found, or the verb is one that things do as well ("a kite flying in the sky")."""
        if not acts or not subs or (v.pos_ in ("VERB", "AUX") and lemma(v) in W.THING_STATES):
            return subs
        animate = [i for i in subs if is_animate(self.objects[i].name)]
        if animate:
            return animate
        # a posture is also a thing's ("kids hovering over a pizza sitting on a board"), unless the thing is what the
        # person holds or wears ("a child holding a ball standing on the sidewalk"), is with them or where they are
        # ("a child with an umbrella standing", "people at a museum standing"), or is no thing that sits
        posture = v.pos_ in ("VERB", "AUX") and lemma(v) in W.POSTURES and all(can_pose(self.objects[i].name)
                                                                              for i in subs)  # fmt: skip
        holder = self._holder(v) if posture else []
        if holder:
            return holder
        h = v.head
        for _ in range(3):
            h = conj_root(h)  # "wearing a shirt and a hat holding a bat"
            if h.dep_ == "pobj" and h.head.lower_ == "of" and h.head.head.i in self.skip:
                h = h.head.head  # "in front of a computer": climb out of the multi-word predicate
            if h.dep_ in OBJ_DEPS and h.head.pos_ == "VERB":
                g = h.head
            elif h.dep_ == "pobj" and h.head.dep_ == "prep" and h.head.lower_ != "of" and (
                    not posture or h.head.lower_ in ("with", "at") or h.head.head.tag_ == "VBN"):  # fmt: skip
                g = h.head.head
            else:
                break
            verb = g.pos_ in ("VERB", "AUX") or acts_as_verb(g)
            cand = self.subjects_of(g) if verb else self.group(g) if g.pos_ in NOUNS else []
            found = [i for i in cand if is_animate(self.objects[i].name)]
            if found:
                return found
            h = g
        return subs

    def _place(self, tok) -> bool:
        j = self.tok2obj.get(tok.i)
        return j is not None and (self.objects[j].name in W.SCENE_PLACES
                                  or noun_class(self.objects[j].name) in ("room", "outdoor"))  # fmt: skip

    def _holder(self, v) -> list[int]:
        """What takes the posture when the parse hung it on the wrong one of two things: the vessel or tray, not
        what it holds ("a vase full of sunflowers sitting on a table", "a basket of apples sitting on the ground",
        "a plate with a sandwich sitting on a table"); the thing a room has, not the room ("a bathroom with a toilet
        sitting next to a sink")."""
        h = v.head
        if any(g.lower_ in ("it", "them") for c in v.children if c.dep_ == "prep" for g in c.children):
            return []  # "a plate with a fork resting on it": 'it' is the holder, the fork rests
        # what a quantity noun holds stands for it: "a pizza covered with lots of broccoli sitting", "a plate with
        # lots of food sitting" (the parse hangs the participle on either)
        if h.dep_ == "pobj" and h.head.lower_ == "of" and h.head.head.lower_ in W.QUANTIFIER_NOUNS \
                and h.head.head.dep_ == "pobj":
            h = h.head.head
        quantity = h.lower_ in W.QUANTIFIER_NOUNS and any(c.dep_ == "prep" and c.lower_ == "of" for c in h.children)
        if h.dep_ == "pobj" and h.head.lower_ in ("of", "with") and (h.i in self.tok2obj or quantity):
            n1 = h.head.head
            held = n1.dep_ in ("amod", "acl") and n1.pos_ in ("ADJ", "VERB")  # "full of", "filled with"
            n1 = n1.head if held else n1
            j = self.tok2obj.get(n1.i)
            # "X with Y": only a vessel or tray holds what comes with it ('a cubicle with a backpack sitting on a
            # chair': the backpack sits)
            holds = held or h.head.lower_ == "of" or (j is not None and self.objects[j].name in W.HOLDERS)
            depiction = j is not None and self.objects[j].name in W.DEPICTIONS  # 'a picture of a vase sitting'
            if j is not None and holds and not depiction and not self._place(n1) and can_pose(self.objects[j].name):
                return self.group(n1)
        had = with_object_before(h, v.i) if self._place(h) else None
        return self.group(had) if had is not None else []

    def subjects_of_nonrel(self, v) -> list[int]:
        """The verb's own subjects, relative pronouns left out ("the couch a person is sitting on")."""
        out: list[int] = []
        for c in v.children:
            if c.dep_ in SUBJ_DEPS and c.lower_ not in W.RELATIVE_PRONOUNS:
                out += self.group(c)
        return out

    def add_rel(self, subs: list[int], pred: str, objs: list[int]) -> None:
        """Relate every subject to every object by `pred` (canonical form; no self-relation, no duplicate)."""
        pred = " ".join(pred.split())
        pred = PREDICATE_CANON.get(pred, pred)
        if not pred:
            return
        for s in subs:
            for o in objs:
                if s == o:
                    continue
                key = (s, pred, o)
                if key not in self._rel_seen:
                    self._rel_seen.add(key)
                    self.relations.append(Relation(subject=s, predicate=pred, object=o))

    @staticmethod
    def add_attr(obj: SGObject, a: str) -> None:
        """Add an attribute once, and never the object's own name."""
        a = a.strip()
        if a and a not in obj.attributes and a != obj.name:
            obj.attributes.append(a)
