"""Scene graphs: types, JSON IO and validation, and the caption parser."""

from sgfns.graphs.types import GraphError, Relation, SceneGraph, SGObject

__all__ = ["GraphError", "Relation", "SceneGraph", "SGObject"]
