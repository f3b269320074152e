"""Prepare photos (+ captions) into one split of the canonical layout: the library side of `sgfns prepare`.

What is written for split S (docs/data_formats.md, docs/photos.md):
`S_ims.npy` [N, R, 1280] region features (float16 unless asked otherwise), `S_boxes.npy` [N, R, 4] xyxy_norm,
`S_region_mask.npy` [N, R] bool, `S_caps.txt` (k per photo; k = 0 for a caption-less gallery), `S_ids.txt` (the
source's ids), `S_images.txt` (each photo's file under `images/`, relative to the folder), `S_image_sg.jsonl` (the
visual graph) and `meta.json` with the backbone (name, package versions, weights sha256, input size and scaling)
and the region settings.

How it stays safe and bounded:
- everything is checked that can be before the backbone runs (ids, duplicates, files present, settings agreeing
  with the folder), so a bad source fails in seconds;
- features stream into a memory-mapped file in a temporary folder inside the output folder; nothing of the split is
  replaced until every photo is done; then the finished files are renamed into place and `meta.json` last, and the
  split is read back with the loader. An interrupted or failed run leaves the previous split as it was;
- appending to an existing split copies the old rows chunk by chunk (never re-encoding them) and adds the new ones;
- `shard=(i, n)` prepares the i-th of n contiguous blocks of the source into its own folder; `merge_shards` appends
  them in order into one split (the same settings are enforced as for any append)."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sgfns.data.dataset import read_meta
from sgfns.errors import UserError
from sgfns.io import write_json
from sgfns.photos.regions import RegionSettings
from sgfns.photos.rows import RowPart, RowWriter, npy_part, write_npy
from sgfns.photos.sources import PhotoRecord

log = logging.getLogger(__name__)

FEATURE_DTYPES = ("float16", "float32")


@dataclass
class PrepareOptions:
    """Settings of one `sgfns prepare` call. `settings`, `input_size` and `dtype` must match an existing folder."""

    settings: RegionSettings = field(default_factory=RegionSettings)
    input_size: int = 384
    dtype: str = "float16"
    captions_per_image: int | None = None  # None: the folder's k, else the fewest any captioned photo has, else 0
    workers: int = 0
    device: str = "cpu"
    batch_size: int = 8
    skip_bad: bool = False
    shard: tuple[int, int] | None = None
    link: str = "hard"  # hard | copy | none
    progress: bool = False


@dataclass
class PrepareReport:
    split: str
    added: int
    total: int
    skipped: list[tuple[str, str]]  # (id or file, reason)
    out: Path


def prepare_split(records: list[PhotoRecord], out: str | Path, split: str, opts: PrepareOptions,
                  source_note: str = "") -> PrepareReport:  # fmt: skip
    """Prepare `records` into split `split` of folder `out` (created, or extended when the split exists)."""
    out = Path(out)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", split):
        raise UserError(f"split name {split!r}: use letters, digits, '_', '-' or '.'")
    if opts.dtype not in FEATURE_DTYPES:
        raise UserError(f"feature dtype must be one of {', '.join(FEATURE_DTYPES)}, got {opts.dtype!r}")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a directory")
    if opts.shard is not None:
        i, n = opts.shard
        lo, hi = len(records) * i // n, len(records) * (i + 1) // n
        records = records[lo:hi]
    old = _existing(out, split)
    k = _captions_per_image(records, old, opts)
    meta = _meta(out, split, opts, k)
    skipped: list[tuple[str, str]] = []
    records = _check_records(records, old, k, opts.skip_bad, skipped)
    if not records:
        raise UserError(
            f"{out}: no photo left to prepare for split '{split}'" + (f" ({len(skipped)} skipped)" if skipped else "")
        )

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".prepare-{split}-", dir=out))
    try:
        R, D = opts.settings.count, 1280
        rows = RowWriter(tmp / "new_ims.raw", (R, D), opts.dtype)  # streamed in source order, bad photos left out
        boxes = np.zeros((len(records), R, 4), dtype=np.float32)
        mask = np.zeros((len(records), R), dtype=bool)
        ok = np.zeros(len(records), dtype=bool)
        new_graphs = tmp / "new_image_sg.jsonl"
        with open(new_graphs, "w", encoding="utf-8") as graph_lines:
            for i, result in _run(records, opts):
                if isinstance(result, str):
                    if not opts.skip_bad:
                        raise UserError(result)
                    skipped.append((records[i].id, result))
                    continue
                rows.write(result.features)
                graph_lines.write(json.dumps(result.graph, separators=(",", ":")) + "\n")
                boxes[i], mask[i], ok[i] = result.boxes, result.mask, True
        new_rows = rows.close()
        keep = np.flatnonzero(ok)
        if len(keep) == 0:
            raise UserError(f"{out}: every photo was skipped ({len(skipped)}); nothing written")
        kept = [records[i] for i in keep]
        image_files = _link_images(kept, out, split, opts.link)
        _write_split_files(tmp, out, split, old, new_rows, boxes[keep], mask[keep], new_graphs, kept, image_files, k)
        total = (old["n"] if old else 0) + len(keep)
        meta["prepared"].setdefault(split, []).append(
            {"source": source_note, "photos": int(len(keep)), "skipped": len(skipped),
             **({"shard": f"{opts.shard[0]}/{opts.shard[1]}"} if opts.shard else {})}
        )  # fmt: skip
        _install(tmp, out, split, meta)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    from sgfns.data.dataset import load_split

    load_split(out, split)  # read back: what was written must pass the loader's checks
    return PrepareReport(split=split, added=int(len(keep)), total=total, skipped=skipped, out=out)


def _existing(out: Path, split: str) -> dict[str, Any] | None:
    """The existing split's ids, size and caption count (None when the split is new)."""
    if not (out / f"{split}_caps.txt").exists():
        return None
    from sgfns.data.dataset import load_split

    sp = load_split(out, split, load_graphs=False, check_finite=False)
    if sp.features is None or not (out / f"{split}_region_mask.npy").exists():
        raise UserError(f"{out}: split '{split}' exists but was not made by `sgfns prepare`; use another --split")
    return {"ids": set(sp.ids), "n": sp.n_images, "k": sp.captions_per_image}


def _captions_per_image(records: list[PhotoRecord], old: dict | None, opts: PrepareOptions) -> int:
    if old is not None:
        if opts.captions_per_image is not None and opts.captions_per_image != old["k"]:
            raise UserError(f"--captions-per-image {opts.captions_per_image} but the split has {old['k']} per photo")
        return old["k"]
    if opts.captions_per_image is not None:
        return opts.captions_per_image
    counts = [len(r.captions) for r in records if r.captions]
    return min(counts) if counts else 0  # a photo without captions in a captioned source is refused later


def _meta(out: Path, split: str, opts: PrepareOptions, k: int) -> dict[str, Any]:
    """The folder's meta.json after this call; refuses settings that differ from the folder's."""
    from importlib import metadata

    from sgfns.photos.backbone import FEATURE_DIM, INPUT_SCALING, NAME, PACKAGES, WEIGHTS_SHA256

    try:
        versions = {p: metadata.version(p) for p in (*PACKAGES, "torch")}
    except metadata.PackageNotFoundError:
        from sgfns.photos.backbone import _missing

        raise UserError(_missing()) from None
    backbone = {"name": NAME, "packages": versions, "weights_sha256": WEIGHTS_SHA256, "input_size": opts.input_size,
                "input_scaling": INPUT_SCALING, "feature_dim": FEATURE_DIM}  # fmt: skip
    new = {"backbone": backbone, "region_settings": opts.settings.to_dict(), "feature_dtype": opts.dtype,
           "regions": opts.settings.count, "feature_dim": FEATURE_DIM, "box_format": "xyxy_norm"}  # fmt: skip
    old = read_meta(out)
    if old:
        if "backbone" not in old:
            raise UserError(f"{out / 'meta.json'}: the folder was not made by `sgfns prepare`; use another --out")
        for key in ("region_settings", "feature_dtype", "regions", "feature_dim", "box_format"):
            if old.get(key) != new[key]:
                raise UserError(f"{out / 'meta.json'}: {key} is {old.get(key)!r} but this call uses {new[key]!r}")
        for key in ("name", "weights_sha256", "input_size", "input_scaling"):
            if old["backbone"].get(key) != backbone[key]:
                raise UserError(
                    f"{out / 'meta.json'}: backbone {key} is {old['backbone'].get(key)!r} but this call uses "
                    f"{backbone[key]!r}"
                )
        if old.get("captions_per_image") not in (None, k):
            raise UserError(
                f"{out / 'meta.json'}: captions_per_image is {old['captions_per_image']} but split '{split}' has {k} "
                "(one folder holds one number of captions per photo; prepare this source into another --out)"
            )
    new["oracle"] = "given" in opts.settings.methods  # regions from given boxes: never a headline row
    meta = {**new, **{key: v for key, v in old.items() if key not in new}}
    meta.setdefault("name", out.name)
    meta.setdefault("source", "sgfns prepare")
    meta.setdefault("licence", "the photos' and captions' own licences (see the sources listed under 'prepared')")
    meta.setdefault("prepared", {})
    meta["captions_per_image"] = k
    meta["splits"] = sorted(set(old.get("splits", [])) | {split})
    return meta


def _check_records(records: list[PhotoRecord], old: dict | None, k: int, skip_bad: bool,
                   skipped: list[tuple[str, str]]) -> list[PhotoRecord]:  # fmt: skip
    """Drop or refuse (one line naming the source) duplicate ids, missing files and too few captions."""
    seen = set(old["ids"]) if old else set()
    out = []
    for r in records:
        problem = None
        if not r.id or "\n" in r.id or r.id != r.id.strip():
            problem = f"{r.where}: image id {r.id!r} is empty or has surrounding spaces or a line break"
        elif r.id in seen:
            problem = f"{r.where}: duplicate image id {r.id!r}" + (
                " (already in the split)" if old and r.id in old["ids"] else ""
            )
        elif not r.path.is_file():
            problem = f"{r.where}: image file {r.path} not found"
        elif len(r.captions) < k:
            problem = f"{r.where}: {len(r.captions)} captions, fewer than the {k} per photo of this split"
        if problem:
            if not skip_bad:
                raise UserError(problem)
            skipped.append((r.id, problem))
            continue
        seen.add(r.id)
        out.append(r)
    return out


# --- running the backbone over the photos ---------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(input_size: int, device: str, settings: RegionSettings) -> None:
    import torch

    torch.set_num_threads(1)
    from sgfns.photos.backbone import load_backbone

    _WORKER.update(backbone=load_backbone(input_size, device), settings=settings)


def _work(batch: list[tuple[int, Path, list]]) -> list[tuple[int, Any]]:
    """Decode and describe a batch; a bad photo becomes its one-line error message instead of a result."""
    from sgfns.photos.decode import open_photo
    from sgfns.photos.describe import describe

    backbone = _WORKER["backbone"]
    settings = _WORKER["settings"]
    photos, idx, given, out = [], [], [], []
    for i, path, boxes in batch:
        try:
            photos.append(open_photo(path, backbone.input_size))
            idx.append(i)
            given.append(boxes)
        except UserError as e:
            out.append((i, str(e)))
    oracle = given if "given" in settings.methods else None
    out += list(zip(idx, describe(backbone, photos, settings, given=oracle), strict=True))
    return sorted(out, key=lambda r: r[0])


def _run(records: list[PhotoRecord], opts: PrepareOptions) -> Iterator[tuple[int, Any]]:
    items = [(i, r.path, [b for b, _ in r.given_boxes]) for i, r in enumerate(records)]
    batches = [items[s : s + opts.batch_size]
               for s in range(0, len(records), opts.batch_size)]  # fmt: skip
    bar = _progress(len(records), opts.progress)
    if opts.workers <= 0:
        _init_worker_in_process(opts)
        results = map(_work, batches)
        pool = contextlib.nullcontext()
    else:
        ctx = mp.get_context("spawn")  # torch and fork do not mix
        pool = ctx.Pool(opts.workers, initializer=_init_worker, initargs=(opts.input_size, opts.device, opts.settings))
        results = pool.imap(_work, batches)
    with pool:
        for batch in results:
            yield from batch
            bar.update(len(batch))
    bar.close()


def _init_worker_in_process(opts: PrepareOptions) -> None:
    from sgfns.photos.backbone import load_backbone

    b = _WORKER.get("backbone")
    if b is None or b.input_size != opts.input_size or str(b.device) != str(opts.device):
        _WORKER["backbone"] = load_backbone(opts.input_size, opts.device)
    _WORKER["settings"] = opts.settings


def _progress(total: int, on: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="photo", disable=not on, desc="prepare")


# --- writing --------------------------------------------------------------------------------------------------------


def _file_name(rid: str, suffix: str) -> str:
    safe = re.fullmatch(r"[A-Za-z0-9._-]+", rid) and not rid.startswith(".")
    if safe:
        return rid + suffix
    import hashlib

    return hashlib.sha256(rid.encode()).hexdigest()[:20] + suffix


def _link_images(records: list[PhotoRecord], out: Path, split: str, how: str) -> list[str]:
    """Hard-link (else copy) each photo to images/SPLIT/; returns the paths relative to `out` ('' when not kept)."""
    if how == "none":
        return ["" for _ in records]
    folder = out / "images" / split
    folder.mkdir(parents=True, exist_ok=True)
    rel = []
    for r in records:
        dest = folder / _file_name(r.id, r.path.suffix.lower())
        if not dest.exists():
            tmp = dest.with_name(f".{dest.name}.tmp")
            tmp.unlink(missing_ok=True)
            try:
                if how != "hard":
                    raise OSError
                os.link(r.path, tmp)
            except OSError:
                shutil.copyfile(r.path, tmp)
            os.replace(tmp, dest)
        rel.append(dest.relative_to(out).as_posix())
    return rel


def _write_split_files(tmp: Path, out: Path, split: str, old: dict | None, new_rows: RowPart, boxes: np.ndarray,
                       mask: np.ndarray, graphs: Path, records: list[PhotoRecord], image_files: list[str],
                       k: int) -> None:  # fmt: skip
    """The split's final files in `tmp` (old rows first when appending; features and graphs copied in chunks,
    never re-encoded and never held in memory whole). `graphs`: a JSONL file of the new photos' graphs."""
    n_old = old["n"] if old else 0
    parts = [npy_part(out / f"{split}_ims.npy")] if n_old else []
    write_npy(tmp / f"{split}_ims.npy", [*parts, new_rows])
    if n_old:
        boxes = np.concatenate([np.load(out / f"{split}_boxes.npy"), boxes])
        mask = np.concatenate([np.load(out / f"{split}_region_mask.npy"), mask])
    np.save(tmp / f"{split}_boxes.npy", boxes.astype(np.float32))
    np.save(tmp / f"{split}_region_mask.npy", mask)

    def text_lines(name: str, new_lines: list[str]) -> None:
        prev = (out / name).read_text(encoding="utf-8") if n_old else ""
        (tmp / name).write_text(prev + "".join(x + "\n" for x in new_lines), encoding="utf-8")

    text_lines(f"{split}_ids.txt", [r.id for r in records])
    text_lines(f"{split}_caps.txt", [c for r in records for c in r.captions[:k]])
    text_lines(f"{split}_images.txt", image_files)
    with open(tmp / f"{split}_image_sg.jsonl", "wb") as dest:
        for part in ([out / f"{split}_image_sg.jsonl"] if n_old else []) + [graphs]:
            with open(part, "rb") as f:
                shutil.copyfileobj(f, dest)


SPLIT_FILES = ("_ims.npy", "_boxes.npy", "_region_mask.npy", "_ids.txt", "_caps.txt", "_images.txt", "_image_sg.jsonl")


def _install(tmp: Path, out: Path, split: str, meta: dict[str, Any]) -> None:
    """Rename the finished files into place (stale caption graphs of an extended split removed), meta.json last."""
    for suffix in ("_caps_sg.jsonl", "_caps_sg.meta.json"):
        (out / f"{split}{suffix}").unlink(missing_ok=True)  # made for the old captions: the parser redoes them
    for suffix in SPLIT_FILES:
        os.replace(tmp / f"{split}{suffix}", out / f"{split}{suffix}")
    write_json(out / "meta.json", meta)


def merge_shards(shards: list[str | Path], out: str | Path, split: str, *, link: str = "hard") -> PrepareReport:
    """Append split `split` of each shard folder, in the order given, to `out` (no photo is encoded again)."""
    out = Path(out)
    total_added = 0
    for shard in shards:
        shard = Path(shard)
        meta = read_meta(shard)
        if "backbone" not in meta:
            raise UserError(f"{shard}: not a folder made by `sgfns prepare`")
        append_prepared(shard, split, out, link=link)
        total_added += sum(p["photos"] for p in meta["prepared"].get(split, []))
    from sgfns.data.dataset import load_split

    sp = load_split(out, split, load_graphs=False, check_finite=False)
    return PrepareReport(split=split, added=total_added, total=sp.n_images, skipped=[], out=out)


def append_prepared(src: Path, split: str, out: Path, *, link: str = "hard") -> None:
    """Append a prepared split of `src` to `out` (created when absent), checking that their settings agree."""
    from sgfns.data.dataset import load_split

    sp = load_split(src, split)
    smeta = read_meta(src)
    opts = PrepareOptions(settings=RegionSettings.from_dict(smeta["region_settings"]),
                          input_size=smeta["backbone"]["input_size"], dtype=smeta["feature_dtype"])  # fmt: skip
    old = _existing(out, split)
    k = old["k"] if old else sp.captions_per_image
    if k != sp.captions_per_image:
        raise UserError(f"{src}: {sp.captions_per_image} captions per photo but {out} split '{split}' has {k}")
    meta = _meta(out, split, opts, k)
    images = (src / f"{split}_images.txt").read_text(encoding="utf-8").splitlines()
    ids_file = src / f"{split}_ids.txt"
    records = [
        PhotoRecord(id=i, path=src / p if p else Path(), captions=sp.captions[j * k : (j + 1) * k],
                    where=f"{ids_file}:{j + 1}")
        for j, (i, p) in enumerate(zip(sp.ids, images, strict=True))
    ]  # fmt: skip
    seen = old["ids"] if old else set()
    for r in records:
        if r.id in seen:
            raise UserError(f"{r.where}: duplicate image id {r.id!r} (already in {out} split '{split}')")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".merge-{split}-", dir=out))
    try:
        graphs = src / f"{split}_image_sg.jsonl"  # every prepared split has one (checked by load_split above)
        if not graphs.is_file():
            raise UserError(f"{graphs}: file not found (not a split made by `sgfns prepare`)")
        files = _link_images([r for r in records if r.path.is_file()], out, split, link) if link != "none" else []
        image_files = files if len(files) == len(records) else ["" for _ in records]
        src_rows = npy_part(src / f"{split}_ims.npy")
        _write_split_files(tmp, out, split, old, src_rows, np.load(src / f"{split}_boxes.npy"),
                           np.load(src / f"{split}_region_mask.npy"), graphs, records, image_files, k)  # fmt: skip
        meta["prepared"].setdefault(split, []).append(
            {"source": f"merged from {src}", "photos": len(records), "skipped": 0}
        )
        _install(tmp, out, split, meta)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_split(out, split)
