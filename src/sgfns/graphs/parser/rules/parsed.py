"""A spaCy parse copied once into plain Python objects, which is what the rules read.

spaCy's `Token` is a view: each `tok.head`, `doc[i]` or child it yields is a new object built in C, and each
string attribute (`dep_`, `pos_`, `lower_`) is a look-up in the vocabulary. The rules ask a caption's tokens for
their heads and children a few hundred times, so they read a copy instead: `Parsed(doc)` holds one `Word` per token
with the attributes the rules use, heads and children as references. A `Word` answers like a `Token` (same names,
children in document order, `subtree` and `sent` as spaCy defines them) and `Parsed` like a `Doc` (`len`, indexing,
slices with `.text`), so the rules are written against spaCy's interface and give the same graph on either."""

from __future__ import annotations

from spacy.attrs import DEP, HEAD, IDX, IS_ALPHA, IS_PUNCT, LIKE_NUM, LOWER, ORTH, POS, SPACY, TAG

_ATTRS = [HEAD, DEP, POS, TAG, LOWER, ORTH, IDX, SPACY, IS_ALPHA, IS_PUNCT, LIKE_NUM]
_STRINGS: dict[int, str] = {}  # string id -> string; ids are hashes of the strings, the same in every vocabulary
_STRINGS_MAX = 500_000  # a long-running service sees ever new words: the table starts again past this size


def _strings(store, keys: list[int]) -> list[str]:
    """The strings of a column of string ids."""
    if len(_STRINGS) > _STRINGS_MAX:
        _STRINGS.clear()
    get = _STRINGS.get
    out = [get(k) for k in keys]
    for j, s in enumerate(out):
        if s is None:
            out[j] = _STRINGS[keys[j]] = store[keys[j]]
    return out


class Word:
    """One token of a `Parsed` caption (the subset of spaCy's `Token` the rules read)."""

    __slots__ = ("doc", "i", "text", "lower_", "dep_", "pos_", "tag_", "idx", "whitespace_", "is_alpha", "is_punct",
                 "like_num", "head", "children")  # fmt: skip

    @property
    def subtree(self):
        """The token and everything under it, in spaCy's order: left children's subtrees, itself, right ones'."""
        for c in self.children:
            if c.i < self.i:
                yield from c.subtree
        yield self
        for c in self.children:
            if c.i > self.i:
                yield from c.subtree

    @property
    def left_edge(self) -> Word:
        """The leftmost word of the subtree."""
        return self.doc.words[min(w.i for w in self.subtree)]

    @property
    def sent(self) -> Span:
        """The sentence the token is in (spaCy's sentence boundaries of the parse)."""
        return self.doc.sentence_of(self.i)

    def __repr__(self) -> str:
        return self.text


class Span:
    """Consecutive words of a `Parsed` caption: iterable, with the caption's `text` between them."""

    __slots__ = ("doc", "start", "end")

    def __init__(self, doc: Parsed, start: int, end: int):
        self.doc, self.start, self.end = doc, start, end

    def __iter__(self):
        return iter(self.doc.words[self.start : self.end])

    def __len__(self) -> int:
        return max(self.end - self.start, 0)

    def __getitem__(self, k: int) -> Word:
        return self.doc.words[self.start : self.end][k]

    @property
    def text(self) -> str:
        if self.end <= self.start:
            return ""
        words = self.doc.words
        last = words[self.end - 1]
        return self.doc.text[words[self.start].idx : last.idx + len(last.text)]


class Parsed:
    """A caption's spaCy parse as plain objects (see the module docstring)."""

    __slots__ = ("words", "text", "_spacy_doc")

    def __init__(self, doc):
        self._spacy_doc = doc
        n = len(doc)
        # one C call for every attribute of every token, read column by column; heads are relative offsets, stored
        # unsigned (they wrap below zero)
        cols = doc.to_array(_ATTRS).T.tolist() if n else [[] for _ in _ATTRS]
        heads = [(i + h) % 2**64 for i, h in enumerate(cols[0])]
        deps, poss, tags, lowers, orths = (_strings(doc.vocab.strings, c) for c in cols[1:6])
        words = []
        for i, head, dep, pos, tag, lower, orth, idx, space, alpha, punct, num in zip(
                range(n), heads, deps, poss, tags, lowers, orths, *cols[6:], strict=True):  # fmt: skip
            w = Word()
            w.doc, w.i, w.idx, w.children, w.head = self, i, idx, [], head  # head: an index until every word exists
            w.text, w.lower_, w.dep_, w.pos_, w.tag_ = orth, lower, dep, pos, tag
            w.whitespace_ = " " if space else ""
            w.is_alpha, w.is_punct, w.like_num = alpha == 1, punct == 1, num == 1
            words.append(w)
        for w in words:  # children in document order, as spaCy yields them
            w.head = words[w.head]
            if w.head is not w:
                w.head.children.append(w)
        self.words = words
        self.text = "".join(w.text + w.whitespace_ for w in words)  # spaCy's `doc.text` walks its tokens

    def char_span(self, start: int, end: int, alignment_mode: str = "expand") -> Span | None:
        """The words the characters [start, end) touch (spaCy's "expand" alignment), None where they touch none."""
        if alignment_mode != "expand":
            raise ValueError("only the 'expand' alignment is supported")
        inside = [w.i for w in self.words if w.idx < end and w.idx + len(w.text) > start]
        return Span(self, inside[0], inside[-1] + 1) if inside else None

    def sentence_of(self, i: int) -> Span:
        s = self._spacy_doc[i].sent  # seldom asked: spaCy's own sentence boundaries
        return Span(self, s.start, s.end)

    def __len__(self) -> int:
        return len(self.words)

    def __iter__(self):
        return iter(self.words)

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self.words))
            if step != 1:
                raise ValueError("a step is not supported")
            return Span(self, start, stop)
        return self.words[key]
