"""Encoded galleries on disk (the "arrays on disk" stage between `sgfns encode` and `sgfns search`).

A folder holds `images.safetensors` and `captions.safetensors` (global vectors, node sets and masks, extras —
everything `similarity_parts` needs), `images_glob.npy` / `captions_glob.npy` (float32 global vectors for other
tools, e.g. a FAISS index built elsewhere) and `index.json` (the run, checkpoint sha256, data folder, split, image
ids, captions and caption -> image), and, for a node first stage, `first_stage.safetensors` (its projection
matrices; dimension, weights and global flag under "first_stage" in `index.json`). Every file is written
atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from sgfns.errors import UserError
from sgfns.io import atomic_save, read_json, write_json
from sgfns.models.base import Encoded

__all__ = ["INDEX_JSON", "load_encoded", "load_gallery", "load_stage", "save_encoded", "save_gallery"]

INDEX_JSON = "index.json"
STAGE_FILE = "first_stage.safetensors"
FORMAT = "sgfns-encoded/1"


def _flat(enc: Encoded) -> dict[str, torch.Tensor]:
    out = {"glob": enc.glob}
    for k, (v, m) in enc.sets.items():
        out[f"sets.{k}.nodes"] = v
        out[f"sets.{k}.mask"] = m
    for k, v in enc.extra.items():
        out[f"extra.{k}"] = v
    return {k: v.detach().to("cpu").contiguous() for k, v in out.items()}


def save_encoded(path: str | Path, enc: Encoded) -> None:
    from safetensors.torch import save_file

    tensors = _flat(enc)
    atomic_save(path, lambda tmp: save_file(tensors, str(tmp), metadata={"format": FORMAT}))


def load_encoded(path: str | Path) -> Encoded:
    """The arrays of one encoded file, memory-mapped: safetensors' `safe_open` maps the file copy-on-write and its
    tensors are views of the mapped pages (nothing is copied at load; pages are read when a search first touches
    them and are shared with the page cache; tested in tests/test_index_batch.py). The header is checked on open."""
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file (encode the split first with `sgfns encode`)")
    try:
        with safe_open(str(path), framework="pt") as f:
            keys = list(f.keys())
            t = {k: f.get_tensor(k) for k in keys}
    except Exception as e:  # safetensors raises its own error types for corrupt headers
        raise UserError(f"{path}: not a readable safetensors file ({e})") from None
    if "glob" not in t:
        raise UserError(f"{path}: missing tensor 'glob'")
    sets: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for k in keys:
        if k.startswith("sets.") and k.endswith(".nodes"):
            name = k[len("sets.") : -len(".nodes")]
            mask = t.get(f"sets.{name}.mask")
            if mask is None:
                raise UserError(f"{path}: node set {name!r} has no mask")
            sets[name] = (t[k], mask.bool())
    extra = {k[len("extra.") :]: v for k, v in t.items() if k.startswith("extra.")}
    return Encoded(glob=t["glob"], sets=sets, extra=extra)


def save_gallery(out: str | Path, img: Encoded, cap: Encoded, meta: dict[str, Any], stage=None) -> Path:
    """Write the encoded split; `stage` (a `sgfns.index.NodeStage`, optional) is stored beside it."""
    from safetensors.torch import save_file

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # index.json is written last and marks a complete folder: removed first, so an encode killed half-way over an
    # older index leaves no folder that mixes old and new arrays and still looks complete
    (out / INDEX_JSON).unlink(missing_ok=True)
    meta = dict(meta)
    if stage is not None:
        tensors, info = stage.state()
        atomic_save(out / STAGE_FILE, lambda tmp: save_file(tensors, str(tmp), metadata={"format": FORMAT}))
        meta["first_stage"] = info
    elif (out / STAGE_FILE).exists():
        (out / STAGE_FILE).unlink()  # a stage left from an earlier encode would not match these arrays
    save_encoded(out / "images.safetensors", img)
    save_encoded(out / "captions.safetensors", cap)
    for name, enc in (("images_glob.npy", img), ("captions_glob.npy", cap)):
        arr = enc.glob.detach().float().cpu().numpy()
        atomic_save(out / name, lambda tmp, a=arr: np.save(tmp, a))
    write_json(out / INDEX_JSON, {"format": FORMAT, "n_images": len(img), "n_captions": len(cap), **meta})
    return out


def load_gallery(folder: str | Path) -> tuple[dict[str, Any], Encoded, Encoded]:
    folder = Path(folder)
    meta_path = folder / INDEX_JSON
    if not meta_path.is_file():
        raise UserError(
            f"{folder}: no {INDEX_JSON} (not an index folder written by `sgfns encode`, or an encode that did not "
            "finish: run it again)"
        )
    meta = read_json(meta_path)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise UserError(f"{meta_path}: unknown format {meta.get('format') if isinstance(meta, dict) else meta!r}")
    img = load_encoded(folder / "images.safetensors")
    cap = load_encoded(folder / "captions.safetensors")
    for key, enc in (("n_images", img), ("n_captions", cap)):
        if meta.get(key) != len(enc):
            raise UserError(f"{meta_path}: {key} = {meta.get(key)} but the arrays hold {len(enc)}")
    return meta, img, cap


def load_stage(folder: str | Path, meta: dict[str, Any]):
    """The folder's `NodeStage`, or None when it was encoded without one (global-only first stage)."""
    from safetensors.torch import load_file

    from sgfns.index.nodestage import NodeStage

    folder = Path(folder)
    info = meta.get("first_stage")
    if info is None:
        return None
    path = folder / STAGE_FILE
    if not path.is_file():
        raise UserError(
            f"{folder / INDEX_JSON}: names a first stage but {STAGE_FILE} is missing; re-run `sgfns encode`"
        )
    try:
        return NodeStage.from_state(load_file(str(path)), info)
    except (ValueError, KeyError) as e:
        raise UserError(f"{path}: {e}") from None
    except Exception as e:  # safetensors' own error types for corrupt files
        raise UserError(f"{path}: not a readable safetensors file ({e})") from None
