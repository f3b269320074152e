"""The caption parser, loaded on first use (spaCy takes seconds to load), remembering what it parsed so that
evaluating several runs on one split (the demo) parses each text once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sgfns.graphs.types import SceneGraph


class LazyParser:
    """Callable: `parse(texts) -> [SceneGraph]`; `.version` is the parser's version string."""

    def __init__(self, backend: str | None = None) -> None:
        self.backend = backend  # None: the default backend (`sgfns.graphs.parser.DEFAULT_BACKEND`)
        self._p = None
        self._memo: dict[str, Any] = {}

    @property
    def version(self) -> str:
        return self._load().version

    def _load(self):
        if self._p is None:
            from sgfns.graphs.parser import load_parser

            self._p = load_parser() if self.backend is None else load_parser(backend=self.backend)
        return self._p

    def __call__(self, texts: Iterable[str]) -> list[SceneGraph]:
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            self._memo.update(zip(todo, self._load().parse_batch(todo), strict=True))
        return [self._memo[t] for t in texts]

    parse_batch = __call__  # the parser interface the caption-graph cache calls

    def parse_fresh(self, texts: Iterable[str]) -> list[SceneGraph]:
        """Parse without remembering (a service's queries: remembering every distinct one would grow without
        bound, and each search is meant to parse its query)."""
        return self._load().parse_batch(list(texts))
