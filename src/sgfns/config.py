"""Typed configuration: dataclasses filled from YAML files and `key=value` overrides.

Unknown keys are rejected with the list of valid ones, values are converted to the field's type, nested
dataclasses are addressed with dots (`model.embed_dim=256`)."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

from sgfns.errors import UserError

T = TypeVar("T")


def load_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else str(path)
        raise UserError(f"{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    return data


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """`["a.b=3", "name=x"]` -> nested dict with YAML-typed values."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"override {item!r}: expected key=value")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise UserError(f"override {item!r}: empty key")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        node = out
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise UserError(f"override {item!r}: {p} is not a section")
        node[parts[-1]] = value
    return out


def merge(cfg: T, data: dict[str, Any], where: str = "config") -> T:
    """Return a copy of dataclass `cfg` with `data` applied (recursively), validating keys and types."""
    if not dataclasses.is_dataclass(cfg):
        raise TypeError("merge expects a dataclass instance")
    fields = {f.name: f for f in dataclasses.fields(cfg)}
    hints = typing.get_type_hints(type(cfg))
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise UserError(f"{where}: unknown key '{key}'; valid keys: {', '.join(sorted(fields))}")
        current = getattr(cfg, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise UserError(f"{where}: '{key}' is a section; give its keys (e.g. {key}.x=...)")
            changes[key] = merge(current, value, f"{where}.{key}" if where != "config" else key)
        elif isinstance(current, dict):  # an open section (e.g. a model's options): keys are checked by its owner
            if not isinstance(value, dict):
                raise UserError(f"{where}: '{key}' is a section; give its keys (e.g. {key}.name=...)")
            changes[key] = {**current, **value}
        else:
            changes[key] = _coerce(value, hints[key], f"{where}.{key}" if where != "config" else key)
    return dataclasses.replace(cfg, **changes)


def _coerce(value: Any, tp: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(value, a, key)
            except UserError as e:
                errors.append(str(e))
        raise UserError(errors[0] if errors else f"{key}: bad value {value!r}")
    if origin is typing.Literal:
        if value not in args:
            raise UserError(f"{key}: {value!r} is not one of {', '.join(map(repr, args))}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise UserError(f"{key}: expected a list, got {value!r}")
        inner = args[0] if args else Any
        vals = [_coerce(v, inner, key) for v in value]
        return vals if origin is list else tuple(vals)
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise UserError(f"{key}: expected true or false, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise UserError(f"{key}: expected an integer, got {value!r}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise UserError(f"{key}: expected a number, got {value!r}")
    if tp is str:
        if isinstance(value, str):
            return value
        raise UserError(f"{key}: expected a string, got {value!r}")
    return value


def to_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def build(cls: type[T], path: str | Path | None = None, overrides: list[str] | None = None) -> T:
    """Defaults of `cls`, then the YAML file, then the `key=value` overrides."""
    cfg = cls()
    if path is not None:
        cfg = merge(cfg, load_yaml(path), str(path))
    if overrides:
        cfg = merge(cfg, parse_overrides(overrides), "override")
    return cfg
