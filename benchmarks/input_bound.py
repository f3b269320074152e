"""Time of one input at the 1,000-character bound (`sgfns.limits`) in parse, negatives and search, beside shorter
inputs of the same text, so growth with length shows.

    OMP_NUM_THREADS=1 python benchmarks/input_bound.py [--repeat 3]

Three texts of every length: prose (random words of an ordinary caption), a comma list ("a dog, a dog, ...") and an
"and" list — the lists give the parser and the negative generator the most objects per character. Loading is done
before the clock starts (spaCy, the WordNet lexicon, the trained toy run); the timed part is what one more input
costs a running command: `parse` = parse_batch of the caption; `negatives` = parse + the generator with its
re-parse check (the `sgfns negatives` defaults); `search` = parse + encode the query + two-stage search over a toy
index of a freshly trained `sgfns-tiny` run (the query side is what grows with length). Median of `--repeat` runs.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path


def texts(length: int) -> dict[str, str]:
    rng = random.Random(0)
    words = "a man in a red shirt is riding a brown horse next to two dogs on the grass near the white house".split()
    prose = ""
    while len(prose) < length:
        prose += rng.choice(words) + " "
    return {
        "prose": prose[:length].strip(),
        "comma_list": ", ".join(["a dog"] * length)[:length].strip(" ,"),
        "and_list": " and ".join(["a big dog"] * length)[:length].strip(),
    }


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lengths", default="250,500,1000")
    args = ap.parse_args()

    import torch

    from sgfns import load_model
    from sgfns.data.toy import write_toy_dataset
    from sgfns.graphs.parser import load_parser
    from sgfns.index import FlatIndex, two_stage_search
    from sgfns.index.store import load_gallery
    from sgfns.models.scoring import encode_captions
    from sgfns.negatives.corpus import Corpus
    from sgfns.negatives.generator import Generator
    from sgfns_app.cli.main import main as cli

    torch.set_num_threads(1)
    parser = load_parser()
    warm = parser.parse_batch(["a dog on a mat"])
    Generator(corpus=Corpus.build(["a dog on a mat"], warm), parser=parser).generate("a dog on a mat", warm[0])

    tmp = Path(tempfile.mkdtemp(prefix="input_bound-"))
    data = write_toy_dataset(tmp / "toy", n_images=16, feature_dim=16, regions=6)
    run, index = tmp / "run", tmp / "index"
    quiet = ["--no-progress"]
    assert cli(["train", "--data", str(data), "--out", str(run), "--model", "sgfns-tiny", *quiet, "epochs=1",
                "threads=1"]) == 0  # fmt: skip
    assert cli(["encode", "--run", str(run), "--data", str(data), "--split", "test", "--out", str(index), *quiet]) == 0
    model = load_model(run)
    _, img, _ = load_gallery(index)
    flat = FlatIndex(img.glob)

    def parse(t):
        return parser.parse_batch([t])

    def negatives(t):
        g = parser.parse_batch([t])
        Generator(corpus=Corpus.build([t], g), parser=parser).generate(t, g[0])

    def search(t):
        g = parser.parse_batch([t])
        q = encode_captions(model, [t], g, "cpu")
        two_stage_search(model, img, q, flat, torch.tensor([0]), 16, "caption")

    rows = []
    for length in (int(x) for x in args.lengths.split(",")):
        for kind, text in texts(length).items():
            row = {"length": len(text), "text": kind}
            for name, fn in (("parse", parse), ("negatives", negatives), ("search", search)):
                row[f"{name}_s"] = median_seconds(lambda fn=fn, text=text: fn(text), args.repeat)
            rows.append(row)
            print(json.dumps(row), flush=True)
    at_bound = [r for r in rows if r["length"] >= 990]
    worst = {k: max(r[f"{k}_s"] for r in at_bound) for k in ("parse", "negatives", "search")}
    print(json.dumps({"worst_at_bound_s": worst, "rows": len(rows), "repeat": args.repeat, "threads": 1,
                      "load_average": os.getloadavg(), "nproc": os.cpu_count()}))  # fmt: skip


if __name__ == "__main__":
    main()
