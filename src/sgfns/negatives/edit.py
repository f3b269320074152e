"""Apply character edits to a caption and move its graph's spans with them, fixing a/an at the edit boundaries.

A negative is the caption string and its scene graph edited *together*: every object keeps a span on its head
word in the new string, so nothing is re-parsed during training."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from sgfns.graphs.types import SceneGraph
from sgfns.text import inflection as surface
from sgfns.text.inflection import Token


@dataclass
class Splice:
    """Replace caption[start:end) by `text`. `heads` gives, for objects whose head word lies in the new text,
    the (start, end) of that head inside `text`."""

    start: int
    end: int
    text: str
    heads: dict[int, tuple[int, int]] = field(default_factory=dict)


class EditError(ValueError):
    """The splices overlap or would leave an object's span inside replaced text."""


def _fix_article(caption: str, tokens: list[Token], sp: Splice) -> Splice:
    """Extend a splice leftwards over a preceding 'a'/'an' and give it the article its new first word needs."""
    n_prev = bisect.bisect_right(tokens, sp.start, key=lambda t: t.end)  # tokens are in caption order
    if not n_prev or tokens[n_prev - 1].lower not in ("a", "an"):
        return sp
    art = tokens[n_prev - 1]
    gap = caption[art.end : sp.start]
    if gap.strip():
        return sp
    nxt = surface.first_token(sp.text) or caption[sp.end :].lstrip()
    if not nxt:
        return sp
    new_art = surface.match_case(surface.indefinite_article(nxt), art.text)
    if new_art == art.text:
        return sp
    prefix = new_art + gap
    heads = {k: (s + len(prefix), e + len(prefix)) for k, (s, e) in sp.heads.items()}
    return Splice(art.start, sp.end, prefix + sp.text, heads)


def apply(
    caption: str,
    graph: SceneGraph,
    splices: list[Splice],
    fix_articles: bool = True,
    tokens: list[Token] | None = None,
) -> tuple[str, SceneGraph]:
    """The edited caption and `graph` with every span recomputed in place.

    `graph` is the rule's own edited copy (names, attributes, relations changed) whose spans still point into the
    original caption; objects named in some splice's `heads` get their span from there. Moving the spans in place
    rather than in a second copy keeps a long caption's many candidates cheap. `tokens`
    (the caption's, when the caller has them) saves re-tokenising it for every candidate of a long caption."""
    tokens = surface.tokenize(caption) if tokens is None else tokens
    if fix_articles:
        splices = [_fix_article(caption, tokens, sp) for sp in splices]
    splices = sorted(splices, key=lambda s: s.start)
    for a, b in zip(splices, splices[1:], strict=False):
        if a.end > b.start:
            raise EditError("overlapping edits")
    out = []
    pos = 0
    new_starts = []
    for sp in splices:
        out.append(caption[pos : sp.start])
        new_starts.append(sum(len(x) for x in out))
        text = sp.text
        if sp.start == 0 and caption[:1].isupper():
            text = text[:1].upper() + text[1:]
        out.append(text)
        pos = sp.end
    out.append(caption[pos:])
    new_text = "".join(out)

    g = graph
    for k, obj in enumerate(g.objects):
        placed = False
        for sp, ns in zip(splices, new_starts, strict=True):
            if k in sp.heads:
                s, e = sp.heads[k]
                obj.span = (ns + s, ns + e)
                placed = True
                break
        if placed or obj.span is None:
            continue
        s, e = obj.span
        shift = 0
        for sp, _ns in zip(splices, new_starts, strict=True):
            if sp.end <= s:
                shift += len(sp.text) - (sp.end - sp.start)
            elif sp.start < e:
                raise EditError(f"object {k} '{obj.name}' has its span inside an edit")
        obj.span = (s + shift, e + shift)
    return new_text, g
