"""Reading scene-graph JSONL files (one graph per line), and the digest that ties a caption-graph file to its
captions. Used by the dataset loader and the caption-graph cache alike, so neither imports the other."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sgfns.errors import UserError, located
from sgfns.graphs.types import GraphError, SceneGraph
from sgfns.io import read_jsonl


def captions_sha256(captions: list[str]) -> str:
    """Digest naming the captions a caption-graph file belongs to (`captions_sha256` in `{split}_caps_sg.meta.json`).

    sha256 of the captions joined by newlines with one trailing newline, i.e. of a `\n`-terminated caps.txt."""
    return hashlib.sha256(("\n".join(captions) + "\n").encode("utf-8")).hexdigest()



def read_graphs(
    path: Path, expected: int, *, captions: list[str] | None = None, n_regions: int | None = None
) -> list[SceneGraph]:
    graphs: list[SceneGraph] = []
    for lineno, rec in read_jsonl(path):
        idx = lineno - 1
        if idx >= expected:
            raise located(path, lineno, f"more graphs than the {expected} expected")
        caption = captions[idx] if captions is not None else None
        try:
            graphs.append(SceneGraph.from_dict(rec, caption=caption, n_regions=n_regions))
        except GraphError as e:
            raise located(path, lineno, str(e)) from None
    if len(graphs) != expected:
        raise UserError(f"{path}: {len(graphs)} graphs but {expected} expected (one per line)")
    return graphs

