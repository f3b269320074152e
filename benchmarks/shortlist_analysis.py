"""Why a global-vector shortlist misses the exhaustive top-10, and whether a cheap pooled first stage helps.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/shortlist_analysis.py --run RUN --data DIR [--split test]
                                                                       [--fit-split val] [--ks 50,100,250]

For a trained decomposable model (sgfns) on one split (the first 1,000 images and their captions):
- the spread (std over all pairs) of each named score term and `fine_variance_share` (as eval_speed.py);
- the rSum obtained by ranking with the global term alone and with subsets of the terms;
- for each first stage, the fraction of the exhaustive top-10 (both directions) inside a shortlist of k, and the
  two-stage rSum change (re-ranked scores = matrix entries, so only the shortlist matters):
  * `global`: the flat index over global vectors (what `sgfns search` and eval_speed.py use);
  * `pooled`: one inner product over concatenated vectors [g ; a·mean(object nodes) ; b·mean(relation nodes)]
    (image side) and [g ; mean(object nodes) ; mean(relation nodes)] (caption side) — still a single flat
    inner-product index (3x the dimension), with a, b fitted by least squares of the fine-grained part of the score
    on the mean-node dot products over pairs of `--fit-split` (not the measured split);
  * `node_stage` (`sgfns.index.NodeStage`, what `sgfns search` and eval_speed.py use now): global + the model's
    object (and relation) node matching with every node projected to d' dimensions (uncentred PCA fitted on the
    measured gallery's image nodes, no labels), for each d' in `--dims`, with the object term only ("obj") and with
    both node terms ("obj+rel").
`--images N` measures a gallery of the first N images (default 1,000) and their captions.
Prints one JSON object on its last line."""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def mean_nodes(enc, name):
    v, m = enc.sets[name]
    mf = m.to(v.dtype).unsqueeze(-1)
    return (v * mf).sum(1) / mf.sum(1).clamp_min(1.0)


def centroids(v, m, k: int, iters: int = 8):
    """Spherical k-means on each image's real nodes v [N, L, d] (mask m) -> ([N, k, d], all-True mask).
    Farthest-point initialisation from the first real node; an image with fewer than k nodes repeats nodes."""
    import torch

    n, _, d = v.shape
    rows = torch.arange(n)
    idx = torch.zeros(n, k, dtype=torch.long)
    idx[:, 0] = m.float().argmax(1)
    best = None
    for j in range(1, k):
        s = (v @ v[rows, idx[:, j - 1]][:, :, None]).squeeze(-1)
        best = s if best is None else torch.maximum(best, s)
        idx[:, j] = torch.where(m, best, torch.tensor(float("inf"))).argmin(1)
    c = v.gather(1, idx[:, :, None].expand(n, k, d)).clone()
    for _ in range(iters):
        a = torch.einsum("nld,nkd->nlk", v, c).argmax(-1)
        oh = torch.nn.functional.one_hot(a, k).to(v.dtype) * m.to(v.dtype)[:, :, None]
        c_new = torch.nn.functional.normalize(torch.einsum("nlk,nld->nkd", oh, v), dim=-1)
        c = torch.where(oh.sum(1)[:, :, None] > 0, c_new, c)
    return c, torch.ones(n, k, dtype=torch.bool)


def encode(model, data, split_name, device, n_max=1000):
    import torch

    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.models.scoring import encode_captions, encode_images

    split = load_split(data, split_name)
    size = min(n_max, split.n_images)
    img = encode_images(model, split, device, indices=range(size))
    graphs = caption_graphs_for(split, "auto")
    cap_img = torch.as_tensor(split.caption_image())
    caps = torch.nonzero(cap_img < size).flatten()
    cap = encode_captions(model, [split.captions[i] for i in caps], [graphs[i] for i in caps], device)
    pos = torch.as_tensor(split.positive_mask())[:size][:, caps]
    return img, cap, pos


def shortlist_stats(full, short_t2i, short_i2t, pos, ks, top: int = 10):
    """short_t2i [Nc, K] image ids, short_i2t [Ni, K] caption ids, in first-stage order."""
    from sgfns.index.agreement import shortlist_agreement

    exh_rsum, rows = shortlist_agreement(full, pos, short_t2i, short_i2t, ks, top)
    key = f"recall{top}"
    return exh_rsum, {k: {key: round(r[key], 4), "rsum_delta": round(r["rsum_delta"], 2)} for k, r in rows.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--fit-split", default="val")
    ap.add_argument("--ks", default="50,100,250")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dims", default="8,16,24,32,48,64", help="node-stage projection dimensions d'")
    ap.add_argument("--node-ks", default="10,20,30,40,50", help="shortlist sizes reported for the node stage")
    ap.add_argument("--images", type=int, default=1000, help="gallery: the first N images and their captions")
    ap.add_argument("--node-stage-only", action="store_true", help="skip the pooled/centroid first stages")
    ap.add_argument("--top", type=int, default=10,
                    help="the node stage's agreement: fraction of the exhaustive top-N inside the shortlist "
                         "(default 10)")
    args = ap.parse_args()

    import torch

    from sgfns import load_model
    from sgfns.eval.recall import i2t_ranks, metrics_from_ranks, t2i_ranks
    from sgfns.models.scoring import similarity_parts_matrix

    torch.set_num_threads(args.threads)
    t0 = time.time()
    model = load_model(args.run, device="cpu")
    ks = [int(k) for k in args.ks.split(",")]
    out = {"run": args.run, "data": args.data, "split": args.split, "threads": args.threads}

    if args.node_stage_only:
        img, cap, pos = encode(model, args.data, args.split, "cpu", args.images)
        parts = similarity_parts_matrix(model, img, cap)
        full = torch.stack(list(parts.values())).sum(0)
        out["images"], out["captions"] = len(img), len(cap)
        out["rsum"] = round(
            shortlist_stats(full, full.T.topk(10, 1).indices, full.topk(10, 1).indices, pos, [10])[0], 2
        )
        out["node_stage"] = node_stage_sweep(model, img, cap, full, pos, args)
        out["seconds"] = round(time.time() - t0, 1)
        print(json.dumps(out))
        return

    # fit the pooled weights on the fit split: fine part ~ a * (mo_I . mo_T) + b * (mr_I . mr_T) + c
    fimg, fcap, _ = encode(model, args.data, args.fit_split, "cpu")
    fparts = similarity_parts_matrix(model, fimg, fcap)
    ffine = sum(v for k, v in fparts.items() if k != "global")
    fo = mean_nodes(fimg, "obj") @ mean_nodes(fcap, "obj").T
    fr = mean_nodes(fimg, "rel") @ mean_nodes(fcap, "rel").T
    g = torch.Generator().manual_seed(0)
    sel = torch.randperm(ffine.numel(), generator=g)[:500_000]
    X = torch.stack([fo.flatten()[sel], fr.flatten()[sel], torch.ones(len(sel))], 1).double()
    y = ffine.flatten()[sel].double()
    coef = torch.linalg.lstsq(X, y[:, None]).solution.flatten()
    a, b = float(coef[0]), float(coef[1])
    out["pooled_weights"] = {"a": round(a, 4), "b": round(b, 4), "fit_split": args.fit_split}

    img, cap, pos = encode(model, args.data, args.split, "cpu", args.images)
    parts = similarity_parts_matrix(model, img, cap)
    full = torch.stack(list(parts.values())).sum(0)
    glob = parts["global"]
    fine = full - glob
    out["images"], out["captions"] = len(img), len(cap)
    out["fine_variance_share"] = round(float(fine.var() / (glob.var() + fine.var())), 4)
    out["term_std"] = {k: round(float(v.std()), 4) for k, v in parts.items()}
    # per-query spread (what matters for a ranking): std over images for each caption, averaged
    out["term_std_per_caption_query"] = {k: round(float(v.std(0).mean()), 4) for k, v in parts.items()}

    def rsum(m):
        return round(metrics_from_ranks(i2t_ranks(m, pos), t2i_ranks(m, pos))["rsum"], 2)

    out["rsum_by_terms"] = {"all": rsum(full), "global_only": rsum(glob), "without_global": rsum(fine)}
    for k in parts:
        if k != "global":
            out["rsum_by_terms"][f"global+{k}"] = rsum(glob + parts[k])

    mo = mean_nodes(img, "obj") @ mean_nodes(cap, "obj").T
    mr = mean_nodes(img, "rel") @ mean_nodes(cap, "rel").T
    proxies = {"global": glob, "pooled": glob + a * mo + b * mr}
    from sgfns.models.similarity import node_match

    lt = {k: float(cap.sets[k][1].sum(1).float().mean()) for k in ("obj", "rel")}
    li = {k: float(img.sets[k][1].sum(1).float().mean()) for k in ("obj", "rel")}
    out["mean_nodes"] = {"image": li, "caption": lt}
    cost = {"exhaustive": 1 + lt["obj"] * li["obj"] + lt["rel"] * li["rel"], "global": 1, "pooled": 3}
    for mc in (1, 2, 3, 4):
        c, cm = centroids(*img.sets["obj"], mc)
        proxies[f"global+obj_c{mc}"] = glob + model.alpha * node_match(c, cm, *cap.sets["obj"])
        cost[f"global+obj_c{mc}"] = 1 + (1 if mc == 1 else mc * lt["obj"])
    proxies["global+object_exact"] = glob + parts["object"]  # reference: the exact object term (no count)
    cost["global+object_exact"] = 1 + lt["obj"] * li["obj"]
    out["cost_dots_per_pair"] = {k: round(v, 2) for k, v in cost.items()}
    kmax = max(ks)
    out["first_stage"] = {}
    for name, p in proxies.items():
        corr = float(torch.corrcoef(torch.stack([p.flatten(), full.flatten()]))[0, 1])
        short_t2i = torch.topk(p.T, kmax, dim=1).indices
        short_i2t = torch.topk(p, kmax, dim=1).indices
        exh, rows = shortlist_stats(full, short_t2i, short_i2t, pos, ks)
        out["rsum"] = round(exh, 2)
        # rank (in the first stage's order) of the exhaustive top-1, both directions: how long a list must be
        r1_t2i = (p.T > p.T.gather(1, full.T.argmax(1, keepdim=True))).sum(1)
        r1_i2t = (p > p.gather(1, full.argmax(1, keepdim=True))).sum(1)
        r1 = torch.cat([r1_t2i, r1_i2t]).float()
        out["first_stage"][name] = {
            "corr_with_full": round(corr, 4),
            "rsum_alone": rsum(p),
            "top1_rank_median": float(r1.median()),
            "top1_rank_p99": float(r1.quantile(0.99)),
            "top1_rank_max": float(r1.max()),
            "by_k": rows,
        }
    out["node_stage"] = node_stage_sweep(model, img, cap, full, pos, args)
    out["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(out))


def node_stage_sweep(model, img, cap, full, pos, args) -> dict:
    """Agreement of the compressed node stage for each d' (object term only / object + relation terms)."""
    from sgfns.index import NodeStage

    ks = [int(k) for k in args.node_ks.split(",")]
    d = img.glob.shape[1]
    lt = {k: float(cap.sets[k][1].sum(1).float().mean()) for k in ("obj", "rel")}
    li = {k: float(img.sets[k][1].sum(1).float().mean()) for k in ("obj", "rel")}
    exhaustive_dots = 1 + lt["obj"] * li["obj"] + lt["rel"] * li["rel"]
    res = {}
    for dim in [int(x) for x in args.dims.split(",")]:
        full_stage = NodeStage.fit(model, img, cap, dim)
        for name, sets in (("obj", ["obj"]), ("obj+rel", ["obj", "rel"])):
            stage = NodeStage(
                proj={s: full_stage.proj[s] for s in sets if s in full_stage.proj},
                weights={s: full_stage.weights[s] for s in sets if s in full_stage.weights},
                use_global=full_stage.use_global,
                dim=dim,
            )
            t2i, i2t = stage.shortlists(stage.compress(img), stage.compress(cap), max(ks), max(ks))
            _, rows = shortlist_stats(full, t2i, i2t, pos, ks, args.top)
            # FLOP cost per pair relative to exhaustive: node pairs at d' plus one global dot at d
            dots = sum(lt[s] * li[s] for s in stage.weights) * min(dim, d) / d + (1 if stage.use_global else 0)
            res[f"d{dim}:{name}"] = {"dim": dim, "terms": name, "cost_vs_exhaustive": round(dots / exhaustive_dots, 4),
                                     "by_k": rows}  # fmt: skip
    return res


if __name__ == "__main__":
    main()
