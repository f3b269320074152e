"""Models by name (timm-style registry): `@register_model("name")` on a factory, `create_model(name, **cfg)`.

A factory takes keyword options only. `model_options(name)` lists the options a model accepts, so the training
loop can pass the relevant part of one flat model config to any model, and a typo in a config key is an error
rather than a silently ignored value."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from sgfns.errors import UserError
from sgfns.models.base import Matcher

_REGISTRY: dict[str, Callable[..., Matcher]] = {}
_DEFAULTS: dict[str, dict] = {}


def register_model(name: str, **defaults) -> Callable:
    """Register `fn` under `name`; `defaults` override the factory's own defaults (tiny variants)."""

    def deco(fn: Callable[..., Matcher]) -> Callable[..., Matcher]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} registered twice")
        _REGISTRY[name] = fn
        _DEFAULTS[name] = dict(defaults)
        return fn

    return deco


def options_factory(build: Callable[..., Matcher], defaults: dict) -> Callable[..., Matcher]:
    """A factory calling `build(**{**defaults, **kw})` whose signature lists every option (keyword-only)."""

    def make(**kw) -> Matcher:
        return build(**{**defaults, **kw})

    make.model_class = build
    make.__signature__ = inspect.Signature(
        [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in defaults.items()]
    )
    return make


def _ensure_loaded() -> None:
    # importing the package registers every built-in model
    import sgfns.models  # noqa: F401


def list_models() -> list[str]:
    _ensure_loaded()
    return sorted(_REGISTRY)


def model_options(name: str) -> dict[str, object]:
    """Option name -> default value for model `name`."""
    _ensure_loaded()
    if name not in _REGISTRY:
        raise UserError(f"unknown model {name!r}; available: {', '.join(list_models())}")
    sig = inspect.signature(_REGISTRY[name])
    opts = {k: p.default for k, p in sig.parameters.items() if p.kind == p.KEYWORD_ONLY}
    opts.update(_DEFAULTS[name])
    return opts


def model_class(name: str) -> type | None:
    """The class model `name` builds (None for a factory that does not say), for its class-level needs."""
    model_options(name)
    return getattr(_REGISTRY[name], "model_class", None)


def create_model(name: str, **cfg) -> Matcher:
    """Build model `name`; unknown options raise a UserError listing the valid ones."""
    opts = model_options(name)
    unknown = sorted(set(cfg) - set(opts))
    if unknown:
        raise UserError(f"model {name!r}: unknown option(s) {', '.join(unknown)}; valid: {', '.join(sorted(opts))}")
    kwargs = {**_DEFAULTS[name], **cfg}
    model = _REGISTRY[name](**kwargs)
    model.name = name
    model.config = {k: kwargs.get(k, v) for k, v in opts.items()}
    return model
