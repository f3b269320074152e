"""Retrieval over encoded galleries: a first stage (a flat inner-product index on global vectors, FAISS or torch;
or global + compressed node matching, `NodeStage` / `NodeIndex`) and fine-grained re-ranking of its shortlist
(`two_stage_search`); encoded galleries saved to and loaded from disk."""

from sgfns.index.flat import FlatIndex, faiss_available
from sgfns.index.nodestage import NodeIndex, NodeStage, fit_projection
from sgfns.index.rerank import rerank, rerank_both, two_stage_search

__all__ = [
    "FlatIndex",
    "NodeIndex",
    "NodeStage",
    "faiss_available",
    "fit_projection",
    "rerank",
    "rerank_both",
    "two_stage_search",
]
