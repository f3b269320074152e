"""A blind comparison of caption parsers on real captions, judged by hand with the rule in docs/parser.md.

    python scripts/parser_blind_judging.py draw --coco ../shared/data/coco_mini --out /tmp/blind \
        [--parser old=/tmp/before/src:rules --parser new=src:rules] [--exclude docs/parser_coco_blind_key.json]
    python scripts/parser_blind_judging.py score --key /tmp/blind/key.json --judged docs/parser_coco_judged.jsonl
    python scripts/parser_blind_judging.py score --key K13 --judged J13 --key K14 --judged J14 \
        --alias 1:rules35=rules --alias 2:rules36=rules
                                        # rounds pooled; ROUND:OLD=NEW also counts OLD as NEW in that round
    python scripts/parser_blind_judging.py current --coco ../shared/data/flickr8k_mini --key K13 --judged J13 … \
        [--extra-key K --extra-judged J] --parser rules=src:rules [--out /tmp/todo]

The draw is seeded: `--n` captions from coco_mini (its train and dev files, every caption of every image, shuffled
with `--seed`; captions in an `--exclude` key, an earlier round's, are left out); `--coco DIR` draws from another
folder of the same record format (flickr8k_mini, which has only train.json). Each `--parser NAME=SRC:BACKEND` parses
them with the code of the `src/` folder SRC (another checkout's, to compare versions) and that backend, in a process
of its own; without `--parser` the two backends of this checkout are compared. Items are the distinct (caption,
graph) pairs, each graph written as FACTUAL fact text with the objects that share a name numbered (`dog#1`, `dog#2`;
the plain text would show one dog), shuffled together, so the judge cannot tell which parser wrote an item, and a
graph that several parsers write is judged once. The judgement file has one line per item: {"item", "right":
true|false, "error": class}; the key (item -> the parsers that wrote it) is read only when scoring. `score` prints,
per parser, the share of captions fully right with its 95 % Wilson interval and the first errors by class, and per
pair of parsers the captions one gets right and the other not; several rounds (`--key`/`--judged` repeated) pool,
and `--alias ROUND:OLD=NEW` also counts a round's parser under a pooled name ("the rules of each round"). Each key
item records `facts_sha256`, a hash of the graph judged; `current` parses the captions of the given rounds with one
parser and looks each graph up among the judged ones (of any parser, `--extra-key` adding judgements of re-judged
graphs), printing the share fully right, and writes the graphs no round judged to `--out` to be judged. Captions
stay in the shared data; the repository keeps ids, graph hashes and judgements."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _parse_with(src: str, backend: str, captions: list[str]) -> tuple[str, list[str]]:
    """(parser version, FACTUAL facts per caption) from the code in `src`, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    out = subprocess.run([sys.executable, __file__, "parse", "--backend", backend], input=json.dumps(captions),
                         capture_output=True, text=True, env=env, check=False)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"parser_blind_judging: parsing with {src} ({backend}) failed: {out.stderr.strip()[-300:]}")
    res = json.loads(out.stdout)
    return res["parser"], res["facts"]


def parse(args) -> int:
    from sgfns.graphs.factual import graph_to_facts
    from sgfns.graphs.parser import load_parser

    caps = json.loads(sys.stdin.read())
    parser = load_parser(backend=args.backend)
    facts = [graph_to_facts(numbered(g, c), c) for c, g in zip(caps, parser.parse_batch(caps), strict=True)]
    print(json.dumps({"parser": parser.version, "facts": facts}))
    return 0


def numbered(graph, caption: str):
    """The graph with objects that share a written name renamed `dog#1`, `dog#2`: FACTUAL's fact text, which the
    judge reads, would show them as one object ("a black dog and a brown dog")."""
    from sgfns.graphs.factual import surface_name

    names = [surface_name(o, caption) for o in graph.objects]
    shared = {n for n in names if names.count(n) > 1}
    nth: Counter = Counter()
    for o, n in zip(graph.objects, names, strict=True):
        if n in shared:
            nth[n] += 1
            o.name, o.span = f"{n}#{nth[n]}", None
    return graph


def _parser_spec(text: str) -> tuple[str, str, str]:
    name, eq, rest = text.partition("=")
    src, colon, backend = rest.rpartition(":")
    if not (eq and colon and name and src and backend in ("rules", "learned")):
        raise argparse.ArgumentTypeError(f"--parser {text!r}: expected NAME=SRC:rules or NAME=SRC:learned")
    return name, src, backend


def _key_names(k: dict) -> list[str]:
    """The parsers that wrote a key entry's graph (keys of earlier rounds name one backend per item)."""
    return [k["backend"]] if "backend" in k else [b["name"] for b in k["by"]]


def _bad_input(message: str) -> None:
    print(f"parser_blind_judging: {message}", file=sys.stderr)
    raise SystemExit(2)


def facts_sha(facts: str) -> str:
    """What a key records of a judged graph (the graph's text stays out of the repository)."""
    return hashlib.sha256(facts.encode("utf-8")).hexdigest()[:16]


def _captions(folder: Path) -> dict[tuple[str, int], str]:
    """(image id, caption index) -> caption, of every split of a coco_mini-format folder."""
    from sgfns.io import read_json

    splits = [folder / f"{name}.json" for name in ("train", "dev", "test")]
    splits = [path for path in splits if path.exists()]
    if not splits:
        _bad_input(f"{folder}: no train.json, dev.json or test.json")
    caps = {}
    for path in splits:  # coco_mini has train and dev; flickr8k_mini only train
        for rec in read_json(path)["images"]:
            for k, c in enumerate(rec["captions"]):
                caps[(str(rec["image_id"]), k)] = c.strip()
    return caps


def _write_items(out: Path, items: list[dict]) -> None:
    """The items to judge (blind.txt) and their key (key.json: who wrote each graph, and its facts_sha256)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "blind.txt", "w", encoding="utf-8") as f:
        for i, it in enumerate(items):
            f.write(f"[{i}] {it['caption']}\n     {it['facts']}\n")
    key = [{"item": i, **{k: it[k] for k in ("image_id", "caption_index", "by")},
            "facts_sha256": facts_sha(it["facts"])} for i, it in enumerate(items)]  # fmt: skip
    (out / "key.json").write_text(json.dumps(key, indent=0) + "\n", encoding="utf-8")


def draw(args) -> int:
    left_out = set()
    for path in args.exclude:
        left_out |= {(k["image_id"], k["caption_index"]) for k in json.loads(path.read_text(encoding="utf-8"))}
    caps = [(image_id, k, c) for (image_id, k), c in _captions(args.coco).items() if (image_id, k) not in left_out]
    if args.n > len(caps):
        _bad_input(f"{args.coco}: {len(caps)} captions left after the exclusions, fewer than --n {args.n}")
    rng = random.Random(args.seed)
    sample = rng.sample(caps, args.n)
    specs = args.parser or [("learned", str(ROOT / "src"), "learned"), ("rules", str(ROOT / "src"), "rules")]
    items: dict[tuple[str, int, str], dict] = {}
    for name, src, backend in specs:
        version, facts = _parse_with(src, backend, [c for _, _, c in sample])
        for (image_id, k, cap), f in zip(sample, facts, strict=True):
            it = items.setdefault((image_id, k, f), {"image_id": image_id, "caption_index": k, "caption": cap,
                                                     "facts": f, "by": []})  # fmt: skip
            it["by"].append({"name": name, "backend": backend, "parser": version})
    order = list(items.values())
    rng.shuffle(order)
    _write_items(args.out, order)
    print(f"{len(order)} items ({args.n} captions, {len(specs)} parsers) -> {args.out}/blind.txt (judge these), "
          f"key in {args.out}/key.json")  # fmt: skip
    return 0


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    """The 95 % Wilson interval of a share k / n, in percent."""
    if n == 0:
        return [0.0, 100.0]
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(100 * (centre - half), 1), round(100 * (centre + half), 1)]


def score(args) -> int:
    if len(args.key) != len(args.judged):
        _bad_input(f"{len(args.key)} --key and {len(args.judged)} --judged: give one judged file per key")
    aliases: dict[int | None, dict[str, str]] = {}  # round (1-based; None: every round) -> name -> pooled name
    for a in args.alias:
        where, _, pair = a.rpartition(":")
        if "=" not in pair or (where and not where.isdigit()):
            _bad_input(f"--alias {a!r}: expected OLD=NEW or ROUND:OLD=NEW")
        old_name, new_name = pair.split("=", 1)
        aliases.setdefault(int(where) if where else None, {})[old_name] = new_name
    versions: dict[str, str] = {}
    right: dict[str, dict] = {}  # name -> caption -> right
    errors: dict[str, Counter] = {}
    for r, (key_path, judged_path) in enumerate(zip(args.key, args.judged, strict=True), start=1):
        alias = {**aliases.get(None, {}), **aliases.get(r, {})}
        key, judged = _round(key_path, judged_path)
        for k in key:
            for b in k.get("by", [k]):
                n = b.get("name", b.get("backend"))
                versions.setdefault(n, b["parser"])
                if n in alias:
                    versions.setdefault(alias[n], f"{b['parser']} and others (pooled)")
        for k, j in judged:
            for name in {*_key_names(k), *(alias[n] for n in _key_names(k) if n in alias)}:
                right.setdefault(name, {})[(str(k["image_id"]), k["caption_index"])] = j["right"]
                if not j["right"]:
                    errors.setdefault(name, Counter())[j["error"]] += 1
    out: dict = {}
    for name in sorted(versions):
        mine = right.get(name, {})
        k = sum(mine.values())
        out[name] = {
            "parser": versions[name],
            "judged": len(mine),
            "fully_right": k,
            "fully_right_percent": round(100 * k / max(1, len(mine)), 1),
            "wilson_95": wilson(k, len(mine)),
            "errors": dict(errors.get(name, Counter()).most_common()),
        }
    names = sorted(right)
    out["pairs"] = {
        f"{a}|{b}": {
            "captions": len(both := right[a].keys() & right[b].keys()),
            f"right_only_{a}": sum(right[a][c] and not right[b][c] for c in both),
            f"right_only_{b}": sum(right[b][c] and not right[a][c] for c in both),
        }
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if right[a].keys() & right[b].keys()
    }
    print(json.dumps(out))
    return 0


def _round(key_path: Path, judged_path: Path):
    """A round's key items, and (in the file's order) each judgement with the key item it judges."""
    key = json.loads(key_path.read_text(encoding="utf-8"))
    by_item = {k["item"]: k for k in key}

    def pairs():
        for line in judged_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                if j["item"] not in by_item:
                    _bad_input(f"{judged_path}: item {j['item']} is not in {key_path}")
                yield by_item[j["item"]], j

    return key, pairs()


def _judged_graphs(pairs) -> dict[tuple[str, int], dict[str, bool]]:
    """(image id, caption index) -> facts_sha256 -> right, from (key, judged) files; the first judgement of a graph
    counts (a later re-judging of the same graph does not overwrite it)."""
    out: dict[tuple[str, int], dict[str, bool]] = {}
    for key_path, judged_path in pairs:
        for k, j in _round(key_path, judged_path)[1]:
            if "facts_sha256" not in k:
                _bad_input(f"{key_path}: item {k['item']} has no facts_sha256 (a key written before graphs were "
                           "hashed)")
            out.setdefault((str(k["image_id"]), k["caption_index"]), {}).setdefault(k["facts_sha256"], j["right"])
    return out


def current(args) -> int:
    """The share of the rounds' captions one parser gets fully right today, from the judgements of the same graphs
    (whichever parser wrote them then); its graphs no round judged are written to `--out` to be judged."""
    if len(args.key) != len(args.judged) or len(args.extra_key) != len(args.extra_judged):
        _bad_input("give one --judged per --key and one --extra-judged per --extra-key")
    judged = _judged_graphs([*zip(args.key, args.judged, strict=True),
                             *zip(args.extra_key, args.extra_judged, strict=True)])  # fmt: skip
    wanted = sorted({(str(k["image_id"]), k["caption_index"]) for path in args.key
                     for k in json.loads(path.read_text(encoding="utf-8"))})  # fmt: skip
    caps = _captions(args.coco)
    missing = [c for c in wanted if c not in caps]
    if missing:
        _bad_input(f"{args.coco}: no caption {missing[0]} that a key names")
    name, src, backend = args.parser
    version, facts = _parse_with(src, backend, [caps[c] for c in wanted])
    right = 0
    unjudged = []
    for c, f in zip(wanted, facts, strict=True):
        verdict = judged.get(c, {}).get(facts_sha(f))
        if verdict is None:
            unjudged.append({"image_id": c[0], "caption_index": c[1], "caption": caps[c], "facts": f,
                             "by": [{"name": name, "backend": backend, "parser": version}]})  # fmt: skip
        else:
            right += verdict
    n = len(wanted) - len(unjudged)
    out = {"parser": version, "captions": len(wanted), "judged": n, "unjudged": len(unjudged), "fully_right": right,
           "fully_right_percent": round(100 * right / max(1, n), 1), "wilson_95": wilson(right, n)}  # fmt: skip
    if unjudged and args.out is not None:
        random.Random(args.seed).shuffle(unjudged)
        _write_items(args.out, unjudged)
        out["to_judge"] = str(args.out / "blind.txt")
    print(json.dumps(out))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--coco", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_mini")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--n", type=int, default=100)
    d.add_argument("--parser", type=_parser_spec, action="append", help="NAME=SRC:BACKEND (repeat)")
    d.add_argument("--exclude", type=Path, action="append", default=[], help="an earlier round's key.json")
    s = sub.add_parser("score")
    s.add_argument("--key", type=Path, action="append", required=True,
                   help="a round's key.json (repeat, each with its --judged)")
    s.add_argument("--judged", type=Path, action="append", required=True, help="that round's judgements (in order)")
    s.add_argument("--alias", action="append", default=[],
                   help="[ROUND:]OLD=NEW: also count parser OLD as NEW (in the ROUND-th --key only)")
    c = sub.add_parser("current", help="one parser's share fully right on earlier rounds' captions")
    c.add_argument("--coco", type=Path, required=True)
    c.add_argument("--key", type=Path, action="append", required=True, help="a round's key.json: its captions count")
    c.add_argument("--judged", type=Path, action="append", required=True, help="that round's judgements (in order)")
    c.add_argument("--extra-key", type=Path, action="append", default=[],
                   help="more judged graphs (their captions not added)")
    c.add_argument("--extra-judged", type=Path, action="append", default=[])
    c.add_argument("--parser", type=_parser_spec, required=True, help="NAME=SRC:BACKEND")
    c.add_argument("--out", type=Path, help="write the graphs no round judged here, to judge")
    c.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("parse", help="(internal) parse a JSON list of captions from stdin with this code")
    p.add_argument("--backend", choices=("rules", "learned"), required=True)
    args = ap.parse_args()
    return {"draw": draw, "score": score, "current": current, "parse": parse}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
