"""Build `src/sgfns/resources/wordnet_adverbs.json.gz` from a WordNet 3.0 dictionary folder (Debian's
`wordnet-base` installs one at /usr/share/wordnet).

`sgfns.text.lexicon` ships nouns, verbs and adjectives only; the parser's SPICE scorer also needs adverb synsets,
because FACTUAL's reference scorer looks words up in all four parts of speech ("on", "up", "together" have adverb
senses that make predicates synonyms). Adverb synsets are stored by their WordNet 3.0 offsets.

    python scripts/build_wordnet_adverbs.py [/usr/share/wordnet]
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "sgfns" / "resources" / "wordnet_adverbs.json.gz"


def main(argv: list[str]) -> int:
    src = Path(argv[0] if argv else "/usr/share/wordnet")
    index: dict[str, list[int]] = {}
    for line in (src / "index.adv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(" "):
            continue
        parts = line.split()
        n_synsets = int(parts[2])
        index[parts[0].replace("_", " ")] = [int(x) for x in parts[-n_synsets:]]
    exceptions: dict[str, list[str]] = {}
    for line in (src / "adv.exc").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            exceptions.setdefault(parts[0].replace("_", " "), []).extend(p.replace("_", " ") for p in parts[1:])
    data = {"source": "WordNet 3.0 index.adv / adv.exc", "index": index, "exceptions": exceptions}
    OUT.write_bytes(gzip.compress(json.dumps(data, sort_keys=True, separators=(",", ":")).encode(), mtime=0))
    print(f"{OUT}: {len(index)} adverbs, {len(exceptions)} exceptions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
