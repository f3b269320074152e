"""Scene-graph node builders: object and relation nodes for an image graph and a caption graph
(docs/method.md#graph-nodes).

Both sides embed labels (names, attributes, predicates) with the *caption encoder's* word embeddings (a label is
the mean of its words), so "red" in a visual graph and "red" in a caption start from the same vector; each side
has its own projections.

- Visual object node = region feature (when the object has a region) fused with its label and attribute embeddings.
- Text object node = mean encoder state over its head-word span (the bi-GRU state carries the words around it),
  fused with its name, attribute words and count. Without a span, the name's embedding stands in for the state.
- Relation node (both sides) = MLP over [subject node; predicate embedding; object node]: order-sensitive, so
  "cube left of ball" and "ball left of cube" differ."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sgfns.models.layers import MLP, embed_label_sets, embed_labels, gather_nodes, masked_mean

COUNT_BUCKETS = 7  # unknown, 0, 1, 2, 3, 4, 5+


def count_bucket(count: Tensor) -> Tensor:
    return torch.where(count < 0, torch.zeros_like(count), count.clamp(0, COUNT_BUCKETS - 2) + 1)


class ObjectNodes(nn.Module):
    """Fuse a base vector (region feature or head-word state) with label, attribute (and count) embeddings."""

    def __init__(self, word_dim: int, d: int, use_labels: bool = True, use_count: bool = False) -> None:
        super().__init__()
        self.use_labels = use_labels
        self.name_proj = nn.Linear(word_dim, d)
        self.attr_proj = nn.Linear(word_dim, d)
        self.count_emb = nn.Embedding(COUNT_BUCKETS, d) if use_count else None
        n_in = 3 + (1 if use_count else 0)
        self.fuse = MLP(n_in * d, d, d)

    def forward(self, emb: nn.Embedding, base: Tensor, has_base: Tensor, b: dict[str, Tensor]) -> Tensor:
        name = self.name_proj(embed_labels(emb, b["obj_name"]))
        attr = self.attr_proj(embed_label_sets(emb, b["obj_attr"]))
        if not self.use_labels:
            name, attr = torch.zeros_like(name), torch.zeros_like(attr)
        base = torch.where(has_base.unsqueeze(-1), base, name)
        parts = [base, name, attr]
        if self.count_emb is not None:
            parts.append(self.count_emb(count_bucket(b["obj_count"])))
        return base + self.fuse(torch.cat(parts, -1))


class RelationNodes(nn.Module):
    """MLP over [subject; predicate; object] (+ [subject - object] with `roles`: an input that changes sign when the
    two objects are exchanged, so 'A left of B' and 'B left of A' start apart instead of having to be learned apart;
    + the projected predicate itself with `skip`: a direct path by which the node says which relation it is, which
    the MLP otherwise has to carry through beside two larger object vectors)."""

    def __init__(self, word_dim: int, d: int, roles: bool = False, skip: bool = False) -> None:
        super().__init__()
        self.roles = roles
        self.skip = skip
        self.pred_proj = nn.Linear(word_dim, d)
        self.mlp = MLP((4 if roles else 3) * d, d, d)

    def forward(self, emb: nn.Embedding, obj: Tensor, b: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        pred = self.pred_proj(embed_labels(emb, b["rel_pred"]))
        s = gather_nodes(obj, b["rel_subj"])
        o = gather_nodes(obj, b["rel_obj"])
        parts = [s, pred, o, s - o] if self.roles else [s, pred, o]
        out = self.mlp(torch.cat(parts, -1))
        return (out + pred if self.skip else out), pred


def region_base(ctx: Tensor, region: Tensor) -> tuple[Tensor, Tensor]:
    """Region feature of each visual object ([B, O, d]) and whether it has one."""
    return gather_nodes(ctx, region), region >= 0


def span_base(states: Tensor, span: Tensor) -> tuple[Tensor, Tensor]:
    """Mean encoder state over each object's token span ([B, O, d]) and whether it has a span."""
    T = states.shape[1]
    t = torch.arange(T, device=states.device).view(1, 1, T)
    inside = (t >= span[..., :1]) & (t < span[..., 1:]) & (span[..., :1] >= 0)  # [B, O, T]
    w = inside.to(states.dtype)
    base = torch.einsum("bot,btd->bod", w, states) / w.sum(-1, keepdim=True).clamp_min(1.0)
    return base, inside.any(-1)


__all__ = ["ObjectNodes", "RelationNodes", "count_bucket", "masked_mean", "region_base", "span_base"]
