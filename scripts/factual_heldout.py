"""Set apart FACTUAL train captions for measuring the learned parser where nothing was fitted or chosen.

    python scripts/factual_heldout.py --train ../shared/data/factual/random_train.csv \
        --out src/sgfns/resources/factual_heldout_ids.txt

Image ids are shuffled with a fixed seed and taken whole (every caption of an image goes the same way, so the
model never sees another region caption of a held-out image) until at least `--n` captions are set apart. The file
holds image ids only, one per line, sorted; the captions stay in the shared data."""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=2000, help="captions to set apart (whole images, so slightly more)")
    ap.add_argument("--seed", type=int, default=20261205)
    args = ap.parse_args()
    with open(args.train, newline="", encoding="utf-8") as f:
        per_image = Counter(r["image_id"] for r in csv.DictReader(f))
    ids = sorted(per_image, key=int)
    random.Random(args.seed).shuffle(ids)
    chosen, n = [], 0
    for i in ids:
        if n >= args.n:
            break
        chosen.append(i)
        n += per_image[i]
    args.out.write_text("".join(f"{i}\n" for i in sorted(chosen, key=int)), encoding="utf-8")
    print(f"{len(chosen)} image ids, {n} captions set apart -> {args.out}")


if __name__ == "__main__":
    main()
