"""Caption negatives of a whole split, computed once with their graphs and cached beside the caption graphs.

    negs = caption_negatives_for(split, graphs, rules=RULES, seed=0)   # list (per caption) of list of Negative

The cache is `{split}_negs.jsonl` (one JSON list per caption: `negative`, `rule`, `edit`, `graph`) with
`{split}_negs.meta.json` holding the key (generator version, rules, seed, sha256 of captions and graphs, parser
version of the re-parse check). It lives in the data folder when writable, else in the user cache directory under
`caption_negatives/<key sha256>/`; a data folder already holding a current cache for another seed (or rule set)
keeps it, and the new one goes to the user cache directory, so runs with several seeds each find their own.
Training reads negatives and graphs from here: nothing is parsed per step."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from sgfns.graphs.types import SceneGraph
from sgfns.io import atomic_write, read_json, write_json
from sgfns.negatives.corpus import Corpus
from sgfns.negatives.generator import Generator, Negative
from sgfns.negatives.rules import RULES

log = logging.getLogger(__name__)

# Bump whenever a rule or check changes what is generated: it is part of the cache key.
GENERATOR_VERSION = 24  # 5: real-caption coverage (attribute classes, verbs, next-to); 6: body states, persons;
# 7: count edits balanced in both directions; 8: no antonym inside a compound modifier ('snow covered');
# 9: swaps only of two people or animals doing something to each other, or of two things in a spatial relation,
# and never into roles the captions do not write ('a horse riding a woman'); WordNet antonyms of another sense only
# where the corpus writes them; 10: replace-rel asks the captions for evidence before another action, another posture
# on a vehicle or an animal, a body or a place moved above or below a thing, and an animal's new verb; no 'next to'
# for a motion ('looking into'), no posture contrast 'in line', no relation with a compound's first noun;
# 11: no posture contrast for a bird, no 'holding' for what is swung or eaten, no food under its plate, no 'standing
# in' a seat; 12: anything moved under a thing only where the captions write 'under' with it, no body part's relation;
# 13: what one looks at is replaced without the captions' evidence ('looking at a hill'); a hyphenated attribute
# ('middle-aged') is edited whole; a vessel stays a vessel ('a cup of coffee'); 'a herd of sheep' is plural;
# 14: who can act is the caption parser's test ('a person' is an agent, 'a teddy bear' is not); 15: that test knows
# people by what they do ('climber', 'kayaker', 'wakeboarder'); 16: no 'next to' a thing the rest of the sentence
# rides ('on a skateboard doing tricks'); 17: nor a thing the subject wears ('in a blue collar', 'with a harness');
# 18: replace-rel makes no contrast a still cannot show (up or down of a climb, a walk or a run on a slope, swimming
# or standing, a hike); replace-obj puts the new noun only in the frames the captions write it in, beside what they
# name it with where it is a scene, room, animal, ground or a WordNet co-hyponym; the ground is replaced by another;
# 19: no verb done by hand for an animal ('a dog throwing a frisbee'), no 'looking at' for 'playing with';
# 20: no garment replaced by another (one is worn over the other, or a photo does not tell them apart)
# 21: replace-rel finds a verb written apart from its preposition over a phrase of place ('walking with her dog in
# the snow'), nouns of the object's phrase between predicate and object ('through a snow covered field'); another
# posture beside an animal or vehicle needs no evidence; nobody is put behind a mountain or a building
# 22: no relation past a list, a verb's -ing form or a worn thing between predicate and object ('in a blue coat and
# blue heels', 'in winter gear stand'), no garment in a bare 'in', no 'next to' for 'under' a tree or an umbrella
# 23: a hyphenated attribute the caption parser keeps whole ('long-haired') is edited in its first word
# 24: a hyphenated name is found whole in the caption ('a blue t-shirt': its colour is replaced)


def _sha(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def cache_key(captions: Sequence[str], graphs: Sequence[SceneGraph | None], rules, per_rule: int, seed: int,
              parser_version: str | None) -> dict:  # fmt: skip
    return {
        "generator": GENERATOR_VERSION,
        "rules": list(rules),
        "per_rule": per_rule,
        "seed": seed,
        "captions_sha256": _sha(list(captions)),
        "graphs_sha256": _sha([g.to_dict() if g is not None else None for g in graphs]),
        "reparse_parser": parser_version,
    }


def generate_split(
    captions: Sequence[str],
    graphs: Sequence[SceneGraph | None],
    captions_per_image: int,
    rules: Sequence[str] = RULES,
    per_rule: int = 1,
    seed: int = 0,
    parser=None,
    progress: bool = False,
) -> list[list[Negative]]:
    """Negatives for every caption; the other captions of the same image feed the 'equals/mentioned' checks."""
    gs = [g if g is not None else SceneGraph() for g in graphs]
    gen = Generator(rules, per_rule, seed, Corpus.build(captions, gs), parser)
    k = captions_per_image

    def item(i: int):
        first = (i // k) * k
        return captions[i], gs[i], [captions[j] for j in range(first, min(first + k, len(captions))) if j != i]

    out = gen.stream(item(i) for i in range(len(captions)))
    if progress:
        from tqdm import tqdm

        out = tqdm(out, total=len(captions), desc="caption negatives", unit="cap", disable=len(captions) < 2000 or None)
    return list(out)


def _read(path: Path, captions: Sequence[str]) -> list[list[Negative]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            recs = json.loads(line)
            out.append([Negative(captions[i], r["negative"], SceneGraph.from_dict(r["graph"], caption=r["negative"]),
                                 r["rule"], r["edit"]) for r in recs])  # fmt: skip
    if len(out) != len(captions):
        raise ValueError(f"{path}: {len(out)} lines for {len(captions)} captions")
    return out


def _write(path: Path, meta_path: Path, negs: list[list[Negative]], meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if meta_path.exists():
        meta_path.unlink()
    with atomic_write(path) as f:
        for ns in negs:
            recs = [{"negative": n.negative, "rule": n.rule, "edit": n.edit, "graph": n.graph.to_dict()} for n in ns]
            f.write(json.dumps(recs, ensure_ascii=False, separators=(",", ":")) + "\n")
    write_json(meta_path, meta)


def _holds_sibling(meta_path: Path, key: dict) -> bool:
    """Whether `meta_path` is the key of a current cache of the same captions and graphs made with another seed,
    rule set or per-rule count: a variant to keep (runs of several seeds on one data folder then each find theirs)
    rather than a stale cache to overwrite."""
    try:
        old = read_json(meta_path) if meta_path.exists() else None
    except Exception:
        return False
    same = ("generator", "captions_sha256", "graphs_sha256", "reparse_parser")
    return isinstance(old, dict) and old != key and all(old.get(k) == key[k] for k in same)


def caption_negatives_for(
    split,
    graphs: Sequence[SceneGraph | None],
    rules: Sequence[str] = RULES,
    per_rule: int = 1,
    seed: int = 0,
    parser=None,
    cache: bool = True,
) -> list[list[Negative]]:
    """Negatives of every caption of a loaded split (`sgfns.data.dataset.Split`), from the cache when fresh."""
    from sgfns.graphs.cache import user_cache_dir

    captions = list(split.captions)
    key = cache_key(captions, graphs, rules, per_rule, seed, getattr(parser, "version", None))
    digest = _sha(key)
    places = [Path(split.root), user_cache_dir() / "caption_negatives" / digest]
    if cache:
        for folder in places:
            gp, mp = folder / f"{split.name}_negs.jsonl", folder / f"{split.name}_negs.meta.json"
            try:
                if mp.exists() and read_json(mp) == key and gp.exists():
                    negs = _read(gp, captions)
                    log.info("read caption negatives from the cache %s (delete it to regenerate)", gp)
                    return negs
            except Exception as e:  # a damaged cache is rebuilt, not fatal
                log.warning("caption-negative cache %s unreadable (%s); regenerating", gp, e)
    log.info("generating caption negatives of %s/%s (cached in %s, else %s)", split.root, split.name, *places)
    negs = generate_split(captions, graphs, split.captions_per_image, rules, per_rule, seed, parser, progress=True)
    if cache:
        if _holds_sibling(places[0] / f"{split.name}_negs.meta.json", key):
            places = places[1:]  # keep the data folder's cache of another seed / rule set: this one goes by its key
        for folder in places:
            gp, mp = folder / f"{split.name}_negs.jsonl", folder / f"{split.name}_negs.meta.json"
            try:
                _write(gp, mp, negs, key)
                log.info("wrote caption negatives to %s", gp)
                break
            except OSError as e:
                log.info("cannot write caption negatives to %s (%s); trying the next place", folder, e)
    return negs
