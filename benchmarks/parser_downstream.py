"""What the parser change does downstream, for each backend side by side; the last line printed is JSON.

    OMP_NUM_THREADS=1 python benchmarks/parser_downstream.py [--coco ../shared/data/coco_mini] \
        [--backends learned,rules]

- synthetic world: a world generated as `tests/test_synth_parse.py` does (seed 11, 1,000 test captions), parsed
  and compared with its ground-truth graphs (`sgfns.data.synth.parsecheck`): exact-match rate, percent;
- negatives: the current caption-negative generator on coco_mini's 1,170 captions (`scripts/draw_negative_sample.py`
  `draw`, seed 0): coverage (share of captions with at least one core-rule negative, and with any negative) and
  negatives per rule.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--coco", type=Path, default=ROOT.parent / "shared" / "data" / "coco_mini")
    ap.add_argument("--backends", default="learned,rules")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from draw_negative_sample import draw

    from sgfns.data.synth import generate
    from sgfns.data.synth.parsecheck import parse_check
    from sgfns.graphs.parser import load_parser

    out: dict = {"load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None}
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "w", seed=11, sizes={"train": 20, "val": 4, "test": 200}, image_size=48)
        for name in [b for b in args.backends.split(",") if b]:
            parser = load_parser(backend=name)
            synth = parse_check(Path(tmp) / "w", "test", parser=parser)
            _, neg = draw(args.coco, seed=0, n=100, parser=parser)
            out[name] = {
                "parser": parser.version,
                "synth_captions": synth["captions"],
                "synth_exact": synth["exact"],
                "synth_failures": [f["caption"] for f in synth["failures"]][:10],
                "neg_coverage_core": neg["coverage_core"],
                "neg_coverage_any": neg["coverage_any"],
                "negatives_per_rule": neg["negatives_per_rule"],
            }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
