"""Region encoder: linear projection to the joint space, plus an optional residual MLP (VSE∞-style)."""

from __future__ import annotations

from torch import Tensor, nn

from sgfns.models.layers import MLP


class RegionEncoder(nn.Module):
    def __init__(self, in_dim: int, embed_dim: int, residual_mlp: bool = True) -> None:
        super().__init__()
        self.fc = nn.Linear(in_dim, embed_dim)
        r = (6.0 / (in_dim + embed_dim)) ** 0.5  # Xavier, as SCAN initialises it
        nn.init.uniform_(self.fc.weight, -r, r)
        nn.init.zeros_(self.fc.bias)
        self.mlp = MLP(in_dim, embed_dim // 2, embed_dim) if residual_mlp else None

    def forward(self, feats: Tensor) -> Tensor:
        x = self.fc(feats)
        if self.mlp is not None:
            x = x + self.mlp(feats)
        return x
