"""The small classifier behind the visual scene graph: region features -> label and attributes.

An MLP (features standardised with train statistics -> 128 -> 128, ReLU) with four softmax heads: category or
`background` (12 classes), colour (10), size (2), pattern (4). It is trained on the **train split's proposals
only**; targets come from matching proposals to the generator's objects by mask IoU >= 0.5 (unmatched proposals
are `background`; attribute heads are trained on matched proposals only). Features never contain labels, so every
error of the visual graph comes from the pixels and the proposals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sgfns.data.synth.vocab import CATEGORIES, COLOURS, PATTERNS, SIZES

HEADS = {"label": len(CATEGORIES) + 1, "colour": len(COLOURS), "size": len(SIZES), "pattern": len(PATTERNS)}
BACKGROUND = len(CATEGORIES)


@dataclass
class Predictions:
    label: np.ndarray  # [K] int (BACKGROUND = not an object)
    colour: np.ndarray
    size: np.ndarray
    pattern: np.ndarray
    label_prob: np.ndarray  # [K] probability of the predicted label


def train_and_predict(
    x_train: np.ndarray, targets: dict[str, np.ndarray], x_eval: list[np.ndarray], seed: int, epochs: int = 14
) -> list[Predictions]:
    """targets: label [K] (BACKGROUND for unmatched), colour/size/pattern [K] (-1 where unmatched)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # determinism and a fair share of a small machine
    try:
        g = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        mu = x_train.mean(0)
        sd = x_train.std(0) + 1e-3
        xt = torch.from_numpy(((x_train - mu) / sd).astype(np.float32))
        tg = {k: torch.from_numpy(v.astype(np.int64)) for k, v in targets.items()}
        body = torch.nn.Sequential(
            torch.nn.Linear(xt.shape[1], 128), torch.nn.ReLU(), torch.nn.Linear(128, 128), torch.nn.ReLU()
        )
        heads = torch.nn.ModuleDict({k: torch.nn.Linear(128, n) for k, n in HEADS.items()})
        params = list(body.parameters()) + list(heads.parameters())
        opt = torch.optim.Adam(params, lr=3e-3, weight_decay=1e-5)
        n = xt.shape[0]
        bs = 256
        steps = epochs * ((n + bs - 1) // bs)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=max(steps, 1))
        for _ in range(epochs):
            perm = torch.randperm(n, generator=g)
            for s in range(0, n, bs):
                idx = perm[s : s + bs]
                h = body(xt[idx])
                loss = torch.nn.functional.cross_entropy(heads["label"](h), tg["label"][idx])
                for k in ("colour", "size", "pattern"):
                    y = tg[k][idx]
                    m = y >= 0
                    if m.any():
                        loss = loss + torch.nn.functional.cross_entropy(heads[k](h[m]), y[m])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        out = []
        with torch.no_grad():
            for x in x_eval:
                h = body(torch.from_numpy(((x - mu) / sd).astype(np.float32)))
                logits = {k: heads[k](h) for k in HEADS}
                pl = torch.softmax(logits["label"], -1)
                out.append(Predictions(
                    label=pl.argmax(-1).numpy(), colour=logits["colour"].argmax(-1).numpy(),
                    size=logits["size"].argmax(-1).numpy(), pattern=logits["pattern"].argmax(-1).numpy(),
                    label_prob=pl.max(-1).values.numpy(),
                ))  # fmt: skip
        return out
    finally:
        torch.set_num_threads(threads)
