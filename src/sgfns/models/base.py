"""The contract every matcher follows, so one training loop, one evaluator and one index serve all models.

A matcher encodes images and captions *independently* into `Encoded` sets and scores every pair of two encoded
sets with `similarity` (a dense [n_images, n_captions] matrix). Non-decomposable models (SCAN) keep their
per-item sets in `Encoded` and do the cross attention inside `similarity`; they are slower, not different in
interface. `similarity_parts` exposes the named terms (global / object / relation / count) whose weighted sum
is the score, for `eval --ranks` and for explaining results."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn


@dataclass
class Encoded:
    """One modality's encoding of N items. Node sets are padded; masks are True on real nodes.

    `glob`: [N, d] global vectors. `sets`: name -> ([N, L, d] nodes, [N, L] bool mask), e.g. "obj", "rel",
    "ctx" (regions or words). `extra`: name -> [N, ...] tensors a model needs (e.g. counts)."""

    glob: Tensor
    sets: dict[str, tuple[Tensor, Tensor]] = field(default_factory=dict)
    extra: dict[str, Tensor] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.glob.shape[0])

    def to(self, device: torch.device | str, dtype: torch.dtype | None = None) -> Encoded:
        def mv(t: Tensor) -> Tensor:
            t = t.to(device)
            return t.to(dtype) if dtype is not None and t.is_floating_point() else t

        return Encoded(
            glob=mv(self.glob),
            sets={k: (mv(v), m.to(device)) for k, (v, m) in self.sets.items()},
            extra={k: mv(v) for k, v in self.extra.items()},
        )

    def select(self, index: Tensor | slice) -> Encoded:
        return Encoded(
            glob=self.glob[index],
            sets={k: (v[index], m[index]) for k, (v, m) in self.sets.items()},
            extra={k: v[index] for k, v in self.extra.items()},
        )

    @staticmethod
    def cat(parts: list[Encoded]) -> Encoded:
        """Concatenate along items, padding node sets to the longest one."""
        first = parts[0]
        sets = {}
        for k in first.sets:
            L = max(p.sets[k][0].shape[1] for p in parts)
            vs, ms = [], []
            for p in parts:
                v, m = p.sets[k]
                pad = L - v.shape[1]
                if pad:
                    v = torch.nn.functional.pad(v, (0, 0, 0, pad))
                    m = torch.nn.functional.pad(m, (0, pad), value=False)
                vs.append(v)
                ms.append(m)
            sets[k] = (torch.cat(vs), torch.cat(ms))
        extra = {}
        for k in first.extra:
            ts = [p.extra[k] for p in parts]
            if ts[0].dim() >= 2 and any(t.shape[1:] != ts[0].shape[1:] for t in ts):
                L = max(t.shape[1] for t in ts)
                ts = [torch.nn.functional.pad(t, (0, 0) * (t.dim() - 2) + (0, L - t.shape[1])) for t in ts]
            extra[k] = torch.cat(ts)
        return Encoded(glob=torch.cat([p.glob for p in parts]), sets=sets, extra=extra)


def total(parts: dict[str, Tensor]) -> Tensor:
    """A score from its named terms (`similarity_parts` / `pair_parts`): their sum, the one way parts make a score."""
    return torch.stack(list(parts.values())).sum(0)


class Matcher(nn.Module):
    """Base class of every registered model."""

    name: str = "matcher"
    #: True when `similarity` is tensor algebra over independently encoded sets (no pairwise cross attention)
    decomposable: bool = True
    #: False for models that read only the scene graphs (symbolic); the others refuse graphs-only datasets
    needs_features: bool = True
    #: True for models that encode images through their visual scene graphs (`sgfns.models.inputs`)
    needs_image_graphs: bool = False

    def encode_images(self, batch: dict[str, Tensor]) -> Encoded:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode_captions(self, batch: dict[str, Tensor]) -> Encoded:  # pragma: no cover - abstract
        raise NotImplementedError

    def similarity_parts(self, img: Encoded, cap: Encoded) -> dict[str, Tensor]:
        """Named [n_img, n_cap] terms; `similarity` is their sum (weights already applied)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def similarity(self, img: Encoded, cap: Encoded) -> Tensor:
        return total(self.similarity_parts(img, cap))

    #: pairs per block in the default `pair_parts` (its cost grows as P * PAIR_BLOCK, not P * n_captions)
    PAIR_BLOCK = 16

    def pair_parts(self, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> dict[str, Tensor]:
        """Named terms [P] of the listed pairs (img[pair_img[p]], cap[pair_cap[p]]); their sum is the pair's score.

        The one pair-scoring route: training terms (L_neg), re-ranking, `sgfns score` and the service all call it.
        Differentiable. This default scores the diagonals of small [PAIR_BLOCK, PAIR_BLOCK] blocks of
        `similarity_parts`; models override it where they can score listed pairs directly (sgfns, sgm)."""
        pair_img, pair_cap = torch.as_tensor(pair_img).long(), torch.as_tensor(pair_cap).long()
        out: dict[str, list[Tensor]] = {}
        for s in range(0, len(pair_img), self.PAIR_BLOCK):
            i, c = pair_img[s : s + self.PAIR_BLOCK], pair_cap[s : s + self.PAIR_BLOCK]
            for name, v in self.similarity_parts(img.select(i), cap.select(c)).items():
                out.setdefault(name, []).append(v.diagonal())
        if not out:  # no pairs: the names of the terms come from one 1 x 1 call
            one = self.similarity_parts(img.select(slice(0, 1)), cap.select(slice(0, 1)))
            return {name: v.reshape(-1)[:0] for name, v in one.items()}
        return {name: torch.cat(v) for name, v in out.items()}

    def pair_scores(self, img: Encoded, cap: Encoded, pair_img: Tensor, pair_cap: Tensor) -> Tensor:
        """[P] scores of the listed pairs: the sum of `pair_parts`."""
        return total(self.pair_parts(img, cap, pair_img, pair_cap))

    def similarity_pairs(self, images, captions, *, data=None, split: str | None = None, batch_size: int = 128):
        """Score (image, caption) pairs from user-level inputs; returns `PairScores(score, parts)`.

        `images`: image ids of `data`/`split` (a dataset folder in the canonical layout), or photo files
        (`pathlib.Path`: prepared on the fly with the settings of `data`, else of the folder the run was trained on,
        which must be one made by `sgfns prepare`), or an `Encoded`, or a dict of arrays {"features": [N, R, D],
        "boxes": [N, R, 4] (optional), "graphs": [SceneGraph] (optional)}.
        `captions`: strings (parsed with the run's parser) or (text, SceneGraph) pairs. Pairs are
        (images[p], captions[p]); give one image to score it against every caption, or one caption against every
        image. See `sgfns.models.scoring.similarity_pairs`."""
        from sgfns.models.scoring import similarity_pairs

        return similarity_pairs(self, images, captions, data=data, split=split, batch_size=batch_size)
