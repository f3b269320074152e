"""The backend interface: a parsed spaCy `Doc` in, a `SceneGraph` out.

A backend only turns a parse into a graph; loading the spaCy pipeline, batching, text clean-up and empty lines are
handled once by `CaptionParser`, so a second backend (a different rule set, a neural model) only writes `graph`."""

from __future__ import annotations

from typing import Protocol

from sgfns.graphs.types import SceneGraph


class GraphBackend(Protocol):
    name: str
    version: str  # changes whenever the rules change (part of the caption-graph cache key)

    def graph(self, doc) -> SceneGraph: ...
