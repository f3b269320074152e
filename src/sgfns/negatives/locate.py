"""Find the words of a graph element in its caption: an object's noun phrase, an attribute word, a predicate.

The parser gives each text object the character span of its head word; attributes and predicates carry no span,
so they are found next to the spans. When an element cannot be found unambiguously the parse of that part of
the caption is treated as unreliable and no negative is made from it (a validity check,
docs/method.md#validity-checks)."""

from __future__ import annotations

from dataclasses import dataclass

from sgfns.graphs.types import SceneGraph, SGObject
from sgfns.text import inflection as surface
from sgfns.text import lexicon
from sgfns.text.inflection import Token
from sgfns.text.wordclasses import VAGUE_QUANTIFIERS, is_number_word, is_worn

DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "his", "her", "their", "its", "my",
                         "your", "our", "some", "one"})  # fmt: skip
# Tokens that end a noun phrase when scanning left from its head.
_NP_STOP = frozenset({",", ".", "and", "or", "with", "of", "on", "in", "at", "by", "is", "are", "was", "were", "to",
                      "from", "for", "next", "near", "while", "as", "has", "have", "that", "who", "which"})  # fmt: skip
# Adjectives in WordNet that are also words of place or quantity: never a dropped modifier of the object.
NOT_MODIFIERS = frozenset({"next", "close", "near", "far", "left", "right", "top", "front", "back", "side", "other",
                           "another", "outside", "inside", "away", "together", "around", "up", "down", "out",
                           "off", "over", "while", "as", "who", "which", "that"})  # fmt: skip
# Words that may stand between a verb of posture or motion and its preposition and read after any such verb
# ('standing close together behind', 'sitting alone near'); not 'fast' or 'high', which only fit some.
BODY_NEUTRAL_ADVERBS = frozenset({"together", "close", "closely", "alone", "barefoot", "quietly", "happily",
                                  "patiently", "calmly", "idly", "side", "by", "both", "all", "around", "nearby",
                                  "outdoors", "indoors", "there", "here"})  # fmt: skip
# Prepositions that open a phrase of place between a verb and its own preposition ('lies on a bench with his dog'):
# static ones only, which read after any posture ('runs across stones near the water' -> 'sits across stones': no).
_PHRASE_PREPOSITIONS = frozenset({"on", "in", "at", "by", "near", "under", "behind", "beside", "inside", "outside",
                                  "atop", "with"})  # fmt: skip
_PREDICATIVE = frozenset({"is", "are", "was", "were", "looks", "look", "seems", "appears"})


class Unreliable(Exception):
    """The caption's words do not match the parsed graph here; no edit is made from this element."""


@dataclass(frozen=True)
class Phrase:
    """An object's noun phrase: [start, end) character range of modifiers + head, its head token, and the
    determiner/quantity tokens just left of it."""

    start: int
    end: int
    head: Token
    head_index: int
    first_index: int
    plural: bool
    det: Token | None
    quantity: list[Token]


def head_token(text: str, tokens: list[Token], obj: SGObject) -> tuple[int, Token]:
    """The token at the object's span, checked to be (an inflection of) the object's name."""
    if obj.span is None:
        raise Unreliable(f"object '{obj.name}' has no span")
    s, e = obj.span
    idx = [i for i, t in enumerate(tokens) if t.start < e and t.end > s]
    if len(idx) != 1:
        # a multiword head ("hot dog") may span several tokens: take the last
        if not idx:
            raise Unreliable(f"span {obj.span} of '{obj.name}' covers no word")
    i = idx[-1]
    tok = tokens[i]
    last = obj.name.split()[-1].lower()
    forms = {last, surface.pluralize(last).lower()}
    if "-" in last and len(idx) > 1:  # "t-shirt" is three tokens: the whole word, at its first token
        parts = tokens[idx[0] : i + 1]
        whole = Token(text[parts[0].start : tok.end], parts[0].start, tok.end)
        if whole.lower in forms and all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False)):
            return idx[0], whole
    if tok.lower not in forms and last not in lexicon.morphy(tok.lower, "n"):
        raise Unreliable(f"span word '{tok.text}' is not a form of '{obj.name}'")
    return i, tok


def noun_phrase(text: str, tokens: list[Token], obj: SGObject) -> Phrase:
    """Modifiers (attributes, other words of a multiword name) + head, scanning left from the head."""
    i, head = head_token(text, tokens, obj)
    name_words = obj.name.lower().split()[:-1]
    attr_words = {w for a in obj.attributes for w in a.lower().split()}
    first = i
    j = i - 1
    while j >= 0:
        w = tokens[j].lower
        if w in name_words or w in attr_words:
            first = j
            j -= 1
            continue
        if w == "-" and j - 1 >= 0 and j + 1 <= i:  # "black-and-white", "polka-dot"
            j -= 1
            continue
        break
    det = None
    quantity: list[Token] = []
    k = first - 1
    while k >= 0 and len(quantity) < 4:
        w = tokens[k].lower
        if w in _NP_STOP and w != "of":
            break
        if w in DETERMINERS or is_number_word(w) or w in VAGUE_QUANTIFIERS or w in ("of", "a", "few", "lot"):
            quantity.insert(0, tokens[k])
            k -= 1
            continue
        break
    while quantity and quantity[0].lower == "of":  # 'left of a ball': a preposition, not 'a group of'
        quantity.pop(0)
    if quantity and quantity[-1].lower in DETERMINERS | {"a", "an"}:
        det = quantity[-1]
    elif quantity:
        det = quantity[-1]
    plural = surface.is_plural_form(head.text, obj.name)
    if not plural and head.lower in surface.INVARIANT_PLURALS:  # 'sheep are', 'two deer', 'a herd of sheep'
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        num = [(is_number_word(t.lower) and t.lower not in ("one", "1")) or t.lower in VAGUE_QUANTIFIERS
               for t in quantity]  # fmt: skip
        plural = nxt in ("are", "were", "have") or any(num)  # a bare 'sheep' stays singular: 'sheep grazing by itself'
    return Phrase(tokens[first].start, head.end, head, i, first, plural, det, quantity)


def attribute_token(text: str, tokens: list[Token], obj: SGObject, attribute: str) -> Token:
    """The word of `attribute` modifying the object: just left of the head in its noun phrase, or after
    'is'/'are' right of it ('the dog is brown')."""
    words = attribute.lower().split()
    if len(words) != 1:
        raise Unreliable(f"multiword attribute '{attribute}'")
    i, _ = head_token(text, tokens, obj)
    hits = []
    j = i - 1
    while j >= 0 and i - j <= 4:
        w = tokens[j].lower
        if w in _NP_STOP or w in DETERMINERS or is_number_word(w):
            break
        if w == words[0]:
            hits.append(tokens[j])
        elif "-" in words[0] and (joined := _hyphenated(text, tokens, j, words[0])) is not None:
            hits.append(joined)  # 'middle-aged' is three tokens
        j -= 1
    if not hits and i + 2 < len(tokens) and tokens[i + 1].lower in _PREDICATIVE:
        for k in range(i + 2, min(i + 5, len(tokens))):
            if tokens[k].lower == words[0]:
                hits.append(tokens[k])
                break
            if tokens[k].lower not in ("very", "all", "mostly", "bright", "dark", "and", ","):
                break
    if len(hits) != 1:
        raise Unreliable(f"attribute '{attribute}' of '{obj.name}' not found once near its head")
    return hits[0]


def _hyphenated(text: str, tokens: list[Token], j: int, word: str) -> Token | None:
    """The hyphenated `word` written with no spaces in the tokens ending at `j`, as one token, else None."""
    n = 2 * word.count("-") + 1
    parts = tokens[j - n + 1 : j + 1] if j - n + 1 >= 0 else []
    if len(parts) != n or any(a.end != b.start for a, b in zip(parts, parts[1:], strict=False)):
        return None
    if "".join(t.lower for t in parts) != word:
        return None
    return Token(text[parts[0].start : parts[-1].end], parts[0].start, parts[-1].end)


def predicate_tokens(text: str, tokens: list[Token], graph: SceneGraph, rel_index: int) -> list[Token]:
    """The predicate's words between the subject's and the object's heads (the last match before the object).

    Each predicate word matches a token exactly or as an inflection ('ride' ~ 'riding'); an auxiliary 'be'
    before it is left in place."""
    rel = graph.relations[rel_index]
    s_obj, o_obj = graph.objects[rel.subject], graph.objects[rel.object]
    si, _ = head_token(text, tokens, s_obj)
    oi, _ = head_token(text, tokens, o_obj)
    if si >= oi:
        raise Unreliable("object precedes subject in the caption")
    words = rel.predicate.lower().split()
    if words and words[0] == "be" and len(words) > 1:
        words = words[1:]
    forms = [words] + ([[words[0], "side", "of"]] if words in (["left", "of"], ["right", "of"]) else [])
    matches = []
    for form in forms:  # 'on the right side of' says 'right of'
        n = len(form)
        for start in range(si + 1, oi - n + 1):
            seg = tokens[start : start + n]
            if all(_word_matches(t.lower, w) for t, w in zip(seg, form, strict=True)):
                matches.append((start, seg))
        if matches:
            break
    if not matches:
        raise Unreliable(f"predicate '{rel.predicate}' not found between its subject and object")
    start, seg = matches[-1]
    # the words after the predicate up to the object's phrase must be determiners/modifiers only
    between = tokens[start + n : oi]
    _check_modifiers(between, o_obj, rel.predicate)
    return seg


def _check_modifiers(between: list[Token], o_obj: SGObject, predicate: str) -> None:
    """The words between a predicate and its object's head are determiners and modifiers of that object only:
    its attributes, a quantity, or words the parser dropped that can only be modifiers ('a wet rain soaked
    sidewalk', 'a snow - covered tree', 'a body of water'): adjectives, participles and nouns of one noun phrase,
    never a preposition, no second determiner or list after a noun ('a bench watches a ball', 'in a blue coat and
    blue heels'), no -ing word that is a verb ('in white outfit holding a flag') and nothing worn ('in winter gear
    stand': the parse took a verb for the object)."""
    name_words = set(o_obj.name.lower().split())
    obj_mods = name_words | {w for a in o_obj.attributes for w in a.lower().split()}
    noun_seen = False
    for k, t in enumerate(between):
        w = t.lower
        if noun_seen and (w in DETERMINERS and between[k - 1].lower != "of" or w in ("and", ",")):
            raise Unreliable(f"'{t.text}' opens another noun phrase before the object of '{predicate}'")
        adjective = lexicon.is_lemma(w, "a")
        # a garment before the object ('in winter gear stand'); an adjective is none ('blue': WordNet's 'blues')
        if w not in name_words and not adjective and is_worn(w):
            raise Unreliable(f"'{t.text}' is worn: '{predicate}' is about wearing")
        if w in DETERMINERS or w in obj_mods or is_number_word(w) or w in VAGUE_QUANTIFIERS or w in (
                "of", "-", "and", "very"):  # fmt: skip
            continue
        if not w.isalpha() or w in _NP_STOP or w in NOT_MODIFIERS:
            raise Unreliable(f"'{t.text}' between predicate '{predicate}' and its object")
        if adjective or w.endswith("ed") and lexicon.morphy(w, "v"):
            continue
        if lexicon.morphy(w, "n") and not (w.endswith("ing") and lexicon.morphy(w, "v")):
            noun_seen = True  # a noun modifying the head: 'a snow covered field', 'a park bench'
            continue
        raise Unreliable(f"'{t.text}' between predicate '{predicate}' and its object")


def split_predicate(text: str, tokens: list[Token], graph: SceneGraph, rel_index: int) -> tuple[Token, list[Token]]:
    """(verb token, preposition tokens) of a verb + preposition predicate written apart: the verb between subject
    and object, the preposition right before the object's phrase, and between them no other preposition or verb
    ('three zebras standing close together behind a fence'). Used to change the verb alone."""
    rel = graph.relations[rel_index]
    s_obj, o_obj = graph.objects[rel.subject], graph.objects[rel.object]
    si, _ = head_token(text, tokens, s_obj)
    oi, _ = head_token(text, tokens, o_obj)
    words = rel.predicate.lower().split()
    if si >= oi or len(words) < 2:
        raise Unreliable(f"predicate '{rel.predicate}' is not a verb and a preposition after its subject")
    verbs_at = [i for i in range(si + 1, oi) if surface.is_verb_lemma_of(tokens[i].lower, words[0])]
    if len(verbs_at) != 1:
        raise Unreliable(f"verb '{words[0]}' not found once between its subject and object")
    v = verbs_at[0]
    tail = words[1:]
    n = len(tail)
    ends = [j for j in range(v + 1, oi - n + 1) if [t.lower for t in tokens[j : j + n]] == tail]
    if not ends:
        raise Unreliable(f"'{' '.join(tail)}' not found before the object")
    j = ends[-1]
    _check_modifiers(tokens[j + n : oi], o_obj, rel.predicate)
    if tokens[v + 1 : j]:  # the objects' heads are looked for only when words stand between
        _check_between_verb_and_preposition(tokens[v + 1 : j], v + 1, _head_indices(text, tokens, graph), words[0])
    return tokens[v], tokens[j : j + n]


def _head_indices(text: str, tokens: list[Token], graph: SceneGraph) -> set[int]:
    """The token index of every object's head word that can be found."""
    out = set()
    for o in graph.objects:
        try:
            out.add(head_token(text, tokens, o)[0])
        except Unreliable:
            continue
    return out


def _check_between_verb_and_preposition(between: list[Token], first: int, heads: set[int], verb: str) -> None:
    """The words between a verb and its preposition written apart are adverbs that read after any verb of posture
    or motion ('standing close together behind'), or whole phrases of place whose noun the graph names ('lies on a
    park bench with his dog'): the verb alone can then be changed. 'running fast', 'jumping high' would not read
    after 'sitting'; a second verb, a clause or a list ('and', ',') belongs to something else."""
    k = 0
    while k < len(between):
        t = between[k]
        if t.lower in BODY_NEUTRAL_ADVERBS:
            k += 1
            continue
        if t.lower in _PHRASE_PREPOSITIONS:
            m = k + 1
            while m < len(between) and first + m not in heads:
                w = between[m].lower
                if not w.isalpha() or w in _NP_STOP or w in NOT_MODIFIERS or w.endswith("ing"):
                    break
                m += 1
            if m < len(between) and first + m in heads:
                k = m + 1
                continue
        raise Unreliable(f"'{t.text}' between the verb '{verb}' and its preposition")


def _word_matches(token: str, word: str) -> bool:
    if token == word:
        return True
    return surface.is_verb_lemma_of(token, word)
