"""The project's English word functions (`sgfns.text.lemmas`, `sgfns.text.inflection`; labelled `sgfns`) against
maintained libraries (`lemminflect` for lemmas and verb forms, `inflect` for articles and plurals), on real captions.
docs/text.md has the figures, what each comparison decided and the commit the hand tables were measured at.

    pip install inflect==7.6.0    # only for this measurement (lemminflect is a dependency)
    OMP_NUM_THREADS=1 python benchmarks/text_libraries.py --shared ../shared/data [--factual-train]

What is measured, on the captions of FACTUAL dev, coco_mini (dev+train) and Flickr30K val, tagged by the parser's
own spaCy pipeline:
- **lemmas**: every noun, verb and comparative token; how often the two lemmatisers agree, and the disagreements
  (word, tag, sgfns lemma, library lemma, count). Verb lemmas are scored against FACTUAL's annotators, who write
  predicates with lemmatised verbs ("( bushes , grow on , lawn )"): a verb token counts where one lemmatiser's
  lemma is the first word of a gold predicate of its caption. `--factual-train` adds FACTUAL train (37,861
  captions) to that check. The parser end to end: SPICE-F on FACTUAL dev with each lemmatiser behind the rules.
- **inflection**: the captions are the gold. Plural nouns (NNS) and verb forms (VBG, VBZ, VBD) whose lemma both
  lemmatisers agree on give pairs (lemma, written form): the project and the library each inflect the lemma, and
  singularise the plural; every "a"/"an" before a word gives the article the writer chose.
- **speed**: calls per second of each function over the same inputs, caches cleared, one thread.

The last line printed is JSON; `--examples N` (default 15) bounds the disagreements listed per check."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_UPOS = {"N": "NOUN", "V": "VERB", "J": "ADJ", "M": "AUX"}


def _snapshot_script():
    spec = importlib.util.spec_from_file_location("parse_snapshot", ROOT / "scripts" / "parse_snapshot.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def lib_lemma(word: str, tag: str) -> str:
    """lemminflect's lemma for the tokens `sgfns.text.lemmas` handles (nouns, verbs, comparatives)."""
    from lemminflect import getLemma

    if not (tag.startswith(("NN", "VB")) or tag in ("MD", "JJR", "JJS")):
        return word
    out = getLemma(word, upos=_UPOS[tag[0]], lemmatize_oov=True)
    return out[0] if out else word


def _tagged(nlp, captions: list[str]) -> list[list[tuple[str, str]]]:
    return [[(t.lower_, t.tag_) for t in doc] for doc in nlp.pipe(captions, batch_size=256)]


def _rate(hits: int, n: int) -> float | None:
    return round(100.0 * hits / n, 2) if n else None


def lemma_agreement(tagged: list[list[tuple[str, str]]], examples: int) -> dict:
    from sgfns.text import lemmas

    tokens = Counter(
        (w, t)
        for sent in tagged
        for w, t in sent
        if (t.startswith(("NN", "VB")) or t in ("JJR", "JJS")) and w.isalpha()
    )
    diff = Counter()
    for (w, t), n in tokens.items():
        h, lib = lemmas.lemma(w, t), lib_lemma(w, t)
        if h != lib:
            diff[(w, t, h, lib)] = n
    total = sum(tokens.values())
    return {
        "tokens": total,
        "types": len(tokens),
        "agree_tokens_pct": _rate(total - sum(diff.values()), total),
        "disagree_types": len(diff),
        "disagreements": [list(k) + [n] for k, n in diff.most_common(examples)],
    }


def verb_lemmas_vs_factual(nlp, rows: list[tuple[str, str]], examples: int) -> dict:
    """Verb tokens scored against the lemmatised verbs FACTUAL's annotators wrote in the caption's predicates."""
    from sgfns.graphs.factual import split_facts
    from sgfns.text import lemmas

    hand_ok = lib_ok = n = 0
    hand_only, lib_only = Counter(), Counter()
    for doc, (_, gold) in zip(nlp.pipe((c for c, _ in rows), batch_size=256), rows, strict=True):
        verbs = {f[1].split()[0] for f in split_facts(gold) if len(f) == 3 and f[1] != "is" and f[1].strip()}
        for tok in doc:
            if tok.tag_ not in ("VBG", "VBD", "VBN", "VBZ") or not tok.is_alpha:
                continue
            h, lib = lemmas.lemma(tok.lower_, tok.tag_), lib_lemma(tok.lower_, tok.tag_)
            if h not in verbs and lib not in verbs:
                continue
            n += 1
            hand_ok += h in verbs
            lib_ok += lib in verbs
            if h != lib:
                (hand_only if h in verbs else lib_only)[(tok.lower_, tok.tag_, h, lib)] += 1
    return {
        "verb_tokens_scored": n,
        "sgfns_correct_pct": _rate(hand_ok, n),
        "library_correct_pct": _rate(lib_ok, n),
        "only_sgfns_right": [list(k) + [c] for k, c in hand_only.most_common(examples)],
        "only_library_right": [list(k) + [c] for k, c in lib_only.most_common(examples)],
    }


def parser_spice(rows: list[tuple[str, str]]) -> dict:
    """SPICE-F of the rule parser on FACTUAL dev, lemmas from `sgfns.text.lemmas`, then from lemminflect."""
    from sgfns.graphs import spice
    from sgfns.graphs.factual import graph_to_facts
    from sgfns.graphs.parser import load_parser
    from sgfns.text import lemmas

    parser = load_parser(backend="rules")
    caps = [c for c, _ in rows]
    docs = list(parser.nlp.pipe(caps, batch_size=256))

    def score() -> dict:
        graphs = parser.parse_docs(docs)
        cands = [graph_to_facts(g, c) for g, c in zip(graphs, caps, strict=True)]
        s = spice.summarize([spice.score_caption(c, g) for c, (_, g) in zip(cands, rows, strict=True)])
        return {k: round(s[k], 2) for k in ("spice_f", "set_match")}

    saved = lemmas.lemma, lemmas.noun_lemma, lemmas.verb_lemma
    out = {"sgfns": score()}
    lemmas.lemma = lib_lemma
    lemmas.noun_lemma = lambda w, t="NNS": lib_lemma(w, t)
    lemmas.verb_lemma = lambda w, t="VBG": lib_lemma(w, t)
    try:
        out["lemminflect"] = score()
    finally:
        lemmas.lemma, lemmas.noun_lemma, lemmas.verb_lemma = saved
    return out


def inflection_pairs(tagged: list[list[tuple[str, str]]]) -> dict[str, Counter]:
    """(lemma, written form) per tag where both lemmatisers agree on the lemma; (article, next word) pairs."""
    from sgfns.text import lemmas

    pairs: dict[str, Counter] = {t: Counter() for t in ("NNS", "VBG", "VBZ", "VBD")}
    articles: Counter = Counter()
    for sent in tagged:
        for i, (w, t) in enumerate(sent):
            if t in pairs and w.isalpha():
                h = lemmas.lemma(w, t)
                if h == lib_lemma(w, t) and h != w:
                    pairs[t][(h, w)] += 1
            if w in ("a", "an") and i + 1 < len(sent) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", sent[i + 1][0]):
                articles[(w, sent[i + 1][0])] += 1
    return {**pairs, "article": articles}


def _score(name: str, fn, pairs: Counter, examples: int) -> dict:
    ok = sum(n for (src, want), n in pairs.items() if fn(src) == want)
    total = sum(pairs.values())
    wrong = Counter({(src, want, fn(src)): n for (src, want), n in pairs.items() if fn(src) != want})
    return {"check": name, "tokens": total, "correct_pct": _rate(ok, total), "errors": len(wrong),
            "examples": [list(k) + [n] for k, n in wrong.most_common(examples)]}  # fmt: skip


def inflection_checks(pairs: dict[str, Counter], examples: int) -> list[dict]:
    import inflect
    from lemminflect import getInflection

    from sgfns.text import inflection as hand

    eng = inflect.engine()

    def lem(tag):
        def f(w: str) -> str:
            out = getInflection(w, tag=tag)
            return out[0] if out else w

        return f

    def inf_singular(w: str) -> str:
        return eng.singular_noun(w) or w

    plural, singular = pairs["NNS"], Counter({(p, s): n for (s, p), n in pairs["NNS"].items()})
    article = Counter({(w, a): n for (a, w), n in pairs["article"].items()})
    checks = [
        ("plural", "sgfns", hand.pluralize, plural), ("plural", "inflect", eng.plural_noun, plural),
        ("plural", "lemminflect", lem("NNS"), plural),
        ("singular", "sgfns", hand.singularize, singular), ("singular", "inflect", inf_singular, singular),
        ("article", "sgfns", hand.indefinite_article, article),
        ("article", "inflect", lambda w: eng.a(w).split()[0], article),
        ("gerund", "sgfns", hand.gerund, pairs["VBG"]), ("gerund", "lemminflect", lem("VBG"), pairs["VBG"]),
        ("third_person", "sgfns", hand.third_person, pairs["VBZ"]),
        ("third_person", "lemminflect", lem("VBZ"), pairs["VBZ"]),
        ("past", "sgfns", hand.past, pairs["VBD"]), ("past", "lemminflect", lem("VBD"), pairs["VBD"]),
    ]  # fmt: skip
    return [{"by": by, **_score(name, fn, data, examples)} for name, by, fn, data in checks]


def speed(tagged: list[list[tuple[str, str]]], repeat: int) -> dict:
    """Calls per second on the caption tokens (lemmas) and on the lemma list (inflection), caches cleared."""
    import inflect
    from lemminflect import getInflection

    from sgfns.text import inflection as hand
    from sgfns.text import lemmas

    toks = [(w, t) for sent in tagged for w, t in sent if t.startswith(("NN", "VB")) and w.isalpha()]
    nouns = sorted({lemmas.lemma(w, t) for w, t in toks if t.startswith("NN")})
    verbs = sorted({lemmas.lemma(w, t) for w, t in toks if t.startswith("VB")})
    eng = inflect.engine()
    uncached = lemmas.lemma.__wrapped__
    cases = {
        "lemma/sgfns": (lambda: [uncached(w, t) for w, t in toks], len(toks)),
        "lemma/lemminflect": (lambda: [lib_lemma(w, t) for w, t in toks], len(toks)),
        "plural/sgfns": (lambda: [hand.pluralize(w) for w in nouns], len(nouns)),
        "plural/inflect": (lambda: [eng.plural_noun(w) for w in nouns], len(nouns)),
        "plural/lemminflect": (lambda: [getInflection(w, tag="NNS") for w in nouns], len(nouns)),
        "article/sgfns": (lambda: [hand.indefinite_article(w) for w in nouns], len(nouns)),
        "past/sgfns": (lambda: [hand.past(v) for v in verbs], len(verbs)),
        "past/lemminflect": (lambda: [getInflection(v, tag="VBD") for v in verbs], len(verbs)),
        "article/inflect": (lambda: [eng.a(w) for w in nouns], len(nouns)),
    }
    out = {}
    for name, (fn, n) in cases.items():
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        out[name] = {"calls": n, "calls_per_s": round(n / best)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, required=True, help="the shared data folder")
    ap.add_argument("--factual-train", action="store_true", help="also score verb lemmas on FACTUAL train")
    ap.add_argument("--examples", type=int, default=15, help="disagreements listed per check")
    ap.add_argument("--repeat", type=int, default=3, help="timing passes (the fastest counts)")
    args = ap.parse_args(argv)
    if importlib.util.find_spec("inflect") is None:
        raise SystemExit("this measurement needs inflect: pip install inflect==7.6.0")
    from importlib.metadata import version

    from sgfns.graphs.factual import read_factual_csv
    from sgfns.graphs.parser import load_parser

    load_start = os.getloadavg()
    nlp = load_parser(backend="rules").nlp
    snap = _snapshot_script()
    captions = {n: snap.load_captions(n, args.shared) for n in ("factual_dev", "coco_mini", "flickr30k_val")}
    tagged = [s for caps in captions.values() for s in _tagged(nlp, caps)]
    dev = read_factual_csv(args.shared / "factual" / "random_dev.csv")
    result = {
        "captions": {k: len(v) for k, v in captions.items()},
        "libraries": {p: version(p) for p in ("lemminflect", "inflect")},
        "lemmas": lemma_agreement(tagged, args.examples),
        "verb_lemmas_factual_dev": verb_lemmas_vs_factual(nlp, dev, args.examples),
    }
    if args.factual_train:
        train = read_factual_csv(args.shared / "factual" / "random_train.csv")
        result["verb_lemmas_factual_train"] = verb_lemmas_vs_factual(nlp, train, args.examples)
    result["parser_spice_factual_dev"] = parser_spice(dev)
    result["inflection"] = inflection_checks(inflection_pairs(tagged), args.examples)
    result["speed"] = speed(tagged, args.repeat)
    result["machine"] = {"nproc": os.cpu_count(), "threads": os.environ.get("OMP_NUM_THREADS"),
                         "load_start": [round(x, 2) for x in load_start],
                         "load_end": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
