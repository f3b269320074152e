"""Options shared by the commands that load a trained run (eval, score, encode, search)."""

from __future__ import annotations


def add_run_options(p, *, batch_size: bool = True) -> None:
    """`--checkpoint`, `--device` and (optionally) `--batch-size`, `--no-progress`, with one meaning everywhere."""
    p.add_argument("--checkpoint", default="best", choices=["best", "last"], help="which weights (default: best)")
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N (default: cpu)")
    if batch_size:
        p.add_argument("--batch-size", type=int, default=128, help="items per encoding batch (default: 128)")
        p.add_argument("--no-progress", action="store_true", help="no progress bars")
