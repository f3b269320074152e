"""Draw a blind-judging sample of caption negatives from two generator versions on coco_mini's real captions.

    git archive main src | tar -x -C /tmp/sgfns_before
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/neg_coverage.py --data ../shared/data/coco_mini \
        --version old=/tmp/sgfns_before/src --version new=src --dump NEGS
    .venv/bin/python scripts/blind_judge_draw.py --data ../shared/data/coco_mini \
        --negatives old=NEGS/old.json --negatives new=NEGS/new.json --rules replace-att,replace-rel \
        --per-version 12 --seed 0 --sample SAMPLE.jsonl --key KEY.jsonl

or, for the default rules as a user runs them,

    .venv/bin/python scripts/blind_judge_draw.py --data DATA --write-input IN.jsonl   # the captions, in order
    PYTHONPATH=<a version's src> .venv/bin/sgfns negatives IN.jsonl -o NAME.jsonl [--evidence FILE]
    .venv/bin/python scripts/blind_judge_draw.py --data DATA --negatives NAME=NAME.jsonl … (as above)

Each version's negatives of every caption come from `benchmarks/neg_coverage.py --dump` (one whole process per
version: all rules, re-parse check), or from `sgfns negatives` of the `--write-input` file (its records follow its
input; a run of identical captions gets its records at the first of them). For each rule, `--per-version` negatives
of each version are drawn with a seeded RNG (a negative both versions made is drawn once and counts for both); the
draws of all rules and versions are shuffled together. SAMPLE holds what the judge sees (item id, photo file,
caption, the image's other captions, negative); with `--differing` the sample is instead every negative that only
some versions make (what a change added or took away) plus `--per-version` drawn from those all versions make. KEY
holds each item's rule and versions, read only after judging (`--score JUDGED.jsonl` joins the judge's `{"id",
"judgement"}` lines with the key and prints the table: per rule and version the share of each judgement and its 95 %
Wilson interval). `--exclude` an earlier round's SAMPLE so that a judge who has seen a caption's negatives is not
shown that caption again."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from parser_blind_judging import wilson  # noqa: E402

from sgfns.errors import UserError, located  # noqa: E402
from sgfns.io import read_jsonl  # noqa: E402

JUDGEMENTS = ("valid", "false-negative", "disfluent")


def coco_items(folder: Path) -> list[dict]:
    items = []
    for split in ("train", "dev"):
        if not (folder / f"{split}.json").exists():  # flickr8k_mini: train.json only
            continue
        for im in json.loads((folder / f"{split}.json").read_text(encoding="utf-8"))["images"]:
            caps = list(im["captions"])
            for j, c in enumerate(caps):
                items.append({"caption": c, "others": caps[:j] + caps[j + 1 :], "file_name": im["file_name"],
                              "split": split})  # fmt: skip
    return items


def records(path: str, keys: tuple[str, ...]) -> list[dict]:
    """The JSON objects of a JSON-lines file, each with `keys` (blank lines skipped)."""
    out = []
    for n, rec in read_jsonl(path, allow_blank=True):
        missing = [k for k in keys if not isinstance(rec, dict) or k not in rec]
        if missing:
            raise located(path, n, f"expected an object with {', '.join(keys)}; missing {', '.join(missing)}")
        out.append(rec)
    return out


def load_negatives(path: str, captions: list[str]) -> list[list[dict]]:
    """A version's negatives per caption, in the data's caption order: `neg_coverage.py --dump`'s JSON list, or the
    JSON lines `sgfns negatives` wrote for the `--write-input` file of the same data."""
    if not path.endswith(".jsonl"):
        per_caption = json.loads(Path(path).read_text(encoding="utf-8"))
        if len(per_caption) != len(captions):
            raise UserError(f"{path}: {len(per_caption)} captions, expected {len(captions)} (same --data?)")
        return per_caption
    per_caption: list[list[dict]] = [[] for _ in captions]
    i = 0
    for n, rec in enumerate(records(path, ("caption", "rule", "negative")), start=1):
        while i < len(captions) and captions[i] != rec["caption"]:
            i += 1
        if i == len(captions):
            raise UserError(f"{path}: record {n}: its caption is not next among --data's captions (was its input "
                            f"the --write-input file of this data?)")  # fmt: skip
        per_caption[i].append({"rule": rec["rule"], "negative": rec["negative"], "edit": rec.get("edit")})
    return per_caption


def write_input(items: list[dict], path: str) -> None:
    """The data's captions as `sgfns negatives` reads them: caption, photo, the photo's other captions."""
    Path(path).write_text("".join(json.dumps({"caption": it["caption"], "image_id": it["file_name"],
                                              "other_captions": it["others"]}) + "\n" for it in items),
                          encoding="utf-8")  # fmt: skip


def draw(args) -> None:
    items = coco_items(Path(args.data))
    rules = args.rules.split(",")
    pool: dict[tuple[str, int, str], set[str]] = defaultdict(set)  # (rule, caption index, negative) -> versions
    for v in args.negatives:
        name, _, path = v.partition("=")
        for i, negs in enumerate(load_negatives(path, [it["caption"] for it in items])):
            for n in negs:
                if n["rule"] in rules:
                    pool[(n["rule"], i, n["negative"])].add(name)
    seen = set()  # captions an earlier round showed the judge: not drawn again
    for path in args.exclude:
        seen.update((s["file_name"], s["caption"]) for s in records(path, ("file_name", "caption")))
    pool = {k: vs for k, vs in pool.items() if (items[k[1]]["file_name"], items[k[1]]["caption"]) not in seen}
    rng = random.Random(args.seed)
    chosen: dict[tuple[str, int, str], set[str]] = {}
    names = {v.partition("=")[0] for v in args.negatives}
    for rule in rules:
        if args.differing:  # the change itself: every negative some versions make and others do not
            chosen.update({k: vs for k, vs in pool.items() if k[0] == rule and vs != names})
            shared = sorted(k for k, vs in pool.items() if k[0] == rule and vs == names)
            for k in rng.sample(shared, min(args.per_version, len(shared))):
                chosen[k] = pool[k]
            continue
        for v in args.negatives:
            name = v.partition("=")[0]
            mine = sorted(k for k, vs in pool.items() if k[0] == rule and name in vs and k not in chosen)
            for k in rng.sample(mine, min(args.per_version, len(mine))):
                chosen[k] = pool[k]
    keys = sorted(chosen)
    rng.shuffle(keys)
    sample, key = [], []
    for n, k in enumerate(keys):
        rule, i, neg = k
        it = items[i]
        sample.append({"id": n, "file_name": it["file_name"], "split": it["split"], "caption": it["caption"],
                       "others": it["others"], "negative": neg})  # fmt: skip
        key.append({"id": n, "rule": rule, "versions": sorted(chosen[k])})
    Path(args.sample).write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sample), encoding="utf-8")
    Path(args.key).write_text("".join(json.dumps(k) + "\n" for k in key), encoding="utf-8")
    print(json.dumps({"items": len(sample), "per_rule": Counter(k["rule"] for k in key)}))


def score(key_path: str, judged_path: str) -> dict:
    """Per rule and version: judged items and the share of each judgement."""
    key = {r["id"]: r for r in records(key_path, ("id", "rule", "versions"))}
    table: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for j in records(judged_path, ("id", "judgement")):
        if j["judgement"] not in JUDGEMENTS:
            raise UserError(f"{judged_path}: id {j['id']}: judgement must be one of {JUDGEMENTS}")
        if j["id"] not in key:
            raise UserError(f"{judged_path}: id {j['id']} is not in {key_path}")
        k = key[j["id"]]
        for v in k["versions"]:
            table[k["rule"]][v][j["judgement"]] += 1
    out = {}
    for rule, by_v in sorted(table.items()):
        for v, c in sorted(by_v.items()):
            n = sum(c.values())
            out[f"{rule}/{v}"] = {"n": n, **{x: round(100 * c[x] / n, 1) for x in JUDGEMENTS},
                                  "wilson_95": {x: wilson(c[x], n) for x in JUDGEMENTS}}  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "coco_mini"))
    ap.add_argument("--negatives", action="append", default=[], metavar="NAME=FILE",
                    help="neg_coverage --dump file, or `sgfns negatives` output (.jsonl) of the --write-input file")
    ap.add_argument("--rules", default="replace-att,replace-rel")
    ap.add_argument("--per-version", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--differing", action="store_true",
                    help="draw every negative that not all versions make, and --per-version of those all make")
    ap.add_argument("--exclude", action="append", default=[], metavar="SAMPLE.jsonl",
                    help="an earlier round's sample: its captions are not drawn again (repeatable)")
    ap.add_argument("--sample", default="sample.jsonl")
    ap.add_argument("--key", default="key.jsonl")
    ap.add_argument("--score", metavar="JUDGED.jsonl", help="score judged items against the key instead of drawing")
    ap.add_argument("--write-input", metavar="IN.jsonl",
                    help="write --data's captions for `sgfns negatives` (caption, photo, other captions) and stop")
    args = ap.parse_args()
    try:
        if args.write_input:
            write_input(coco_items(Path(args.data)), args.write_input)
        elif args.score:
            print(json.dumps(score(args.key, args.score), indent=1))
        else:
            draw(args)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
