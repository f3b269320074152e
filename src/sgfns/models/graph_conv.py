"""Triple graph convolution (SGM, after Johnson et al.'s sg2im): each (subject, predicate, object) triple updates
its relation node and sends a message to both of its objects; objects average their incoming messages. Residual,
so a graph without relations leaves its object nodes unchanged."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sgfns.models.layers import MLP, gather_nodes


class TripleGraphConv(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.net = MLP(3 * d, d, 3 * d)
        self.norm_o = nn.LayerNorm(d)
        self.norm_r = nn.LayerNorm(d)

    def forward(self, obj: Tensor, obj_mask: Tensor, rel: Tensor, b: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        s_idx, o_idx, rm = b["rel_subj"], b["rel_obj"], b["rel_mask"]
        s, o = gather_nodes(obj, s_idx), gather_nodes(obj, o_idx)
        m_s, m_r, m_o = self.net(torch.cat([s, rel, o], -1)).chunk(3, -1)
        O = obj.shape[1]
        w = rm.to(obj.dtype).unsqueeze(-1)
        a_s = F.one_hot(s_idx.clamp(0, O - 1), O).to(obj.dtype) * w  # [B, E, O]
        a_o = F.one_hot(o_idx.clamp(0, O - 1), O).to(obj.dtype) * w
        msg = torch.einsum("beo,bed->bod", a_s, m_s) + torch.einsum("beo,bed->bod", a_o, m_o)
        deg = (a_s.sum(1) + a_o.sum(1)).unsqueeze(-1)
        obj = self.norm_o(obj + msg / deg.clamp_min(1.0)) * obj_mask.unsqueeze(-1)
        rel = self.norm_r(rel + m_r) * w
        return obj, rel
