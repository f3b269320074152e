"""Training presets: YAML recipes shipped inside the package (`sgfns_app/configs/NAME.yaml`), found by name.

    sgfns train --config synth ...        # a preset by name (sgfns train --list-configs lists them)
    sgfns train --config my.yaml ...      # or any file of the same shape

A preset is a training config with three extra keys: `description` (one line for `--list-configs`), `extends`
(another preset it starts from) and `models` (per model name: the sections only that model gets — its options
under `model:`, and e.g. `neg:` for SGFNS's generated negatives). The resolved config is: the dataclass defaults,
then the preset (its `extends` chain first), then the preset's entry for the chosen model, then `key=value`
overrides. A model the preset does not list trains with its registered defaults. Without `--config` the `cpu`
preset is used (models sized for a CPU)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from sgfns.config import load_yaml, merge, parse_overrides
from sgfns.errors import UserError
from sgfns_app.train.config import TrainConfig

DEFAULT_PRESET = "cpu"
_META_KEYS = ("description", "extends", "models")


def _preset_dir() -> Path:
    return Path(str(resources.files("sgfns_app") / "configs"))


def list_presets() -> dict[str, str]:
    """Preset name -> its one-line description."""
    out = {}
    for p in sorted(_preset_dir().glob("*.yaml")):
        out[p.stem] = str(load_yaml(p).get("description", "")).strip()
    return out


def preset_path(name_or_path: str | Path) -> Path:
    """A preset's file: a shipped preset's name, or a path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.parent != Path("."):
        if not p.exists():
            raise UserError(f"{p}: config file not found")
        return p
    shipped = _preset_dir() / f"{name_or_path}.yaml"
    if shipped.exists():
        return shipped
    if p.exists():
        return p
    raise UserError(f"--config {name_or_path}: no such preset or file; presets: {', '.join(list_presets())}")


def load_preset(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    """(the preset's data with its `extends` chain applied, where it came from). `models` entries are merged per
    model and section; the other keys recursively."""
    path = preset_path(name_or_path)
    if str(path) in _seen:
        raise UserError(f"{path}: 'extends' loops back to itself")
    data = load_yaml(path)
    base_name = data.get("extends")
    if base_name is None:
        return data, str(path)
    if not isinstance(base_name, str):
        raise UserError(f"{path}: 'extends' must be a preset name, got {base_name!r}")
    base, _ = load_preset(base_name, (*_seen, str(path)))
    return _deep_merge(base, {k: v for k, v in data.items() if k != "extends"}), str(path)


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def build_train_config(config: str | Path | None, overrides: list[str] | None = None) -> TrainConfig:
    """The resolved, validated training config for a preset name or file (None: the default preset) and
    `key=value` overrides (`model.name=NAME` chooses the model)."""
    data, where = load_preset(config if config is not None else DEFAULT_PRESET)
    models = data.get("models") or {}
    if not isinstance(models, dict):
        raise UserError(f"{where}: 'models' must map model names to their settings")
    base = {k: v for k, v in data.items() if k not in _META_KEYS}
    over = parse_overrides(overrides or [])
    if "model" in over and not isinstance(over["model"], dict):
        raise UserError("override model=...: choose the model with --model NAME (or model.name=NAME)")
    name = (over.get("model") or {}).get("name") or (base.get("model") or {}).get("name") or "sgfns"
    cfg = merge(TrainConfig(), base, where)
    entry = models.get(name) or {}
    if not isinstance(entry, dict):
        raise UserError(f"{where}: models.{name} must be a mapping of config sections")
    cfg = merge(cfg, entry, f"{where}: models.{name}")
    cfg = merge(cfg, over, "override")
    cfg.model = {**cfg.model, "name": name}
    return cfg.validate()
