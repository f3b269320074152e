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


def _best(img_set: tuple[Tensor, Tensor], cap_set: tuple[Tensor, Tensor], i: int, c: int):
    """(best cosine per real caption node [Lt], argmax image node [Lt], all cosines [Li, Lt]) of one pair."""
    iv, im = img_set[0][i].float(), img_set[1][i]
    cv, cm = cap_set[0][c].float(), cap_set[1][c]
    s = iv @ cv[cm].T  # [Li, Lt real]
    s = s.masked_fill(~im[:, None], float("-inf"))
    best, arg = s.max(0)
    return best, arg, s


def _caption_nodes(cap_set: tuple[Tensor, Tensor], c: int) -> list[int]:
    return torch.nonzero(cap_set[1][c]).flatten().tolist()


def explain_pairs(
    model: Matcher, img: Encoded, cap: Encoded, pair_img: list[int], pair_cap: list[int], parts: dict[str, Tensor]
) -> list[PairExplanation]:
    """Explanations of the pairs (img[pair_img[p]], cap[pair_cap[p]]); `parts` are the terms the ranking scored
    them with (`pair_parts`: name -> [P]) and are reported as they are, so the explanation's score is the
    ranking's score."""
    terms = node_terms(model)
    count_sets = getattr(model, "count_sets", None)
    out = []
    with torch.inference_mode():
        counted = count_sets(img, cap) if ("count" in parts and count_sets is not None) else None
        for p, (i, c) in enumerate(zip(pair_img, pair_cap, strict=True)):
            vals = {k: float(v[p]) for k, v in parts.items()}
            ex = PairExplanation(score=sum(vals.values()), parts=vals)
            for term, (set_name, weight) in terms.items():
                if term not in parts or set_name not in img.sets or set_name not in cap.sets:
                    continue
                best, arg, _ = _best(img.sets[set_name], cap.sets[set_name], i, c)
                nodes = _caption_nodes(cap.sets[set_name], c)
                n = len(nodes)
                ex.nodes[term] = [
                    NodeMatch(j, int(a), float(b), float(weight * b / n))
                    for j, a, b in zip(nodes, arg.tolist(), best.tolist(), strict=True)
                ]
            if counted is not None:
                ex.nodes["count"] = _count_nodes(model, counted, i, c)
            out.append(ex)
    return out


def _count_nodes(model: Matcher, counted, i: int, c: int) -> list[NodeMatch]:
    """The count term of one pair split over the caption objects with a known count (`sgfns.models.count`)."""
    img_set, cap_set, counts = counted
    _, _, s = _best(img_set, cap_set, i, c)  # [Li, Lt real], -inf on padded image nodes
    nodes = _caption_nodes(cap_set, c)
    n_of = counts[c][cap_set[1][c]]
    soft = torch.sigmoid(model.count.kappa * (s - model.count.tau)).sum(0)  # sigmoid(-inf) = 0 on padding
    known = [k for k in range(len(nodes)) if int(n_of[k]) >= 1]
    out = []
    for k in known:
        n = int(n_of[k])
        diff = -abs(float(torch.log1p(soft[k])) - float(torch.log1p(torch.tensor(float(n)))))
        out.append(NodeMatch(nodes[k], -1, float(soft[k]), model.gamma * diff / len(known), count=n))
    return out
