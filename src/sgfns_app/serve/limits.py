"""What one request may cost: body size (checked on the header and on the bytes as they arrive), query length, k,
photo size, and how many searches run or wait at once.

Searches run in a small pool of worker threads (`WorkQueue`); at most `workers + queue` are admitted, so a burst
waits its turn instead of multiplying the model's working memory, and the request past that gets 503 at once.
Health and image routes do not queue behind searches."""

from __future__ import annotations

import asyncio
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sgfns.index.searcher import MAX_K
from sgfns.limits import MAX_TEXT_CHARS


@dataclass
class Limits:
    max_body_bytes: int = 10 << 20  # an uploaded photo and its form
    max_query_chars: int = MAX_TEXT_CHARS  # the bound every command applies to a caption or query
    max_k: int = MAX_K
    max_photo_pixels: int = 40_000_000  # width x height, checked from the header before decoding
    max_photo_side: int = 10_000
    workers: int = 1  # searches at once (each uses the process's torch threads)
    queue: int = 64  # searches waiting beyond those; more get 503


class Busy(Exception):
    """More searches than the queue admits."""


class WorkQueue:
    """Run blocking search calls in `workers` threads with at most `queue` more waiting (else `Busy`)."""

    def __init__(self, workers: int, queue: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sgfns-search")
        self.slots = max(1, workers) + max(0, queue)
        self.pending = 0  # only touched on the event loop's thread

    async def run(self, fn, /, *args, **kwargs):
        if self.pending >= self.slots:
            raise Busy
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, functools.partial(fn, *args, **kwargs))
        finally:
            self.pending -= 1

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


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
