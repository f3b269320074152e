"""How low could L_neg's step overhead go if a negative re-used, for free, every part of its encoding that is
exactly equal to an encoding the positives of the batch already computed?

    .venv/bin/python benchmarks/neg_reuse_bound.py --data WORLD [--steps 8] [--config C] [key=value ...]

An image negative moves whole objects between node slots (sgfns.negatives.image) and a caption negative edits a
few words. With the sgfns encoders (one graph-convolution layer) exactly these parts of a negative's encoding are
equal to rows the positives already have:

- image: every region row (the region encoder is per row: a moved feature is a row of a batch image); object
  nodes of the slots no object moved into; relation nodes and graph-convolution messages of relations with
  neither end moved; the fusion of a node whose input is unchanged, when the image's region set is unchanged (a
  swap only permutes the regions, and attention over a set is permutation-invariant) — when a replacement brings
  in another image's region, every node's fusion changes and only its query projection (1 of its 3 per-node
  projections) is re-usable;
- caption: the bi-GRU's forward states before the first edited token and backward states after the last one;
  everything after the GRU reads all states, which the edit changes in one direction or the other.

The bound charges each stage of a negative's forward (CPU time measured per stage with forward hooks) only for
its non-reusable share, assumes the backward scales like the forward, and counts no cost at all for gathering
re-used rows — so the real overhead of an implementation is above it. It prints one JSON object: the shares, the
measured parts of a step with the negatives' stage times (`neg_overhead.part_cpu_ms`, timed on the same batches)
and the overhead now and at the bound, in percent of the step without L_neg."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

COUNTS = ("negatives", "rel", "rel_changed", "obj", "obj_moved", "obj_changed", "new_regions", "rel_new_regions",
          "obj_new_regions", "tokens", "tokens_reused")  # fmt: skip


class ReuseCounter:
    """Counts, batch by batch (`part_cpu_ms`'s `on_batch`), the rows of the drawn negatives that equal rows of their
    batch's positives. The image edits are read from `imneg.edit_moves`, which `spy` wraps while it is active."""

    def __init__(self, inputs) -> None:
        self.inputs = inputs
        self.n = dict.fromkeys(COUNTS, 0)
        self.per_edit: dict[str, list[int]] = {}  # edit -> [negatives, relation rows, rows changed]
        self.edits: list = []

    def spy(self, real_moves):
        def moves_of(pos, *edit):  # every image negative's moves, with the batch position of its image
            moves = list(real_moves(pos, *edit))
            self.edits.append((pos, edit[0], moves))
            return moves

        return moves_of

    def __call__(self, caps, imgs, extra) -> None:
        from sgfns.negatives.rules import common_ends

        n, images, uniq = self.n, self.inputs.images, sorted(set(imgs))
        for pos, kind, moves in self.edits:
            it = images[uniq[pos]]
            moved = {dst for dst, _, _ in moves}
            ends = zip(it.rel_subj, it.rel_obj, strict=True)
            changed = [e for e, (s, o) in enumerate(ends) if s in moved or o in moved]
            after_gcn = moved | {it.rel_subj[e] for e in changed} | {it.rel_obj[e] for e in changed}
            new_region = any(src != pos and it.regions[dst] >= 0 and images[uniq[src]].regions[k] >= 0
                             for dst, src, k in moves)  # fmt: skip
            for key, v in (("negatives", 1), ("rel", len(it.rel_subj)), ("rel_changed", len(changed)),
                           ("obj", len(it.names)), ("obj_moved", len(moved)), ("obj_changed", len(after_gcn)),
                           ("new_regions", new_region), ("rel_new_regions", len(it.rel_subj) * new_region),
                           ("obj_new_regions", len(it.names) * new_region)):  # fmt: skip
                n[key] += v
            per = self.per_edit.setdefault(kind, [0, 0, 0])
            per[0], per[1], per[2] = per[0] + 1, per[1] + len(it.rel_subj), per[2] + len(changed)
        self.edits.clear()
        cb = self.inputs.caption_batch(caps)
        for m, c in enumerate(extra["own"]["cap"].tolist()):
            a = cb["tokens"][c, : int(cb["lengths"][c])].tolist()
            b = extra["cap"]["tokens"][m, : int(extra["cap"]["lengths"][m])].tolist()
            n["tokens"] += 2 * len(b)  # a state per token and direction
            n["tokens_reused"] += sum(common_ends(a, b))  # forward states of the prefix, backward of the suffix

    def shares(self) -> dict[str, float]:
        n = self.n
        return {
            "relations_changed": n["rel_changed"] / n["rel"],
            "objects_moved": n["obj_moved"] / n["obj"],
            "objects_changed_after_graph_conv": n["obj_changed"] / n["obj"],
            "negatives_with_a_new_region": n["new_regions"] / n["negatives"],
            "relations_in_images_with_a_new_region": n["rel_new_regions"] / n["rel"],
            "objects_in_images_with_a_new_region": n["obj_new_regions"] / n["obj"],
            "gru_states_reused": n["tokens_reused"] / n["tokens"],
        }


def reusable_shares(f: dict[str, float], img_ms: dict[str, float], cap_ms: dict[str, float]) -> tuple[float, float]:
    """Re-usable share of an image negative's and a caption negative's encoding: each stage's forward time
    (`part_cpu_ms`'s `negative_*_forward_by_stage`) charged only for its non-re-usable share."""
    fuse_q = 1 / 3  # of a node's fusion projections (query, context, gate) only the query is re-usable
    new_obj, new_rel = f["objects_in_images_with_a_new_region"], f["relations_in_images_with_a_new_region"]
    img_left = (
        img_ms["object_nodes"] * f["objects_moved"]
        + (img_ms["relation_nodes"] + img_ms["graph_conv_0"]) * f["relations_changed"]
        + img_ms["fuse_obj"] * (new_obj * (1 - fuse_q) + (1 - new_obj) * f["objects_changed_after_graph_conv"])
        + img_ms["fuse_rel"] * (new_rel * (1 - fuse_q) + (1 - new_rel) * f["relations_changed"])
    )
    cap_all = sum(cap_ms.values())
    cap_left = cap_all - cap_ms["gru"] * f["gru_states_reused"]
    return 1 - img_left / sum(img_ms.values()), 1 - cap_left / cap_all


def main() -> int:
    import neg_overhead as NO

    from sgfns.negatives import image as imneg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--config", default="synth", help="preset name or YAML file (default: synth)")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("overrides", nargs="*", help="extra key=value training overrides")
    args = ap.parse_args()
    built = NO.setup(args.data, "sgfns", args.config, args.overrides)
    if len(built[3].img_graph.gcn) != 1:
        raise SystemExit("neg_reuse_bound: the re-use rules here are those of one graph-convolution layer")
    counter = ReuseCounter(built[2])
    real_moves = imneg.edit_moves
    imneg.edit_moves = counter.spy(real_moves)
    try:
        parts = NO.part_cpu_ms(built, args.steps, on_batch=counter)
    finally:
        imneg.edit_moves = real_moves
    f = counter.shares()
    img_ms, cap_ms = parts["negative_images_forward_by_stage"], parts["negative_captions_forward_by_stage"]
    r_img, r_cap = reusable_shares(f, img_ms, cap_ms)
    base = parts["positive_images"] + parts["positive_captions"] + parts["in_batch_similarity"]
    rest = parts["paired_scores"] + parts["draw_negatives_cpu"]
    now = parts["negative_images"] + parts["negative_captions"] + rest
    bound = parts["negative_images"] * (1 - r_img) + parts["negative_captions"] * (1 - r_cap) + rest
    per_edit = {e: {"negatives": v[0], "share": round(v[2] / max(1, v[1]), 3)} for e, v in counter.per_edit.items()}
    print(json.dumps({
        "counts": counter.n, "shares": {s: round(v, 3) for s, v in f.items()}, "relations_changed_per_edit": per_edit,
        "reusable_share_of_image_negatives": round(r_img, 3), "reusable_share_of_caption_negatives": round(r_cap, 3),
        "parts_cpu_ms": parts, "overhead_percent_now": round(100 * now / base, 1),
        "overhead_percent_at_the_bound": round(100 * bound / base, 1),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
