"""Retrieval over encoded galleries: a flat inner-product index on global vectors (FAISS or torch) and
fine-grained re-ranking of its shortlist (`two_stage_search`); encoded galleries saved to and loaded from disk."""

from sgfns.index.flat import FlatIndex, faiss_available
from sgfns.index.rerank import pair_parts, rerank, two_stage_search

__all__ = ["FlatIndex", "faiss_available", "pair_parts", "rerank", "two_stage_search"]
