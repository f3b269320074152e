"""Library API to encode a split once and score every pair in blocks (used by eval, score, encode, search, train),
and to score user-level (image, caption) pairs (`similarity_pairs`, also `Matcher.similarity_pairs`).

`model.text_processor` (set by training and by `sgfns.load_model`) turns captions and graph labels into ids.
Encodings are kept on the CPU; blocks of pairs are moved to the model's device and scored under
`torch.inference_mode`, so the memory of a [Ni, Nc] evaluation is bounded by the block size, not the gallery."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
from sgfns.models.base import Encoded, Matcher, total
from sgfns.models.inputs import check_split_inputs

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
        raise UserError("model has no text processor attached (load it with sgfns.load_model)")
    return tp


@contextlib.contextmanager
def inference(model: Matcher):
    """Eval mode and no autograd for the block, the model's mode restored after. Switching walks every module, so
    a model already in eval mode (the service's, on every search) is left alone."""
    was_training = model.training
    if was_training:
        model.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        if was_training:
            model.train()


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
    parts = []
    with inference(model):
        for chunk in _progress(chunks, len(chunks), f"encode {what}", progress):
            parts.append(encode(to_device(collate(chunk), device)).to("cpu"))
    return Encoded.cat(parts)


def _blocks(model: Matcher, img: Encoded, cap: Encoded, chunk, progress: bool):
    ci, cc = (chunk, chunk * 4) if isinstance(chunk, int) else chunk
    device = model_device(model)
    n_i, n_c = len(img), len(cap)
    blocks = [(i, j) for i in range(0, n_i, ci) for j in range(0, n_c, cc)]
    with inference(model):
        cache: dict[int, Encoded] = {}
        for i, j in _progress(blocks, len(blocks), "similarity", progress):
            if i not in cache:
                cache.clear()
                cache[i] = img.select(slice(i, i + ci)).to(device)
            yield i, j, model.similarity_parts(cache[i], cap.select(slice(j, j + cc)).to(device))


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
        v = total(parts)
        out[i : i + v.shape[0], j : j + v.shape[1]] = v.float().cpu()
    return out


def pair_parts(model: Matcher, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor,
               block: int = 1 << 16) -> dict[str, Tensor]:  # fmt: skip
    """`model.pair_parts` for inference: eval mode, no autograd, `block` pairs at a time on the encodings' device;
    float32 parts on the CPU."""
    pair_img, pair_cap = torch.as_tensor(pair_img).long(), torch.as_tensor(pair_cap).long()
    dev = img.glob.device
    out: dict[str, list[Tensor]] = {}
    with inference(model):
        for s in range(0, max(1, len(pair_img)), block):
            pi, pc = pair_img[s : s + block].to(dev), pair_cap[s : s + block].to(dev)
            for name, v in model.pair_parts(img, cap, pi, pc).items():
                out.setdefault(name, []).append(v.float().cpu())
    return {name: torch.cat(v) for name, v in out.items()}


# --- user-level pairs -----------------------------------------------------------------------------------------------
@dataclass
class PairScores:
    """Scores of P (image, caption) pairs: `score` [P] and its named parts (`global`, `object`, ...) [P], whose sum
    is `score`. `image_ids` / `captions` say which pair each row is."""

    score: Tensor
    parts: dict[str, Tensor]
    image_ids: list[str]
    captions: list[str]

    def __len__(self) -> int:
        return int(self.score.shape[0])


def _encode_user_images(model: Matcher, images, data, split, batch_size: int) -> tuple[Encoded, list[str]]:
    import numpy as np

    if isinstance(images, Encoded):
        return images, [str(i) for i in range(len(images))]
    if isinstance(images, dict):
        feats = np.asarray(images["features"], dtype=np.float32)
        if feats.ndim != 3:
            raise UserError(f"images['features']: expected [images, regions, dim], got shape {list(feats.shape)}")
        boxes = images.get("boxes")
        graphs = prepare_image_graphs(images.get("graphs"), feats.shape[0], _processor(model))
        idx = list(range(feats.shape[0]))
        chunks = [idx[s : s + batch_size] for s in range(0, len(idx), batch_size)]
        enc = _encode_chunks(model, model.encode_images, chunks,
                             lambda c: collate_images(graphs, c, feats, None if boxes is None else np.asarray(boxes)),
                             None, "images", False)  # fmt: skip
        return enc, [str(i) for i in idx]
    if isinstance(images, (str, bytes)) or not isinstance(images, Sequence):
        raise UserError("images: give a list of image ids or photo files (pathlib.Path), an Encoded, or "
                        "{'features': array, ...}")
    files = [isinstance(x, Path) for x in images]
    if any(files):
        if not all(files):
            raise UserError("images: give image ids (strings) or photo files (pathlib.Path), not a mix of the two")
        return _encode_photo_files(model, list(images), data, batch_size)
    if data is None or split is None:
        raise UserError("images given as ids need the dataset folder and split: similarity_pairs(..., data=, split=)")
    from sgfns.data.dataset import load_split

    # a few pairs need a few rows: the whole-file NaN scan is skipped, and only the rows read are checked below
    sp = load_split(data, split, check_finite=False)
    check_split_inputs(model, sp, "scoring with")
    where = {x: i for i, x in enumerate(sp.ids)}
    ids = [str(x) for x in images]
    missing = [x for x in ids if x not in where]
    if missing:
        raise UserError(f"{data} ({split}): unknown image id {missing[0]!r}")
    uniq = list(dict.fromkeys(ids))
    if sp.features is not None:
        import numpy as np

        bad = [x for x in uniq if not np.isfinite(np.asarray(sp.features[where[x]], dtype=np.float32)).all()]
        if bad:
            raise UserError(f"{data} ({split}): image {bad[0]!r} has NaN or Inf features")
    enc = encode_images(model, sp, batch_size=batch_size, indices=[where[x] for x in uniq])
    order = {x: i for i, x in enumerate(uniq)}
    return enc.select(torch.tensor([order[x] for x in ids])), ids


def _encode_photo_files(model: Matcher, paths: list[Path], data, batch_size: int) -> tuple[Encoded, list[str]]:
    """Photo files prepared on the fly, as `sgfns prepare` prepares a folder, with the settings (backbone input size,
    regions) of `data` or else of the folder the run was trained on (its versions.json): so a file scores as the
    same photo prepared into such a folder does."""
    from sgfns.data.dataset import read_meta
    from sgfns.photos.backbone import shared_backbone
    from sgfns.photos.describe import as_split, prepare_photos, settings_from_meta

    run = getattr(model, "run", None)
    folder = data if data is not None else (run.config.get("versions", {}).get("data") if run is not None else None)
    meta = read_meta(Path(folder)) if folder is not None and Path(folder).is_dir() else {}
    if "backbone" not in meta:
        what = f"{folder} is not a folder made by `sgfns prepare`" if folder is not None else (
            "the run does not record the folder it was trained on")
        raise UserError(f"photo files: {what}; pass data=FOLDER, a folder prepared with the settings the run was "
                        "trained on")  # fmt: skip
    backbone = shared_backbone(settings_from_meta(meta)[1], str(model_device(model)))
    prepared = prepare_photos(paths, backbone=backbone, meta=meta)
    ids = [str(p) for p in paths]
    split = as_split(prepared, ids)
    check_split_inputs(model, split, "scoring with")
    return encode_images(model, split, batch_size=batch_size), ids


def _caption_inputs(model: Matcher, captions) -> tuple[list[str], list[SceneGraph | None]]:
    if isinstance(captions, str) or not isinstance(captions, Sequence):
        raise UserError("captions: give a list of strings or of (text, SceneGraph) pairs")
    texts, graphs, todo = [], [], []
    for i, c in enumerate(captions):
        if isinstance(c, str):
            texts.append(c)
            graphs.append(None)
            todo.append(i)
        elif isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str):
            texts.append(c[0])
            graphs.append(c[1])
        else:
            raise UserError(f"captions[{i}]: expected a string or a (text, SceneGraph) pair, got {type(c).__name__}")
    if todo:
        parser = getattr(model, "parser", None)
        if parser is None:
            from sgfns.graphs.lazy import LazyParser

            parser = model.parser = LazyParser()
        for i, g in zip(todo, parser([texts[i] for i in todo]), strict=True):
            graphs[i] = g
    return texts, graphs


def similarity_pairs(model: Matcher, images, captions, *, data=None, split: str | None = None,
                     batch_size: int = 128) -> PairScores:  # fmt: skip
    """Scores of (images[p], captions[p]) for every p (see `Matcher.similarity_pairs` for the input forms).

    A single image is paired with every caption and a single caption with every image; otherwise the two lists
    must be of one length. Scored through `model.pair_parts`, the route training, re-ranking and the service use."""
    img, ids = _encode_user_images(model, images, data, split, batch_size)
    texts, graphs = _caption_inputs(model, captions)
    if not texts or not len(img):
        raise UserError("similarity_pairs: no images or no captions given")
    n_i, n_c = len(img), len(texts)
    if n_i != n_c and 1 not in (n_i, n_c):
        raise UserError(f"similarity_pairs: {n_i} images but {n_c} captions (give equal numbers, or one of either)")
    p = max(n_i, n_c)
    pi = torch.zeros(p, dtype=torch.long) if n_i == 1 else torch.arange(p)
    pc = torch.zeros(p, dtype=torch.long) if n_c == 1 else torch.arange(p)
    cap = encode_captions(model, texts, graphs, batch_size=batch_size)
    device = model_device(model)
    parts = pair_parts(model, img.to(device), cap.to(device), pi, pc)
    score = total(parts)
    return PairScores(score, parts, [ids[i] for i in pi.tolist()], [texts[c] for c in pc.tolist()])
