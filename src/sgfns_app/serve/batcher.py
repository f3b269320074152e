"""The service's search queue: bounded admission, and concurrent text searches answered together.

Why batch: a text search's cost is mostly per call, not per query (the parser's pipeline, one forward of the text
encoder, one pass over the gallery's first stage, the re-rank over images that shortlists share), so 32 waiting
queries answered by one `Searcher.texts` call cost a fraction of 32 calls (docs/serve.md). Nothing waits to fill
a batch: a worker that comes free takes every text search waiting at that moment (at most `max_batch`), so a lone
query is answered at once and a burst is answered in a few large calls. Each answer is the one `Searcher.text`
gives for that query alone (tested); no answer is kept or reused.

At most `workers + queue` searches are admitted at once; the one past that gets `Busy` (503) immediately, so a
burst waits its turn instead of growing memory. Other searches (image -> captions, uploads) run one per call, in
arrival order with the text batches."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sgfns.index.searcher import Searcher

#: text searches answered by one call at most (the load benchmark's 32 clients fit one batch)
MAX_BATCH = 32


def _release_memory() -> None:
    """Hand the heap a batch freed back to the system (glibc's `malloc_trim`; elsewhere nothing). Why: a batch's
    temporaries (first-stage and re-rank blocks, tens of MB) are freed into the allocator's arenas, which keep
    them, so the service's resident memory would drift up to its largest batch's and stay there."""
    global _trim
    if _trim is None:
        try:
            _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


_trim: Callable[[int], int] | bool | None = None


class Busy(Exception):
    """More searches than the queue admits."""


@dataclass
class _Job:
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    text: tuple[str, int] | None = None  # (query, k) of a text search, batched with others
    call: Callable[[], Any] | None = None  # any other search, run alone


class SearchQueue:
    """`workers` threads answer admitted searches; `text(query, k)` is batched, `run(fn, *args)` runs alone.

    `render` (default: none) turns each answer into what the request returns, in the search thread: the service
    encodes its JSON there, so 32 answers of a batch are not encoded one after another on the event loop while
    health checks wait."""

    def __init__(self, searcher: Searcher, workers: int = 1, queue: int = 64, max_batch: int = MAX_BATCH,
                 render: Callable[[Any], Any] | None = None) -> None:  # fmt: skip
        self.searcher, self.max_batch = searcher, max(1, max_batch)
        self.render = render or (lambda x: x)
        self.slots = max(1, workers) + max(0, queue)
        self.pending = 0  # admitted and not answered; only touched on the event loop's thread
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"sgfns-search-{i}", daemon=True)
                         for i in range(max(1, workers))]  # fmt: skip
        for t in self._threads:
            t.start()

    async def text(self, query: str, k: int) -> dict[str, Any]:
        """`Searcher.text(query, k)`, answered together with the text searches waiting beside it."""
        return await self._submit(text=(query, k))

    async def run(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        """`fn(*args)` in a search thread, alone, under the same admission bound."""
        return await self._submit(call=lambda: fn(*args))

    async def _submit(self, **what: Any) -> Any:
        if self.pending >= self.slots:
            raise Busy
        loop = asyncio.get_running_loop()
        job = _Job(future=loop.create_future(), loop=loop, **what)
        self.pending += 1
        try:
            with self._ready:
                self._jobs.append(job)
                self._ready.notify()
            return await job.future
        finally:
            self.pending -= 1

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    # --- the worker threads -----------------------------------------------------------------------------------
    def _take(self) -> list[_Job] | None:
        """The next job, and with a text search every other text search waiting (up to `max_batch`)."""
        with self._ready:
            while not self._jobs and not self._closed:
                self._ready.wait()
            if self._closed:
                return None
            first = self._jobs.popleft()
            if first.text is None:
                return [first]
            batch, rest = [first], deque()
            while self._jobs and len(batch) < self.max_batch:
                job = self._jobs.popleft()
                (batch if job.text is not None else rest).append(job)
            self._jobs.extendleft(reversed(rest))  # the others keep their places
            return batch

    def _work(self) -> None:
        while (jobs := self._take()) is not None:
            jobs = [j for j in jobs if not j.future.cancelled()]  # a client that went away is not searched for
            if not jobs:
                continue
            if jobs[0].text is None:
                self._answer(jobs[0], jobs[0].call)
                continue
            try:
                answers = self.searcher.texts([j.text[0] for j in jobs], [j.text[1] for j in jobs])
            except Exception:  # noqa: BLE001 - some query failed: answer each alone, so the error is its own
                for j in jobs:
                    self._answer(j, lambda j=j: self.searcher.text(*j.text))
                continue
            for j, answer in zip(jobs, answers, strict=True):
                self._answer(j, lambda a=answer: a)
            del answers
            _release_memory()

    def _answer(self, job: _Job, fn: Callable[[], Any]) -> None:
        try:
            result, error = self.render(fn()), None
        except Exception as e:  # noqa: BLE001 - handed to the request that asked (a UserError is its 400)
            result, error = None, e
        self._settle(job, result, error)

    @staticmethod
    def _settle(job: _Job, result: Any, error: BaseException | None) -> None:
        def settle() -> None:
            if job.future.cancelled():
                return
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(result)

        try:
            job.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the event loop has closed (the service is stopping): nobody waits for it
            pass
