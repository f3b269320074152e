#!/usr/bin/env python3
"""Derive the small WordNet lexicon that ships in `src/sgfns/resources/wordnet_lexicon.json.gz`.

Run once where Debian's `wordnet-base` is installed (`apt-get install wordnet-base`); the result is committed,
so the toolkit never needs WordNet (or NLTK) at run time:

    python scripts/build_lexicon.py --wordnet /usr/share/wordnet --out src/sgfns/resources/wordnet_lexicon.json.gz

Contents (all lemmas lower-case, multi-word lemmas with spaces):
- `synsets[pos]`: list of `[lexname_id, lemmas, hypernym_ids, antonym_ids, similar_ids]`, ids index the same list;
  instance hypernyms count as hypernyms; antonyms are collected per synset (WordNet stores them per lemma).
- `index[pos]`: lemma -> synset ids, most frequent sense first (WordNet's index order).
- `exceptions[pos]`: irregular inflection -> base forms (noun.exc, verb.exc, adj.exc).
- `lexnames`: WordNet lexicographer file names (noun.animal, noun.artifact, ...).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

POS = {"noun": "n", "verb": "v", "adj": "a"}
LEXNAMES = [
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute",
    "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
    "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant",
    "noun.possession", "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state",
    "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition", "verb.communication",
    "verb.competition", "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
]


def clean(word: str) -> str:
    w = word.lower().replace("_", " ")
    if w.endswith(")") and "(" in w:  # adjective markers such as "(a)", "(p)"
        w = w[: w.index("(")]
    return w


def read_data(path: Path):
    """Yield (offset, lexname_id, lemmas, pointers) for each synset line."""
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        head = line.split(" | ")[0].split()
        offset, lex, _ss_type, w_cnt = head[0], int(head[1]), head[2], int(head[3], 16)
        lemmas = [clean(head[4 + 2 * i]) for i in range(w_cnt)]
        p = 4 + 2 * w_cnt
        p_cnt = int(head[p])
        ptrs = []
        for j in range(p_cnt):
            sym, tgt, pos, _st = head[p + 1 + 4 * j : p + 5 + 4 * j]
            ptrs.append((sym, tgt, pos))
        yield offset, lex, lemmas, ptrs


def build(wn: Path) -> dict:
    out: dict = {"lexnames": LEXNAMES, "synsets": {}, "index": {}, "exceptions": {}}
    for name, pos in POS.items():
        rows = list(read_data(wn / f"data.{name}"))
        ids = {off: i for i, (off, *_rest) in enumerate(rows)}
        table = []
        for _off, lex, lemmas, ptrs in rows:
            hyper = [ids[t] for s, t, p in ptrs if s in ("@", "@i") and t in ids and p == pos]
            anto = [ids[t] for s, t, p in ptrs if s == "!" and t in ids]
            sim = [ids[t] for s, t, p in ptrs if s == "&" and t in ids]
            table.append([lex, sorted(set(lemmas), key=lemmas.index), hyper, anto, sim])
        out["synsets"][pos] = table
        index: dict[str, list[int]] = {}
        for line in (wn / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            f = line.split()
            lemma = clean(f[0])
            n_syn = int(f[2])
            offs = f[-n_syn:]
            index[lemma] = [ids[o] for o in offs if o in ids]
        out["index"][pos] = index
        exc: dict[str, list[str]] = {}
        exc_path = wn / f"{name}.exc"
        if exc_path.exists():
            for line in exc_path.read_text(encoding="latin-1").splitlines():
                f = line.split()
                if len(f) >= 2:
                    exc[clean(f[0])] = [clean(x) for x in f[1:]]
        out["exceptions"][pos] = exc
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    ap.add_argument("--out", default="src/sgfns/resources/wordnet_lexicon.json.gz")
    a = ap.parse_args()
    data = build(Path(a.wordnet))
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    with gzip.GzipFile(a.out, "wb", compresslevel=9, mtime=0) as f:
        f.write(raw)
    print(json.dumps({pos: len(t) for pos, t in data["synsets"].items()}), Path(a.out).stat().st_size)


if __name__ == "__main__":
    main()
