"""Matchers by name: `create_model(name, **cfg)`, `list_models()`. Importing this package registers all models."""

from sgfns.models import bridge, frozen_proj, scan, sgfns, sgm, symbolic, vsepp  # noqa: F401  (registration side effects)
from sgfns.models.base import Encoded, Matcher
from sgfns.models.registry import create_model, list_models, model_options, register_model

__all__ = ["Encoded", "Matcher", "create_model", "list_models", "model_options", "register_model"]
