"""Fit the caption parser's learned edits on FACTUAL train and write `src/sgfns/resources/parser_edits.json`.

    OMP_NUM_THREADS=1 python scripts/train_parser.py --train ../shared/data/factual/random_train.csv \
        [--heldout src/sgfns/resources/factual_heldout_ids.txt] [--docs-cache /tmp/factual_train.spacy] \
        [--out src/sgfns/resources/parser_edits.json]

Every caption whose image id is in the held-out list is left out. The captions are parsed once with the project's
spaCy pipeline (`--docs-cache` keeps the parses on disk for the next run), the rule backend builds each graph, and
the gold facts label what FACTUAL's annotators wrote instead (see `sgfns.graphs.parser.learned`). Stages run in the
order they are applied: names first, then predicates, attributes and lone objects on the renamed graphs. The
output records the training file's sha256, the held-out ids' sha256 and the hyper-parameters, and is
deterministic (sorted keys, rounded weights), so rerunning the command reproduces the shipped file."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HELDOUT = ROOT / "src" / "sgfns" / "resources" / "factual_heldout_ids.txt"
DEFAULT_OUT = ROOT / "src" / "sgfns" / "resources" / "parser_edits.json"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rows(path: Path, heldout: set[str]) -> tuple[list[dict], int]:
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if r["image_id"] not in heldout]
    return kept, len(rows) - len(kept)


def parse_docs(parser, captions: list[str], cache: Path | None) -> list:
    """spaCy parses of the captions, read from `cache` when it holds exactly these captions."""
    from spacy.tokens import DocBin

    from sgfns.graphs.parser import clean_text

    texts = [clean_text(c) for c in captions]
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(parser.nlp.vocab))
        if [d.text for d in docs] == texts:
            return docs
        print(f"{cache}: other captions; parsing again", file=sys.stderr)
    docs = list(parser.nlp.pipe(texts, batch_size=256))
    if cache is not None:
        db = DocBin()
        for d in docs:
            db.add(d)
        db.to_disk(cache)
    return docs


def gold_facts(text: str) -> list[tuple[str, ...]]:
    from sgfns.graphs.factual import split_facts

    return [tuple(" ".join(x.lower().split()) for x in f) for f in split_facts(text)]


def surface(caption: str, span) -> str:
    return caption[span[0] : span[1]].lower()


# --- names ------------------------------------------------------------------------------------------------------
def name_examples(docs, graphs, golds) -> tuple[list[list[str]], list[int]]:
    from sgfns.graphs.parser.learned import head_tokens, modifier_chain, name_features, name_words

    feats, labels = [], []
    for doc, g, facts in zip(docs, graphs, golds, strict=True):
        names = {f[0] for f in facts} | {f[-1] for f in facts if len(f) == 3 and f[1] != "is"}
        heads = head_tokens(doc, g)
        for obj in g.objects:
            head = heads.get(obj.span[1]) if obj.span else None
            if head is None or head.pos_ not in ("NOUN", "PROPN"):
                continue
            chain = modifier_chain(head)
            if not chain:
                continue
            words = name_words(obj, chain)
            head_text = surface(doc.text, obj.span)
            k_gold = None
            for k in range(len(chain) + 1):
                if " ".join([m.lower_ for m in reversed(chain[:k])] + [head_text]) in names:
                    k_gold = k
            if k_gold is None:
                continue
            for dist in range(min(k_gold + 1, len(chain))):
                m = chain[dist]
                feats.append(name_features(m, words[-1], dist, m.lower_ in words[:-1]))
                labels.append(int(dist < k_gold))
    return feats, labels


def fit_logistic(feats: list[list[str]], labels: list[int], l2: float, min_count: int, steps: int) -> dict:
    """L2-regularised logistic regression over sparse binary features, full-batch Adam (numpy, deterministic)."""
    counts = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, c in counts.items() if c >= min_count or f == "b")
    index = {f: i for i, f in enumerate(vocab)}
    rows = np.repeat(np.arange(len(feats)), [sum(f in index for f in fs) for fs in feats])
    cols = np.array([index[f] for fs in feats for f in fs if f in index], dtype=np.int64)
    y = np.asarray(labels, dtype=np.float64)
    w = np.zeros(len(vocab))
    m, v = np.zeros_like(w), np.zeros_like(w)
    n = len(y)
    for t in range(1, steps + 1):
        z = np.bincount(rows, weights=w[cols], minlength=n)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        grad = np.bincount(cols, weights=(p - y)[rows], minlength=len(w)) / n + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return {f: round(float(x), 4) for f, x in zip(vocab, w, strict=True) if abs(x) >= 1e-4}


# --- predicates, attributes, lone objects -----------------------------------------------------------------------
def table_stats(docs, graphs, golds):
    from sgfns.graphs.factual import surface_name
    from sgfns.graphs.parser.learned import REVERSE, head_tokens, verb_of

    pred = defaultdict(Counter)  # key -> Counter(gold predicate)
    attr = defaultdict(lambda: [0, 0])  # attribute -> [kept, seen]
    lone = defaultdict(lambda: [0, 0])  # object name -> [kept, seen]
    rel = defaultdict(lambda: [0, 0])  # predicate -> [in the gold, seen]
    names = defaultdict(Counter)  # rule name -> Counter(gold name when it is the caption's one unmatched pair)
    for doc, g, facts in zip(docs, graphs, golds, strict=True):
        gold_rels = [f for f in facts if len(f) == 3 and f[1] != "is"]
        gold_attrs = {f[2] for f in facts if len(f) == 3 and f[1] == "is"}
        gold_heads = {f[0].split()[-1] for f in facts if f[0]} | {f[-1].split()[-1] for f in gold_rels if f[-1]}
        heads = [surface(doc.text, o.span) if o.span else o.name for o in g.objects]
        tokens = head_tokens(doc, g)
        used = {r.subject for r in g.relations} | {r.object for r in g.relations}
        gold_names = {f[0] for f in facts} | {f[-1] for f in gold_rels}
        cand = {surface_name(o, doc.text).lower(): o.name for o in g.objects}
        for o in g.objects:
            names[o.name]["<seen>"] += 1
        extra, missed = set(cand) - gold_names, gold_names - set(cand)
        if len(extra) == 1 and len(missed) == 1:
            names[cand[next(iter(extra))]][next(iter(missed))] += 1
        for r in g.relations:
            s, o = heads[r.subject], heads[r.object]
            found = [f[1] for f in gold_rels if f[0].split()[-1:] == [s] and f[2].split()[-1:] == [o]]
            if not found:  # FACTUAL writes some passives active: "a bench covered with snow" -> (snow, cover, bench)
                found = [REVERSE + f[1] for f in gold_rels if f[0].split()[-1:] == [o] and f[2].split()[-1:] == [s]]
            rel[r.predicate][0] += bool(found)
            rel[r.predicate][1] += 1
            if found:
                pred[r.predicate][found[0]] += 1
                pred[f"{r.predicate}|{g.objects[r.object].name.split()[-1]}"][found[0]] += 1
                head = tokens.get(g.objects[r.object].span[1]) if g.objects[r.object].span else None
                verb = verb_of(head, r.predicate) if head is not None else None
                if verb:
                    pred[f"{r.predicate}|v:{verb}"][found[0]] += 1
        for i, obj in enumerate(g.objects):
            for a in obj.attributes:
                attr[a][0] += a in gold_attrs
                attr[a][1] += 1
            if i not in used and not obj.attributes and (obj.count or 0) < 2:
                lone[obj.name][0] += heads[i] in gold_heads
                lone[obj.name][1] += 1
    return pred, attr, lone, rel, names


def adjacent_stats(docs, graphs, golds) -> dict:
    from sgfns.graphs.parser.learned import REVERSE, adjacent_pairs, head_tokens, verb_key, verb_label

    out = defaultdict(Counter)  # key -> Counter(gold predicate, REVERSE + predicate, or "" for none)
    for doc, g, facts in zip(docs, graphs, golds, strict=True):
        gold_rels = [f for f in facts if len(f) == 3 and f[1] != "is"]
        for a, b, key, verb in adjacent_pairs(doc, g, head_tokens(doc, g)):
            s, o = surface(doc.text, g.objects[a].span), surface(doc.text, g.objects[b].span)
            fwd = [f[1] for f in gold_rels if f[0].split()[-1:] == [s] and f[2].split()[-1:] == [o]]
            rev = [REVERSE + f[1] for f in gold_rels if f[0].split()[-1:] == [o] and f[2].split()[-1:] == [s]]
            label = (fwd + rev + [""])[0]
            out[key][label] += 1
            out[key.split("|")[0] + "|*"][label] += 1
            if verb:
                out[verb_key(key, verb)][verb_label(label, verb[1], to_pattern=True)] += 1
    return out


def majority(stats: dict, min_support: int, min_share: float) -> dict[str, str]:
    out = {}
    for key in sorted(stats):
        best, c = stats[key].most_common(1)[0]
        if best and c >= min_support and c / sum(stats[key].values()) >= min_share:
            out[key] = best
    return out


def predicate_rewrites(pred: dict, min_support: int, min_share: float) -> dict[str, str]:
    """Key -> FACTUAL's predicate where the data agree: the most frequent gold predicate differs from the rule's,
    is seen `min_support` times and takes `min_share` of the key's cases. A specific key (predicate|object) that
    agrees with the rule is written too when its back-off would rewrite."""
    out: dict[str, str] = {}
    for key in sorted(k for k in pred if "|" not in k):
        best, c = pred[key].most_common(1)[0]
        if best != key and c >= min_support and c / sum(pred[key].values()) >= min_share:
            out[key] = best
    for key in sorted(k for k in pred if "|" in k):
        rule = key.split("|")[0]
        best, c = pred[key].most_common(1)[0]
        share = c / sum(pred[key].values())
        if best != rule and c >= min_support and share >= min_share:
            out[key] = best
        elif rule in out and best == rule and c >= min_support and share >= min_share:
            out[key] = rule
    return out


def renames(names: dict, min_support: int, min_share: float) -> dict[str, str]:
    """Rule name -> gold name when the gold writes that other name in `min_share` of the name's occurrences."""
    out = {}
    for name in sorted(names):
        seen = names[name]["<seen>"]
        best = [(c, g) for g, c in names[name].items() if g != "<seen>" and g]
        if best:
            c, g = max(best)
            if c >= min_support and c / seen >= min_share:
                out[name] = g
    return out


def rare(stats: dict, min_seen: int, max_keep: float) -> list[str]:
    return sorted(k for k, (kept, seen) in stats.items() if seen >= min_seen and kept / seen < max_keep)


def fit(docs, graphs, golds, args) -> dict:
    """Every edit table, fitted stage by stage in the order the edits are applied (names first; the other tables
    are counted on the renamed graphs)."""
    from sgfns.graphs.parser.learned import Edits, no_edits

    feats, labels = name_examples(docs, graphs, golds)
    weights = fit_logistic(feats, labels, args.l2, args.min_count, args.steps)
    print(f"names: {len(labels)} decisions ({sum(labels)} joins), {len(weights)} weights", file=sys.stderr)
    edits = Edits({**no_edits(), "names": {"weights": weights}}, sha256="")
    graphs = [edits.apply(d, g) for d, g in zip(docs, graphs, strict=True)]
    pred, attr, lone, rel, names = table_stats(docs, graphs, golds)
    rename = renames(names, args.rename_support, args.rename_share)
    rewrites = predicate_rewrites(pred, args.pred_support, args.pred_share)
    drop_rels = rare(rel, args.rel_seen, args.rel_keep)
    adjacent = majority(adjacent_stats(docs, graphs, golds), args.adj_support, args.adj_share)
    drop_attrs = rare(attr, args.attr_seen, args.attr_keep)
    drop_objects = rare(lone, args.obj_seen, args.obj_keep)
    print(f"predicates: {len(rewrites)} rewrites; attributes: {len(drop_attrs)} dropped; objects: {len(rename)} "
          f"renamed, {len(drop_objects)} lone ones dropped; relations: {len(drop_rels)} predicates dropped, "
          f"{len(adjacent)} adjacent-pair patterns", file=sys.stderr)  # fmt: skip

    return {
        "names": {"weights": weights},
        "predicates": {"rewrite": rewrites},
        "attributes": {"drop": drop_attrs},
        "objects": {"drop": drop_objects, "rename": rename},
        "relations": {"drop": drop_rels, "adjacent": adjacent},
        "stats": {"relations": {k: v for k, v in sorted(rel.items()) if v[1] >= args.rel_seen}},
    }


HYPER = ("l2", "min_count", "steps", "pred_support", "pred_share", "attr_seen", "attr_keep", "obj_seen", "obj_keep",
         "rel_seen", "rel_keep", "adj_support", "adj_share", "rename_support", "rename_share")  # fmt: skip


def arg_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    ap.add_argument("--docs-cache", type=Path, default=None, help="spaCy DocBin of the kept captions (reused)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--l2", type=float, default=1e-5)
    ap.add_argument("--min-count", type=int, default=2, help="name features seen fewer times are dropped")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--pred-support", type=int, default=3)
    ap.add_argument("--pred-share", type=float, default=0.4)
    ap.add_argument("--attr-seen", type=int, default=10)
    ap.add_argument("--attr-keep", type=float, default=0.2)
    ap.add_argument("--rel-seen", type=int, default=10)
    ap.add_argument("--rel-keep", type=float, default=0.0, help="0 keeps every relation the rules find")
    ap.add_argument("--adj-support", type=int, default=3)
    ap.add_argument("--adj-share", type=float, default=0.5)
    ap.add_argument("--rename-support", type=int, default=3)
    ap.add_argument("--rename-share", type=float, default=0.5)
    ap.add_argument("--obj-seen", type=int, default=5)
    ap.add_argument("--obj-keep", type=float, default=0.3)
    return ap


def main() -> int:
    args = arg_parser().parse_args()

    from sgfns.graphs.parser import load_parser
    from sgfns.graphs.parser.spacy_rules import build

    t0 = time.time()
    heldout = set(args.heldout.read_text(encoding="utf-8").split())
    rows, n_out = read_rows(args.train, heldout)
    parser = load_parser(backend="rules")
    docs = parse_docs(parser, [r["caption"] for r in rows], args.docs_cache)
    docs = parser.backend.read(docs)  # the parses the rules and the edits read (a few captions parsed again)
    graphs = [build(d) for d in docs]
    golds = [gold_facts(r["scene_graph"]) for r in rows]
    print(f"{len(rows)} captions ({n_out} set apart), parsed in {time.time() - t0:.0f}s", file=sys.stderr)

    fitted = fit(docs, graphs, golds, args)
    out = {
        "format": "sgfns parser edits",
        "training": {
            "file": args.train.name,
            "file_sha256": sha256_file(args.train),
            "heldout_ids_sha256": sha256_file(args.heldout),
            "captions_used": len(rows),
            "captions_set_apart": n_out,
            "hyper": {k: getattr(args, k) for k in HYPER},
            "command": "python scripts/train_parser.py --train ../shared/data/factual/random_train.csv",
        },  # fmt: skip
        **fitted,
    }
    from sgfns.io import atomic_write

    with atomic_write(args.out) as f:
        f.write(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} (sha256 {sha256_file(args.out)[:12]}) in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
