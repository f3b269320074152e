"""Library API to encode a split once and score every pair in blocks (used by eval, score, encode, search, train).

`model.text_processor` (set by training and by `load_run`) turns captions and graph labels into ids. Encodings are
kept on the CPU; blocks of pairs are moved to the model's device and scored under `torch.inference_mode`, so the
memory of a [Ni, Nc] evaluation is bounded by the block size, not the gallery."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from sgfns.data.batching import (
    SplitInputs,
    collate_captions,
    collate_images,
    prepare_captions,
    prepare_image_graphs,
    to_device,
)
from sgfns.errors import UserError
from sgfns.graphs.types import SceneGraph
from sgfns.models.base import Encoded, Matcher

DEFAULT_CHUNK = (256, 1024)  # images x captions per block


def model_device(model: Matcher) -> torch.device:
    for p in model.parameters():
        return p.device
    for b in model.buffers():
        return b.device
    return torch.device("cpu")


def _processor(model: Matcher):
    tp = getattr(model, "text_processor", None)
    if tp is None:
        raise UserError("model has no text processor attached (load it with sgfns_app.train.checkpoint.load_run)")
    return tp


def _progress(it, total: int, desc: str, progress: bool):
    if not progress:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc=desc, leave=False, dynamic_ncols=True)


def encode_images(
    model: Matcher,
    split,
    device: torch.device | str | None = None,
    batch_size: int = 128,
    *,
    indices: Sequence[int] | None = None,
    progress: bool = False,
) -> Encoded:
    """Encode the images of `split` (a `Split` or prepared `SplitInputs`) -> Encoded on the CPU."""
    if isinstance(split, SplitInputs):
        batch_fn, n = split.image_batch, split.split.n_images
    else:
        graphs = prepare_image_graphs(split.image_graphs, split.n_images, _processor(model))
        n = split.n_images

        def batch_fn(chunk):
            return collate_images(graphs, chunk, split.features, split.boxes)

    idx = list(range(n)) if indices is None else list(indices)
    chunks = [idx[s : s + batch_size] for s in range(0, len(idx), batch_size)]
    return _encode_chunks(model, model.encode_images, chunks, batch_fn, device, "images", progress)


def encode_captions(
    model: Matcher,
    texts: Sequence[str],
    graphs: Sequence[SceneGraph | None] | None,
    device: torch.device | str | None = None,
    batch_size: int = 256,
    *,
    progress: bool = False,
) -> Encoded:
    """Encode captions (with their parsed graphs, or None for graph-less captions) -> Encoded on the CPU."""
    if graphs is not None and len(graphs) != len(texts):
        raise ValueError(f"{len(texts)} captions but {len(graphs)} graphs")
    items = prepare_captions(texts, graphs, _processor(model))
    chunks = [items[s : s + batch_size] for s in range(0, len(items), batch_size)]
    return _encode_chunks(model, model.encode_captions, chunks, collate_captions, device, "captions", progress)


def _encode_chunks(model: Matcher, encode, chunks: list, collate, device, what: str, progress: bool) -> Encoded:
    """Run `encode(collate(chunk))` over the chunks in eval mode without autograd; results concatenated on the CPU."""
    if not chunks:
        raise UserError(f"no {what} to encode")
    device = torch.device(device) if device is not None else model_device(model)
    was_training = model.training
    if was_training:  # switching walks every module: skipped for a model already in eval mode (each search)
        model.eval()
    parts = []
    try:
        with torch.inference_mode():
            for chunk in _progress(chunks, len(chunks), f"encode {what}", progress):
                parts.append(encode(to_device(collate(chunk), device)).to("cpu"))
    finally:
        if was_training:
            model.train()
    return Encoded.cat(parts)


def _blocks(model: Matcher, img: Encoded, cap: Encoded, chunk, progress: bool):
    ci, cc = (chunk, chunk * 4) if isinstance(chunk, int) else chunk
    device = model_device(model)
    n_i, n_c = len(img), len(cap)
    blocks = [(i, j) for i in range(0, n_i, ci) for j in range(0, n_c, cc)]
    was_training = model.training
    if was_training:  # switching walks every module: skipped for a model already in eval mode (each search)
        model.eval()
    try:
        with torch.inference_mode():
            cache: dict[int, Encoded] = {}
            for i, j in _progress(blocks, len(blocks), "similarity", progress):
                if i not in cache:
                    cache.clear()
                    cache[i] = img.select(slice(i, i + ci)).to(device)
                yield i, j, model.similarity_parts(cache[i], cap.select(slice(j, j + cc)).to(device))
    finally:
        if was_training:
            model.train()


def similarity_parts_matrix(
    model: Matcher, img_enc: Encoded, cap_enc: Encoded, chunk: int | tuple[int, int] = DEFAULT_CHUNK,
    *, progress: bool = False,
) -> dict[str, Tensor]:  # fmt: skip
    """Named [Ni, Nc] parts (weights applied; their sum is the score), float32 on the CPU."""
    out: dict[str, Tensor] = {}
    for i, j, parts in _blocks(model, img_enc, cap_enc, chunk, progress):
        for k, v in parts.items():
            if k not in out:
                out[k] = torch.zeros(len(img_enc), len(cap_enc), dtype=torch.float32)
            out[k][i : i + v.shape[0], j : j + v.shape[1]] = v.float().cpu()
    return out


def similarity_matrix(
    model: Matcher, img_enc: Encoded, cap_enc: Encoded, chunk: int | tuple[int, int] = DEFAULT_CHUNK,
    *, progress: bool = False,
) -> Tensor:  # fmt: skip
    """[Ni, Nc] scores, float32 on the CPU."""
    out = torch.zeros(len(img_enc), len(cap_enc), dtype=torch.float32)
    for i, j, parts in _blocks(model, img_enc, cap_enc, chunk, progress):
        v = torch.stack(list(parts.values())).sum(0)
        out[i : i + v.shape[0], j : j + v.shape[1]] = v.float().cpu()
    return out
