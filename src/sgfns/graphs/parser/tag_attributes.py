"""spaCy's attribute ruler (fine tag -> POS, morphology and a few lemmas) as table lookups, with the same output.

The English pipeline's `attribute_ruler` runs a `Matcher` over every token with 179 patterns; on captions it takes a
fifth of the pipeline's time. Almost every pattern tests one token for equal values (its tag, its lower-cased form,
its dependency label), so the patterns are indexed by the value their first token must have; the others (sets of
words, regular expressions, two-token patterns) are checked only where that index points. What the one-token
patterns give depends on the token alone (word, tag, label, space flag), so it is worked out once per kind of token
and remembered. Matches are applied exactly as the ruler applies them: sorted by the pattern's position in the list
(later patterns win), each setting the ruler's own attribute values on the token at the pattern's index.

`replace_attribute_ruler(nlp)` swaps the ruler for this component when every pattern is of a kind it handles, and
leaves the pipeline as it is otherwise. `tests/test_parser_tag_attributes.py` compares every token's tag, POS,
morphology, lemma and parse with the ruler's on sentences that reach each kind of pattern; docs/parser.md ("Speed:
the attribute ruler as table lookups") gives the comparison on 50,101 real captions and the timings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs  # the ruler's own setter: the same values set the same way

NAME = "sgfns_tag_attributes"
_COLUMNS = {"LOWER": 0, "TAG": 1, "DEP": 2, "IS_SPACE": 3}
_ARRAY_ATTRS = [LOWER, TAG, DEP, IS_SPACE]
_MEMO_MAX = 200_000  # kinds of token remembered; then the memo starts again
_SELECTIVE = (0, 2, 1, 3)  # a pattern is indexed by its word if it tests one, else its dependency, its tag, a flag


class Unsupported(ValueError):
    """A pattern this component cannot reproduce exactly: the ruler is kept."""


@dataclass(frozen=True)
class _Test:
    column: int
    equals: int | None = None  # a string's hash, or the flag's 0/1
    among: frozenset[int] | None = None
    not_among: frozenset[int] | None = None
    regex: re.Pattern | None = None
    seen: dict[int, bool] = field(default_factory=dict, compare=False, hash=False)  # regex result per string

    def ok(self, row: list[int], strings) -> bool:
        v = row[self.column]
        if self.equals is not None:
            return v == self.equals
        if self.among is not None:
            return v in self.among
        if self.not_among is not None:
            return v not in self.not_among
        hit = self.seen.get(v)
        if hit is None:
            hit = self.seen[v] = self.regex is not None and self.regex.search(strings[v]) is not None
        return hit


@dataclass(frozen=True)
class _Rule:
    position: int  # the pattern's place in the ruler's list: later ones win
    index: int  # which token of the match gets the attributes
    tokens: tuple[tuple[_Test, ...], ...]

    def target(self, start: int) -> int:
        return start + (self.index if self.index >= 0 else len(self.tokens) + self.index)

    def matches_at(self, rows: list[list[int]], start: int, strings) -> bool:
        if start + len(self.tokens) > len(rows):
            return False
        for k, tests in enumerate(self.tokens):
            row = rows[start + k]
            for t in tests:
                if not t.ok(row, strings):
                    return False
        return True


def _tests(spec: dict, strings) -> tuple[_Test, ...]:
    out = []
    for key, value in spec.items():
        if key not in _COLUMNS:
            raise Unsupported(f"attribute {key}")
        col = _COLUMNS[key]
        if isinstance(value, bool):
            out.append(_Test(col, equals=int(value)))
        elif key == "IS_SPACE":
            raise Unsupported(f"IS_SPACE = {value!r}")
        elif isinstance(value, str):
            out.append(_Test(col, equals=strings.add(value)))
        elif isinstance(value, dict) and set(value) == {"IN"}:
            out.append(_Test(col, among=frozenset(strings.add(v) for v in value["IN"])))
        elif isinstance(value, dict) and set(value) == {"NOT_IN"}:
            out.append(_Test(col, not_among=frozenset(strings.add(v) for v in value["NOT_IN"])))
        elif isinstance(value, dict) and set(value) == {"REGEX"}:
            out.append(_Test(col, regex=re.compile(value["REGEX"])))
        else:
            raise Unsupported(f"{key} = {value!r}")
    return tuple(out)


_Index = tuple[list[dict[int, list[_Rule]]], list[_Rule]]


class TagAttributes:
    """The attribute ruler's patterns indexed by the exact value their first token tests (`take(ruler)`)."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.attrs: list[dict] = []
        # one-token and longer patterns, each indexed by a value their first token must have, and the rest
        self.single: _Index = ([{}, {}, {}, {}], [])
        self.multi: _Index = ([{}, {}, {}, {}], [])
        self._seen: dict[tuple[int, ...], list[int]] = {}  # a token's (LOWER, TAG, DEP, IS_SPACE) -> positions

    def take(self, ruler) -> TagAttributes:
        """Index `ruler`'s patterns, its attribute values and target indices; `Unsupported` leaves self unchanged."""
        strings = self.vocab.strings
        single: _Index = ([{}, {}, {}, {}], [])
        multi: _Index = ([{}, {}, {}, {}], [])
        for pos, (pattern, target) in enumerate(zip(ruler.patterns, ruler.indices, strict=True)):
            for alternative in pattern["patterns"]:
                rule = _Rule(pos, target, tuple(_tests(spec, strings) for spec in alternative))
                index, anywhere = single if len(rule.tokens) == 1 else multi
                keyed = min((t for t in rule.tokens[0] if t.equals is not None or t.among),
                            key=lambda t: _SELECTIVE.index(t.column), default=None)  # fmt: skip
                if keyed is None:
                    anywhere.append(rule)
                    continue
                for value in [keyed.equals] if keyed.equals is not None else sorted(keyed.among):
                    index[keyed.column].setdefault(value, []).append(rule)
        self.attrs, self.single, self.multi, self._seen = list(ruler.attrs), single, multi, {}
        return self

    def __call__(self, doc: Doc) -> Doc:
        rows = doc.to_array(_ARRAY_ATTRS).tolist()
        strings = self.vocab.strings
        found = []
        for i, row in enumerate(rows):
            key = tuple(row)
            hits = self._seen.get(key)
            if hits is None:  # one-token patterns depend on the token alone: checked once per kind of token
                if len(self._seen) > _MEMO_MAX:
                    self._seen.clear()
                hits = self._seen[key] = [r.position for r in _candidates(self.single, row)
                                          if r.matches_at([row], 0, strings)]  # fmt: skip
            found.extend((p, i) for p in hits)
            for r in _candidates(self.multi, row):
                if r.matches_at(rows, i, strings):
                    found.append((r.position, r.target(i)))
        for position, i in sorted(found):
            set_token_attrs(doc[i], self.attrs[position])
        return doc


def _candidates(index: _Index, row: list[int]) -> list[_Rule]:
    """The patterns whose first token could be this one: those indexed by its word, tag, dependency or flag."""
    (by_lower, by_tag, by_dep, by_flag), anywhere = index
    out = anywhere
    for table, value in ((by_lower, row[0]), (by_tag, row[1]), (by_dep, row[2]), (by_flag, row[3])):
        rules = table.get(value)
        if rules:
            out = out + rules
    return out


@Language.factory(NAME)
def _make(nlp: Language, name: str) -> TagAttributes:
    return TagAttributes(nlp.vocab)


def replace_attribute_ruler(nlp: Language) -> bool:
    """Put a `TagAttributes` with the ruler's patterns in the ruler's place (under the ruler's name); False, with
    nothing changed, where the pipeline has no ruler or a pattern of a kind this component does not reproduce."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    try:
        TagAttributes(nlp.vocab).take(ruler)
    except Unsupported:
        return False
    names = nlp.pipe_names
    at = names.index("attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
    where = {"first": True} if at == 0 else {"after": names[at - 1]}
    nlp.add_pipe(NAME, name="attribute_ruler", **where).take(ruler)
    return True
