"""The eight caption rules: each turns (caption, parsed graph) into candidate negatives, edited string + graph.

A candidate carries what the checks need: the lexical substitutions (old, new, part of speech), the words a
reader would have to find in the image, and the facts a re-parse must show. Structural checks (symmetric
relation, same-name swap, vague quantity, unreliable parse) are made here and reported as rejections."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sgfns.graphs.types import Relation, SceneGraph, SGObject
from sgfns.negatives import checks, locate
from sgfns.negatives.corpus import Corpus
from sgfns.negatives.edit import EditError, Splice, apply
from sgfns.negatives.locate import Unreliable
from sgfns.text import adjectives, colours, lexicon, verbs
from sgfns.text import closed_words as W
from sgfns.text import inflection as surface
from sgfns.text import wordclasses as wc
from sgfns.text.wordclasses import normalize_predicate

RULES = ("replace-obj", "replace-att", "replace-rel", "swap-obj", "swap-att", "count", "add-obj", "add-att")
CORE_RULES = ("replace-obj", "replace-att", "replace-rel", "swap-obj", "swap-att", "count")
MAX_EDIT_TARGETS = 16  # objects (and relations) a rule edits per caption; real captions have far fewer
# What `sgfns negatives` makes and training draws from when no rules are named: the add-* rules are left out. A
# text-only scorer tells their negatives from real captions almost always (an extra phrase or adjective), and an
# added colour is too often true of the photo (docs/negatives.md, "Real captions").
DEFAULT_RULES = CORE_RULES

_PREPOSITIONS = wc.PREDICATE_PREPOSITIONS


@dataclass
class Candidate:
    rule: str
    text: str
    graph: SceneGraph
    edit: dict[str, str]
    lexical: list[tuple[str, str, str]] = field(default_factory=list)  # (old, new, pos)
    new_words: list[str] = field(default_factory=list)  # must not appear in the image's other captions
    new_nouns: bool = False  # new_words are nouns: their synonyms / hyponyms in other captions count too
    expect: list[tuple] = field(default_factory=list)  # facts a re-parse of `text` must show
    weight: float = 1.0  # sampling preference (corpus frequency of the replacement)
    keep: float = 1.0  # probability the candidate is offered at all (`Corpus.balance`)


@dataclass
class Context:
    caption: str
    graph: SceneGraph
    tokens: list[surface.Token]
    corpus: Corpus  # word frequencies, co-occurrences and relation phrases of the dataset's captions
    rejected: Counter = field(default_factory=Counter)

    @classmethod
    def make(cls, caption: str, graph: SceneGraph, corpus: Corpus | None = None) -> Context:
        return cls(caption, graph, surface.tokenize(caption), corpus if corpus is not None else Corpus())

    @property
    def pool(self) -> Counter:
        return self.corpus.nouns

    @property
    def targets(self) -> list[SGObject]:
        """The objects a rule may edit: the first `MAX_EDIT_TARGETS`. Every candidate carries a copy of the whole
        graph, so editing every object of a long list-like caption made its negatives quadratic in its length."""
        return self.graph.objects[:MAX_EDIT_TARGETS]

    @property
    def target_relations(self) -> list[Relation]:
        return self.graph.relations[:MAX_EDIT_TARGETS]

    def reject(self, rule: str, reason: str) -> None:
        self.rejected[(rule, reason)] += 1

    def phrase(self, k: int) -> locate.Phrase:
        return locate.noun_phrase(self.caption, self.tokens, self.graph.objects[k])


def _realise(ctx: Context, rule: str, g: SceneGraph, splices: list[Splice], **kw) -> Candidate | None:
    try:
        text, g2 = apply(ctx.caption, g, splices, tokens=ctx.tokens)
    except EditError:
        ctx.reject(rule, checks.UNRELIABLE)
        return None
    edit = edit_span(ctx.caption, text)
    return Candidate(rule, text, g2, edit, **kw)


def common_ends(old: Sequence, new: Sequence) -> tuple[int, int]:
    """(length of the common prefix, length of the common suffix not overlapping it) of two sequences."""
    if isinstance(old, str) and isinstance(new, str):
        return _common_ends_str(old, new)
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    q = 0
    while q < min(len(old), len(new)) - p and old[-1 - q] == new[-1 - q]:
        q += 1
    return p, q


def _common_ends_str(old: str, new: str) -> tuple[int, int]:
    """`common_ends` of two strings by bisection on slice equality (compared in C): a long caption's candidates
    each cost O(n log n) fast steps instead of O(n) interpreted ones."""
    m = min(len(old), len(new))
    lo, hi = 0, m
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    p = lo
    lo, hi = 0, m - p
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid :] == new[len(new) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return p, lo


def edit_span(old: str, new: str) -> dict[str, str]:
    """{from, to}: the differing stretch of two strings, widened to whole words."""
    p, q = common_ends(old, new)
    while p > 0 and old[p - 1].isalnum():
        p -= 1
    while q > 0 and old[len(old) - q].isalnum():
        q -= 1
    return {"from": old[p : len(old) - q].strip(), "to": new[p : len(new) - q].strip()}


def _name_region(ctx: Context, ph: locate.Phrase, obj: SGObject) -> tuple[int, int]:
    """Character range of the object's full name (a multiword name's words before the head included)."""
    words = obj.name.lower().split()
    k = len(words)
    i = ph.head_index
    if k > 1 and i - k + 1 >= 0 and [t.lower for t in ctx.tokens[i - k + 1 : i]] == words[:-1]:
        return ctx.tokens[i - k + 1].start, ph.head.end
    return ph.head.start, ph.head.end


# --- replace ------------------------------------------------------------------------------------------------------
_PRONOUN_FLIP = {"male": {"she": "he", "her": "his", "hers": "his", "herself": "himself"},
                 "female": {"he": "she", "his": "her", "him": "her", "himself": "herself"}}  # fmt: skip


def _pronoun_splices(ctx: Context, to_gender: str) -> list[Splice]:
    flip = _PRONOUN_FLIP[to_gender]
    out = []
    for i, t in enumerate(ctx.tokens):
        if t.lower in flip:
            new = flip[t.lower]
            if t.lower == "her" and to_gender == "male":  # 'her' is 'his' before a noun phrase, else 'him'
                nxt = ctx.tokens[i + 1].lower if i + 1 < len(ctx.tokens) else ""
                new = "his" if nxt.isalpha() and nxt not in locate._NP_STOP and nxt not in ("while", "as") else "him"
            out.append(Splice(t.start, t.end, surface.match_case(new, t.text)))
    return out


def _in_compound(ctx: Context, ph: locate.Phrase, obj: SGObject) -> bool:
    """The head is the last word of a longer WordNet compound the parser split ('teddy' + 'bear'). Not where the
    parser read the word before as the object's adjective ('a little girl', 'a young woman': WordNet lists both,
    and 'a little boy' keeps the adjective)."""
    i = ph.head_index
    if i == 0 or len(obj.name.split()) > 1:
        return False
    prev = ctx.tokens[i - 1].lower
    if prev in obj.attributes and lexicon.is_lemma(prev, "a"):
        return False
    return prev.isalpha() and lexicon.is_lemma(f"{prev} {obj.name}", "n")


def _replacement_names(name: str, corpus: Corpus) -> list[str]:
    """Same-kind nouns for the name among the corpus's nouns; a multi-word name that neither WordNet nor the word
    tables know whole ("city bus", "baseball uniform": the parsers write the nouns that say which kind of thing it is
    into its name) keeps its modifiers and has its head replaced ("city truck")."""
    if " " not in name or wc.known_whole(name):
        return corpus.same_kind_nouns(name)
    mods, head = name.rsplit(" ", 1)
    return [f"{mods} {a}" for a in corpus.same_kind_nouns(head) if " " not in a]


def _tabled(name: str) -> bool:
    """A noun whose replacements come from the word tables, not WordNet (a multi-word name's head counts:
    `_replacement_names`)."""
    return wc.from_tables(name) or wc.noun_class(name.split()[-1]) is not None


def _in_frames(corpus: Corpus, noun: str, as_subject: list[str], as_object: list[str]) -> bool:
    """The captions write the noun as the subject of each predicate of `as_subject` and the object of each of
    `as_object`: by the noun itself where the predicate has a verb ('splash on', 'throw'), by its table class where
    it is a preposition alone ('on', 'next to')."""

    def verb(p: str) -> bool:
        return p.split()[0] not in _PREPOSITIONS

    return all(corpus.subject_of(p, noun, by_name=verb(p)) for p in as_subject) and all(
        corpus.object_of(p, noun) if verb(p) else corpus.knows_predicate_with(p, noun) for p in as_object
    )


_CONTEXT_KINDS = frozenset({"room", "outdoor", "animal", "noun.animal", "fixture"})


def replace_obj(ctx: Context) -> list[Candidate]:
    out = []
    names = {o.name for o in ctx.graph.objects}
    persons = [o for o in ctx.graph.objects if wc.noun_kind(o.name) in ("person", "role", "noun.person")]
    has_pronoun = any(t.lower in _PRONOUN_FLIP["male"] or t.lower in _PRONOUN_FLIP["female"] for t in ctx.tokens)
    marked = {t.lower for t in ctx.tokens} & wc.GENDER_MARKED
    for k, obj in enumerate(ctx.targets):
        if wc.noun_class(obj.name) == "clothing" or wc.is_garment(obj.name):
            continue  # one is worn over another (a shirt under every jacket); no photo tells a hoodie from a coat
        try:
            ph = ctx.phrase(k)
        except Unreliable:
            ctx.reject("replace-obj", checks.UNRELIABLE)
            continue
        if _in_compound(ctx, ph, obj):
            ctx.reject("replace-obj", checks.UNRELIABLE)
            continue
        start, end = _name_region(ctx, ph, obj)
        # what the new noun must go with: every other thing of the caption for a room, a scene, the ground or an
        # animal, old or new ('a kitchen with a shower stall', 'a sheep browsing on a mac book', 'a skier in the
        # sand'), and for a noun whose replacements are WordNet's, not a table's ('curtains' -> 'tools'); the verb
        # it is the object of, unless one looks at it
        everything = [o.name for j, o in enumerate(ctx.graph.objects) if j != k]
        context = wc.noun_kind(obj.name) in _CONTEXT_KINDS or not _tabled(obj.name)
        verbs_of = [v for v in (normalize_predicate(r.predicate) for r in ctx.graph.relations if r.object == k)
                    if v.split()[0] in wc.ACTION_VERBS and v not in wc.LOOKED_AT]  # fmt: skip
        # and the frames it stands in (a man and a woman aside), not the parser's 'have' of a possessive: what it
        # does and what is done to it, as the captions write them of the new noun itself ('a ski sitting next to a
        # bed', 'herded by a bird', 'splashing through the waves on his frisbee'), and where it is, as they write it
        # of its table class ('on a bench' -> 'on a chair')
        framed = obj.name not in wc.GENDERED_PERSONS and obj.name not in wc.OTHER_PERSONS
        as_subject = [r.predicate for r in ctx.graph.relations if framed and r.subject == k and r.predicate != "have"]
        as_object = [r.predicate for r in ctx.graph.relations if framed and r.object == k and r.predicate != "have"
                     and normalize_predicate(r.predicate) not in wc.LOOKED_AT]  # anything in sight can be looked at
        holds = ph.head_index + 1 < len(ctx.tokens) and ctx.tokens[ph.head_index + 1].lower == "of"
        implausible, made = 0, len(out)
        for alt in _replacement_names(obj.name, ctx.corpus):
            if alt in names or (holds and obj.name in W.VESSELS and alt not in W.VESSELS):
                continue  # 'a can of food' -> 'a bowl of food', never 'a keyboard of food'
            others = everything if context or wc.noun_kind(alt) in _CONTEXT_KINDS else []  # no kitchen in a zoo
            if (not ctx.corpus.fits_with(alt, others) or not all(ctx.corpus.object_of(v, alt) for v in verbs_of)
                    or not _in_frames(ctx.corpus, alt, as_subject, as_object)):  # fmt: skip
                implausible += 1  # 'a bath tub, a microwave and a sink', 'a person and their sheep at a laptop'
                continue
            extra: list[Splice] = []
            if wc.GENDERED_PERSONS.get(obj.name) == alt and has_pronoun:
                if len(persons) > 1:
                    continue  # whose pronoun is it? leave it
                extra = _pronoun_splices(ctx, "female" if alt in ("woman", "girl") else "male")
            elif has_pronoun and obj.name in wc.GENDERED_PERSONS:
                continue
            if wc.GENDERED_PERSONS.get(obj.name) == alt and (marked - {"he", "his", "him", "she", "her"}):
                continue  # 'a bearded man' -> 'a bearded woman': the caption itself says which
            if obj.name in wc.OTHER_PERSONS and alt in wc.GENDERED_PERSONS and (marked or len(persons) > 1):
                continue  # 'a child with his hands' -> 'a woman with his hands'; whose pronoun is it?
            words = alt.split()
            words[-1] = surface.noun_form(alt, ph.plural)
            new = surface.match_case(" ".join(words), ctx.caption[start:end])
            g = ctx.graph.copy()
            g.objects[k].name = alt
            head_at = len(new) - len(words[-1])
            sp = Splice(start, end, new, {k: (head_at, len(new))})
            c = _realise(ctx, "replace-obj", g, [sp, *extra], lexical=[(obj.name, alt, "n")], new_words=[alt],
                         new_nouns=True, expect=[("object", alt)], weight=1.0 + ctx.pool.get(alt, 0))  # fmt: skip
            if c:
                out.append(c)
        if implausible and len(out) == made:  # counted once per object, as the other structural reasons are
            ctx.reject("replace-obj", checks.IMPLAUSIBLE)
    return out


def replace_att(ctx: Context) -> list[Candidate]:
    out = []
    for k, obj in enumerate(ctx.targets):
        for a_i, att in enumerate(obj.attributes):
            first, rest = _first_of_hyphenated(att)
            alts = wc.same_class_attributes(first, obj.name)
            if not alts:
                continue
            words = att.split()
            try:  # a two-word colour ('dark blue') is edited in its last word
                tok = locate.attribute_token(ctx.caption, ctx.tokens, obj, words[-1])
                if len(words) > 1 and not _preceded_by(ctx, tok, words[:-1]):
                    raise Unreliable(f"'{att}' not found as one phrase")
            except Unreliable:
                ctx.reject("replace-att", checks.UNRELIABLE)
                continue
            if len(words) == 1 and _compound_participle(ctx, tok):
                ctx.reject("replace-att", checks.COMPOUND)
                continue
            if rest:  # 'long-haired': its first word is edited ('short-haired')
                tok = surface.Token(tok.text[: len(first)], tok.start, tok.start + len(first))
            for alt in alts:
                if " " in alt and rest or alt in obj.attributes or not ctx.corpus.knows_attribute(
                        alt, adjectives.needs_evidence(first, alt)):  # fmt: skip
                    continue
                g = ctx.graph.copy()
                g.objects[k].attributes[a_i] = alt + rest
                word = alt if len(words) == 1 else alt.split()[-1]
                sp = Splice(tok.start, tok.end, surface.match_case(word, tok.text))
                c = _realise(ctx, "replace-att", g, [sp], lexical=[(first, alt, "a")],
                             new_words=[f"{alt + rest} {obj.name}"], expect=[("attribute", obj.name, alt + rest)],
                             weight=1.0 + ctx.corpus.attributes.get(alt, 0))  # fmt: skip
                if c:
                    out.append(c)
    return out


def _first_of_hyphenated(att: str) -> tuple[str, str]:
    """(the word replace-att edits, the rest kept after it): a hyphenated attribute of no class of attributes is
    edited in its first word ('long-haired' -> 'long', '-haired'; the caption parser keeps it whole), one of a
    class whole ('middle-aged'); else (att, '')."""
    if "-" not in att or " " in att or adjectives.attribute_class(att) is not None:
        return att, ""
    first, hyphen, rest = att.partition("-")
    return first, hyphen + rest


def _compound_participle(ctx: Context, tok: surface.Token) -> bool:
    """The attribute is the participle of a compound modifier — 'snow covered', 'frost-covered', 'hand painted',
    'brightly colored' — whose antonym would not read ('snow bare', 'brightly uncolored'): an '-ed' word right
    after a hyphen, a noun that is not also an adjective, or an '-ly' adverb."""
    if not tok.lower.endswith("ed") or not lexicon.morphy(tok.lower, "v"):  # a participle ('covered'), not 'red'
        return False
    i = ctx.tokens.index(tok)
    if i == 0:
        return False
    prev = ctx.tokens[i - 1].lower
    if prev == "-":
        return True
    if prev.endswith("ly") and not lexicon.is_lemma(prev, "a"):
        return True
    # an article is a WordNet noun too ('a' = vitamin A); number words are adjectives there
    return prev not in ("a", "an") and lexicon.is_lemma(prev, "n") and not lexicon.is_lemma(prev, "a")


def _preceded_by(ctx: Context, tok: surface.Token, words: list[str]) -> bool:
    i = ctx.tokens.index(tok)
    return i >= len(words) and [t.lower for t in ctx.tokens[i - len(words) : i]] == [w.lower() for w in words]


def _abstract(name: str) -> bool:
    last = name.split()[-1]
    if wc.noun_class(name) is not None or wc.noun_class(last) is not None:
        return False
    return lexicon.lexname(last, "n") not in wc.CONCRETE_LEXNAMES | {"noun.person", "noun.location"}


def _surface(name: str) -> bool:
    """Not a thing one can be under: the ground, a scene, a time ('on a rainy day'), a state ('under repair')."""
    last = name.split()[-1]
    return wc.noun_class(name) in ("room", "outdoor") or wc.noun_class(last) in ("room", "outdoor") or (
        last in wc.SURFACES or (wc.noun_class(name) is None and wc.noun_class(last) is None
                                and lexicon.lexname(last, "n") not in wc.CONCRETE_LEXNAMES))  # fmt: skip


def _realise_predicate(new: str, old_tokens: list[surface.Token]) -> str:
    words = new.split()
    first_old = old_tokens[0].text
    if words[0] not in _PREPOSITIONS and first_old.lower() not in _PREPOSITIONS:
        words[0] = surface.inflect(words[0], surface.verb_form_of(first_old))
    elif words[0] not in _PREPOSITIONS and first_old.lower() in _PREPOSITIONS:
        words[0] = surface.gerund(words[0])
    return surface.match_case(" ".join(words), first_old)


def replace_rel(ctx: Context) -> list[Candidate]:
    out = []
    for r_i, rel in enumerate(ctx.target_relations):
        pred = normalize_predicate(rel.predicate)
        s_name = ctx.graph.objects[rel.subject].name
        o_name = ctx.graph.objects[rel.object].name
        beside = _beside_alternative(pred, s_name, o_name)
        table = wc.contrasting_predicates(pred)
        # another body state with the same preposition ('standing behind' -> 'sitting behind'), only where the
        # captions write that state with this kind of object ('sleeping on a couch', never 'in the water')
        states = [a for a in verbs.contrasts(pred, _water(o_name)) if a not in table] if wc.is_animate(s_name) else []
        if not table and not beside and not states:
            continue
        apart = False
        try:
            seg = locate.predicate_tokens(ctx.caption, ctx.tokens, ctx.graph, r_i)
        except Unreliable:
            apart = True
            seg = _verb_apart(ctx, r_i) if states else None
            if seg is None:
                ctx.reject("replace-rel", checks.UNRELIABLE)
                continue
            table, beside = [], None  # the verb alone is edited: 'standing close together behind a fence'
            states = verbs.contrasts(pred, _water(o_name))
        if surface.verb_form_of(seg[0].text) == "ed" and seg[0].lower not in _PREPOSITIONS:
            continue  # 'are parked on': a participle, whose replacement form we cannot trust
        worn = wc.noun_class(o_name) == "clothing" or wc.is_worn(o_name)
        if pred in ("in", "with", "wear", "in front of") and worn:
            continue  # 'a man in a shirt' is about wearing, not place
        if wc.attribute_class(o_name) is not None:
            continue  # 'wearing white': the parse made a colour the object
        if o_name in _IDIOM_OBJECTS or _modifies_compound(ctx, rel.object):
            continue  # 'standing in line' is no place; 'on a tree lined street': the object is the street's modifier
        if _body_part(s_name) or _body_part(o_name):
            continue  # 'laying on his back' -> 'sitting on his back', 'its face on a laptop' -> 'under': no reading
        if pred in wc.INANIMATE_ONLY_CONTRASTS and (wc.is_animate(s_name) or _surface(o_name)):
            table = []  # 'a man under a motorbike', 'a bus under a street': absurd, so solvable without the image
        if (pred.split()[0] in wc.ACTION_VERBS or pred.split()[0] in wc.POSTURE_VERBS) and not wc.is_animate(s_name):
            table = []  # 'a table holding desserts' -> 'kicking', 'a laptop sitting' -> 'standing': need an agent
        if all(w in _PREPOSITIONS for w in pred.split()) and (
                _abstract(o_name) or _never_a_thing(s_name) or not _bare_place(ctx, seg, rel)):  # fmt: skip
            table = []  # 'under repair', 'on a rainy day': not a place; 'talks on a phone': the verb's, not a place
        if _flat(o_name) or _flat(s_name):  # 'a commode on top of a picture', 'a sink behind a mirror'
            table, beside = [a for a in table if not _spatial(a)], None
        alts = ([beside] if beside else []) + [a for a in table if a != beside]
        alts += [a for a in states if a not in alts and _plausible_state(ctx, a, o_name)]
        if wc.is_animate(o_name):  # 'riding a horse' -> 'pushing a horse'
            alts = [a for a in alts if a.split()[0] not in ("push", "pull", "drop", "throw", "kick")]
        alts = [a for a in alts if not _needs_evidence(pred, a, s_name, o_name)
                or ctx.corpus.knows_predicate_with(a, o_name)]  # fmt: skip
        if wc.agent_kind(s_name) == "animal":  # 'horses sitting', 'a dog throwing a frisbee': never written of them
            alts = [a for a in alts if a.split()[0] == pred.split()[0] or a.split()[0] in _PREPOSITIONS
                    or (ctx.corpus.writes_animal_doing(s_name, a.split()[0])
                        and a.split()[0] not in verbs.BY_HAND)]  # fmt: skip
        alts = [a for a in alts if not _reads_the_same(pred, a, s_name, o_name)]
        if wc.is_animate(s_name) and _place(o_name):  # 'stands behind the mountains', 'behind a large building'
            alts = [a for a in alts if _preposition_part(a) != "behind" or _preposition_part(pred) == "behind"]
        if not wc.is_animate(s_name):  # 'decorations hanging from the ceiling' -> 'standing under': things do not stand
            alts = [a for a in alts if verbs.state(a.split()[0]) is None or a.split()[0] == pred.split()[0]]
        if _followed_by_direction(ctx, rel.object):  # 'riding an elephant into water', 'throwing a pitch onto'
            alts = [a for a in alts if "next to" not in a and _same_verb_or_moving(pred, a)]
        elif _surface(o_name) or _followed_by_activity(ctx, rel.object):
            alts = [a for a in alts if "next to" not in a]  # 'next to a skateboard doing tricks': the board does them
        others = {(r.subject, normalize_predicate(r.predicate), r.object) for r in ctx.graph.relations}
        for alt in alts:
            if (rel.subject, alt, rel.object) in others or not ctx.corpus.knows_predicate(alt):
                continue
            new = _realise_predicate(alt.split()[0] if apart else alt, seg)
            g = ctx.graph.copy()
            g.relations[r_i].predicate = alt
            sp = Splice(seg[0].start, seg[-1].end, new)
            lex = [(pred, alt, "v")] if " " not in pred + alt and pred not in _PREPOSITIONS else []
            old_verb, new_verb = pred.split()[0], alt.split()[0]
            said = [new.lower()]
            if new_verb != old_verb and new_verb not in _PREPOSITIONS:  # another caption says 'sits': not false
                said += [new_verb, surface.gerund(new_verb), surface.third_person(new_verb), surface.past(new_verb)]
                reason = checks.lexical_relation(old_verb, new_verb, "v", senses=1)  # first senses: 'jog' / 'run'
                if reason and old_verb not in _PREPOSITIONS:
                    ctx.reject("replace-rel", reason)
                    continue
            c = _realise(ctx, "replace-rel", g, [sp], lexical=lex, new_words=said,
                         expect=[("triple", s_name, alt, o_name)],
                         weight=1.0 + ctx.corpus.predicates.get(alt, 0))  # fmt: skip
            if c:
                out.append(c)
    return out


def _verb_apart(ctx: Context, r_i: int) -> list[surface.Token] | None:
    """The verb token of a verb + preposition predicate written apart from its preposition, or None."""
    try:
        verb, _ = locate.split_predicate(ctx.caption, ctx.tokens, ctx.graph, r_i)
    except Unreliable:
        return None
    return [verb]


def _plausible_state(ctx: Context, alt: str, o_name: str) -> bool:
    """A body state the captions write with this object ('sleeping on a couch'), or a still posture at a place
    ('sitting behind a fence', 'standing in a field'); never where a body has no footing (the air, a wave)."""
    if o_name in verbs.NO_FOOTING:
        return False  # 'jumping in the air' -> 'standing in the air', whatever a parse of some caption wrote
    if ctx.corpus.knows_predicate_with(alt, o_name):
        return True
    verb, *tail = alt.split()
    return verbs.state(verb) in verbs.STILL and " ".join(tail) in verbs.PLACE_PREPOSITIONS


# Objects of a posture that name no place: 'standing in line' -> 'sitting in line' is no contrast a reader accepts.
_IDIOM_OBJECTS = frozenset({"line", "queue"})


def _modifies_compound(ctx: Context, k: int) -> bool:
    """The object's noun is the first word of a compound modifier ('on a tree lined street', 'a snow covered
    field'): its head is followed by a participle and a noun, so the relation is really with that noun."""
    try:
        ph = ctx.phrase(k)
    except Unreliable:
        return False
    i = ph.head_index + 1
    if i + 1 >= len(ctx.tokens):
        return False
    part, noun = ctx.tokens[i].lower, ctx.tokens[i + 1].lower
    # an article is a WordNet noun too ('a' = vitamin A)
    return part.endswith("ed") and bool(lexicon.morphy(part, "v")) and noun not in ("a", "an", "the") and bool(
        lexicon.morphy(noun, "n")) and noun not in wc.PREPOSITION_WORDS  # fmt: skip


def _place(name: str) -> bool:
    """A room, a building or an outdoor scene: it is not put on top of or under the things in it."""
    return wc.noun_class(name) in ("room", "outdoor", "structure")


def _preposition_part(pred: str) -> str:
    words = pred.split()
    i = len(words)
    while i > 0 and words[i - 1] in wc.PREPOSITION_WORDS:
        i -= 1
    return " ".join(words[i:])


def _vertical_change(old: str, new: str) -> bool:
    """The new predicate moves its subject above or below the object ('sit on top of' -> 'sit under')."""
    p = _preposition_part(new)
    return p != _preposition_part(old) and p in wc.VERTICAL_CONTRASTS


_BELOW = frozenset({"under", "underneath", "beneath", "below"})
# Prepositions that put a body beside a thing or animal, not on it: another posture there is no posture on it.
_BESIDE = frozenset({"next to", "near", "by", "beside", "behind", "in front of", "with", "alongside", "close to"})
_SEATS = frozenset({"chair", "armchair", "seat", "wheelchair", "recliner", "highchair", "stool"})
_INCLINES = frozenset({"ramp", "slope", "hill", "hillside", "mountainside", "incline", "dune", "stairs", "staircase",
                       "steps", "stairway", "slide"})  # fmt: skip
# Verbs of using a thing in the hand: whoever does them holds it ('swinging a bat' -> 'holding a bat' stays true).
_IN_HAND = verbs.HANDLING | {"swing", "use", "wave", "play", "read", "eat", "drink", "hit", "fly", "cut"}


def _reads_the_same(old: str, new: str, s_name: str, o_name: str) -> bool:
    """Replacements a photo cannot make false, or that no caption would write: a bird 'sitting', 'standing' or
    'lying' on a perch (captions call one pose by all three), 'holding' what one swings or eats, food 'under' its
    plate or counter, 'standing in' a chair (a seat is sat in), a walk for a run up or down a slope (the stride
    shortens, the body leans: a still shows neither apart)."""
    a, b = old.split()[0], new.split()[0]
    if o_name.split()[-1] in _INCLINES and {verbs.state(a), verbs.state(b)} <= {"walking", "running"}:
        return True
    if verbs.state(a) is not None and verbs.state(b) in (*verbs.STILL, "lying") and _bird(s_name):
        return True
    if b == "hold" and a in _IN_HAND:
        return True
    if _food(s_name) and _preposition_part(new) in _BELOW and _preposition_part(old) not in _BELOW:
        return True
    return o_name in _SEATS and _preposition_part(new) == "in" and verbs.state(b) not in (None, "seated")


def _body_part(name: str) -> bool:
    return lexicon.lexname(name.split()[-1], "n") == "noun.body"


@functools.lru_cache(maxsize=4096)
def _bird(name: str) -> bool:
    """A bird in any sense of the noun ('crane': a machine first, a bird fourth; the photo's bird is the bird)."""
    bird = lexicon.synset_ids("bird", "n")[0]
    return any(i == bird or bird in lexicon.hypernym_closure(i) for i in lexicon.synset_ids(name.split()[-1], "n"))


def _food(name: str) -> bool:
    """Food in the table, or in one of the noun's first two senses ('food' itself: a top-level noun first)."""
    last = name.split()[-1]
    if wc.noun_class(name) == "food" or wc.noun_class(last) == "food":
        return True
    return any(lexicon.lexname_of(i) == "noun.food" for i in lexicon.synset_ids(last, "n")[:2])


def _needs_evidence(old: str, new: str, s_name: str, o_name: str) -> bool:
    """Replacements that read only where the captions write them with this object: another action ('pushing the
    button' -> 'riding' it), another posture on a vehicle or an animal ('sitting on a motorcycle' -> 'standing on'
    it), a body or a place moved above or below a thing ('a lady sitting under a motorcycle', 'a station on top of a
    roof'), anything moved under a thing ('a pot under a stove')."""
    a, b = old.split()[0], new.split()[0]
    new_verb = a != b and b not in _PREPOSITIONS
    if new_verb and verbs.state(b) is None:
        return True  # another action
    ridden = wc.noun_class(o_name) == "vehicle" or wc.is_animate(o_name)
    if new_verb and ridden and _preposition_part(old) == _preposition_part(new) not in _BESIDE:
        return True  # another posture on it (beside it needs none: 'walking next to a horse')
    if _preposition_part(new) in _BELOW and _preposition_part(old) not in _BELOW:
        return True  # 'a pot under a stove', 'a person under a skateboard': only what the captions put under it
    return (wc.is_animate(s_name) or _place(s_name)) and _vertical_change(old, new)


def _never_a_thing(name: str) -> bool:
    """None of the noun's first three senses is a concrete thing or a living being ('talk', a parse of 'talks';
    not 'ring', whose first sense is a shape but whose third is a piece of jewellery)."""
    last = name.split()[-1]
    if wc.noun_class(name) is not None or wc.noun_class(last) is not None:
        return False
    ids = lexicon.synset_ids(last, "n")[:3]
    kinds = wc.CONCRETE_LEXNAMES | {"noun.person", "noun.body"}
    return bool(ids) and not any(lexicon.lexname_of(i) in kinds for i in ids)


def _water(name: str) -> bool:
    return name.split()[-1] in colours.WATER_NOUNS


def _flat(name: str) -> bool:
    return name.split()[-1] in wc.FLAT_THINGS


def _spatial(pred: str) -> bool:
    """A contrast of place: above/below or in front/behind ('sit under' too: its preposition is one)."""
    words = pred.split()
    return any(" ".join(words[i:]) in wc.VERTICAL_CONTRASTS | wc.LATERAL_PREDICATES for i in range(len(words)))


def _same_verb_or_moving(old: str, new: str) -> bool:
    """Before a direction ('... into the water') only the preposition may change, or one motion becomes another."""
    a, b = old.split()[0], new.split()[0]
    return a == b or (_moves(a) and _moves(b))


def _moves(verb: str) -> bool:
    return verb in verbs.PATH_VERBS or verbs.state(verb) in verbs.MOVING


def _bare_place(ctx: Context, seg: list[surface.Token], rel: Relation) -> bool:
    """A bare preposition says where its subject is only when it follows the subject's phrase or 'is/are'
    directly: after another verb or noun it belongs to them ('talks on a phone', 'a man in a uniform on a mound')."""
    j = ctx.tokens.index(seg[0]) - 1
    while j >= 0 and ctx.tokens[j].lower in _NEUTRAL_LINKS:  # 'a ball to the left of', 'a cup placed on'
        j -= 1
    if j < 0:
        return True  # 'On the table, a cat ...': a fronted place
    prev = ctx.tokens[j].lower
    if prev in _AUX or prev == "," or any(surface.is_verb_lemma_of(prev, v) for v in wc.POSITION_VERBS):
        return True  # 'is on', 'sits on', 'is located above'
    try:
        ph = ctx.phrase(rel.subject)
    except Unreliable:
        return False
    return ph.head_index == j


def _words_after(ctx: Context, k: int) -> list[str] | None:
    """The two words after the object's noun phrase (fewer at the end of the caption); None where the phrase
    cannot be found."""
    try:
        ph = ctx.phrase(k)
    except Unreliable:
        return None
    return [t.lower for t in ctx.tokens[ph.head_index + 1 : ph.head_index + 3]]


def _followed_by_direction(ctx: Context, k: int) -> bool:
    """The object's noun phrase is followed by a preposition of direction ('... an elephant into the water')."""
    nxt = _words_after(ctx, k)
    return nxt is None or bool(nxt) and (nxt[0] in wc.DIRECTIONS or nxt == ["on", "top"])


def _followed_by_activity(ctx: Context, k: int) -> bool:
    """The object's noun phrase is followed by what its rider does on it: an -ing verb or 'in mid' ('on a skateboard
    doing tricks', 'on a snowmobile in mid jump'); put 'next to' it, the sentence makes the thing do it."""
    nxt = _words_after(ctx, k)
    return nxt is None or bool(nxt) and (nxt == ["in", "mid"] or (surface.verb_form_of(nxt[0]) == "ing" and bool(
        lexicon.morphy(nxt[0], "v"))))  # fmt: skip


_CONTAINING = ("on", "in", "inside", "atop", "on top of", "under", "underneath", "aboard")  # not into, onto: motion
_BESIDE_VERBS = {"sit": "sit", "stand": "stand", "lie": "lie", "lay": "lie", "kneel": "kneel", "ride": "walk",
                 "be": "be"}  # fmt: skip
_NOT_BESIDE_CLASSES = ("room", "outdoor", "structure", "clothing", "fixture", "food", "tableware", "electronics")


def _beside_alternative(pred: str, s_name: str, o_name: str) -> str | None:
    """'a man on a bike' -> 'a man next to a bike', 'a woman sitting in a chair' -> 'sitting next to a chair':
    a person or animal on, in or under a movable thing they could as well stand beside. Not for places, rooms,
    buildings, clothes or things held in the hand ('a man in a shirt', 'a dog on a plate'). And back: 'a dog
    sitting next to a bench' -> 'sitting on a bench', so that negatives do not say 'next to' more often than
    captions do (a text-only reader would learn it)."""
    words = pred.split()
    for prep in ("next to", "beside"):
        p = prep.split()
        verb = " ".join(words[: -len(p)])
        if words[-len(p) :] == p and verb in ("", "sit", "stand", "lie") and _may_be_on(s_name, o_name):
            return {"": "on", "sit": "sit on", "stand": "sit on", "lie": "lie on"}[verb]  # not 'stand on a bike'
    for prep in _CONTAINING:
        p = prep.split()
        if words[-len(p) :] != p:
            continue
        verb = " ".join(words[: -len(p)])
        if verb and verb not in _BESIDE_VERBS:
            return None
        if not _may_be_on(s_name, o_name) or (prep in _BELOW and _canopy(o_name)):
            return None  # under a tree or an umbrella is next to its trunk or pole as well
        verb = _BESIDE_VERBS.get(verb, "")
        return f"{verb} next to".strip() if verb != "be" else "next to"
    return None


def _canopy(name: str) -> bool:
    """A tree or a shade: what one stands under stands beside one too."""
    last = name.split()[-1]
    return wc.noun_class(name) == "plant" or wc.noun_class(last) == "plant" or last in _SHADES


_SHADES = frozenset({"umbrella", "parasol", "awning", "canopy", "gazebo", "pergola"})


def _may_be_on(s_name: str, o_name: str) -> bool:
    """A person or animal and a movable artifact they can be on or beside (a bike, a bench, a chair); not what they
    wear ('a dog in a blue collar' is no 'next to a blue collar')."""
    if not wc.is_animate(s_name) or wc.is_animate(o_name) or not _thing(o_name) or _flat(o_name) or wc.is_worn(o_name):
        return False
    last = o_name.split()[-1]
    if wc.noun_class(o_name) in _NOT_BESIDE_CLASSES or wc.noun_class(last) in _NOT_BESIDE_CLASSES:
        return False
    return lexicon.lexname(last, "n") == "noun.artifact" or wc.noun_class(last) is not None


# --- swap ---------------------------------------------------------------------------------------------------------
def _lower_first(text: str) -> str:
    """Lower-case a moved phrase's sentence-initial capital ('A dog' -> 'a dog'), not an acronym ('TV')."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if text[:1].isupper() and not (len(first) > 1 and first.isupper()) else text


_AUX = frozenset({"is", "are", "was", "were", "that", "who", "which", "being", "has", "have", "been"})
# words that may stand between a subject and 'left of' / 'right of' and read as well after a swap
_NEUTRAL_LINKS = frozenset({"to", "the", "on", "side", "located", "placed", "positioned", "situated"})


def _thing(name: str) -> bool:
    """An inanimate concrete object one can place somewhere (not a room, a scene, a surface or an abstraction)."""
    return not wc.is_animate(name) and not _surface(name) and not _abstract(name)


def _small_thing(name: str) -> bool:
    """A small movable thing: a table class of such things, else a noun whose first two WordNet senses include an
    artifact, a natural object or food ('egg': an ovum first, food second) and that is neither a person nor a place."""
    cls = wc.noun_class(name)
    if cls is not None:
        return cls in wc.SMALL_THING_CLASSES
    last = name.split()[-1]
    if _surface(name) or lexicon.lexname(last, "n") in ("noun.person", "noun.location"):
        return False
    senses = lexicon.synset_ids(last, "n")[:2]
    return any(lexicon.lexname_of(sid) in ("noun.artifact", "noun.object", "noun.food") for sid in senses)


_SPATIAL_SWAPS = wc.LATERAL_PREDICATES | wc.VERTICAL_PREDICATES
_PLACE_WORDS = frozenset({"in", "on", "inside", "with", "of", "for", "like", "as", "into", "onto", "through"})


def _swappable_kinds(a: str, b: str, predicate: str = "") -> bool:
    """Two people or animals linked by what one does to the other or by where one is ('a dog chasing a cat' / 'a
    cat chasing a dog'), two vehicles linked by a verb ('a truck towing a car'), or two things in a plain spatial
    relation that reads as well either way ('a cup left of a laptop', 'a ball above a box'): the swapped caption
    stays a sentence about a possible scene, so only the image can tell. Not: a person and a thing ('a controller
    holding a man'), a bare 'on' / 'in' / 'at' between people ('a player on the team'), what something is or has
    ('a man has a dog', 'a boy dressed as a pirate')."""
    words = predicate.split()
    if not words or predicate in wc.NOT_SWAPPABLE_PREDICATES:
        return False
    verb = words[0] not in _PREPOSITIONS
    ka, kb = wc.agent_kind(a), wc.agent_kind(b)
    if ka is not None or kb is not None:  # 'sitting on' / 'standing in' / 'swimming with' another: where, not what to
        return ka is not None and kb is not None and (
            predicate in _SPATIAL_SWAPS or verb and not set(words[1:]) & _PLACE_WORDS)
    if verb:
        return wc.noun_class(a) == wc.noun_class(b) == "vehicle"
    if predicate not in _SPATIAL_SWAPS and predicate != "on":  # 'toothbrushes in a holder', 'a ship at a dock'
        return False
    if "clothing" in (wc.noun_class(a), wc.noun_class(b)):  # where a shirt is, its wearer is
        return False
    if predicate in wc.LATERAL_PREDICATES and _thing(a) and _thing(b):
        return True
    if predicate in wc.VERTICAL_PREDICATES and _small_thing(a) and _small_thing(b):
        return True
    ca, cb = wc.noun_class(a), wc.noun_class(b)
    if ca is not None or cb is not None:
        return ca == cb
    la, lb = lexicon.lexname(a, "n"), lexicon.lexname(b, "n")
    return la == lb and la in wc.COUNTABLE_LEXNAMES


def _implausible_swap(ctx: Context, a: str, b: str, predicate: str) -> bool:
    """The swapped relation describes what photos (almost) never show: a person and an animal exchanged where the
    captions never write the animal doing it to a person or the other way round ('a horse riding a woman'), a child
    handling an adult ('a little boy lifting a man'), or a thing put 'on' one the captions never put anything on."""
    ka, kb = wc.agent_kind(a), wc.agent_kind(b)
    if ka is None or kb is None:  # things: 'clothes on the floor' -> 'the floor on the clothes' is never written
        return predicate == "on" and not ctx.corpus.object_of("on", a)
    if ka != kb and not ctx.corpus.writes_agents(kb, predicate, ka):
        return True
    if ka != kb or ka != "person" or predicate.split()[0] not in verbs.HANDLING:
        return False
    agent, patient = (a, b) if predicate.split()[-1] == "by" else (b, a)  # 'a baby held by a man': the man holds
    return _child(agent) and not _child(patient)


def _child(name: str) -> bool:
    return name.split()[-1] in adjectives.CHILD_NOUNS


def swap_obj(ctx: Context) -> list[Candidate]:
    out = []
    for r_i, rel in enumerate(ctx.target_relations):
        s, o = rel.subject, rel.object
        a, b = ctx.graph.objects[s], ctx.graph.objects[o]
        pred = normalize_predicate(rel.predicate)
        reason = checks.symmetric_relation(pred) or checks.same_name(a.name, b.name)
        if reason:
            ctx.reject("swap-obj", reason)
            continue
        if not _swappable_kinds(a.name, b.name, pred):
            continue
        if _implausible_swap(ctx, a.name, b.name, pred):
            ctx.reject("swap-obj", checks.IMPLAUSIBLE_SWAP)
            continue
        try:
            ps, po = ctx.phrase(s), ctx.phrase(o)
            seg = locate.predicate_tokens(ctx.caption, ctx.tokens, ctx.graph, r_i)
        except Unreliable:
            ctx.reject("swap-obj", checks.UNRELIABLE)
            continue
        # subject phrase, optional auxiliary, predicate, object phrase: nothing else in between
        gap = [t for t in ctx.tokens if ps.end <= t.start and t.end <= seg[0].start]
        allowed = _AUX | _NEUTRAL_LINKS if seg[0].lower in ("left", "right") else _AUX
        nxt = ctx.tokens[ps.head_index + 1] if ps.head_index + 1 < len(ctx.tokens) else None
        relative = ps.plural != po.plural and nxt is not None and nxt.lower in ("who", "that", "which")
        if ps.end > po.start or any(t.lower not in allowed for t in gap) or relative:  # relative: 'people who is'
            ctx.reject("swap-obj", checks.UNRELIABLE)
            continue
        s_start, o_start = ps.start, po.start
        qwords = [t.lower for t in ps.quantity + po.quantity]
        if "of" in qwords:  # 'a pair of scissors': the head sits under a partitive
            ctx.reject("swap-obj", checks.UNRELIABLE)
            continue
        numbered = any(w not in ("a", "an", "the") for w in qwords)
        if ps.plural != po.plural or numbered:  # move the quantities too: "two dogs chase a cat"
            if not ps.quantity or not po.quantity:
                ctx.reject("swap-obj", checks.UNRELIABLE)
                continue
            s_start, o_start = ps.quantity[0].start, po.quantity[0].start
        s_text = _lower_first(ctx.caption[s_start : ps.end])
        o_text = _lower_first(ctx.caption[o_start : po.end])
        g = ctx.graph.copy()
        for r in g.relations:
            r.subject, r.object = ({s: o, o: s}.get(r.subject, r.subject), {s: o, o: s}.get(r.object, r.object))
        o_head = (po.head.start - o_start, po.head.end - o_start)
        s_head = (ps.head.start - s_start, ps.head.end - s_start)
        splices = [Splice(s_start, ps.end, o_text, {o: o_head}), Splice(o_start, po.end, s_text, {s: s_head})]
        if ps.plural != po.plural and nxt is not None:  # the verb after the new subject agrees with it
            verb = _agreeing_verb(nxt, po.plural)
            if verb is not None:
                splices.append(Splice(nxt.start, nxt.end, verb))
        c = _realise(ctx, "swap-obj", g, splices,
                     expect=[("triple", b.name, pred, a.name)])  # fmt: skip
        if c:
            out.append(c)
    return out


def swap_att(ctx: Context) -> list[Candidate]:
    out = []
    objs = ctx.graph.objects
    for i in range(len(objs)):
        for j in range(i + 1, len(objs)):
            a, b = objs[i], objs[j]
            for x in a.attributes:
                for y in b.attributes:
                    cx, cy = wc.attribute_class(x), wc.attribute_class(y)
                    if cx not in wc.SWAPPABLE_ATTRIBUTE_CLASSES or cx != cy or x == y:
                        continue
                    if x in wc.OPPOSITES and y in wc.OPPOSITES and y not in wc.OPPOSITES[x]:
                        continue  # 'large' and 'giant' are the same pole of one scale: swapping them says nothing
                    if x in b.attributes or y in a.attributes:
                        continue
                    reason = checks.same_name(a.name, b.name)
                    if reason:
                        ctx.reject("swap-att", reason)
                        continue
                    try:
                        tx = locate.attribute_token(ctx.caption, ctx.tokens, a, x)
                        ty = locate.attribute_token(ctx.caption, ctx.tokens, b, y)
                    except Unreliable:
                        ctx.reject("swap-att", checks.UNRELIABLE)
                        continue
                    g = ctx.graph.copy()
                    g.objects[i].attributes[a.attributes.index(x)] = y
                    g.objects[j].attributes[b.attributes.index(y)] = x
                    sps = [Splice(tx.start, tx.end, surface.match_case(y, tx.text)),
                           Splice(ty.start, ty.end, surface.match_case(x, ty.text))]  # fmt: skip
                    c = _realise(ctx, "swap-att", g, sps, lexical=[(x, y, "a")],
                                 expect=[("attribute", a.name, y), ("attribute", b.name, x)])  # fmt: skip
                    if c:
                        out.append(c)
    return out


def _agreeing_verb(tok: surface.Token, plural: bool) -> str | None:
    """The verb right after a subject whose number changed, made to agree ('is' -> 'are', 'sits' -> 'sit')."""
    w = tok.lower
    if w in surface.AGREEMENT:
        return surface.agree(tok.text, plural)
    if w in _PREPOSITIONS or w.endswith(("ing", "ed")) or not w.isalpha():
        return None
    if plural and w.endswith("s") and not w.endswith("ss"):
        base = [b for b in lexicon.morphy(w, "v") if b != w]
        return surface.match_case(base[0], tok.text) if base else None
    if not plural and lexicon.is_lemma(w, "v") and not lexicon.is_lemma(w, "n"):
        return surface.match_case(surface.third_person(w), tok.text)
    return None


def _agreement_splices(ctx: Context, head_index: int, plural: bool) -> list[Splice]:
    """Make the finite verb of a subject whose number changed agree: the next word ('sits'), or the first
    'is/are/has/have/was/were' within a few words ('a woman in a sari is ...')."""
    toks = ctx.tokens
    if head_index + 1 < len(toks):
        verb = _agreeing_verb(toks[head_index + 1], plural)
        if verb is not None:
            return [Splice(toks[head_index + 1].start, toks[head_index + 1].end, verb)]
    for t in toks[head_index + 2 : head_index + 7]:
        if t.lower in (",", "and", "while", "as", "that", "who", "which") or t.lower.endswith("ing"):
            break
        if t.lower in surface.AGREEMENT:
            return [Splice(t.start, t.end, surface.agree(t.text, plural))]
    return []


# --- count --------------------------------------------------------------------------------------------------------
def count(ctx: Context) -> list[Candidate]:
    out = []
    for k, obj in enumerate(ctx.targets):
        try:
            ph = ctx.phrase(k)
        except Unreliable:
            ctx.reject("count", checks.UNRELIABLE)
            continue
        qwords = [t.lower for t in ph.quantity]
        if checks.vague_quantity(qwords):
            ctx.reject("count", checks.VAGUE)
            continue
        if not ph.quantity or not wc.is_number_word(qwords[-1]):
            continue  # no explicit count: 'a dog', bare plurals, 'the dog'
        if "of" in qwords:
            ctx.reject("count", checks.VAGUE)
            continue
        if wc.noun_class(obj.name) in ("room", "outdoor") or obj.name in wc.MASS_NOUNS:
            continue  # 'in two kitchens', 'two skies': scenes and masses are not counted
        if wc.noun_class(obj.name) is None and lexicon.lexname(obj.name, "n") not in wc.COUNTABLE_LEXNAMES:
            continue  # 'a view', 'a day': not countable things in the picture
        qtok = ph.quantity[-1]
        n = wc.number_value(qtok.text)
        if n is None or (n == 1) == ph.plural:
            ctx.reject("count", checks.UNRELIABLE)  # number and noun disagree: the parse is off here
            continue
        for m in (n + 1, n - 1, n + 2):
            if m < 1 or m > 12 or m == n:
                continue
            word = str(m) if qtok.text.isdigit() else wc.NUMBER_NAMES[m]
            plural = m > 1
            splices = [Splice(qtok.start, qtok.end, surface.match_case(word, qtok.text))]
            g = ctx.graph.copy()
            g.objects[k].count = m
            if plural != ph.plural:
                head = ph.head
                form = surface.match_case(surface.noun_form(obj.name, plural), head.text)
                splices.append(Splice(head.start, head.end, form, {k: (0, len(form))}))
                splices.extend(_agreement_splices(ctx, ph.head_index, plural))
            # each direction about as often as the other: 'two' -> 'three' only in proportion to how often the
            # captions write 'three' against 'two', so no number is mostly found in negatives
            c = _realise(ctx, "count", g, splices, expect=[("count", obj.name, m)],
                         keep=ctx.corpus.balance(ctx.corpus.numbers, qtok.lower, word.lower()))  # fmt: skip
            if c:
                out.append(c)
    return out


# --- add ----------------------------------------------------------------------------------------------------------
_ADDABLE_CLASSES = ("animal", "vehicle", "furniture", "sports", "tableware", "electronics", "food", "sign", "plant")


def add_obj(ctx: Context) -> list[Candidate]:
    """'... on a bench.' -> '... on a bench next to a dog.': only after the caption's last noun phrase, when it
    ends the caption, so the addition reads as part of the same sentence."""
    anchors = []
    for k, obj in enumerate(ctx.targets):
        if obj.span is None:
            continue
        try:
            anchors.append((ctx.phrase(k), k))
        except Unreliable:
            ctx.reject("add-obj", checks.UNRELIABLE)
    if not anchors:
        return []
    ph, k = max(anchors, key=lambda x: x[0].end)
    rest = ctx.caption[ph.end :].strip()
    if rest not in ("", ".", "!") or wc.noun_class(ctx.graph.objects[k].name) in ("room", "outdoor"):
        return []
    present = {o.name for o in ctx.graph.objects}
    by_name = ctx.corpus.tails_by_name()
    if by_name:
        return _add_obj_from_tails(ctx, ph, k, present, by_name)
    pool = [w for c in _ADDABLE_CLASSES for w in wc.NOUN_CLASSES[c]]
    pool += [w for w in ctx.pool if w not in pool and " " not in w and w not in wc.MASS_NOUNS
             and wc.noun_class(w) is None and lexicon.lexname(w, "n") in ("noun.animal", "noun.artifact")]  # fmt: skip
    # prefer things seen with these nouns elsewhere in the corpus: 'a plate next to a fork', not '... a van'
    cooc = {w: sum(ctx.corpus.cooccur.get(p, Counter()).get(w, 0) for p in present) for w in pool}
    if any(cooc.values()):
        pool = [w for w in pool if cooc[w] > 0]
    out = []
    for new in pool:
        if new in present or any(checks.lexical_relation(p, new, "n") for p in present):
            continue
        art = surface.indefinite_article(new)
        ins = f" next to {art} {new}"
        g = ctx.graph.copy()
        g.objects.append(SGObject(name=new, attributes=[], count=None))
        g.relations.append(Relation(k, "next to", len(g.objects) - 1))
        head_at = len(ins) - len(new.split()[-1])
        full = ctx.caption[ph.start : ph.end] + ins
        heads = {k: (ph.head.start - ph.start, ph.head.end - ph.start),
                 len(g.objects) - 1: (len(full) - len(ins) + head_at, len(full))}  # fmt: skip
        sp = Splice(ph.start, ph.end, full, heads)
        c = _realise(ctx, "add-obj", g, [sp], new_words=[new], new_nouns=True, expect=[("object", new)],
                     weight=1.0 + cooc.get(new, 0))  # fmt: skip
        if c:
            out.append(c)
    return out


def _add_obj_from_tails(ctx: Context, ph: locate.Phrase, k: int, present: set[str], by_name) -> list[Candidate]:
    """Append a relation phrase that ends another caption of the corpus ('... a bench' + ' above a white ball'):
    the negative then reads like the dataset's own captions, so its wording does not give it away."""
    out = []
    cooc = ctx.corpus.cooccur
    for name in sorted(by_name):
        if name in present or name in wc.MASS_NOUNS or wc.noun_class(name) in ("room", "outdoor", "person", "role"):
            continue
        if any(checks.lexical_relation(p, name, "n") for p in present):
            continue
        w = 1.0 + sum(cooc.get(p, Counter()).get(name, 0) for p in present)
        for t in by_name[name][:3]:
            g = ctx.graph.copy()
            g.objects.append(SGObject(name=name, attributes=list(t.attributes), count=None))
            g.relations.append(Relation(k, t.predicate, len(g.objects) - 1))
            base = ctx.caption[ph.start : ph.end] + " "
            full = base + t.text
            heads = {k: (ph.head.start - ph.start, ph.head.end - ph.start),
                     len(g.objects) - 1: (len(base) + t.head[0], len(base) + t.head[1])}  # fmt: skip
            c = _realise(ctx, "add-obj", g, [Splice(ph.start, ph.end, full, heads)], new_words=[name], new_nouns=True,
                         expect=[("object", name)], weight=w)  # fmt: skip
            if c:
                out.append(c)
    return out


ANIMAL_COLOURS = ("brown", "black", "white", "gray")
# Colours `add-att` inserts (hue and metal words such as 'beige' or 'golden' are read, never added).
ADDED_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray",
                 "silver", "tan")  # fmt: skip
_ARTIFACT_CLASSES = ("vehicle", "furniture", "clothing", "sports", "tableware", "electronics", "structure", "sign")


def _colour_palette(name: str, adding: bool = True) -> tuple[str, ...]:
    """Colours a caption could plausibly give this noun: any for artifacts (and rooms, when replacing a colour
    the caption gave), coat colours for animals, none for food, plants, people, skies and mirrors ('a blue
    grass' is a giveaway to a text-only model)."""
    cls = wc.noun_class(name)
    lex = lexicon.lexname(name, "n")
    if name in wc.COLOURLESS:
        return ()
    if not adding and cls == "room":
        return ADDED_COLOURS
    if cls == "animal" or (cls is None and lex == "noun.animal"):
        return ANIMAL_COLOURS
    if cls in _ARTIFACT_CLASSES or (cls is None and lex == "noun.artifact"):
        return ADDED_COLOURS
    return ()


def add_att(ctx: Context) -> list[Candidate]:
    out = []
    used = {a for o in ctx.graph.objects for a in o.attributes}
    for k, obj in enumerate(ctx.targets):
        palette = _colour_palette(obj.name)
        if not palette or any(wc.attribute_class(a) == "colour" or a in wc.COLOURISH for a in obj.attributes):
            continue
        try:
            ph = ctx.phrase(k)
        except Unreliable:
            ctx.reject("add-att", checks.UNRELIABLE)
            continue
        # adjective order: size and state words before the colour, material and noun modifiers after it
        if wc.noun_class(obj.name) in ("room", "outdoor"):
            continue
        if any(t.lower in wc.COLOURISH or wc.attribute_class(t.lower) == "colour"
               for t in ctx.tokens[max(0, ph.first_index - 2) : ph.head_index]):  # fmt: skip
            continue
        i = ph.first_index
        while i < ph.head_index and wc.attribute_class(ctx.tokens[i].lower) in ("size", "state"):
            i += 1
        at = ctx.tokens[i].start
        for colour in palette:
            if colour in used:
                continue
            g = ctx.graph.copy()
            g.objects[k].attributes.insert(0, colour)
            word = colour + " "
            if at == 0:
                continue  # a caption starting with the bare noun: no article to agree, rare; skip
            sp = Splice(at, at, word)
            c = _realise(ctx, "add-att", g, [sp], new_words=[colour], expect=[("attribute", obj.name, colour)])
            if c:
                out.append(c)
    return out


BUILDERS: dict[str, Callable[[Context], list[Candidate]]] = {
    "replace-obj": replace_obj,
    "replace-att": replace_att,
    "replace-rel": replace_rel,
    "swap-obj": swap_obj,
    "swap-att": swap_att,
    "count": count,
    "add-obj": add_obj,
    "add-att": add_att,
}
