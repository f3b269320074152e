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
negatives' stage times, the measured parts of a step (`neg_overhead.part_cpu_ms`) and the overhead now and at
the bound, in percent of the step without L_neg."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _stage_hooks(net, ms: dict[str, float]) -> None:
    """Forward CPU seconds of each sgfns encoder stage (image `i.*`, caption `t.*`) summed into `ms`."""
    stages = {"i.regions": net.regions, "t.gru": net.text}
    for side, g in (("i", net.img_graph), ("t", net.txt_graph)):
        stages.update({f"{side}.obj": g.obj, f"{side}.rel": g.rel, f"{side}.fuse_obj": g.fuse_obj,
                       f"{side}.fuse_rel": g.fuse_rel})  # fmt: skip
        stages.update({f"{side}.gcn{i}": m for i, m in enumerate(g.gcn)})
    start: dict[str, float] = {}
    for name, mod in stages.items():
        mod.register_forward_pre_hook(lambda m, a, n=name: start.__setitem__(n, time.process_time()))
        mod.register_forward_hook(
            lambda m, a, o, n=name: ms.__setitem__(n, ms.get(n, 0.0) + time.process_time() - start[n])
        )


def reuse_shares(data: Path, config: Path, overrides: list[str], steps: int) -> dict:
    import neg_overhead as NO
    import torch

    from sgfns.losses.generated import encode_bucketed
    from sgfns.negatives import image as imneg
    from sgfns.negatives.rules import common_ends
    from sgfns_app.train import loop as L

    cfg, split, inputs, net, term = NO._setup(data, "sgfns", config, overrides)
    if len(net.img_graph.gcn) != 1:
        raise SystemExit("neg_reuse_bound: the re-use rules here are those of one graph-convolution layer")
    edits = []
    real_moves = imneg.edit_moves

    def spy(pos, *edit):  # the moves of every image negative drawn, with the batch position of its image
        moves = list(real_moves(pos, *edit))
        edits.append((pos, edit[0], moves))
        return moves

    imneg.edit_moves = spy
    ms: dict[str, float] = {}
    per_edit: dict[str, list[int]] = {}
    _stage_hooks(net, ms)
    n = dict(rel=0, rel_changed=0, obj=0, obj_moved=0, obj_changed=0, rel_new_regions=0, obj_new_regions=0,
             negatives=0, new_regions=0, tokens=0, tokens_reused=0)  # fmt: skip
    k = split.captions_per_image
    batches = L.epoch_batches(split.n_captions, cfg.data.batch_size, cfg.seed, 0, L.D.DistInfo())[:steps]
    try:
        for caps in batches:
            imgs = [c // k for c in caps]
            edits.clear()
            extra = term.extra_batch(caps, imgs, 0)
            uniq = sorted(set(imgs))
            for pos, kind, moves in edits:
                it = inputs.images[uniq[pos]]
                moved = {dst for dst, _, _ in moves}
                ends = zip(it.rel_subj, it.rel_obj, strict=True)
                changed = [e for e, (s, o) in enumerate(ends) if s in moved or o in moved]
                after_gcn = moved | {it.rel_subj[e] for e in changed} | {it.rel_obj[e] for e in changed}
                new_region = any(src != pos and it.regions[dst] >= 0 and inputs.images[uniq[src]].regions[kk] >= 0
                                 for dst, src, kk in moves)  # fmt: skip
                n["negatives"] += 1
                n["rel"] += len(it.rel_subj)
                n["rel_changed"] += len(changed)
                kinds = per_edit.setdefault(kind, [0, 0, 0])  # negatives, relation rows, rows changed
                kinds[0], kinds[1], kinds[2] = kinds[0] + 1, kinds[1] + len(it.rel_subj), kinds[2] + len(changed)
                n["obj"] += len(it.names)
                n["obj_moved"] += len(moved)
                n["obj_changed"] += len(after_gcn)
                n["new_regions"] += new_region
                n["rel_new_regions"] += len(it.rel_subj) * new_region
                n["obj_new_regions"] += len(it.names) * new_region
            cb = inputs.caption_batch(caps)
            for m, c in enumerate(extra["own"]["cap"].tolist()):
                a = cb["tokens"][c, : int(cb["lengths"][c])].tolist()
                b = extra["cap"]["tokens"][m, : int(extra["cap"]["lengths"][m])].tolist()
                n["tokens"] += 2 * len(b)  # a state per token and direction
                n["tokens_reused"] += sum(common_ends(a, b))  # forward states of the prefix, backward of the suffix
            with torch.no_grad():
                net.encode_captions(extra["cap"])
                encode_bucketed(net.encode_images, extra["img"])
    finally:
        imneg.edit_moves = real_moves
    f = {
        "relations_changed": n["rel_changed"] / n["rel"],
        "objects_moved": n["obj_moved"] / n["obj"],
        "objects_changed_after_graph_conv": n["obj_changed"] / n["obj"],
        "negatives_with_a_new_region": n["new_regions"] / n["negatives"],
        "relations_in_images_with_a_new_region": n["rel_new_regions"] / n["rel"],
        "objects_in_images_with_a_new_region": n["obj_new_regions"] / n["obj"],
        "gru_states_reused": n["tokens_reused"] / n["tokens"],
    }
    ms = {s: 1000 * t / len(batches) for s, t in ms.items()}
    fuse_q = 1 / 3  # of a node's fusion projections (query, context, gate) only the query is re-usable
    img_left = (
        ms["i.obj"] * f["objects_moved"]
        + (ms["i.rel"] + ms["i.gcn0"]) * f["relations_changed"]
        + ms["i.fuse_obj"] * (f["objects_in_images_with_a_new_region"] * (1 - fuse_q)
                              + (1 - f["objects_in_images_with_a_new_region"]) * f["objects_changed_after_graph_conv"])
        + ms["i.fuse_rel"] * (f["relations_in_images_with_a_new_region"] * (1 - fuse_q)
                              + (1 - f["relations_in_images_with_a_new_region"]) * f["relations_changed"])
    )  # fmt: skip
    img_all = sum(t for s, t in ms.items() if s.startswith("i."))
    cap_all = sum(t for s, t in ms.items() if s.startswith("t."))
    cap_left = cap_all - ms["t.gru"] * f["gru_states_reused"]
    return {"counts": n, "shares": {s: round(v, 3) for s, v in f.items()},
            "relations_changed_per_edit": {e: {"negatives": v[0], "share": round(v[2] / max(1, v[1]), 3)}
                                           for e, v in per_edit.items()},
            "negatives_forward_ms_by_stage": {s: round(v, 1) for s, v in ms.items()},
            "reusable_share_of_image_negatives": round(1 - img_left / img_all, 3),
            "reusable_share_of_caption_negatives": round(1 - cap_left / cap_all, 3)}  # fmt: skip


def main() -> int:
    import neg_overhead as NO

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--config", type=Path, default=ROOT / "configs" / "synth.yaml")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("overrides", nargs="*", help="extra key=value training overrides")
    args = ap.parse_args()
    out = reuse_shares(args.data, args.config, args.overrides, args.steps)
    parts = NO.part_cpu_ms(args.data, "sgfns", args.config, args.overrides, args.steps)
    base = parts["positive_images"] + parts["positive_captions"] + parts["in_batch_similarity"]
    rest = parts["paired_scores"] + parts["draw_negatives_cpu"]
    now = parts["negative_images"] + parts["negative_captions"] + rest
    bound = (parts["negative_images"] * (1 - out["reusable_share_of_image_negatives"])
             + parts["negative_captions"] * (1 - out["reusable_share_of_caption_negatives"]) + rest)  # fmt: skip
    out |= {"parts_cpu_ms": parts, "overhead_percent_now": round(100 * now / base, 1),
            "overhead_percent_at_the_bound": round(100 * bound / base, 1)}  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
