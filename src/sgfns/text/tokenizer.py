"""The word tokenizer: lower-cased alphanumeric words with their character spans.

Spans matter: text scene-graph objects point at their head word by a character range, and the model gathers the
encoder states of the tokens inside it. Punctuation is dropped (the bi-GRU gains nothing from it on captions).
The name and version are saved in every run folder so a run is always re-read with the tokenizer it was trained
with."""

from __future__ import annotations

import re

TOKENIZER_NAME = "regex-lower"
TOKENIZER_VERSION = 1
_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """`[(token, start, end), ...]` with `text[start:end]` the token before lower-casing."""
    return [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    return [t for t, _, _ in tokenize(text)]


def span_to_tokens(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Token range `[a, b)` overlapping the character range `[start, end)`, or None when no token does."""
    hit = [i for i, (s, e) in enumerate(spans) if s < end and e > start]
    if not hit:
        return None
    return hit[0], hit[-1] + 1
