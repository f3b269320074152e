"""What one request may cost: body size (checked on the header and on the bytes as they arrive), query length, k,
photo size, and how many searches run or wait at once.

Searches run in a few worker threads (`batcher.SearchQueue`, which answers waiting text searches together); at
most `workers + queue` are admitted, so a burst waits its turn instead of multiplying the model's working memory,
and the request past that gets 503 at once. Health and image routes do not queue behind searches."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sgfns.index.searcher import MAX_K
from sgfns.limits import MAX_TEXT_CHARS
from sgfns_app.serve.batcher import MAX_BATCH


@dataclass
class Limits:
    max_body_bytes: int = 10 << 20  # an uploaded photo and its form
    max_query_chars: int = MAX_TEXT_CHARS  # the bound every command applies to a caption or query
    max_k: int = MAX_K
    max_photo_pixels: int = 40_000_000  # width x height, checked from the header before decoding
    max_photo_side: int = 10_000
    workers: int = 1  # search threads (each uses the process's torch threads)
    queue: int = 64  # searches waiting beyond those; more get 503
    max_batch: int = MAX_BATCH  # text searches answered by one call at most (`batcher.SearchQueue`)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: a request whose body is (declared or turns out) larger than `max_bytes` gets 413 before
    any route reads it whole."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _error(send, 413, f"request body larger than {self.max_bytes} bytes")
            return
        seen, started = 0, False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await _error(send, 413, f"request body larger than {self.max_bytes} bytes")


async def _error(send, status: int, message: str) -> None:
    body = json.dumps({"status": status, "error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
