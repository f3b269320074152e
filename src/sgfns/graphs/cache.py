"""Caption graphs for a split: provided graphs when the data has them, else the parser's, cached
(docs/parser.md#caption-graph-cache-sgfnsgraphscachepy).

    graphs = caption_graphs_for(split)                      # auto: provided if present, else parsed (cached)
    graphs = caption_graphs_for(split, mode="parser")       # always the parser's (never overwrites provided ones)
    graphs = caption_graphs_for(split, mode="provided")     # error when the data has no provided graphs

The parser cache is `{split}_caps_sg.jsonl` + `{split}_caps_sg.meta.json` (`source: "parser@<version>"`,
`captions_sha256`) in the data folder; it is rebuilt when the parser version or the captions change. When the
data folder is not writable, or holds provided graphs, the cache goes to a user cache directory
(`$SGFNS_CACHE_DIR`, else `$XDG_CACHE_HOME/sgfns`, else `~/.cache/sgfns`) under `caption_graphs/<captions sha256>/`.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from sgfns.errors import UserError
from sgfns.graphs.io import captions_sha256, read_graphs
from sgfns.graphs.types import SceneGraph
from sgfns.io import atomic_write, read_json, write_json

log = logging.getLogger(__name__)

MODES = ("auto", "provided", "parser")
CHUNK = 2048


def user_cache_dir() -> Path:
    env = os.environ.get("SGFNS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "sgfns"


def _paths(folder: Path, name: str) -> tuple[Path, Path]:
    return folder / f"{name}_caps_sg.jsonl", folder / f"{name}_caps_sg.meta.json"


def _read_meta(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    meta = read_json(path)
    if not isinstance(meta, dict):
        raise UserError(f"{path}: expected a JSON object")
    return meta


def _load(graphs_path: Path, captions: list[str]) -> list[SceneGraph]:
    return read_graphs(graphs_path, len(captions), captions=captions)


def _is_provided(meta: dict | None, graphs_path: Path) -> bool:
    # A graph file without a meta file came from outside the parser (a converter or the user): treat as provided.
    return graphs_path.exists() and (meta is None or meta.get("source") == "provided")


def caption_graphs_for(split, mode: str = "auto", parser=None) -> list[SceneGraph]:
    """Caption graphs of a loaded split (`sgfns.data.dataset.Split`: uses its `root`, `name` and `captions`)."""
    if mode not in MODES:
        raise UserError(f"unknown caption-graph mode {mode!r}; expected one of {', '.join(MODES)}")
    root, name, captions = Path(split.root), split.name, list(split.captions)
    digest = captions_sha256(captions)
    graphs_path, meta_path = _paths(root, name)
    meta = _read_meta(meta_path)
    provided = _is_provided(meta, graphs_path)

    if mode in ("auto", "provided") and provided:
        if meta is not None and meta.get("captions_sha256") not in (None, digest):
            raise UserError(f"{meta_path}: the provided caption graphs were made for other captions (sha256 differs)")
        return _load(graphs_path, captions)
    if mode == "provided":
        raise UserError(
            f"{root}: split '{name}' has no provided caption graphs ({graphs_path.name} with source 'provided'); "
            "use text_graphs: parser"
        )

    if parser is None:
        from sgfns.graphs.parser import load_parser

        parser = load_parser()
    source = f"parser@{parser.version}"

    def fresh(m: dict | None, gp: Path) -> bool:
        return m is not None and m.get("source") == source and m.get("captions_sha256") == digest and gp.exists()

    # never write beside provided graphs (nor over a meta file that says they are provided)
    provided_meta = meta is not None and meta.get("source") == "provided"
    places = [] if provided or provided_meta else [root]
    places.append(user_cache_dir() / "caption_graphs" / digest)
    for folder in places:
        gp, mp = _paths(folder, name)
        try:
            m = _read_meta(mp)
        except UserError:
            m = None
        if fresh(m, gp):
            try:
                return _load(gp, captions)
            except UserError as e:  # a damaged cache is rebuilt, not fatal
                log.warning("caption-graph cache %s unreadable (%s); re-parsing", gp, e)

    graphs = parse_captions(captions, parser)
    new_meta = {"source": source, "captions_sha256": digest, "n": len(captions)}
    for folder in places:
        gp, mp = _paths(folder, name)
        try:
            _write(gp, mp, graphs, captions, new_meta)
            log.info("wrote %d caption graphs to %s", len(graphs), gp)
            break
        except OSError as e:
            log.info("cannot write caption graphs to %s (%s); trying the next place", folder, e)
    else:
        log.warning("caption graphs could not be cached anywhere; they will be parsed again next time")
    return graphs


def parse_captions(captions: list[str], parser) -> list[SceneGraph]:
    """Parse with a progress bar (long datasets take minutes)."""
    from tqdm import tqdm

    out: list[SceneGraph] = []
    with tqdm(total=len(captions), unit="cap", desc="parse captions", disable=len(captions) < CHUNK or None) as bar:
        for start in range(0, len(captions), CHUNK):
            part = captions[start : start + CHUNK]
            out.extend(parser.parse_batch(part))
            bar.update(len(part))
    return out


def _write(gp: Path, mp: Path, graphs: list[SceneGraph], captions: list[str], meta: dict) -> None:
    gp.parent.mkdir(parents=True, exist_ok=True)
    # graphs first, meta last: a crash in between leaves a meta that does not vouch for the new graphs
    if mp.exists():
        mp.unlink()
    with atomic_write(gp) as f:
        for g in graphs:
            f.write(json.dumps(g.to_dict(), ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
    write_json(mp, meta)
