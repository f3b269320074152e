"""Coverage, rejections and speed of the caption-negative generator on real captions, two code versions side by side.

    git archive main src | tar -x -C /tmp/sgfns_before      # the generator before a change (any commit's src/)
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/neg_coverage.py --data ../shared/data/flickr30k_sg \
        --version before=/tmp/sgfns_before/src --version after=src [--repeats 1] [--out result.json]

`--data` is a Flickr30K folder (`flickr30k_val_lowered_caps_data.joblib` + `image_caption_matching_flickr_val.joblib`,
read with the restricted unpickler) or a coco_mini-style folder (`train.json`, `dev.json`). Each caption comes with
the other captions of its photo (the generator's "mentioned in another caption" check reads them).

Which captions *could* get a negative of each rule is decided by `scripts/negative_candidates.py` (spaCy
dependencies, independent of the generator). Each version then runs as **one whole process** (`python -m` of this
file with `PYTHONPATH=<its src>`): start-up, imports, loading the parser, parsing every caption, building the
corpus and generating with all eight rules and the re-parse check, exactly as `sgfns negatives` does. Its wall-clock
and CPU seconds (the child's own, from `getrusage`) give captions per second, start-up included. Versions take turns
`--repeats` times; the best time of each is reported.

`--evidence PATH` gives every version more captions to read for what captions write together (as `sgfns negatives
--evidence` does), without measuring them: e.g. FACTUAL's training captions beside Flickr30K val. Their parse counts
in the speed.

Printed (and written to `--out`): per version and rule, the candidate captions, how many of them got at least one
negative of that rule (`share`), the captions with a negative of the rule outside the candidates, and the rejections
by reason; the speed; `uptime` load and `nproc`. No caption text is printed; `--dump DIR` writes each version's
negatives (per caption, in input order) for `scripts/blind_judge_draw.py`."""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ("replace-obj", "replace-att", "replace-rel", "swap-obj", "swap-att", "count", "add-obj", "add-att")


def load_items(folder: Path) -> list[dict]:
    """[{caption, others}] in a fixed order, from a Flickr30K (LGSGM pickles) or coco_mini-style folder."""
    if (folder / "flickr30k_val_lowered_caps_data.joblib").exists():
        from sgfns.data.safe_pickle import safe_load

        caps = safe_load(folder / "flickr30k_val_lowered_caps_data.joblib")
        matching = safe_load(folder / "image_caption_matching_flickr_val.joblib")
        items = []
        for name in sorted(matching):
            texts = [str(caps[str(c)]["sent"]) for c in matching[name]]
            for j, t in enumerate(texts):
                items.append({"caption": t, "others": texts[:j] + texts[j + 1 :]})
        return items
    if (folder / "train.json").exists():
        items = []
        for split in ("train", "dev"):
            path = folder / f"{split}.json"
            if not path.exists():
                continue
            for im in json.loads(path.read_text(encoding="utf-8"))["images"]:
                texts = list(im["captions"])
                for j, t in enumerate(texts):
                    items.append({"caption": t, "others": texts[:j] + texts[j + 1 :]})
        return items
    raise SystemExit(f"{folder}: neither a Flickr30K caption folder nor a coco_mini-style folder")


def load_evidence(path: Path) -> list[str]:
    """Captions to read as evidence: a folder `load_items` reads, a CSV with a `caption` column (FACTUAL's), or
    text / JSON lines as `sgfns negatives` reads them."""
    if path.is_dir():
        return [it["caption"] for it in load_items(path)]
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            return [row["caption"] for row in csv.DictReader(f)]
    from sgfns_app.cli.negatives import read_inputs

    return [it["caption"] for it in read_inputs(str(path))]


def worker(items_path: str, out_path: str, src: str) -> None:
    """One version, whole process: parse, build the corpus, generate with all rules and the re-parse check."""
    import sgfns

    if not Path(sgfns.__file__).resolve().is_relative_to(Path(src).resolve()):
        raise SystemExit(f"imported sgfns from {sgfns.__file__}, not from {src}")
    from sgfns.graphs.parser import load_parser
    from sgfns.negatives.corpus import Corpus
    from sgfns.negatives.generator import Generator

    job = json.loads(Path(items_path).read_text(encoding="utf-8"))
    items, evidence = job["items"], job["evidence"]
    caps = [it["caption"] for it in items]
    parser = load_parser()
    graphs = parser.parse_batch(caps)
    corpus = Corpus.build(caps + evidence, graphs + parser.parse_batch(evidence))
    gen = Generator(rules=RULES, per_rule=1, seed=0, corpus=corpus, parser=parser)
    todo = [(it["caption"], g, it["others"]) for it, g in zip(items, graphs, strict=True)]
    if hasattr(gen, "generate_many"):  # as `sgfns negatives` does; older versions generate one caption at a time
        negs = gen.generate_many(todo)
    else:
        negs = [gen.generate(*t) for t in todo]
    got = [sorted({n.rule for n in ns}) for ns in negs]
    rejected: dict[str, dict[str, int]] = {}
    for (rule, reason), n in gen.rejected.items():
        rejected.setdefault(rule, {})[reason] = n
    records = [[{"rule": n.rule, "negative": n.negative, "edit": n.edit} for n in ns] for ns in negs]
    Path(out_path).write_text(json.dumps({"rules": got, "rejected": rejected, "parser": parser.version,
                                          "negatives": records}))  # fmt: skip


def run_version(src: str, items_path: str) -> tuple[dict, float, float]:
    """(worker output, wall seconds, CPU seconds) of one whole-process run."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out_path = f.name
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", items_path, out_path, src],
                   env=env, check=True)  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    res = json.loads(Path(out_path).read_text())
    os.unlink(out_path)
    return res, wall, cpu


def summarise(cands: list[set[str]], res: dict) -> dict:
    per_rule = {}
    for rule in RULES:
        n_cand = sum(1 for c in cands if rule in c)
        covered = sum(1 for c, got in zip(cands, res["rules"], strict=True) if rule in c and rule in got)
        outside = sum(1 for c, got in zip(cands, res["rules"], strict=True) if rule not in c and rule in got)
        per_rule[rule] = {
            "candidates": n_cand,
            "covered": covered,
            "share": round(covered / n_cand, 4) if n_cand else None,
            "outside_candidates": outside,
            "rejected": dict(sorted(res["rejected"].get(rule, {}).items())),
        }
    return per_rule


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="Flickr30K (flickr30k_sg) or coco_mini-style folder")
    ap.add_argument("--version", action="append", required=True, metavar="NAME=SRC",
                    help="a version's name and its src/ folder (repeat; e.g. before=/tmp/main/src after=src)")
    ap.add_argument("--repeats", type=int, default=1, help="whole-process runs per version (best time reported)")
    ap.add_argument("--limit", type=int, default=0, help="first N captions only (0 = all)")
    ap.add_argument("--out", help="also write the JSON here")
    ap.add_argument("--dump", metavar="DIR", help="write each version's negatives to DIR/NAME.json (for judging)")
    ap.add_argument("--evidence", action="append", default=[], metavar="PATH",
                    help="captions every version reads as evidence, as `sgfns negatives --evidence` (a folder, a "
                         "CSV with a caption column, or text / JSON lines; repeatable)")  # fmt: skip
    args = ap.parse_args()
    versions = []
    for v in args.version:
        name, sep, src = v.partition("=")
        if not sep or not (Path(src) / "sgfns" / "__init__.py").exists():
            raise SystemExit(f"--version {v!r}: expected NAME=SRC with SRC/sgfns/__init__.py")
        versions.append((name, src))

    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "scripts"))
    from negative_candidates import detect

    items = load_items(Path(args.data))
    if args.limit:
        items = items[: args.limit]
    cands = detect([it["caption"] for it in items])
    load_start = os.getloadavg()
    evidence = [c for p in args.evidence for c in load_evidence(Path(p))]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump({"items": items, "evidence": evidence}, f)
        items_path = f.name
    results: dict[str, dict] = {}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in versions}
    for _ in range(args.repeats):
        for name, src in versions:
            res, wall, cpu = run_version(src, items_path)
            times[name].append((wall, cpu))
            results[name] = res
            if args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                (Path(args.dump) / f"{name}.json").write_text(json.dumps(res["negatives"]), encoding="utf-8")
    os.unlink(items_path)
    out = {
        "data": str(args.data),
        "captions": len(items),
        "evidence": {"paths": args.evidence, "captions": len(evidence)},
        "candidates": {r: sum(1 for c in cands if r in c) for r in RULES},
        "versions": {},
        "machine": {"nproc": os.cpu_count(), "load_start": [round(x, 2) for x in load_start],
                    "load_end": [round(x, 2) for x in os.getloadavg()], "threads": 1},  # fmt: skip
    }
    for name, src in versions:
        wall = min(t[0] for t in times[name])
        cpu = min(t[1] for t in times[name])
        out["versions"][name] = {
            "src": src,
            "parser": results[name]["parser"],
            "captions_per_s_wall": round(len(items) / wall, 2),
            "captions_per_s_cpu": round(len(items) / cpu, 2),
            "wall_s": [round(t[0], 1) for t in times[name]],
            "cpu_s": [round(t[1], 1) for t in times[name]],
            "rules": summarise(cands, results[name]),
        }
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(main())
