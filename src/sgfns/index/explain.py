"""Why an image matched a caption: each score term of a pair split over the caption's nodes.

The score of a pair is a sum of named terms (`pair_parts`). A node term (`Matcher.node_terms()`: SGFNS's object
and relation terms) is `weight * mean over the caption's nodes of the best cosine with any image node`, so it splits
exactly into one contribution per caption node: `weight * best cosine / number of caption nodes`, together with
*which* image node gave the best cosine. The count term splits the same way over the caption objects with a known
count (`-weight * |log(1 + soft count) - log(1 + n)| / counted objects`). Contributions are recomputed here from
the same encodings in fp32; their sums equal the terms the ranking used up to float rounding (tested to 1e-5), so
an explanation never claims more than the score holds.

This module knows nodes, not graphs: node j of a caption's object set is the j-th object of its scene graph (a
graph without objects has one learned null node), node e of its relation set the e-th relation; `sgfns.index.
searcher` turns node indices into labels, regions and boxes."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from sgfns.models.base import Encoded, Matcher

__all__ = ["NodeMatch", "PairExplanation", "explain_pairs", "node_terms"]

#: pairs explained at a time: the gathered node sets of a chunk are [pairs, nodes, d] copies (a 68-node relation
#: set at d = 128 is 35 KB per pair), so a batch of 32 queries x 100 hits is done in pieces of bounded size
PAIR_CHUNK = 256


@dataclass
class NodeMatch:
    """Caption node `caption_node` found image node `image_node` with `cosine`; it adds `contribution` to its
    term. For the count term `image_node` is -1, `cosine` the soft count and `count` the caption's count."""

    caption_node: int
    image_node: int
    cosine: float
    contribution: float
    count: int | None = None


@dataclass
class PairExplanation:
    """One (image, caption) pair: its terms (`parts`, summing to `score`) and each node term's caption nodes."""

    score: float
    parts: dict[str, float]
    nodes: dict[str, list[NodeMatch]] = field(default_factory=dict)


def node_terms(model: Matcher) -> dict[str, tuple[str, float]]:
    """Score terms that are node matching over scene-graph nodes: term -> (node set, weight); {} for a model
    that declares none (its explanation is its terms only)."""
    fn = getattr(model, "node_terms", None)
    return dict(fn()) if fn is not None else {}


def _pair_cosines(img_set: tuple[Tensor, Tensor], cap_set: tuple[Tensor, Tensor], pi: Tensor, pc: Tensor):
    """Cosines of every image node with every caption node of each pair, [P, Li, Lt] fp32 (-inf on padded image
    nodes), and the caption nodes' mask [P, Lt]: one batched matmul for all the hits of a query."""
    iv, im = img_set[0][pi].float(), img_set[1][pi]
    cv, cm = cap_set[0][pc].float(), cap_set[1][pc]
    s = torch.bmm(iv, cv.transpose(1, 2)).masked_fill(~im[:, :, None], float("-inf"))
    return s, cm


def explain_pairs(
    model: Matcher, img: Encoded, cap: Encoded, pair_img: list[int], pair_cap: list[int], parts: dict[str, Tensor]
) -> list[PairExplanation]:
    """Explanations of the pairs (img[pair_img[p]], cap[pair_cap[p]]); `parts` are the terms the ranking scored
    them with (`pair_parts`: name -> [P]) and are reported as they are, so the explanation's score is the
    ranking's score."""
    pi, pc = torch.as_tensor(pair_img).long(), torch.as_tensor(pair_cap).long()
    vals = {k: v.float().tolist() for k, v in parts.items()}
    out = [PairExplanation(score=sum(vals[k][p] for k in vals), parts={k: vals[k][p] for k in vals})
           for p in range(len(pi))]  # fmt: skip
    if not len(pi):
        return out
    for a in range(0, len(pi), PAIR_CHUNK):  # bounded working memory: a chunk's [pairs, Li, Lt] cosines at a time
        _explain_chunk(model, img, cap, pi[a : a + PAIR_CHUNK], pc[a : a + PAIR_CHUNK], parts,
                       out[a : a + PAIR_CHUNK])  # fmt: skip
    return out


def _explain_chunk(model: Matcher, img: Encoded, cap: Encoded, pi: Tensor, pc: Tensor, parts: dict[str, Tensor],
                   out: list[PairExplanation]) -> None:  # fmt: skip
    with torch.inference_mode():
        for term, (set_name, weight) in node_terms(model).items():
            if term not in parts or set_name not in img.sets or set_name not in cap.sets:
                continue
            s, cm = _pair_cosines(img.sets[set_name], cap.sets[set_name], pi, pc)
            best, arg = s.max(1)  # [P, Lt]
            share = weight * best / cm.sum(1, keepdim=True)
            rows = zip(cm.tolist(), best.tolist(), arg.tolist(), share.tolist(), strict=True)
            for p, (mask, b, a, w) in enumerate(rows):
                out[p].nodes[term] = [NodeMatch(j, a[j], b[j], w[j]) for j in range(len(mask)) if mask[j]]
        count_sets = getattr(model, "count_sets", None)
        if "count" in parts and count_sets is not None:
            img_set, cap_set, counts = count_sets(img, cap)
            s, cm = _pair_cosines(img_set, cap_set, pi, pc)
            soft = torch.sigmoid(model.count.kappa * (s - model.count.tau)).sum(1)  # [P, Lt]; sigmoid(-inf) = 0
            n = counts[pc]
            known = (n >= 1) & cm
            diff = -(torch.log1p(soft) - torch.log1p(n.clamp_min(0).float())).abs()
            share = model.gamma * diff / known.sum(1, keepdim=True).clamp_min(1)
            rows = zip(known.tolist(), n.tolist(), soft.tolist(), share.tolist(), strict=True)
            for p, (kn, c, sc, w) in enumerate(rows):
                out[p].nodes["count"] = [NodeMatch(j, -1, sc[j], w[j], count=c[j]) for j in range(len(kn)) if kn[j]]
