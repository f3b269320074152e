"""Symbolic matcher (no learning): label overlap between the predicted visual scene graph and the parsed caption
graph. A caption's items are its object names, its (name, attribute) pairs and its (subject, predicate, object)
triples; the score is the fraction of them found among the image's items. Parts: object / attribute / relation
(each item type's matches over all the caption's items, so the parts sum to the fraction).

Items are stable label hashes (see `sgfns.text.vocab.label_hash`); the overlap of a block of pairs is one matrix
product of incidence matrices over the items present in the block, so it goes through the same evaluator as every
learned model, with no loop over pairs."""

from __future__ import annotations

import torch
from torch import Tensor

from sgfns.models.base import Encoded, Matcher
from sgfns.models.registry import options_factory, register_model

_M = (1 << 40) - 87  # keep combined hashes below 2^40 so products stay inside int64
KINDS = ("object", "attribute", "relation")


def _mix(a: Tensor, b: Tensor, salt: int) -> Tensor:
    return ((a % _M) * 1_000_003 + b % _M + salt) % _M + 1


def graph_items(b: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    """[N, L] item hashes (0 = padding) and [N, L] kind (0 object, 1 attribute, 2 relation)."""
    om, rm = b["obj_mask"], b["rel_mask"]
    name = b["obj_name_h"] * om
    objs = torch.where(om, _mix(name, torch.zeros_like(name), 1), 0)
    attr_h = b["obj_attr_h"]  # [N, O, A]
    atts = torch.where((attr_h != 0) & om.unsqueeze(-1), _mix(name.unsqueeze(-1), attr_h, 2), 0).flatten(1)
    s = torch.gather(name, 1, b["rel_subj"].clamp(0, name.shape[1] - 1))
    o = torch.gather(name, 1, b["rel_obj"].clamp(0, name.shape[1] - 1))
    rels = torch.where(rm, _mix(_mix(s, b["rel_pred_h"], 3), o, 4), 0)
    items = torch.cat([objs, atts, rels], 1)
    kinds = torch.cat([torch.zeros_like(objs), torch.ones_like(atts), torch.full_like(rels, 2)], 1)
    return items, kinds


class Symbolic(Matcher):
    needs_image_graphs = True
    trainable = False
    needs_features = False

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("_device_anchor", torch.zeros(0), persistent=False)

    def _encode(self, b: dict[str, Tensor]) -> Encoded:
        items, kinds = graph_items(b)
        n = items.shape[0]
        return Encoded(glob=torch.zeros(n, 1, device=items.device), extra={"items": items, "kinds": kinds})

    encode_images = _encode
    encode_captions = _encode

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        ii, ci, ck = img.extra["items"], cap.extra["items"], cap.extra["kinds"]
        uniq, inv = torch.unique(torch.cat([ii.flatten(), ci.flatten()]), return_inverse=True)
        U = uniq.numel()
        inv_i = inv[: ii.numel()].view_as(ii)
        inv_c = inv[ii.numel() :].view_as(ci)
        present = torch.zeros(ii.shape[0], U, device=ii.device)
        present.scatter_(1, inv_i, 1.0)
        if bool((uniq == 0).any()):
            present[:, 0] = 0.0  # hash 0 is padding (torch.unique sorts, so it is column 0)
        valid = (ci != 0).float()
        total = valid.sum(1).clamp_min(1.0)  # [Nc]
        parts = {}
        for k, name in enumerate(KINDS):
            w = valid * (ck == k).float()
            cnt = torch.zeros(ci.shape[0], U, device=ci.device)
            cnt.scatter_add_(1, inv_c, w)
            parts[name] = (present @ cnt.T) / total
        return parts


register_model("symbolic")(options_factory(Symbolic, {}))
