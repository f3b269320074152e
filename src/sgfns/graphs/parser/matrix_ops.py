"""spaCy's matrix products on numpy's BLAS instead of thinc's bundled BLIS kernels, with the same parses.

Most of the English pipeline's time is the token-to-vector network, and most of that is matrix products
(`Ops.gemm`). thinc computes them with the BLIS library it ships; numpy's wheels carry OpenBLAS, which on this
project's CPUs (AVX2 / AVX-512) multiplies the network's float32 matrices about three times faster on one thread.
thinc already offers the switch (`NumpyOps(use_blis=False)` sends `gemm` to numpy); `use_numpy_blas(nlp)` gives every
layer of every component that operations object. Nothing else changes: the same weights, the same layers, float32
throughout; `scripts/pipeline_check.py` compares every token's tag, POS, morphology, lemma, label and head with
spaCy's stock pipeline on 50,101 real captions (docs/parser.md, "Speed").

numpy's BLAS follows `OMP_NUM_THREADS` / `OPENBLAS_NUM_THREADS`: one thread per process where they are 1 (the speed
benchmark), the machine's cores otherwise."""

from __future__ import annotations

from spacy.language import Language


def use_numpy_blas(nlp: Language) -> int:
    """Give every layer of the pipeline's models numpy-backed operations; the number of layers changed (0 where
    the pipeline runs on another device's operations, which are left alone)."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    changed = 0
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for layer in model.walk():
            if type(layer.ops) is NumpyOps:  # CPU layers only: a GPU pipeline keeps its own operations
                layer.ops = ops
                changed += 1
    return changed
