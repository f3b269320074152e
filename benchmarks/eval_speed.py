"""Speed of retrieval scoring on a Flickr30K-test-sized workload; prints one JSON object on its last line.

    .venv/bin/python benchmarks/eval_speed.py [--device cpu|cuda] [--threads N] [--dtype auto|float32|bfloat16]
                                              [--k 20] [--first-stage node|global] [--dim 32]
                                              [--run RUN --data DIR [--split test]]
                                              [--gallery 5000 | --gallery 25000 --sample-queries 500]

Workload (as in docs/performance.md):
1,000 images with 36 object nodes (2048-d region features, random) and 25 relation nodes each
(the real Flickr30K val visual graphs: labels and relations), 5,000 captions = the first 5,000 Flickr30K val
captions with the graphs the project's parser gives (parsed once, cached); an untrained `sgfns` with embedding
1024. Timings, all in this process, same dtype and thread count:

(a) `exhaustive_s`: the project's exhaustive scoring of all pairs (`sgfns.models.scoring.similarity_matrix`:
    global + object + relation + count terms); `encode_s` (both modalities) is timed separately. FLOPs count real
    node pairs only (2·d per dot product: object pairs + relation pairs + one global dot per pair; the count term
    reuses the object pairs and is not counted again), so padding can only lower `exhaustive_gflops`.
    `matmul_gflops`: a plain [2048, d] x [d, 2048] matmul in the same dtype/threads, best of several runs taken
    before and after (a); `peak_fraction` = exhaustive_gflops / matmul_gflops.
(b) `scan_xattn_s`: SCAN text-to-image cross attention (softmax temperature 9, mean pooling over words) over the
    same encoded regions and words, in shards of 128 x 128 vectorised within each shard; a sample of shards is
    timed and scaled to all shards (`scan_shards_timed` of `scan_shards_total`).
(c) `shortlist_s`: two-stage retrieval in both directions (every caption -> images, every image -> captions),
    k per query (`--k`, default 20). First stage (`--first-stage`): "node" (default) — `sgfns.index.NodeStage`:
    global score + the model's object and relation node matching with the nodes projected to `--dim` (default
    32) dimensions (uncentred PCA fitted on the image gallery), one first-stage matrix for both directions;
    "global" — a flat inner-product index over global vectors (FAISS when installed, else torch). The listed
    pairs (each distinct pair once, `rerank_both`) are re-ranked by the fine-grained score. `shortlist_s` =
    `shortlist_build_s` (fitting the projections, compressing both sides; building the flat indexes) +
    `shortlist_first_s` + `shortlist_rerank_s`; `shortlist_speedup` = exhaustive_s / shortlist_s (build
    included), `shortlist_speedup_search` without the build. `--also 16:30,32:30:float32,global:50` times more
    (dim:k[:first-stage dtype]) variants in the same run. `--first-dtype` (default auto): the node first stage's
    dtype — bf16 on AVX512-BF16 CPUs and CUDA (on CPU the node terms then use `match_bf16`), else fp32.
With `--run RUN --data DIR` it loads a trained model and measures (c)'s agreement with (a) on that split at
gallery sizes 1,000 and 5,000 images (or the split's size when smaller), with the same first stage and k:
`shortlist_recall10` (fraction of the exhaustive top-10 of every query, both directions, inside its shortlist),
`shortlist_rsum_delta` (two-stage rSum minus exhaustive rSum) and `fine_variance_share` (Var(S - global) /
(Var(global) + Var(S - global)) over all pairs); `by_k` gives the curve up to `--k-frac` of the images.

`--gallery N` scales the same workload to N images / 5N captions with random node sets of the measured size
distribution (no encoding); `--sample-queries Q` times Q text queries and Q image queries against the whole
gallery instead of the full matrix (used for 25K / 125K)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SGFNS_SHARED_DATA", ROOT.parent / "shared" / "data"))
F30K = SHARED / "flickr30k_sg"


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    p = base / "sgfns" / "benchmarks"
    p.mkdir(parents=True, exist_ok=True)
    return p


def sync(device) -> None:
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def load_captions(n: int) -> tuple[list[str], list]:
    """The first n Flickr30K val captions and their parsed graphs (parsed once, cached by parser version)."""
    from sgfns.data.safe_pickle import safe_load
    from sgfns.graphs.parser import load_parser
    from sgfns.graphs.types import SceneGraph
    from sgfns.io import read_jsonl, write_jsonl

    caps = safe_load(F30K / "flickr30k_val_lowered_caps_data.joblib")
    texts = [caps[k]["sent"] for k in sorted(caps, key=int)]
    parser = load_parser()
    key = hashlib.sha256(("\n".join(texts) + parser.version).encode()).hexdigest()[:16]
    path = cache_dir() / f"f30k_val_graphs_{key}.jsonl"
    if path.exists():
        graphs = [SceneGraph.from_dict(rec) for _, rec in read_jsonl(path)]
    else:
        t = time.perf_counter()
        graphs = parser.parse_batch(texts)
        print(f"parsed {len(texts)} captions in {time.perf_counter() - t:.1f}s (cached in {path})", file=sys.stderr)
        write_jsonl(path, [g.to_dict() for g in graphs])
    return texts[:n], graphs[:n]


def load_image_graphs(n: int) -> list:
    """n real Flickr30K val visual graphs (36 labels, 25 relations each; region i = object i)."""
    from sgfns.data.safe_pickle import safe_load
    from sgfns.graphs.types import SceneGraph

    ims = safe_load(F30K / "flickr30k_val_lowered_images_data.joblib")
    out = []
    for name in sorted(ims)[:n]:
        rec = ims[name]
        objs = [{"name": lab, "attributes": [], "count": None, "region": i} for i, lab in enumerate(rec["labels"])]
        rels = []
        for s, p, o in rec["rels"]:
            si, oi = int(s.rsplit(":", 1)[1]), int(o.rsplit(":", 1)[1])
            if si != oi and si < len(objs) and oi < len(objs):
                rels.append({"subject": si, "predicate": p, "object": oi})
        out.append(SceneGraph.from_dict({"objects": objs, "relations": rels}))
    return out


def matmul_gflops(d: int, dtype, device, reps: int = 5) -> float:
    import torch

    g = torch.Generator(device="cpu").manual_seed(0)
    a = torch.randn(2048, d, generator=g).to(device, dtype)
    b = torch.randn(d, 2048, generator=g).to(device, dtype)
    best = float("inf")
    with torch.inference_mode():
        a @ b
        for _ in range(reps):
            sync(device)
            t = time.perf_counter()
            for _ in range(4):
                a @ b
            sync(device)
            best = min(best, (time.perf_counter() - t) / 4)
    return 2 * 2048 * 2048 * d / best / 1e9


def real_pairs(img, cap) -> int:
    """Real node pairs the fine-grained score touches: global + object + relation (count reuses object pairs)."""
    total = len(img) * len(cap)
    for name in ("obj", "rel"):
        if name in img.sets and name in cap.sets:
            total += int(img.sets[name][1].sum()) * int(cap.sets[name][1].sum())
    return total


def scan_t2i_shard(v, vm, w, wm, lam: float = 9.0):
    """SCAN t2i (Lee et al. 2018, released code): per word, attend over regions (leaky ReLU 0.1, l2-normalised over
    words, softmax with temperature lam over regions), cosine(word, attended context), mean over the caption's
    words. v [ni, R, d], w [nc, T, d] (l2-normalised); returns [ni, nc]."""
    import torch

    s = torch.einsum("ird,ctd->ictr", v, w)  # [ni, nc, T, R]
    a = torch.nn.functional.leaky_relu(s, 0.1)
    a = a * wm[None, :, :, None]
    a = a / (a.norm(dim=2, keepdim=True) + 1e-8)
    a = (lam * a).masked_fill(~vm[:, None, None, :], float("-inf")).softmax(-1)
    ctx = torch.einsum("ictr,ird->ictd", a, v)
    cos = (ctx * w[None]).sum(-1) / (ctx.norm(dim=-1) + 1e-8)
    m = wm[None].to(cos.dtype)
    return (cos * m).sum(-1) / m.sum(-1).clamp_min(1)


def time_scan(model, feats, cap_batches, n_img: int, n_cap: int, dtype, device, shards: int) -> dict:
    """Time `shards` 128x128 shards of SCAN t2i over the model's own encoded regions and words; scale to all."""
    import torch

    from sgfns.models.layers import l2norm

    with torch.inference_mode():
        v = l2norm(model.regions(torch.as_tensor(feats[:128]).to(device))).to(dtype)
        vm = torch.ones(v.shape[:2], dtype=torch.bool, device=device)
        b = cap_batches(list(range(128)))
        h, hm = model.text(b["tokens"].to(device), b["lengths"].to(device))
        w = l2norm(h).to(dtype)
        scan_t2i_shard(v[:8], vm[:8], w[:8], hm[:8])  # warm-up
        sync(device)
        t = time.perf_counter()
        for _ in range(shards):
            scan_t2i_shard(v, vm, w, hm)
        sync(device)
        per = (time.perf_counter() - t) / shards
    total = -(-n_img // 128) * -(-n_cap // 128)
    return {"scan_xattn_s": per * total, "scan_shard_s": per, "scan_shards_timed": shards, "scan_shards_total": total}


def first_dtype(name: str, device):
    """--first-dtype: "auto" = bf16 where the device multiplies bf16 fast (AVX512-BF16 CPUs, CUDA), else fp32."""
    import torch

    from sgfns.index.nodestage import first_stage_dtype

    return first_stage_dtype(device) if name == "auto" else getattr(torch, name)


def build_first_stage(model, img, cap, first_stage: str, dim: int, dtype=None):
    """The first stage of (c): ("global", FlatIndex over images, FlatIndex over captions) or ("node", NodeStage,
    compressed images, compressed captions) — the projection fitted on the image gallery; node sets and global
    vectors of the stage in `dtype` (fp32 when None)."""
    from sgfns.index import FlatIndex, NodeStage

    if first_stage == "global":
        return "global", FlatIndex(img.glob, backend="auto"), FlatIndex(cap.glob, backend="auto")
    stage = NodeStage.fit(model, img, cap, dim, dtype=dtype)
    return "node", stage, stage.compress(img), stage.compress(cap)


def time_two_stage(
    model, img, cap, k_img: int, k_cap: int, device, first_stage: str = "node", dim: int = 32, dtype=None
) -> dict:
    """(c) in both directions over the whole split: build the first stage, shortlist every caption (k_img images)
    and every image (k_cap captions), re-rank the listed pairs. Times each step; `shortlist_s` is their sum."""
    from sgfns.index import rerank_both

    sync(device)
    t0 = time.perf_counter()
    fs = build_first_stage(model, img, cap, first_stage, dim, dtype)
    sync(device)
    t1 = time.perf_counter()
    if fs[0] == "global":
        t2i_ids = fs[1].search(cap.glob, k_img)[1]
        i2t_ids = fs[2].search(img.glob, k_cap)[1]
        backend = fs[1].backend
    else:
        t2i_ids, i2t_ids = fs[1].shortlists(fs[2], fs[3], k_img, k_cap)
        backend = "torch"
    sync(device)
    t2 = time.perf_counter()
    t2i, i2t = rerank_both(model, img, cap, t2i_ids, i2t_ids)  # each listed pair scored once
    sync(device)
    t3 = time.perf_counter()
    return {
        "shortlist_s": t3 - t0,
        "shortlist_build_s": t1 - t0,
        "shortlist_first_s": t2 - t1,
        "shortlist_rerank_s": t3 - t2,
        "backend": backend,
        "t2i": t2i,
        "i2t": i2t,
    }


def synthetic_gallery(n_img: int, n_cap: int, cap_sets, d: int, dtype, device, seed: int = 0):
    """Random l2-normalised node sets: 36 object and 25 relation nodes per image, caption node counts resampled
    from `cap_sets` ({"obj": counts, "rel": counts}) — for timing larger galleries without encoding them."""
    import torch

    from sgfns.models.base import Encoded

    g = torch.Generator().manual_seed(seed)

    def nodes(n, counts, L):
        x = torch.nn.functional.normalize(torch.randn(n, L, d, generator=g), dim=-1).to(device, dtype)
        m = (torch.arange(L)[None] < counts[:, None]).to(device)
        return x, m

    def glob(n):
        return torch.nn.functional.normalize(torch.randn(n, d, generator=g), dim=-1).to(device, dtype)

    img = Encoded(
        glob=glob(n_img),
        sets={"obj": nodes(n_img, torch.full((n_img,), 36), 36), "rel": nodes(n_img, torch.full((n_img,), 25), 25)},
    )
    sets, extra = {}, {}
    for name in ("obj", "rel"):
        counts = cap_sets[name]
        pick = torch.randint(0, len(counts), (n_cap,), generator=g)
        sets[name] = nodes(n_cap, counts[pick], int(counts.max()))
        if name == "obj":
            extra["count"] = torch.where(sets["obj"][1].cpu(), 1, -1).to(device)
    return img, Encoded(glob=glob(n_cap), sets=sets, extra=extra)


def agreement(
    model, data: str, split_name: str, device, dtype, k: int, first_stage: str = "node", dim: int = 32,
    k_frac: float = 0.05, sizes: tuple[int, ...] = (1000, 5000), fs_dtype=None,
) -> dict:  # fmt: skip
    """(c) against (a) with a trained model on its split, at 1,000 and 5,000 images (or fewer): shortlists of the
    same first stage as the timing (`first_stage`, `dim`), headline at `k`, the curve up to `k_frac` of the images.
    """
    import torch

    from sgfns.data.dataset import load_split
    from sgfns.graphs.cache import caption_graphs_for
    from sgfns.index import NodeIndex, two_stage_search
    from sgfns.index.agreement import shortlist_agreement
    from sgfns.models.scoring import encode_captions, encode_images, similarity_parts_matrix

    split = load_split(data, split_name)
    img_all = encode_images(model, split, device)
    graphs = caption_graphs_for(split, "auto")  # provided graphs, else the parser's (cached), as eval does
    cap_all = encode_captions(model, split.captions, graphs, device)
    cap_img = torch.as_tensor(split.caption_image())
    pos_all = torch.as_tensor(split.positive_mask())
    out = {}
    for size in sorted({min(s, split.n_images) for s in sizes}):
        caps = torch.nonzero(cap_img < size).flatten()
        img = img_all.select(slice(0, size)).to(device, dtype)
        cap = cap_all.select(caps).to(device, dtype)
        pos = pos_all[:size][:, caps]
        parts = similarity_parts_matrix(model, img, cap)
        full = torch.stack(list(parts.values())).sum(0)
        parts = {"global": parts["global"]} if "global" in parts else {}
        k_max = max(10, k, int(k_frac * size))
        ks = sorted({x for x in (10, 20, 30, 40, 50, 100, 250) if x < k_max} | {k_max, k})
        fs = build_first_stage(model, img, cap, first_stage, dim, fs_dtype)
        # shortlists in first-stage order, so smaller k are prefixes (re-ranked scores = matrix entries)
        if fs[0] == "global":
            t2i_short = fs[1].search(cap.glob, k_max)[1]
            i2t_short = fs[2].search(img.glob, k_max)[1]
            t2i_index = fs[1]
        else:
            t2i_short, i2t_short = fs[1].shortlists(fs[2], fs[3], k_max, k_max)
            t2i_index = NodeIndex(fs[1], img, "image")
        # the query-at-a-time path (`sgfns search`) lists the same images for the first 500 captions
        _, t2i_ids = two_stage_search(model, img, cap, t2i_index, torch.arange(min(500, len(cap))), k, "caption")
        assert torch.equal(t2i_short[: len(t2i_ids), :k].sort(1).values, t2i_ids.sort(1).values)
        glob = parts.get("global", torch.zeros_like(full))
        fine = full - glob
        share = float(fine.var() / (glob.var() + fine.var()))
        exh_rsum, rows = shortlist_agreement(full, pos, t2i_short, i2t_short, ks)
        ok = [x for x in ks if rows[x]["recall10"] >= 0.99 and abs(rows[x]["rsum_delta"]) < 0.5]
        out[size] = {
            "k": k,
            "k_fraction": k / size,
            "recall10": rows[k]["recall10"],
            "rsum": exh_rsum,
            "rsum_two_stage": rows[k]["rsum_two_stage"],
            "rsum_delta": rows[k]["rsum_delta"],
            "smallest_k_meeting_target": ok[0] if ok else None,
            "by_k": rows,
            "fine_variance_share": share,
            "n_captions": len(cap),
        }
    return out


def kernel_check(d: int, dtype, device, reps: int = 5) -> dict:
    """Interleaved, short measurements of the scoring kernels against the matmul reference (same dtype/threads):
    the object term with the count term (`node_match_count`) on a 256-image x 1,024-caption block (36 nodes per
    image, 1-7 per caption), each timing right after a reference timing; robust to load that drifts over minutes."""
    import torch

    from sgfns.models.similarity import node_match_count

    g = torch.Generator().manual_seed(0)
    a = torch.nn.functional.normalize(torch.randn(256, 36, d, generator=g), dim=-1).to(device, dtype)
    am = torch.ones(256, 36, dtype=torch.bool, device=device)
    n = torch.randint(1, 8, (1024,), generator=g)
    bm = (torch.arange(12)[None] < n[:, None]).to(device)
    b = torch.nn.functional.normalize(torch.randn(1024, 12, d, generator=g), dim=-1).to(device, dtype)
    counts = torch.where(bm, 1, -1)
    flop = 2 * d * 36 * 256 * int(bm.sum())
    ratios, rates = [], []
    with torch.inference_mode():
        node_match_count(a, am, b, bm, counts, 10.0, 0.5)
        for _ in range(reps):
            mm = matmul_gflops(d, dtype, device, reps=1)
            sync(device)
            t = time.perf_counter()
            node_match_count(a, am, b, bm, counts, 10.0, 0.5)
            sync(device)
            rate = flop / (time.perf_counter() - t) / 1e9
            rates.append(rate)
            ratios.append(rate / mm)
    ratios.sort()
    return {
        "kernel_gflops": sorted(rates)[len(rates) // 2],
        "kernel_peak_fraction_median": ratios[len(ratios) // 2],
        "kernel_peak_fraction_all": [round(r, 3) for r in ratios],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    ap.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16"])
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--embed", type=int, default=1024)
    ap.add_argument("--k", type=int, default=20, help="shortlist size per query (both directions)")
    ap.add_argument(
        "--first-stage",
        default="node",
        choices=["node", "global"],
        help="node: global + node terms projected to --dim (NodeStage); global: flat index on global vectors",
    )
    ap.add_argument("--dim", type=int, default=32, help="node first stage: projection dimension d'")
    ap.add_argument(
        "--first-dtype",
        default="auto",
        choices=["auto", "float32", "bfloat16"],
        help="node first stage's dtype (auto: bf16 on AVX512-BF16 CPUs and CUDA; CPU bf16 uses match_bf16)",
    )
    ap.add_argument("--also", default="", help="more (c) timings in the same run, e.g. '16:30,32:50,global:50' (dim:k)")
    ap.add_argument("--scan-shards", type=int, default=3)
    ap.add_argument("--gallery", type=int, default=None, help="synthetic node sets for N images / 5N captions")
    ap.add_argument("--sample-queries", type=int, default=None)
    ap.add_argument("--text-queries-only", action="store_true", help="with --gallery: time text -> image only")
    ap.add_argument("--run", default=None)
    ap.add_argument("--data", default=None)
    ap.add_argument("--split", default="test")
    ap.add_argument("--k-frac", type=float, default=0.05, help="agreement: largest k as a fraction of the images")
    ap.add_argument("--kernel-check", action="store_true", help="only the interleaved kernel vs matmul check")
    ap.add_argument("--agreement-only", action="store_true", help="with --run/--data: only the agreement figures")
    args = ap.parse_args()
    # before torch starts OpenMP: on shared cores, spinning threads waiting at barriers for a descheduled peer
    # cost up to 10x (measured); passive waiting keeps the kernels at the matmul rate. An explicit setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

    import numpy as np
    import torch

    from sgfns.models import create_model
    from sgfns.models.scoring import encode_captions, encode_images, similarity_matrix
    from sgfns.models.similarity import default_dtype
    from sgfns.text.vocab import TextProcessor

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dtype = default_dtype(device) if args.dtype == "auto" else getattr(torch, args.dtype)
    torch.manual_seed(0)
    n_img, n_cap = args.images, 5 * args.images
    fs_dtype = first_dtype(args.first_dtype, device)
    out: dict = {
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "device": str(device),
        "device_name": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "dtype": str(dtype).replace("torch.", ""),
        "torch": torch.__version__,
        "images": n_img,
        "captions": n_cap,
        "embed": args.embed,
    }
    if device.type == "cuda":
        out["device_name"] = torch.cuda.get_device_name(device)

    if args.kernel_check:
        out = {"device": out["device"], "threads": out["threads"], "dtype": out["dtype"], "embed": args.embed}
        out.update(kernel_check(args.embed, dtype, device))
        print(json.dumps(out))
        return
    if args.agreement_only:
        if not (args.run and args.data):
            ap.error("--agreement-only needs --run and --data")
        from sgfns import load_model

        agr = agreement(load_model(args.run, device=device), args.data, args.split, device, dtype, args.k,
                        args.first_stage, args.dim, args.k_frac, fs_dtype=fs_dtype)  # fmt: skip
        out = {"device": out["device"], "threads": out["threads"], "dtype": out["dtype"], "run": args.run}
        out.update(first_stage=args.first_stage, dim=args.dim if args.first_stage == "node" else None, k=args.k)
        out["first_stage_dtype"] = str(fs_dtype).replace("torch.", "")
        out["agreement"] = {str(s): v for s, v in agr.items()}
        out["shortlist_recall10"] = min(v["recall10"] for v in agr.values())
        out["shortlist_rsum_delta"] = max((v["rsum_delta"] for v in agr.values()), key=abs)
        out["fine_variance_share"] = agr[min(agr)]["fine_variance_share"]
        print(json.dumps(out))
        return

    texts, graphs = load_captions(n_cap)
    img_graphs = load_image_graphs(n_img)
    tp = TextProcessor.build(texts, graphs + img_graphs)
    model = create_model("sgfns", vocab_size=len(tp.vocab), embed_dim=args.embed).to(device).eval()
    model.text_processor = tp
    feats = np.random.default_rng(0).standard_normal((n_img, 36, 2048), dtype=np.float32)
    shim = SimpleNamespace(n_images=n_img, image_graphs=img_graphs, features=feats, boxes=None)

    if args.gallery:  # node sets of the measured sizes (a null node stands for an empty set), no encoding
        sizes = {
            "obj": torch.tensor([max(1, len(g.objects)) for g in graphs]),
            "rel": torch.tensor([max(1, len(g.relations)) for g in graphs]),
        }
        n_img, n_cap = args.gallery, 5 * args.gallery
        if args.text_queries_only:  # the caption gallery is only the text queries (image queries not timed)
            n_cap = args.sample_queries
        img, cap = synthetic_gallery(n_img, n_cap, sizes, args.embed, dtype, device)
        out.update(images=n_img, captions=n_cap, gallery="synthetic node sets, caption sizes resampled from parse")
        out["encode_s"] = None
    else:
        sync(device)
        t = time.perf_counter()
        img = encode_images(model, shim, device, batch_size=128)
        cap = encode_captions(model, texts, graphs, device, batch_size=256)
        sync(device)
        out["encode_s"] = time.perf_counter() - t
        img, cap = img.to(device, dtype), cap.to(device, dtype)
    out["caption_obj_nodes_mean"] = float(cap.sets["obj"][1].sum(1).float().mean())
    out["caption_rel_nodes_mean"] = float(cap.sets["rel"][1].sum(1).float().mean())

    mm = [matmul_gflops(args.embed, dtype, device)]
    # (a) exhaustive fine-grained scoring
    if args.sample_queries:
        q = args.sample_queries
        qi = torch.randperm(n_img, generator=torch.Generator().manual_seed(1))[:q]
        qc = torch.randperm(n_cap, generator=torch.Generator().manual_seed(2))[:q]
        sync(device)
        t = time.perf_counter()
        similarity_matrix(model, img, cap.select(qc.to(device)))  # q text queries against all images
        if not args.text_queries_only:
            similarity_matrix(model, img.select(qi.to(device)), cap)  # q image queries against all captions
        sync(device)
        out["exhaustive_s"] = time.perf_counter() - t
        pairs = real_pairs(img, cap.select(qc.to(device)))
        if not args.text_queries_only:
            pairs += real_pairs(img.select(qi.to(device)), cap)
        out["sample_queries"] = q
        out["directions"] = "t2i" if args.text_queries_only else "t2i+i2t"
    else:
        sync(device)
        t = time.perf_counter()
        similarity_matrix(model, img, cap)
        sync(device)
        out["exhaustive_s"] = time.perf_counter() - t
        pairs = real_pairs(img, cap)
    mm.append(matmul_gflops(args.embed, dtype, device))
    flop = 2 * args.embed * pairs
    out["exhaustive_gflop"] = flop / 1e9
    out["exhaustive_gflops"] = flop / out["exhaustive_s"] / 1e9
    out["matmul_gflops"] = max(mm)
    out["peak_fraction"] = out["exhaustive_gflops"] / out["matmul_gflops"]

    # (b) SCAN-style cross attention, sampled shards
    if not args.gallery:
        from sgfns.data.batching import collate_captions, prepare_captions

        items = prepare_captions(texts, graphs, tp)
        out.update(
            time_scan(
                model,
                feats,
                lambda idx: collate_captions([items[i] for i in idx]),
                n_img,
                n_cap,
                dtype,
                device,
                args.scan_shards,
            )
        )
    else:
        out["scan_xattn_s"] = None

    # (c) two-stage retrieval
    k = args.k
    out["first_stage"] = args.first_stage
    out["first_stage_dim"] = args.dim if args.first_stage == "node" else None
    out["first_stage_dtype"] = str(fs_dtype).replace("torch.", "") if args.first_stage == "node" else None
    if args.sample_queries:
        from sgfns.index import FlatIndex, NodeIndex, NodeStage, two_stage_search

        sync(device)
        t = time.perf_counter()
        if args.first_stage == "node":
            stage = NodeStage.fit(model, img, cap.select(qc[:1].to(device)), args.dim, dtype=fs_dtype)
            img_index = NodeIndex(stage, img, "image")
            cap_index = None if args.text_queries_only else NodeIndex(stage, cap, "caption")
        else:
            img_index, cap_index = FlatIndex(img.glob), FlatIndex(cap.glob)
        sync(device)
        out["shortlist_build_s"] = time.perf_counter() - t
        two_stage_search(model, img, cap, img_index, qc, k, "caption")
        if not args.text_queries_only:
            two_stage_search(model, img, cap, cap_index, qi, k, "image")
        sync(device)
        out["shortlist_s"] = time.perf_counter() - t
        out["index_backend"] = img_index.backend
    else:
        ts = time_two_stage(model, img, cap, k, k, device, args.first_stage, args.dim, fs_dtype)
        out.update(
            {key: ts[key] for key in ("shortlist_s", "shortlist_build_s", "shortlist_first_s", "shortlist_rerank_s")}
        )
        out["index_backend"] = ts["backend"]
    out["shortlist_k"] = k
    out["rerank_method"] = "bmm" if device.type == "cuda" else "image"  # node_match_pairs(method="auto")
    out["shortlist_speedup"] = out["exhaustive_s"] / out["shortlist_s"]
    out["shortlist_speedup_search"] = out["exhaustive_s"] / (out["shortlist_s"] - out["shortlist_build_s"])
    if args.also and not args.sample_queries:
        out["also"] = []
        for item in args.also.split(","):
            dim_s, k_s, *dt = item.split(":")  # dim:k or dim:k:dtype (float32 | bfloat16)
            fs, dim = ("global", 0) if dim_s == "global" else ("node", int(dim_s))
            row_dtype = getattr(torch, dt[0]) if dt else fs_dtype
            ts = time_two_stage(model, img, cap, int(k_s), int(k_s), device, fs, dim, row_dtype)
            row = {
                "first_stage": fs,
                "dim": dim or None,
                "k": int(k_s),
                "dtype": str(row_dtype).replace("torch.", "") if fs == "node" else None,
                "speedup": out["exhaustive_s"] / ts["shortlist_s"],
                "speedup_search": out["exhaustive_s"] / (ts["shortlist_s"] - ts["shortlist_build_s"]),
            }
            row.update(
                {
                    key: ts[key]
                    for key in ("shortlist_s", "shortlist_build_s", "shortlist_first_s", "shortlist_rerank_s")
                }
            )
            out["also"].append(row)

    out["shortlist_recall10"] = out["shortlist_rsum_delta"] = out["fine_variance_share"] = None
    if args.run:
        if not args.data:
            ap.error("--run needs --data")
        from sgfns import load_model

        matcher = load_model(args.run, device=device)
        agr = agreement(
            matcher, args.data, args.split, device, dtype, k, args.first_stage, args.dim, args.k_frac,
            fs_dtype=fs_dtype,
        )  # fmt: skip
        out["agreement"] = {str(s): v for s, v in agr.items()}
        first = agr[min(agr)]
        out["shortlist_recall10"] = min(v["recall10"] for v in agr.values())
        out["shortlist_rsum_delta"] = max((v["rsum_delta"] for v in agr.values()), key=abs)
        out["fine_variance_share"] = first["fine_variance_share"]
        out["agreement_k"] = {str(s): v["k"] for s, v in agr.items()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
