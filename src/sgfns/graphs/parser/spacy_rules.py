"""Rule-based backend: a spaCy `Doc` (tagger + dependency parser; lemmas: `sgfns.text.lemmas`) in, a `SceneGraph` out.

The rules read the dependency tree, not the word order, so one rule covers many surface forms:
- objects are noun heads (pronouns never; "someone" -> "person"); "a group/piece/bunch of X" makes X the object
  (the container word becomes an attribute or a count); a noun compound that is one WordNet lemma ("tennis
  racket") is the name, other noun modifiers are attributes;
- attributes are adjectival modifiers (with their coordinations and colour shades such as "dark blue"),
  predicative adjectives after a copula ("the truck is old", "a dog that is brown"), and stand-alone participles;
- counts come from numerals, number words and exact quantity words ("both", "a pair of");
- relations come from prepositions (their governor gives the subject: a noun, a verb's subject, a participle's
  noun, a relative clause's antecedent), with multi-word predicates ("in front of", "on top of", "next to",
  "stick out of"), verb + object, verb + particle + preposition, possessives and part-whole "of" (-> "have"),
  coordinated subjects and objects (each gets its own relation), "there is/are" and gapped relative clauses
  ("the couch a person is sitting on");
- spatial predicates are canonical ("to the left of" -> "left of"; "is placed on" -> "on"), a person "in" a
  garment wears it, "a cup of coffee" -> (coffee, in, cup).
See docs/parser.md for the failure classes and the measured figures.
"""

from __future__ import annotations

import functools

from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.text import closed_words as W
from sgfns.text import lemmas as L
from sgfns.text import lexicon

# Bump when a rule changes: the version is part of the caption-graph cache key.
RULES_VERSION = 9

_NOUNS = {"NOUN", "PROPN"}
_MODIFIER_DEPS = {"compound", "amod", "nmod", "npadvmod"}
_SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
_OBJ_DEPS = {"dobj", "obj", "oprd"}
_CHAIN_PREPS = {"to", "of", "from", "with"}
_INTENSIFIERS = {"very", "really", "so", "too", "quite", "extremely", "rather", "pretty", "fairly", "somewhat", "all"}
_SHADES = {"dark", "light", "bright", "pale", "deep", "pastel", "navy", "hot", "neon", "dull", "fully", "partly",
           "half", "partially", "brightly", "well", "freshly", "newly", "recently"}  # fmt: skip
_VISUAL_ADJ = {
    "white", "black", "red", "blue", "green", "yellow", "brown", "gray", "grey", "orange", "pink", "purple", "big",
    "small", "large", "little", "old", "young", "tall", "short", "long", "new", "dark", "light", "wooden", "open",
}  # fmt: skip
_COLOURS = {
    "white", "black", "red", "blue", "green", "yellow", "brown", "gray", "grey", "orange", "pink", "purple", "tan",
    "beige", "silver", "gold", "golden", "maroon", "teal", "turquoise", "violet", "cream", "navy",
}  # fmt: skip
_ATTR_QUANTIFIERS = {"piece", "pieces", "slice", "slices", "bunch", "pile", "stack", "chunk", "chunks", "strip",
                     "strips", "patch", "clump", "portion", "section", "part"}  # fmt: skip
_CONTAINERS = {
    "plate", "plates", "bowl", "bowls", "cup", "cups", "glass", "glasses", "box", "boxes", "bag", "bags", "basket",
    "baskets", "bottle", "bottles", "jar", "jars", "tray", "trays", "bucket", "buckets", "pot", "pots", "pan",
    "pans", "vase", "vases", "cart", "carts", "container", "containers", "mug", "mugs", "crate", "crates",
    "picture", "pictures", "photo", "photos", "image", "images", "poster", "posters", "painting", "paintings",
    "field", "fields", "sheet", "sheets", "can", "cans", "carton", "cartons", "platter", "platters", "dish",
    "dishes", "loaf", "bed", "beds", "glob", "flock",
}  # fmt: skip
_DEPICTIONS = {"picture", "photo", "photograph", "painting", "image", "poster", "drawing", "portrait", "reflection",
               "print", "mural", "sculpture", "statue", "figurine", "snapshot"}  # fmt: skip
_VESSELS = {"cup", "glass", "bowl", "bottle", "jar", "mug", "bucket", "pot", "vase", "basket", "box", "bag",
            "container", "can", "carton", "crate", "pitcher", "jug", "pan", "cart"}  # fmt: skip
_SURFACES = {"plate", "tray", "platter", "dish", "saucer", "board", "table"}
_POSSESSIVE_PRONOUNS = {"his", "her", "its", "their"}
_STATIVE_COPULAS = {"be", "look", "appear", "seem", "become", "remain", "stay", "get"}


def lemma(tok) -> str:
    return L.lemma(tok.lower_, tok.tag_)


def _verb_lemma(tok) -> str:
    """The verb's lemma even when the tagger took it for an adjective or noun ("covered", "parked")."""
    if tok.tag_.startswith("VB"):
        return L.verb_lemma(tok.lower_, tok.tag_)
    t = tok.lower_
    tag = "VBG" if t.endswith("ing") else "VBN" if t.endswith("ed") else "VB"
    return L.verb_lemma(t, tag)


def _noun_lemma(tok) -> str:
    text = tok.lower_
    if tok.tag_ == "VBG" and lexicon.is_lemma(text, "n"):
        return text
    if tok.pos_ == "PROPN" and not lexicon.is_lemma(L.noun_lemma(text, tok.tag_), "n"):
        return text
    tag = tok.tag_ if tok.tag_.startswith("NN") else "NNS" if tok.tag_ == "VBZ" else "NN"
    return L.noun_lemma(text, tag)


# Spatial predicates written several ways -> one form (the determiner-free FACTUAL style).
_PREDICATE_CANON = {}
for _side in ("left", "right"):
    for _form in ("to {} of", "on {} side of", "on {} of", "at {} of", "to {} side of", "at {} side of", "{} side of"):
        _PREDICATE_CANON[_form.format(_side)] = f"{_side} of"
_PREDICATE_CANON.update({"inside of": "inside", "outside of": "outside", "on top": "on top of"})
_PLACEMENT_VERBS = {"place", "locate", "position", "situate"}
_RELATIONAL_ADJ = {"full", "close", "next", "near", "adjacent", "similar", "covered", "filled", "attached"}


def _adj_predicate(adj) -> str:
    """The adjective's share of a predicate: 'covered in' -> 'cover', 'close to' -> 'close', 'blue with' -> ''."""
    t = adj.lower_
    if adj.tag_ == "VBN" or (t.endswith("ed") and lexicon.morphy(t, "v")):
        return _verb_lemma(adj)
    if t in W.PREDICATE_HEADS or t in _RELATIONAL_ADJ:
        return t
    return ""


@functools.lru_cache(maxsize=1)
def _garment_synsets() -> frozenset[int]:
    out: set[int] = set()
    for w in ("clothing", "garment", "headdress", "footwear", "eyewear", "glasses", "glove"):
        out.update(lexicon.synset_ids(w, "n"))
    return frozenset(out)


@functools.lru_cache(maxsize=20_000)
def _is_garment(name: str) -> bool:
    roots = _garment_synsets()
    return any(s in roots or lexicon.hypernym_closure(s) & roots for s in lexicon.synset_ids(name, "n")[:2])


@functools.lru_cache(maxsize=20_000)
def _is_wearer(name: str) -> bool:
    return name in ("person", "people") or lexicon.lexname(name) in ("noun.person", "noun.animal")


def _is_quantifier(tok) -> bool:
    return tok.pos_ in _NOUNS and (tok.lower_ in W.QUANTIFIER_NOUNS or _noun_lemma(tok) in W.QUANTIFIER_NOUNS)


def _number(tok) -> int | None:
    t = tok.lower_.replace(",", "")
    if t.isdigit():
        v = int(t)
        return v if v < 10**6 else None
    return W.NUMBER_WORDS.get(t)


class _Hop:
    """A stand-in preposition whose governor is the head of a predicate word ('next' in 'next to')."""

    def __init__(self, tok, *, governor=None):
        self.head = governor if governor is not None else tok.head
        self.lower_ = ""
        self.dep_ = "prep"
        self.pos_ = "ADP"
        self.i = tok.i
        self.children = []


class _Builder:
    def __init__(self, doc):
        self.doc = doc
        self.objects: list[SGObject] = []
        self.tok2obj: dict[int, int] = {}
        self.relations: list[Relation] = []
        self._rel_seen: set[tuple[int, str, int]] = set()
        self._skip: set[int] = set()  # tokens consumed by a multi-word predicate or a quantifier
        self._owners: list = []  # (owner modifier token, owned head token) from "elephant leg"

    # --- objects ------------------------------------------------------------------------------------------------
    def resolve(self, tok):
        """The token that stands for the entity: "a group of people" -> "people"."""
        seen = 0
        while seen < 4 and _is_quantifier(tok):
            of = self._of_pobj(tok)
            if of is None:
                break
            tok = of
            seen += 1
        return tok

    @staticmethod
    def _of_pobj(tok):
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    if g.dep_ == "pobj" and (g.pos_ in _NOUNS or g.lower_ in W.PERSON_PRONOUNS):
                        return g
        return None

    def is_head(self, tok) -> bool:
        if tok.i in self._skip:
            return False
        if self._side_word(tok):
            return False  # "a moon right of a box": part of the predicate
        if tok.dep_ == "conj" and tok.head.pos_ in ("ADJ", "VERB") and tok.lower_ in _VISUAL_ADJ | _COLOURS:
            return False  # "a plate which is plain and purple"
        if tok.pos_ == "PRON":
            return tok.lower_ in W.PERSON_PRONOUNS
        if tok.pos_ not in _NOUNS and not self._gerund_noun(tok) and not self._fragment_noun(tok):
            return False
        if tok.dep_ in _MODIFIER_DEPS and tok.head.i != tok.i and tok.head.pos_ in _NOUNS | {"ADJ", "NUM"}:
            if tok.dep_ != "npadvmod" and tok.i < tok.head.i and not self._side_word(tok.head):
                return False
        if not any(ch.isalpha() for ch in tok.text):
            return False
        return True

    @staticmethod
    def _fragment_noun(tok) -> bool:
        """A noun the tagger read as something else: 'bench on the ground' (imperative verb), 'faucet next to
        toilet' (interjection), 'mirrors on the moped' (adjective object of a preposition)."""
        if tok.pos_ in _NOUNS or tok.pos_ in ("PRON", "PUNCT", "DET", "ADP", "CCONJ", "NUM", "AUX", "PART"):
            return False
        if tok.tag_ in ("VBG", "VBN", "VBD") or not tok.is_alpha:
            return False
        if tok.dep_ == "pobj":
            return (
                tok.pos_ in ("ADJ", "VERB", "INTJ", "X")
                and lexicon.is_lemma(tok.lower_, "n")
                and not any(c.dep_ in ("dobj", "prep") for c in tok.children)
            )
        if tok.dep_ not in ("ROOT", "npadvmod", "intj", "dep") or tok.pos_ == "ADJ":
            return False
        if not lexicon.is_lemma(L.noun_lemma(tok.lower_, "NNS" if tok.tag_ == "VBZ" else "NN"), "n"):
            return False
        if any(c.dep_ in _SUBJ_DEPS or c.dep_ in _OBJ_DEPS or c.dep_ == "expl" for c in tok.children):
            return False
        return all(t.pos_ in ("DET", "ADJ", "PUNCT", "NUM") for t in tok.doc[: tok.i])

    @staticmethod
    def _gerund_noun(tok) -> bool:
        """An -ing word the tagger took for a verb where a noun is meant: 'covered in frosting'."""
        return (
            tok.tag_ == "VBG"
            and tok.dep_ in ("pcomp", "pobj")
            and tok.head.pos_ == "ADP"
            and not any(c.dep_ in ("dobj", "prep", "nsubj", "advmod", "prt", "xcomp", "ccomp") for c in tok.children)
            and lexicon.is_lemma(tok.lower_, "n")
        )

    def build_objects(self) -> None:
        doc = self.doc
        # Mark predicate nouns ("front" in "in front of") and quantifier nouns ("group" in "a group of people").
        for tok in doc:
            if tok.pos_ in _NOUNS and tok.dep_ == "pobj" and tok.lower_ in W.PREDICATE_NOUNS:
                if tok.head.pos_ == "ADP" and self._of_pobj(tok) is not None:
                    self._skip.add(tok.i)
            if _is_quantifier(tok) and self._of_pobj(tok) is not None:
                self._skip.add(tok.i)
        for tok in doc:
            if self.is_head(tok):
                self.tok2obj[tok.i] = len(self.objects)
                self.objects.append(self._make_object(tok))
        for owner, owned in self._owners:
            self.tok2obj[owner.i] = len(self.objects)
            self.objects.append(SGObject(name=_noun_lemma(owner), span=(owner.idx, owner.idx + len(owner.text))))
            self.add_rel([self.tok2obj[owner.i]], "have", [self.tok2obj[owned.i]])
        # Quantifier words become counts/attributes of the quantified entity.
        for i in sorted(self._skip):
            tok = doc[i]
            if tok.lower_ not in W.QUANTIFIER_NOUNS:
                continue
            target = self.resolve(tok)
            j = self.tok2obj.get(target.i)
            if j is None:
                continue
            obj = self.objects[j]
            if tok.lower_ in W.QUANTIFIER_COUNTS and obj.count is None:
                obj.count = W.QUANTIFIER_COUNTS[tok.lower_]
            elif tok.lower_ in _ATTR_QUANTIFIERS:
                self._add_attr(obj, _noun_lemma(tok))
            for c in tok.children:
                n = _number(c) if c.dep_ == "nummod" else None
                if n is not None and obj.count is None:
                    obj.count = n

    def _make_object(self, tok) -> SGObject:
        doc = self.doc
        if tok.pos_ == "PRON":
            return SGObject(name=W.PERSON_PRONOUNS[tok.lower_], span=(tok.idx, tok.idx + len(tok.text)))
        start, end = tok.idx, tok.idx + len(tok.text)
        head_lemma = _noun_lemma(tok)
        first = tok.i
        # Hyphenated words split by the tokenizer ("t - shirt") are one head word.
        while (
            first >= 2
            and doc[first - 1].text == "-"
            and not doc[first - 1].whitespace_
            and not doc[first - 2].whitespace_
            and doc[first - 2].is_alpha
        ):
            first -= 2
        if first != tok.i:
            start = doc[first].idx
            head_lemma = doc[first : tok.i].text.lower().replace(" ", "") + head_lemma
        # Contiguous noun modifiers to the left: the longest run that forms a WordNet lemma joins the name.
        mods = []
        j = first - 1
        while j >= 0 and doc[j].head.i == tok.i and doc[j].dep_ in _MODIFIER_DEPS:
            if doc[j].pos_ in _NOUNS or (doc[j].pos_ == "ADJ" and doc[j].lower_ not in _VISUAL_ADJ):
                mods.insert(0, doc[j])
                j -= 1
            else:
                break
        name = head_lemma
        used: set[int] = set(range(first, tok.i))
        for k in range(len(mods)):
            parts = [m.lower_ for m in mods[k:]] + [head_lemma]
            forms = [" ".join(parts)]
            if all(lexicon.is_lemma(m.lower_, "n") for m in mods[k:]):  # not "sheeps head" -> "sheepshead"
                forms.append("".join(parts))
            found = next((c for c in forms if lexicon.is_lemma(c, "n")), None)
            if found:  # "tennis racket"; "cell phone" -> WordNet's "cellphone"
                name = found
                used |= {m.i for m in mods[k:]}
                break
        obj = SGObject(name=name, span=(start, end))
        # "elephant leg": an animal's or person's body part -> a second object that has it
        for m in mods:
            if m.i not in used and m.pos_ in _NOUNS and lexicon.lexname(name) == "noun.body":
                if lexicon.lexname(_noun_lemma(m)) in ("noun.animal", "noun.person"):
                    used.add(m.i)
                    self._owners.append((m, tok))
        self._attributes(tok, obj, used)
        self._np_adjectives(first, tok, obj, used)
        return obj

    # --- attributes ---------------------------------------------------------------------------------------------
    def _np_adjectives(self, first: int, tok, obj: SGObject, used: set[int]) -> None:
        """Adjectives inside the noun phrase that the parser attached oddly ("a little orange moon" with "little"
        as a pre-conjunct): adjectives before the head whose chain of heads stays in the phrase and reaches it."""
        doc = self.doc
        last = tok.head.i if tok.head.i == tok.i + 1 and self._side_word(tok.head) else tok.i  # "tent right of"
        j = first - 1
        while j >= 0 and j not in self.tok2obj:
            t = doc[j]
            if t.pos_ in ("ADJ", "NUM", "CCONJ") or t.tag_ in ("JJ", "RB") or t.text in (",", "-"):
                j -= 1
            elif t.pos_ in _NOUNS | {"VERB"} and t.dep_ in ("amod", "compound", "nmod", "npadvmod") and t.head.i > j:
                j -= 1
            else:
                break
        lo = j + 1
        det = doc[j] if j >= 0 and doc[j].pos_ == "DET" and doc[j].head.i == tok.i else None

        def reaches(t) -> bool:
            h = t
            for _ in range(4):
                h = h.head
                if h.i in (tok.i, last) or (det is not None and h.i == det.i):
                    return True
                if not lo <= h.i <= last:
                    return False
            return False

        for t in doc[lo:first]:
            if t.i in used or t.tag_ not in ("JJ", "VBN") or not reaches(t):
                continue
            if t.lower_ in _SHADES or t.lower_ in _INTENSIFIERS or t.lower_ in W.NON_ATTRIBUTES:
                continue
            if t.tag_ == "VBN" and t.dep_ not in ("amod", "advmod", "npadvmod", "preconj", "compound"):
                continue
            if (a := self._adj_text(t)) and not any(a in x.split() for x in obj.attributes):
                self._add_attr(obj, a)

    @staticmethod
    def _add_attr(obj: SGObject, a: str) -> None:
        a = a.strip()
        if a and a not in obj.attributes and a != obj.name:
            obj.attributes.append(a)

    def _is_shade_of_next(self, tok) -> bool:
        """'dark' in 'dark blue shirt' when the parser hangs both words on the noun."""
        doc = self.doc
        if tok.lower_ not in _SHADES or tok.i + 1 >= len(doc):
            return False
        nxt = doc[tok.i + 1]
        return nxt.lower_ in _COLOURS and nxt.head.i == tok.head.i and nxt.dep_ == tok.dep_

    def _adj_text(self, adj) -> str | None:
        if adj.lower_ in W.NON_ATTRIBUTES or not any(ch.isalpha() for ch in adj.text):
            return None
        words = [adj.lower_]
        for c in adj.children:
            if c.dep_ in ("advmod", "npadvmod", "amod", "compound") and c.i == adj.i - 1 and c.lower_ in _SHADES:
                words.insert(0, c.lower_)
        if len(words) == 1 and adj.i > 0 and self._is_shade_of_next(self.doc[adj.i - 1]):
            words.insert(0, self.doc[adj.i - 1].lower_)
        return " ".join(words)

    def _adj_with_conj(self, adj) -> list:
        out = [adj]
        stack = [c for c in adj.children if c.dep_ == "conj"]
        while stack:
            c = stack.pop(0)
            if c.pos_ in ("ADJ", "VERB") or (c.pos_ in _NOUNS and c.lower_ in _VISUAL_ADJ | _COLOURS):
                out.append(c)
                stack.extend(x for x in c.children if x.dep_ == "conj")
        return out

    def _attributes(self, tok, obj: SGObject, used: set[int]) -> None:
        # Adjectives the parser hangs on a noun modifier belong to the head: "red [tank] top", "black [railroad]
        # tracks" (the modifier may be part of the name or an attribute itself).
        for c in list(tok.children):
            if c.dep_ in ("compound", "nmod") and c.i < tok.i and c.pos_ in _NOUNS:
                for a in c.children:
                    if a.dep_ == "amod" and a.i < c.i and a.pos_ in ("ADJ", "VERB") and not self._is_shade_of_next(a):
                        for x in self._adj_with_conj(a):
                            if t := self._adj_text(x):
                                self._add_attr(obj, t)
                    elif a.dep_ == "compound" and a.i < c.i and a.pos_ in _NOUNS and a.i not in used:
                        for b in a.children:  # "white [toilet] [seat] lid"
                            if b.dep_ == "amod" and b.pos_ == "ADJ" and (t := self._adj_text(b)):
                                self._add_attr(obj, t)
        for c in tok.children:
            if c.i in used:
                continue
            if c.dep_ == "nummod" or (c.dep_ in ("amod", "compound") and c.pos_ == "NUM"):
                n = _number(c)
                if n is not None:
                    obj.count = n
                continue
            if c.dep_ == "det" and c.lower_ in W.EXACT_QUANTITY:
                obj.count = W.EXACT_QUANTITY[c.lower_]
                continue
            if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i:
                if c.lower_ in W.EXACT_QUANTITY and c.dep_ == "amod":
                    obj.count = W.EXACT_QUANTITY[c.lower_]
                    continue
                if c.pos_ in _NOUNS and c.lower_ not in _VISUAL_ADJ:
                    if any(ch.isalpha() for ch in c.text):
                        self._add_attr(obj, _noun_lemma(c))
                    continue
                if self._is_shade_of_next(c):
                    continue
                for a in self._adj_with_conj(c):
                    for m in a.children:  # "little yellow box": the parser makes "little" modify "yellow"
                        if (
                            m.dep_ in ("advmod", "amod")
                            and (m.pos_ == "ADJ" or lexicon.is_lemma(m.lower_, "a"))
                            and m.i < a.i
                            and m.lower_ not in _SHADES
                        ):
                            if m.lower_ not in _INTENSIFIERS and (t := self._adj_text(m)):
                                self._add_attr(obj, t)
                    t = self._adj_text(a)
                    if t:
                        self._add_attr(obj, t)
            elif c.dep_ in ("amod", "acl") and c.i > tok.i and c.pos_ == "ADJ" and not list(c.children):
                t = self._adj_text(c)
                if t:
                    self._add_attr(obj, t)

    def predicative_attributes(self) -> None:
        """'the truck is old', 'a dog that is brown', 'the car is parked'."""
        for tok in self.doc:
            if tok.dep_ in ("acomp", "oprd") and tok.pos_ in ("ADJ", "VERB") and lemma(tok.head) in _STATIVE_COPULAS:
                subj = self.subjects_of(tok.head)
                if _adj_predicate(tok) and any(
                    c.dep_ == "prep" and any(g.dep_ == "pobj" for g in c.children) for c in tok.children
                ):
                    continue  # "full of books", "close to the trees": a relation, not an attribute
                for a in self._adj_with_conj(tok):
                    t = self._adj_text(a)
                    if t:
                        for s in subj:
                            self._add_attr(self.objects[s], t)
            elif (
                tok.tag_ == "VBN" or (tok.tag_ == "VBD" and tok.dep_ == "ROOT" and tok.lower_.endswith("ed"))
            ) and any(c.dep_ in ("nsubjpass", "nsubj") for c in tok.children):
                if lemma(tok) in _PLACEMENT_VERBS or tok.lower_ in ("left", "right"):
                    continue
                if not any(c.dep_ in ("prep", "agent", "dobj", "prt", "xcomp", "advmod", "oprd") for c in tok.children):
                    for s in self.subjects_of(tok):
                        for a in self._adj_with_conj(tok):  # "which is dotted and white"
                            self._add_attr(self.objects[s], a.lower_)
            elif tok.pos_ == "ADJ" and tok.dep_ == "ROOT" and any(c.dep_ in _SUBJ_DEPS for c in tok.children):
                for s in self.subjects_of(tok):  # "an egg which is dotted and purple" parsed with the adjective as root
                    for a in self._adj_with_conj(tok):
                        if t := self._adj_text(a):
                            self._add_attr(self.objects[s], t)
            elif (
                tok.dep_ == "conj"
                and (tok.pos_ == "ADJ" or tok.tag_ in ("VBN", "VBD"))
                and lemma(tok.head) == "be"
                and any(c.dep_ == "acomp" for c in tok.head.children)
                and not any(c.dep_ in _SUBJ_DEPS | _OBJ_DEPS | {"prep", "aux", "auxpass"} for c in tok.children)
            ):  # "the kite is red and striped": the parser hangs "striped" on the copula
                for s in self.subjects_of(tok.head):
                    self._add_attr(self.objects[s], tok.lower_)

    # --- entity groups ------------------------------------------------------------------------------------------
    def ent(self, tok) -> int | None:
        return self.tok2obj.get(self.resolve(tok).i)

    def group(self, tok, *, distribute_back: bool = False) -> list[int]:
        """The entity of `tok` and of its coordinated nouns ("a man and a woman")."""
        toks = [tok]
        if distribute_back and tok.dep_ == "conj" and not any(c.dep_ == "conj" for c in tok.children):
            root = tok
            while root.dep_ == "conj" and root.head.pos_ in _NOUNS | {"PRON"}:
                root = root.head
            toks = [root]
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
            stack.extend(c for c in t.children if c.dep_ == "conj" and (c.pos_ in _NOUNS or c.pos_ == "PRON"))
            rt = self.resolve(t)
            if rt.i != t.i:
                stack.extend(c for c in rt.children if c.dep_ == "conj" and c.pos_ in _NOUNS)
        return out

    def subjects_of(self, v, depth: int = 0) -> list[int]:
        if depth > 6:
            return []
        subs = [c for c in v.children if c.dep_ in _SUBJ_DEPS]
        if not subs:  # "a bowl is positioned over ..." parsed with the subject on the auxiliary
            subs = [c for a in v.children if a.dep_ in ("aux", "auxpass") for c in a.children if c.dep_ in _SUBJ_DEPS]
        if subs:
            out: list[int] = []
            for s in subs:
                if s.lower_ in W.RELATIVE_PRONOUNS and v.dep_ in ("relcl", "acl") and v.head.pos_ in _NOUNS:
                    out += self.group(v.head, distribute_back=True)
                else:
                    out += self.group(s)
            return out
        if any(c.dep_ == "expl" for c in v.children):  # "there is a cat on the mat"
            out = []
            for c in v.children:
                if c.dep_ in ("attr", "dobj") and (c.pos_ in _NOUNS or c.pos_ == "PRON"):
                    out += self.group(c)
            return out
        if v.dep_ in ("acl", "relcl", "amod", "appos") and v.head.pos_ in _NOUNS | {"PRON"}:
            return self.group(v.head, distribute_back=True)
        if v.dep_ in ("conj", "xcomp", "advcl", "ccomp", "pcomp", "dep", "acomp", "oprd") and v.head.i != v.i:
            if v.head.pos_ in ("VERB", "AUX", "ADJ"):
                return self.subjects_of(v.head, depth + 1)
            if v.head.pos_ in _NOUNS:
                return self.group(v.head, distribute_back=True)
        if v.dep_ == "prep" and v.head.i != v.i:
            return self.subjects_of(v.head, depth + 1)
        return []

    # --- relations ----------------------------------------------------------------------------------------------
    def add_rel(self, subs: list[int], pred: str, objs: list[int]) -> None:
        pred = " ".join(pred.split())
        pred = _PREDICATE_CANON.get(pred, pred)
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

    def verb_phrase(self, v) -> str:
        words = [_verb_lemma(v)]
        for c in v.children:
            if c.dep_ == "prt" and c.i > v.i:
                words.append(c.lower_)
        return " ".join(words)

    def _prep_objects(self, p):
        """(extra predicate words, object entity ids) of a preposition."""
        pobj = [c for c in p.children if c.dep_ == "pobj"]
        if not pobj:
            pc = [c for c in p.children if c.dep_ == "pcomp" and (c.pos_ in _NOUNS or c.i in self.tok2obj)]
            pobj = pc
        if not pobj:
            return None
        o = pobj[0]
        extra: list[str] = []
        hops = 0
        while o.lower_ in W.PREDICATE_NOUNS and o.i in self._skip and hops < 3:
            of = self._of_pobj(o)
            if of is None:
                break
            mods = [c.lower_ for c in o.children if c.dep_ in ("amod",) and c.lower_ in ("left", "right", "both")]
            extra += mods + [o.lower_, "of"]
            o = of
            hops += 1
        return extra, self.group(o)

    def relations_from_preps(self) -> None:
        doc = self.doc
        for p in doc:
            is_conj = p.dep_ == "conj" and p.pos_ == "ADP"  # "above a box and next to a ring"
            if p.dep_ not in ("prep", "agent", "dative") and not is_conj:
                continue
            if p.head.i in self._skip and p.head.lower_ in W.PREDICATE_NOUNS | W.QUANTIFIER_NOUNS:
                if p.lower_ == "of":
                    continue
            found = self._prep_objects(p)
            words = [p.lower_]
            if found is None:
                # gapped relative clause: "the couch a person is sitting on" -> (person, sit on, couch)
                v = p.head
                if v.dep_ in ("relcl", "acl") and v.head.pos_ in _NOUNS and p.i > v.i:
                    objs = self.group(v.head)
                    subs = [s for s in self.subjects_of_nonrel(v)]
                    if subs:
                        self.add_rel(subs, self.verb_phrase(v) + " " + p.lower_, objs)
                continue
            extra, objs = found
            words += extra
            side = p.doc[p.i - 1] if p.i > 0 and p.lower_ == "of" else None
            if side is not None and self._side_word(side):
                words = [side.lower_, "of"]
                own = self._side_dependents(side)
                if own:  # "a green tent right of a kite", "there is a plate right of a ring"
                    self.add_rel(own, " ".join(words), objs)
                    continue
                first = side
                while first.dep_ == "conj" and first.head.i != first.i:
                    first = first.head
                if first is not side and first.i in self._skip and first.dep_ == "pobj" and first.head.pos_ == "ADP":
                    # "to the left of a ball and right of a kite": share the governor of "to"
                    g, _, at_root = self._governor(first.head)
                elif first is not side and first.lower_ in ("left", "right"):
                    # "is left of a bottle and left of a star": the second side word shares the first's subject
                    subs = self._dependents_as_subjects(first)
                    if not subs and first.head.i != first.i:
                        h = first.head
                        subs = self.subjects_of(h) if h.pos_ in ("VERB", "AUX") else self.group(h)
                    self.add_rel(subs, " ".join(words), objs)
                    continue
                elif side.dep_ == "conj" and side.head.pos_ not in ("VERB", "AUX"):
                    anchor = self._anchor_prep(side)
                    if anchor is None:
                        continue
                    g, _, at_root = self._governor(anchor)
                else:
                    g, at_root = side.head, side.head.i == side.i
                    if at_root:
                        g = side
            elif is_conj:
                anchor = self._anchor_prep(p)
                if anchor is None:
                    continue
                g, _, at_root = self._governor(anchor)
            else:
                g, chain_words, at_root = self._governor(p)
                words = chain_words + words
            pred = " ".join(words)
            if at_root:
                self.add_rel(self._dependents_as_subjects(g), pred, objs)
            elif g.pos_ in _NOUNS or g.i in self.tok2obj or (g.pos_ == "PRON" and g.lower_ in W.PERSON_PRONOUNS):
                subs = self.group(g, distribute_back=True) if self.ent(g) is not None else []
                if p.lower_ == "of" and len(words) == 1:
                    self._of_relation(g, subs, objs)
                    continue
                self.add_rel(subs, pred, objs)
            elif g.pos_ in ("VERB", "AUX"):
                subs = self.subjects_of(g)
                if not subs and not is_conj:  # "there is a little egg above a kite", the noun hung on "above"
                    subs = self._side_dependents(p)
                if lemma(g) in _STATIVE_COPULAS and lemma(g) != "get":
                    self.add_rel(subs, pred, objs)
                else:
                    vp = self.verb_phrase(g)
                    if vp in _PLACEMENT_VERBS:  # "is placed to the right of" says no more than "right of"
                        vp = ""
                    carried = self._carried_object(g, pred, objs)
                    if carried:  # "wearing chains on his wrists" -> (chains, on, wrists)
                        self.add_rel(carried, pred, objs)
                    else:
                        self.add_rel(subs, vp + " " + pred, objs)
            elif g.pos_ == "ADJ":
                if g.dep_ in ("amod",) and g.head.pos_ in _NOUNS:
                    subs = self.group(g.head, distribute_back=True)
                elif g.dep_ in ("acomp", "oprd", "conj", "xcomp"):
                    subs = self.subjects_of(g.head) if g.head.pos_ in ("VERB", "AUX", "ADJ") else []
                else:
                    subs = self._dependents_as_subjects(g)
                self.add_rel(subs, (_adj_predicate(g) + " " + pred).strip(), objs)
            else:  # "faucet next to toilet": the predicate word is the root and the subject hangs on it
                self.add_rel(self._dependents_as_subjects(g), pred, objs)

    def _carried_object(self, v, pred: str, objs: list[int]) -> list[int]:
        """The verb's direct object when a locative phrase places it on the body: 'carrying a backpack on his
        back', 'holding a bat in his hands' -- the phrase says where the object is, not where the subject is."""
        if pred not in ("on", "in", "around", "over") or not objs:
            return []
        if not all(lexicon.lexname(self.objects[o].name) == "noun.body" for o in objs):
            return []
        out: list[int] = []
        for c in v.children:
            if c.dep_ in _OBJ_DEPS:
                out += self.group(c)
        return out

    def _side_dependents(self, side) -> list[int]:
        out: list[int] = []
        for c in side.children:
            if c.dep_ in ("compound", "amod", "nsubj", "npadvmod") and c.i < side.i and c.i in self.tok2obj:
                out += self.group(c)
        return out

    def _dependents_as_subjects(self, g) -> list[int]:
        out: list[int] = []
        for c in g.children:
            if c.dep_ in ("nsubj", "nsubjpass", "npadvmod", "dep", "compound") and c.i < g.i:
                out += self.group(c)
        if not out:  # "a box is positioned left of a kite" parsed with "left" as the root
            for t in g.subtree:
                if t.i < g.i and t.dep_ in ("nsubj", "nsubjpass"):
                    out += self.group(t)
        return out

    def _side_word(self, tok) -> bool:
        """'right' in 'a moon right of a box' (not 'to the right of', where 'right' is a consumed noun)."""
        doc = tok.doc
        return (
            tok.lower_ in ("left", "right")
            and tok.i + 1 < len(doc)
            and doc[tok.i + 1].lower_ == "of"
            and not (tok.dep_ == "pobj" and tok.head.pos_ == "ADP")
        )

    def _governor(self, p):
        """(governing token, predicate words taken on the way, whether the chain ended at the root) of a
        preposition: 'next' + 'to', 'stick' 'out' + 'of'; a coordinated 'right of' hands over to the first
        conjunct's governor ('above a bottle and right of a moon')."""
        words: list[str] = []
        g = p.head
        if g.i in self._skip and g.lower_ in W.PREDICATE_NOUNS and g.dep_ == "pobj" and g.head.pos_ == "ADP":
            # "to the right of a ring and below a tent": "below" hangs on the consumed "right"
            g2, _, at_root = self._governor(g.head)
            return g2, [], at_root
        hops = 0
        while hops < 3:
            chain = (
                (p.lower_ in _CHAIN_PREPS or (words and words[0] in _CHAIN_PREPS))
                and g.lower_ in W.PREDICATE_HEADS
                and (g.pos_ in ("ADV", "ADJ", "ADP", "PART") or g.lower_ in ("left", "right"))
            ) or (g.pos_ == "ADP" and g.dep_ in ("prep", "prt"))
            if not chain or any(c.dep_ == "pobj" for c in g.children):
                break
            words.insert(0, g.lower_)
            hops += 1
            if g.dep_ == "conj":
                anchor = self._anchor_prep(g)
                if anchor is not None:
                    g2, _, at_root = self._governor(anchor)
                    return g2, words, at_root
            if g.head.i == g.i:
                return g, words, True
            g = g.head
        return g, words, False

    def _anchor_prep(self, tok):
        """The first preposition of a coordination of prepositional phrases that `tok` belongs to."""
        h = tok.head
        while h.dep_ == "conj" and h.head.i != h.i:
            h = h.head
        for _ in range(3):
            if h.pos_ == "ADP" and h.dep_ in ("prep", "agent", "dative"):
                # "on the left side of a box and above a star": climb out of the multi-word predicate
                if h.head.i in self._skip and h.head.dep_ == "pobj" and h.head.head.pos_ == "ADP":
                    h = h.head.head
                    continue
                if h.head.lower_ in W.PREDICATE_HEADS and h.head.dep_ != "ROOT" and h.head.pos_ != "NOUN":
                    return _Hop(h.head)
                return h
            if h.dep_ == "pobj":
                h = h.head
                continue
            if h.lower_ in W.PREDICATE_HEADS:  # "next to a moon and above an egg": conj of "next"
                return _Hop(h)
            if h.pos_ in ("VERB", "AUX"):  # "is right of a bowl and to the right of a box": conj of the verb
                return _Hop(h, governor=h)
            return None
        return None

    def subjects_of_nonrel(self, v) -> list[int]:
        out: list[int] = []
        for c in v.children:
            if c.dep_ in _SUBJ_DEPS and c.lower_ not in W.RELATIVE_PRONOUNS:
                out += self.group(c)
        return out

    def _of_relation(self, g, subs: list[int], objs: list[int]) -> None:
        """'the arm of a man' -> (man, have, arm); 'a plate of food' -> (plate, have, food)."""
        head = _noun_lemma(g)
        if head in _DEPICTIONS or head in _VESSELS:  # "a painting of the sun", "a cup of coffee"
            self.add_rel(objs, "in", subs)
            return
        if head in _SURFACES:  # "a plate of cupcakes"
            self.add_rel(objs, "on", subs)
            return
        if g.lower_ in _CONTAINERS:
            self.add_rel(subs, "have", objs)
            return
        for o in objs:
            lex = lexicon.lexname(self.objects[o].name) or ""
            if lex == "noun.food":
                self.add_rel(subs, "have", [o])
            else:
                self.add_rel([o], "have", subs)

    def relations_from_objects(self) -> None:
        for o in self.doc:
            if o.dep_ in _OBJ_DEPS or (o.dep_ == "attr" and lemma(o.head) not in _STATIVE_COPULAS):
                v = o.head
                if v.pos_ not in ("VERB", "AUX"):
                    continue
                objs = self.group(o)
                if not objs:
                    continue
                self.add_rel(self.subjects_of(v), self.verb_phrase(v), objs)
        # gapped transitive relative clause: "the shirt the man is wearing" -> (man, wear, shirt)
        for v in self.doc:
            if v.dep_ == "relcl" and v.pos_ == "VERB" and v.head.pos_ in _NOUNS:
                kids = list(v.children)
                if any(c.dep_ in _OBJ_DEPS | {"prep", "ccomp", "xcomp", "attr", "acomp"} for c in kids):
                    continue
                subs = self.subjects_of_nonrel(v)
                if subs:
                    self.add_rel(subs, self.verb_phrase(v), self.group(v.head))

    def relations_from_possessives(self) -> None:
        for t in self.doc:
            if t.dep_ == "poss" and (t.pos_ in _NOUNS or t.lower_ in W.PERSON_PRONOUNS):
                owner = self.ent(t)
                owned = self.group(t.head) if t.head.pos_ in _NOUNS else []
                if owner is not None:
                    self.add_rel([owner], "have", owned[:1])
            elif t.dep_ == "poss" and t.lower_ in _POSSESSIVE_PRONOUNS and t.head.i in self.tok2obj:
                owned = self.tok2obj[t.head.i]
                owner = self._antecedent(t, owned)
                linked = any({r.subject, r.object} == {owner, owned} for r in self.relations)
                if owner is not None and not linked:
                    # "an elephant touching a ball with its trunk" -> (elephant, have, trunk), but "a woman looking
                    # at her phone" already relates the two
                    self.add_rel([owner], "have", [owned])

    def _antecedent(self, pron, owned: int) -> int | None:
        """The object a possessive pronoun refers to: the subject of its clause, else the sentence's first object.
        The pronoun itself never becomes an object; it only links two objects the caption names."""
        want_person = pron.lower_ in ("his", "her")
        want_thing = pron.lower_ == "its"

        def fits(i: int) -> bool:
            if i == owned or self.objects[i].span is None or self.objects[i].span[0] >= pron.idx:
                return False
            name = self.objects[i].name
            if want_person:
                return _is_wearer(name)
            if want_thing:
                return lexicon.lexname(name) != "noun.person" and name not in ("person", "people")
            return True

        h = pron.head
        for _ in range(6):
            if h.pos_ in ("VERB", "AUX"):
                for i in self.subjects_of(h):
                    if fits(i):
                        return i
            if h.head.i == h.i:
                break
            h = h.head
        sent_start = pron.sent.start
        for i in sorted(range(len(self.objects)), key=lambda k: self.objects[k].span[0]):
            if self.objects[i].span[0] >= self.doc[sent_start].idx and fits(i):
                return i
        return None

    def clothing_as_wear(self) -> None:
        """'a man in a red shirt': a person or animal 'in' a garment wears it."""
        for r in self.relations:
            if (
                r.predicate == "in"
                and _is_wearer(self.objects[r.subject].name)
                and _is_garment(self.objects[r.object].name)
            ):
                r.predicate = "wear"

    def build(self) -> SceneGraph:
        self.build_objects()
        self.predicative_attributes()
        self.relations_from_objects()
        self.relations_from_preps()
        self.relations_from_possessives()
        self.clothing_as_wear()
        return SceneGraph(objects=self.objects, relations=self.relations)


class SpacyRulesBackend:
    """The rule backend: `graph(doc)` for a parsed `Doc`."""

    name = "rules"
    version = f"rules-{RULES_VERSION}"

    def graph(self, doc) -> SceneGraph:
        return _Builder(doc).build()
