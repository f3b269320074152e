"""Parser throughput on the 5,070 Flickr30K validation captions, JSON writing included.

    OMP_NUM_THREADS=1 python benchmarks/parse_speed.py [--data ../shared/data/flickr30k_sg] [--n-process 1]
        [--batch-size 512] [--repeat 1] [--backends learned,rules] [--stock-spacy]

The captions come from `flickr30k_val_lowered_caps_data.joblib` (a plain pickle, read with the project's
restricted unpickler). The spaCy model is loaded before the clock starts; the timed part is `parse_batch` plus
writing every graph as a JSON line (docs/data_formats.md) to a temporary file. Each backend (default: the learned
parser and the rules alone) is timed in the same process, passes interleaved, so their ratio is measured under one
load. spaCy's pipeline alone (`nlp.pipe` over the same captions, nothing built or written) is timed in the same
rounds: no backend on that model can be faster in one process (`spacy_pipeline_only`; the project's pipeline, whose
attribute ruler is table lookups and whose matrix products run on numpy's BLAS). `--stock-spacy` also times the
rules on spaCy's stock pipeline (its own attribute ruler, thinc's BLIS; `rules_stock_spacy`) in the same rounds.
Each backend's graph building alone is also timed on one shared set of spaCy parses (`graph_cpu_seconds`, best of
at least 3 interleaved passes), so what the learned edits add is measured without spaCy's noise. The last
line printed is JSON: per backend `{"captions_per_s", "captions_per_cpu_s", "graph_cpu_seconds", "parser", ...}`,
the ratios, the edits' extra CPU as a share of the rules' whole process, the load average before and after, and
OMP_NUM_THREADS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_captions(folder: Path) -> list[str]:
    from sgfns.data.safe_pickle import safe_load

    data = safe_load(folder / "flickr30k_val_lowered_caps_data.joblib")
    if not isinstance(data, dict):
        raise SystemExit(f"{folder}: unexpected caption file layout ({type(data).__name__})")
    caps = []
    for key in sorted(data, key=str):
        rec = data[key]
        sent = rec.get("sent") if isinstance(rec, dict) else rec
        if isinstance(sent, list):
            sent = " ".join(map(str, sent))
        caps.append(str(sent))
    return caps


def timed_pass(parser, caps: list[str], args) -> tuple[float, float]:
    """Wall and CPU seconds of one pass: parse every caption and write its graph as a JSON line."""
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        graphs = parser.parse_batch(caps, batch_size=args.batch_size, n_process=args.n_process)
        with open(Path(tmp) / "out.jsonl", "w", encoding="utf-8") as f:
            for c, g in zip(caps, graphs, strict=True):
                rec = {"caption": c, **g.to_dict()}
                f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("SGFNS_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=1, help="timed passes; the best is reported")
    ap.add_argument("--backends", default="learned,rules", help="parsers timed side by side, comma-separated")
    ap.add_argument("--stock-spacy", action="store_true",
                    help="also time the rules on spaCy's stock pipeline (`rules_stock_spacy`), side by side")
    args = ap.parse_args()
    folder = Path(args.data)
    if (folder / "flickr30k_sg").is_dir():
        folder = folder / "flickr30k_sg"
    caps = load_captions(folder)

    from sgfns.graphs.parser import load_parser

    backends = [b for b in args.backends.split(",") if b]
    parsers = {b: load_parser(backend=b) for b in backends}
    if args.stock_spacy:  # the rules on spaCy's stock pipeline, for the ratio to the parser's (`load_pipeline`)
        import spacy

        from sgfns.graphs.parser import _UNUSED_PIPES, CaptionParser, _find_model
        from sgfns.graphs.parser.spacy_rules import SpacyRulesBackend

        name = _find_model()
        parsers["rules_stock_spacy"] = CaptionParser(spacy.load(name, exclude=list(_UNUSED_PIPES)),
                                                     SpacyRulesBackend(), name)  # fmt: skip
    for p in parsers.values():
        p.parse_batch(caps[:64])  # warm-up: first-call allocations, lexicon loading
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    best: dict[str, tuple[float, float]] = {}
    nlp = next(iter(parsers.values())).nlp
    spacy_best: tuple[float, float] | None = None
    for _ in range(args.repeat):
        for name, parser in parsers.items():  # interleaved, so both see the same machine load
            dt, cpu = timed_pass(parser, caps, args)
            if name not in best or dt < best[name][0]:
                best[name] = (dt, cpu)
        # spaCy's pipeline alone over the same captions: the ceiling of any backend built on it, in one process
        t0, c0 = time.perf_counter(), time.process_time()
        for _doc in nlp.pipe(caps, batch_size=args.batch_size):
            pass
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        if spacy_best is None or dt < spacy_best[0]:
            spacy_best = (dt, cpu)
    # The backends alone on the same spaCy parses (min over passes): what the learned edits add per caption,
    # free of the noise that spaCy's share of a pass carries on a loaded machine
    docs = list(nlp.pipe(caps, batch_size=args.batch_size))
    graph_cpu: dict[str, float] = {}
    for _ in range(max(args.repeat, 3)):
        for name, parser in parsers.items():
            c0 = time.process_time()
            if hasattr(parser.backend, "graphs"):  # in batches, as `parse_batch` asks (a few captions parsed again)
                for k in range(0, len(docs), args.batch_size):
                    parser.backend.graphs(docs[k : k + args.batch_size])
            else:  # an older checkout's backend, one caption at a time
                for d in docs:
                    parser.backend.graph(d)
            graph_cpu[name] = min(graph_cpu.get(name, float("inf")), time.process_time() - c0)
    n_words = sum(len(c.split()) for c in caps)
    result = {
        "n": len(caps),
        "words_per_caption": round(n_words / len(caps), 1),
        "n_process": args.n_process,
        "batch_size": args.batch_size,
        "device": f"cpu ({os.cpu_count()} cores, {platform.processor() or platform.machine()})",
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_avg_1min_before": round(load_before, 2) if load_before is not None else None,
        "load_avg_1min_after": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    for name, (dt, cpu) in best.items():
        # CPU seconds of this process (workers excluded): with other jobs on the machine, wall time overstates
        # the cost; captions per CPU-second is what an idle core would give (n_process=1).
        result[name] = {
            "parser": parsers[name].version,
            "captions_per_s": round(len(caps) / dt, 1),
            "seconds": round(dt, 3),
            "cpu_seconds": round(cpu, 3),
            "captions_per_cpu_s": round(len(caps) / cpu, 1) if cpu > 0 else None,
            "graph_cpu_seconds": round(graph_cpu[name], 3),  # the backend alone, spaCy excluded
        }
        print(f"{name}: {len(caps)} captions in {dt:.2f}s ({cpu:.2f} CPU s)", file=sys.stderr)
    if spacy_best is not None:
        dt, cpu = spacy_best
        result["spacy_pipeline_only"] = {"captions_per_s": round(len(caps) / dt, 1), "seconds": round(dt, 3),
                                         "cpu_seconds": round(cpu, 3),
                                         "captions_per_cpu_s": round(len(caps) / cpu, 1) if cpu > 0 else None}
    for a, b in (("learned", "rules"), ("rules", "rules_stock_spacy")):
        if a not in best or b not in best:
            continue
        (ta, ca), (tb, cb) = best[a], best[b]
        result[f"wall_ratio_{a}_over_{b}"] = round(ta / tb, 3)
        result[f"cpu_ratio_{a}_over_{b}"] = round(ca / cb, 3)
        # the backends' difference on shared parses, as a share of the whole process of the second one
        result[f"graph_cpu_extra_{a}_over_{b}_share"] = round((graph_cpu[a] - graph_cpu[b]) / cb, 4)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
