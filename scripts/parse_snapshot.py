#!/usr/bin/env python
"""Parse fixed caption sets and record the output's sha256, so a refactor of the parser can prove it changes nothing.

Sets: `factual_dev` (FACTUAL random_dev.csv), `flickr30k_val` (Flickr30K val captions), `coco_mini` (dev then train
captions), all from the shared data folder, and `synth` (captions of a small synthetic world, always available).
Each caption becomes one canonical JSON line (keys sorted, no spaces: `{"attributes"...,"caption":...}`); the
digest is the sha256 of those lines, per set and parser backend.

    python scripts/parse_snapshot.py --shared ../shared/data --out /tmp/snap          # write lines, print digests
    python scripts/parse_snapshot.py --shared ../shared/data --check tests/fixtures/parse_snapshot.json

tests/test_parse_snapshot.py compares against the committed digests (the real-data sets skip without the shared
folder)."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

SETS = ("factual_dev", "flickr30k_val", "coco_mini", "synth")
BACKENDS = ("rules", "learned")
#: the synthetic world: images x 5 captions, seeded (about 20 s to parse with both backends on one busy core)
SYNTH_IMAGES, SYNTH_SEED = 100, 0


def synth_captions(n_images: int = SYNTH_IMAGES, seed: int = SYNTH_SEED) -> list[str]:
    from sgfns.data.synth.world import caption_split, sample_split

    w = sample_split("dev", n_images, seed)
    caption_split(w, seed)
    return w.texts


def load_captions(name: str, shared: Path | None) -> list[str]:
    """The captions of one set, in a fixed order."""
    if name == "synth":
        return synth_captions()
    if shared is None:
        raise FileNotFoundError(f"set {name!r} needs the shared data folder")
    if name == "factual_dev":
        with open(shared / "factual" / "random_dev.csv", newline="", encoding="utf-8") as f:
            return [row["caption"] for row in csv.DictReader(f)]
    if name == "coco_mini":
        out = []
        for split in ("dev", "train"):
            data = json.loads((shared / "coco_mini" / f"{split}.json").read_text(encoding="utf-8"))
            out += [c for im in data["images"] for c in im["captions"]]
        return out
    if name == "flickr30k_val":
        from sgfns.data.safe_pickle import safe_load

        caps = safe_load(shared / "flickr30k_sg" / "flickr30k_val_lowered_caps_data.joblib")
        return [caps[k]["sent"] for k in sorted(caps, key=str)]
    raise ValueError(f"unknown set {name!r}; known: {', '.join(SETS)}")


def canonical_lines(captions: list[str], backend: str) -> list[str]:
    """One canonical JSON line per caption: the caption and its graph as `sgfns parse` writes it, keys sorted."""
    from sgfns.graphs.parser import load_parser

    graphs = load_parser(backend=backend).parse_batch(captions)
    return [
        json.dumps({"caption": c, **g.to_dict()}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for c, g in zip(captions, graphs, strict=True)
    ]


def digest(lines: list[str]) -> str:
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def parser_versions() -> dict[str, str]:
    """The version string of each backend (rules, spaCy and its model): a digest holds for these versions."""
    from sgfns.graphs.parser import load_parser

    return {backend: load_parser(backend=backend).version for backend in BACKENDS}


def snapshot(names: list[str], shared: Path | None, out: Path | None = None) -> dict[str, dict]:
    """{set: {"captions": n, backend: sha256, ...}, "parser": {backend: version}} for the named sets."""
    result: dict[str, dict] = {"parser": parser_versions()}
    for name in names:
        caps = load_captions(name, shared)
        entry: dict = {"captions": len(caps), "captions_sha256": digest(caps)}
        for backend in BACKENDS:
            lines = canonical_lines(caps, backend)
            entry[backend] = digest(lines)
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{name}.{backend}.jsonl").write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        result[name] = entry
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=None, help="the shared data folder (real-data sets skipped without)")
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated (default: {','.join(SETS)})")
    ap.add_argument("--out", type=Path, default=None, help="also write the canonical lines, one file per set/backend")
    ap.add_argument("--check", type=Path, default=None, help="compare with a digest file; exit 1 on a difference")
    args = ap.parse_args(argv)
    names = [s for s in args.sets.split(",") if s and (s == "synth" or args.shared is not None)]
    result = snapshot(names, args.shared, args.out)
    print(json.dumps(result, indent=1, sort_keys=True))
    if args.check is not None:
        want = json.loads(args.check.read_text(encoding="utf-8"))
        diff = [n for n in result if n != "parser" and want.get(n) != result[n]]
        if diff:
            print(f"differs from {args.check}: {', '.join(diff)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
