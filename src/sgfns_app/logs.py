"""Logging is configured once, here, by the application; library modules only call `logging.getLogger(__name__)`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_logging(verbose: bool = False, log_file: str | Path | None = None, rank: int = 0) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    level = logging.DEBUG if verbose else logging.INFO
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    if rank == 0:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(fmt)
        h.setLevel(level)
        root.addHandler(h)
    if log_file is not None and rank == 0:
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(fmt)
        root.addHandler(fh)


def add_file_handler(log_file: str | Path) -> None:
    fh = logging.FileHandler(log_file, encoding="utf-8")
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    logging.getLogger().addHandler(fh)
