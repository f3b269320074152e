"""Two-word names FACTUAL's annotators keep whole where WordNet has no such lemma ("stop sign", "power line").

    python scripts/factual_compounds.py --train ../shared/data/factual/random_train.csv [--min-kept 8]

Counts, over FACTUAL train (the held-out image ids left out), how often a two-word object name is written whole in
the gold graph ("( stop sign , on , pole )") and how often it is split into the head with the modifier as an
attribute where the caption writes the two words together ("( sign , is , stop )"). Prints, as JSON lines, every
name kept at least `--min-kept` times and in at least 80 % of its occurrences whose first word is a WordNet noun
and no position word ("front wheel", "left leg" name a part by where it is) and whose head in the singular is no
WordNet lemma either way — the list `closed_words.COMPOUND_NAMES` was copied from (docs/parser.md, "Rules 23")."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from sgfns.graphs.factual import split_facts  # noqa: E402
from sgfns.text import lemmas as L  # noqa: E402
from sgfns.text import lexicon  # noqa: E402

POSITION_WORDS = frozenset({"front", "back", "left", "right", "top", "bottom", "side", "rear", "middle", "center"})
HELDOUT = ROOT / "src" / "sgfns" / "resources" / "factual_heldout_ids.txt"


def singular(name: str) -> str:
    mod, head = name.split()
    return f"{mod} {L.noun_lemma(head)}"


def count(path: Path, heldout: set[str]) -> tuple[Counter, Counter]:
    kept, split = Counter(), Counter()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["image_id"] in heldout:
                continue
            caption = " ".join(row["caption"].lower().split())
            facts = [[w.lower() for w in f] for f in split_facts(row["scene_graph"])]
            # every object a fact names: a lone one ("( stop sign )"), a subject, a relation's object
            names = {f[0] for f in facts} | {f[2] for f in facts if len(f) == 3 and f[1] != "is"}
            for n in names:
                if len(n.split()) == 2:
                    kept[singular(n)] += 1
            for f in facts:
                if len(f) == 3 and f[1] == "is" and len(f[0].split()) == 1 and len(f[2].split()) == 1:
                    if f"{f[2]} {f[0]}" in caption:
                        split[singular(f"{f[2]} {f[0]}")] += 1
    return kept, split


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--heldout", type=Path, default=HELDOUT)
    ap.add_argument("--min-kept", type=int, default=8)
    args = ap.parse_args(argv)
    heldout = set(args.heldout.read_text(encoding="utf-8").split())
    kept, split = count(args.train, heldout)
    for name, k in kept.most_common():
        mod, head = name.split()
        s = split[name]
        if k < args.min_kept or k < 0.8 * (k + s) or mod in POSITION_WORDS or not lexicon.is_lemma(mod, "n"):
            continue
        if lexicon.is_lemma(name, "n") or lexicon.is_lemma(mod + head, "n"):
            continue
        print(json.dumps({"name": name, "kept": k, "split": s}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
