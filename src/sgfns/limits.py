"""Bounds on what one input may cost: a caption or query longer than this is refused, not parsed.

Parsing, negative generation and query encoding grow with the length of a text (the negative generator faster
than linearly); a bound keeps every command's time per input predictable. Real captions are far shorter (COCO and
Flickr30K captions stay under 300 characters), so the bound only stops pasted documents and runaway lines."""

from __future__ import annotations

from sgfns.errors import UserError

MAX_TEXT_CHARS = 1000


def check_text_length(text: str, where: str, what: str = "caption") -> str:
    """`text` unchanged, or a UserError naming `where` (file:line, a key, "query") and the bound."""
    if len(text) > MAX_TEXT_CHARS:
        raise UserError(
            f"{where}: {what} of {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,} (split it or shorten it)"
        )
    return text
